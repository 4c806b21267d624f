//! The shape ARCHITECTURE.md promises, checked against the code: no source
//! file over 800 lines, the server's hyper loop under 500, and no import cycle
//! between the crate's top-level modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_source_file_is_over_800_lines_and_the_server_loop_under_500() {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 800).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over 800 lines: {long:?}");
    let server = std::fs::read_to_string(src().join("server/mod.rs")).unwrap();
    assert!(
        server.lines().count() < 500,
        "server/mod.rs has grown past 500 lines"
    );
}

/// Top-level module -> the top-level modules it names (`crate::x`), tests left out.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src()).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        // Unit-test files (`mod tests;` under `#[cfg(test)]`) are not the module's code.
        let file = f.file_stem().unwrap_or_default().to_string_lossy();
        if top == "lib" || top == "main" || file == "tests" || file.starts_with("tests_") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let code = match text.find("#[cfg(test)]\nmod tests") {
            Some(i) => &text[..i],
            None => &text[..],
        };
        let deps = graph.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != top && name.chars().next().unwrap().is_lowercase() {
                deps.insert(name);
            }
        }
    }
    graph
}

/// The modules that sit on some cycle (strongly connected, more than one).
fn on_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for d in graph.get(&m).into_iter().flatten() {
                if graph.contains_key(d) && seen.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        seen
    };
    graph
        .keys()
        .filter(|m| reach(m).contains(*m))
        .cloned()
        .collect()
}

#[test]
fn no_module_imports_itself_through_others() {
    let graph = module_graph();
    assert!(graph.contains_key("server") && graph.contains_key("pipeline"));
    assert!(graph.contains_key("contract") && graph.contains_key("spec"));
    let cycles = on_cycles(&graph);
    assert!(
        cycles.is_empty(),
        "modules on an import cycle: {cycles:?}; ARCHITECTURE.md lists the layers (graph: {graph:?})"
    );
    // The loader is a leaf of ours but for the three leaf modules (media
    // types, path segments, the JSON instances its validators read): it
    // names no stage.
    let spec: Vec<&String> = graph["spec"]
        .iter()
        .filter(|m| graph.contains_key(*m))
        .collect();
    assert_eq!(
        spec,
        ["instance", "media", "segments"],
        "spec must not name the stages"
    );
}
