//! Hot reload (`--watch`): re-read documents and fixtures when their content
//! changes, and swap the new contract in atomically. A broken edit keeps the
//! old contract serving and logs why, once per change; the journal and
//! stateful resources live outside the contract and survive.
//!
//! Two guards keep a quiet folder quiet. Event kinds: opening or reading a
//! file (the reload's own reads included) and metadata-only changes such as
//! `touch` are not edits, so they never wake the reloader. Content: before
//! reloading, each file an event names is compared (length and hash) with
//! what it held last time, so an identical rewrite is not a reload either.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::app::AppState;
use crate::contract::{Contract, FixturePaths, SpecPaths};

/// How long a burst of edits must stay quiet before the files are checked:
/// editors and `sed -i` write a file in several steps.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// A burst that never goes quiet (a copy of many files) is still checked after this.
const MAX_WAIT: Duration = Duration::from_secs(2);

/// Names in the log line before "and N more".
const NAMES_IN_LOG: usize = 3;

/// Keeps the watch alive; dropping it stops watching (the checking thread
/// ends when the watcher's channel closes).
pub struct Watch {
    _watcher: RecommendedWatcher,
}

/// Why `--watch` could not start. The notify and io errors are held, not
/// exposed as `source`: the message already carries them.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// Only bundled specs and no folders: no file to watch.
    #[error(
        "--watch: nothing to watch (the bundled specs are inside the binary); give spec files or --fixtures folders"
    )]
    NothingToWatch,
    /// The platform's watcher could not be created.
    #[error("--watch: cannot watch files: {0}")]
    Watcher(notify::Error),
    /// A folder could not be watched (missing, unreadable, out of watches).
    #[error(
        "--watch: cannot watch {}: {error}; check that the folder exists and is readable",
        dir.display()
    )]
    Folder { dir: PathBuf, error: notify::Error },
    #[error("--watch: cannot start the watching thread: {0}")]
    Thread(std::io::Error),
}

/// Watch the documents' and fixtures' files and reload when their content changes.
pub fn watch(
    state: Arc<AppState>,
    spec: SpecPaths,
    fixtures: FixturePaths,
) -> Result<Watch, WatchError> {
    let mut targets: Vec<PathBuf> = Vec::new();
    let mut files = Files::default();
    for p in &spec.paths {
        if p.is_dir() {
            let dir = absolute(p);
            files.walk_into(&dir);
            targets.push(dir);
        } else {
            // Editors replace files by renaming over them: watch a file's
            // folder (recursively: it holds the files the document `$ref`s).
            let dir = absolute(
                p.parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new(".")),
            );
            let file = dir.join(p.file_name().unwrap_or_default());
            files.explicit.push(file.clone());
            files.remember(&file);
            targets.push(dir);
        }
    }
    for d in &fixtures.dirs {
        let dir = absolute(d);
        files.walk_into(&dir);
        targets.push(dir);
    }
    targets.sort();
    targets.dedup();
    if targets.is_empty() {
        return Err(WatchError::NothingToWatch);
    }
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(tx).map_err(WatchError::Watcher)?;
    for dir in &targets {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|error| WatchError::Folder {
                dir: dir.clone(),
                error,
            })?;
    }
    state.watch.active.store(true, Ordering::Relaxed);
    std::thread::Builder::new()
        .name("specmock-watch".into())
        .spawn(move || run(rx, &state, &spec, &fixtures, files))
        .map_err(WatchError::Thread)?;
    tracing::info!(
        "watching {} for changes",
        targets
            .iter()
            .map(|p| shown(p))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Watch { _watcher: watcher })
}

