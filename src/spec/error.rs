//! Load errors: every one names the file, where in it, what is wrong and what to do.

use std::fmt;

/// One problem found while loading or compiling a document.
///
/// Displayed as `file: #/json/pointer: message (hint)`; YAML syntax errors carry
/// the line and column instead of a pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file (or embedded document name) the problem is in.
    pub file: String,
    /// Where in the file: a JSON pointer (`#/paths/~1tokens/get`) or `line L column C`.
    pub at: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when there is something useful to say.
    pub hint: Option<String>,
}

impl LoadError {
    pub(crate) fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        LoadError {
            file: file.into(),
            at: None,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn at(mut self, at: impl Into<String>) -> Self {
        self.at = Some(at.into());
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(at) = &self.at {
            write!(f, ": {at}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Why a `$ref` is not followed. Each message names the reference and what
/// to do; the variants let a caller tell a URL from an escape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// A reference to a URL (never fetched).
    #[error(
        "$ref \"{raw}\" points at a URL; specmock never fetches over the network (copy the target into the spec folder and use a relative path)"
    )]
    Url {
        /// The `$ref` as written.
        raw: String,
    },
    /// A fragment that is not a JSON pointer (an anchor).
    #[error("$ref \"{raw}\" has a fragment that is not a JSON pointer (anchors are not supported)")]
    NotAPointer {
        /// The `$ref` as written.
        raw: String,
    },
    /// A file reference in a document held in memory (bundled, or from stdin).
    #[error("$ref \"{raw}\" names a file, but this document was not read from a folder")]
    NoFolder {
        /// The `$ref` as written.
        raw: String,
    },
    /// An absolute file path.
    #[error(
        "$ref \"{raw}\" is an absolute path; only paths relative to the document's folder are followed"
    )]
    Absolute {
        /// The `$ref` as written.
        raw: String,
    },
    /// A relative path that climbs out of the folder references are confined to.
    #[error(
        "$ref \"{raw}\" points outside {folder}; specmock only reads files inside it (to allow a wider folder, pass --ref-root DIR, config key ref-root)"
    )]
    Outside {
        /// The `$ref` as written.
        raw: String,
        /// `the folder DIR`, or `the document's folder`.
        folder: String,
    },
}

/// Every problem found while loading a set of documents (loading goes on past the
/// first so that one run lists them all).
#[derive(Debug, Clone, Default)]
pub struct LoadErrors(pub Vec<LoadError>);

impl LoadErrors {
    /// True when nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<LoadError> for LoadErrors {
    fn from(e: LoadError) -> Self {
        LoadErrors(vec![e])
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// Escape one JSON pointer token (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescape one JSON pointer token (RFC 6901); borrowed when it holds no `~`.
pub fn unescape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    }
}

/// Build `#/a/b` from tokens, escaping each.
pub fn pointer<I, S>(tokens: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::from("#");
    for t in tokens {
        out.push('/');
        out.push_str(&escape_token(t.as_ref()));
    }
    out
}
