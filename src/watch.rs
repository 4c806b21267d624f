//! Hot reload (`--watch`): re-read documents and fixtures when their files
//! change (debounced), and swap the new contract in atomically. A broken edit
//! keeps the old contract serving and logs why, with the file and line; the
//! journal and stateful resources live outside the contract and survive.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use crate::contract::{Contract, FixturePaths, SpecPaths};
use crate::server::AppState;

/// How long file events settle before a reload: editors write in bursts.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Keeps the watch alive; dropping it stops watching.
pub struct Watch {
    _debouncer: Debouncer<RecommendedWatcher>,
}

/// Watch the documents' and fixtures' files and reload on change.
pub fn watch(
    state: Arc<AppState>,
    spec: SpecPaths,
    fixtures: FixturePaths,
) -> Result<Watch, String> {
    let mut targets: Vec<(PathBuf, RecursiveMode)> = Vec::new();
    for p in &spec.paths {
        // Editors replace files by renaming over them: watch a file's folder.
        if p.is_dir() {
            targets.push((p.clone(), RecursiveMode::Recursive));
        } else {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            targets.push((dir, RecursiveMode::Recursive));
        }
    }
    for d in &fixtures.dirs {
        targets.push((d.clone(), RecursiveMode::Recursive));
    }
    if targets.is_empty() {
        return Err("--watch: nothing to watch (the bundled specs are inside the binary); give spec files or --fixtures folders".into());
    }
    let handler = move |res: DebounceEventResult| match res {
        Ok(events) => {
            // Temp files of atomic writes and editors' swap files are not edits.
            let relevant = events.iter().any(|e| {
                e.path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.') && !n.ends_with('~'))
            });
            if relevant {
                reload(&state, &spec, &fixtures);
            }
        }
        Err(e) => tracing::warn!("watching files failed: {e}"),
    };
    let mut debouncer =
        new_debouncer(DEBOUNCE, handler).map_err(|e| format!("cannot watch files: {e}"))?;
    for (path, mode) in &targets {
        debouncer
            .watcher()
            .watch(path, *mode)
            .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
    }
    tracing::info!(
        "watching {} for changes",
        targets
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Watch {
        _debouncer: debouncer,
    })
}

/// Load everything again; swap it in when it loads, keep the old set when not.
pub fn reload(state: &AppState, spec: &SpecPaths, fixtures: &FixturePaths) {
    match Contract::load_with_fixtures(spec, fixtures) {
        Ok((contract, warnings)) => {
            for w in contract.warnings() {
                tracing::warn!("{w}");
            }
            for w in &warnings {
                tracing::warn!("{w}");
            }
            let ops = contract.operations().count();
            let fx = contract.fixtures().len();
            state.replace_contract(contract);
            crate::contract::release_load_garbage();
            tracing::info!("reloaded: {ops} operations, {fx} fixtures");
        }
        Err(errors) => {
            tracing::error!("reload failed, still serving the previous documents:");
            for e in &errors.0 {
                tracing::error!("  {e}");
            }
        }
    }
}