/// Wait for a burst of content events, let it settle, check the files it
/// named, and reload once if any of them really changed.
fn run(
    rx: Receiver<notify::Result<Event>>,
    state: &AppState,
    spec: &SpecPaths,
    fixtures: &FixturePaths,
    mut files: Files,
) {
    // Blocks without waking while nothing happens; ends when the watcher is dropped.
    while let Ok(first) = rx.recv() {
        let mut pending = BTreeSet::new();
        if !files.collect(first, &mut pending) {
            continue;
        }
        let started = Instant::now();
        let mut quiet_at = started + DEBOUNCE;
        loop {
            let until = quiet_at.min(started + MAX_WAIT);
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                break;
            };
            match rx.recv_timeout(left) {
                // Only edits postpone the check; reads arriving meanwhile do not.
                Ok(ev) => {
                    if files.collect(ev, &mut pending) {
                        quiet_at = Instant::now() + DEBOUNCE;
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let changed = files.check(&pending);
        state
            .watch
            .file_checks
            .fetch_add(pending.len() as u64, Ordering::Relaxed);
        if !changed.is_empty() {
            reload(state, spec, fixtures, &changed);
        }
    }
}

/// Load everything again; swap it in when it loads, keep the old set when not.
fn reload(state: &AppState, spec: &SpecPaths, fixtures: &FixturePaths, changed: &[PathBuf]) {
    let what = describe(changed);
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
            crate::heap::release_free_pages();
            state.watch.reloads.fetch_add(1, Ordering::Relaxed);
            tracing::info!("reloaded after {what}: {ops} operations, {fx} fixtures");
        }
        Err(errors) => {
            state.watch.failed_reloads.fetch_add(1, Ordering::Relaxed);
            tracing::error!(
                "reload failed after {what}, still serving the previous documents; fix the file and save it again:"
            );
            for e in &errors.0 {
                tracing::error!("  {e}");
            }
        }
    }
}

/// What a file held when last seen: enough to tell an edit from a rewrite of
/// the same bytes (not a security boundary, so the std hasher is fine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    hash: u64,
}

fn fingerprint(path: &Path) -> Option<Fingerprint> {
    if !path.is_file() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let mut h = std::hash::DefaultHasher::new();
    h.write(&bytes);
    Some(Fingerprint {
        len: bytes.len() as u64,
        hash: h.finish(),
    })
}

/// The files the watch knows, with their last content.
#[derive(Debug, Default)]
struct Files {
    known: HashMap<PathBuf, Fingerprint>,
    /// Spec files named on the command line: watched whatever their extension.
    explicit: Vec<PathBuf>,
}

impl Files {
    fn remember(&mut self, path: &Path) {
        if let Some(f) = fingerprint(path) {
            self.known.insert(path.to_path_buf(), f);
        }
    }

    /// Remember every loadable file under a folder, as the fixture loader walks it.
    fn walk_into(&mut self, dir: &Path) {
        for f in loadable_under(dir) {
            self.remember(&f);
        }
    }

    /// Could the loader read this file? Hidden files and backups (`name~`) are
    /// editors' and atomic writes' temporaries; others count by extension.
    fn loadable(&self, path: &Path) -> bool {
        if self.explicit.iter().any(|e| e == path) {
            return true;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        !name.starts_with('.')
            && !name.ends_with('~')
            && path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "json" | "yaml" | "yml"))
    }

    /// Add the files an event may have changed to `pending`; true if it added any.
    fn collect(&self, event: notify::Result<Event>, pending: &mut BTreeSet<PathBuf>) -> bool {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("--watch: watching files failed: {e}");
                return false;
            }
        };
        let before = pending.len();
        if event.need_rescan() {
            // The kernel dropped events: check everything known.
            pending.extend(self.known.keys().cloned());
        }
        if !is_content_event(&event.kind) {
            return pending.len() > before;
        }
        for p in &event.paths {
            if self.loadable(p) {
                pending.insert(p.clone());
            } else {
                // A folder moved in, out or removed: its files, known or new.
                pending.extend(self.known.keys().filter(|k| k.starts_with(p)).cloned());
                if p.is_dir() {
                    pending.extend(loadable_under(p));
                }
            }
        }
        pending.len() > before
    }

    /// Compare each pending file with what it held; return the ones that
    /// changed (appeared, disappeared or differ), remembering their new content.
    fn check(&mut self, pending: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
        let mut changed = Vec::new();
        for p in pending {
            let now = fingerprint(p);
            let was = self.known.get(p).copied();
            if now != was {
                changed.push(p.clone());
            }
            match now {
                Some(f) => self.known.insert(p.clone(), f),
                None => self.known.remove(p),
            };
        }
        changed
    }
}

/// Opening, reading and closing a file (the reload's own reads included) and
/// metadata-only changes (`touch`, `chmod`) are not edits; everything else
/// (create, remove, rename, data change, or a backend that cannot tell) may be.
fn is_content_event(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
    )
}

/// Loadable files under a folder, recursively (at most 16 levels, as the fixture loader).
fn loadable_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, files: &Files, out: &mut Vec<PathBuf>, depth: usize) {
        if depth > 16 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, files, out, depth + 1);
            } else if files.loadable(&p) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &Files::default(), &mut out, 0);
    out
}

