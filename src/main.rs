//! The `specmock` binary: parse the command line, call the library.

fn main() -> std::process::ExitCode {
    specmock::cli::main()
}