/// An absolute, symlink-free folder, so event paths and remembered paths agree.
fn absolute(p: &Path) -> PathBuf {
    p.canonicalize()
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// A path as the user would write it: relative to the working folder when inside it.
fn shown(p: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(absolute(&cwd)).ok().map(Path::to_path_buf))
        .filter(|r| !r.as_os_str().is_empty())
        .unwrap_or_else(|| p.to_path_buf())
        .display()
        .to_string()
}

/// "a.yaml changed", "a.yaml, b.json changed", "a, b, c and 2 more changed".
fn describe(changed: &[PathBuf]) -> String {
    let mut names: Vec<String> = changed
        .iter()
        .take(NAMES_IN_LOG)
        .map(|p| shown(p))
        .collect();
    if changed.len() > NAMES_IN_LOG {
        names.push(format!("{} more", changed.len() - NAMES_IN_LOG));
        let last = names.pop().unwrap_or_default();
        return format!("{} and {last} changed", names.join(", "));
    }
    format!("{} changed", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, RenameMode};

    #[test]
    fn watch_errors_keep_their_messages() {
        assert_eq!(
            WatchError::NothingToWatch.to_string(),
            "--watch: nothing to watch (the bundled specs are inside the binary); give spec files or --fixtures folders"
        );
        let e = WatchError::Folder {
            dir: PathBuf::from("/nope"),
            error: notify::Error::generic("boom"),
        };
        assert_eq!(
            e.to_string(),
            "--watch: cannot watch /nope: boom; check that the folder exists and is readable"
        );
        let e = WatchError::Watcher(notify::Error::generic("boom"));
        assert_eq!(e.to_string(), "--watch: cannot watch files: boom");
    }

    fn event(kind: EventKind, path: &Path) -> notify::Result<Event> {
        Ok(Event::new(kind).add_path(path.to_path_buf()))
    }

    #[test]
    fn reads_and_metadata_are_not_edits() {
        assert!(!is_content_event(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_content_event(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(!is_content_event(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::Any
        ))));
        assert!(is_content_event(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(is_content_event(&EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(is_content_event(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn only_a_real_content_change_counts() {
        let dir = tempfile::tempdir().unwrap();
        let root = absolute(dir.path());
        let f = root.join("api.yaml");
        std::fs::write(&f, "a: 1\n").unwrap();
        let mut files = Files::default();
        files.walk_into(&root);
        let one: BTreeSet<PathBuf> = [f.clone()].into();
        std::fs::write(&f, "a: 1\n").unwrap();
        assert!(
            files.check(&one).is_empty(),
            "an identical rewrite is no change"
        );
        std::fs::write(&f, "a: 2\n").unwrap();
        assert_eq!(files.check(&one), vec![f.clone()]);
        assert!(files.check(&one).is_empty(), "checked twice, changed once");
        std::fs::remove_file(&f).unwrap();
        assert_eq!(files.check(&one), vec![f.clone()]);
    }

    #[test]
    fn temporaries_and_reads_are_not_collected() {
        let dir = tempfile::tempdir().unwrap();
        let root = absolute(dir.path());
        let files = Files::default();
        let mut pending = BTreeSet::new();
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        for temp in [".api.yaml.swp", "api.yaml~", "sedAb12Cd", "notes.txt"] {
            assert!(
                !files.collect(event(data, &root.join(temp)), &mut pending),
                "{temp}"
            );
        }
        let read = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert!(!files.collect(event(read, &root.join("api.yaml")), &mut pending));
        assert!(files.collect(event(data, &root.join("api.YML")), &mut pending));
        assert_eq!(pending.len(), 1);
    }

    #[test]
    fn a_folder_moved_in_brings_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = absolute(dir.path());
        std::fs::create_dir_all(root.join("pets/list")).unwrap();
        std::fs::write(root.join("pets/list/one.json"), "{}").unwrap();
        let files = Files::default();
        let mut pending = BTreeSet::new();
        let moved = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert!(files.collect(event(moved, &root.join("pets")), &mut pending));
        assert_eq!(
            pending.into_iter().collect::<Vec<_>>(),
            vec![root.join("pets/list/one.json")]
        );
    }

    #[test]
    fn the_log_names_what_changed() {
        let p = |s: &str| PathBuf::from(format!("/nowhere/{s}"));
        assert_eq!(describe(&[p("a.yaml")]), "/nowhere/a.yaml changed");
        let many: Vec<_> = ["a", "b", "c", "d", "e"].iter().map(|s| p(s)).collect();
        assert_eq!(
            describe(&many),
            "/nowhere/a, /nowhere/b, /nowhere/c and 2 more changed"
        );
    }
}
