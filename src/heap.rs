//! Handing freed memory back to the operating system.
//!
//! glibc keeps the pages of freed allocations mapped unless they sit at the
//! top of a heap, so a server holds on to what a large load or a burst of
//! connections once needed. Two moments free much and are followed by
//! quiet: the end of a load, and the last open connection closing. There
//! the free pages are handed back, as jemalloc and mimalloc do by
//! themselves after a delay. A no-op on other allocators.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Hand the heaps' free pages back now.
pub fn release_free_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas; no Rust invariant involved.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A client that opens a connection a request would otherwise trim on every
/// one: at most once this often (a trim walks every arena, about a
/// millisecond for a few MB). Also how often [`catch_up`] should be called.
pub const QUIET_EVERY: Duration = Duration::from_secs(1);

/// A connection closed since the last trim.
static PENDING: AtomicBool = AtomicBool::new(false);

/// No connection is open any more: release free pages now, or, if that was
/// done less than [`QUIET_EVERY`] ago, at the next [`catch_up`].
pub fn quiet() {
    PENDING.store(true, Ordering::Relaxed);
    catch_up(false);
}

/// Called every [`QUIET_EVERY`] while serving, with whether a connection
/// is open: does a trim [`quiet`] left pending, once it is quiet still.
pub fn catch_up(connections_open: bool) {
    if !connections_open && PENDING.swap(false, Ordering::Relaxed) && !trim_unless_recent() {
        PENDING.store(true, Ordering::Relaxed);
    }
}

fn trim_unless_recent() -> bool {
    static LAST: Mutex<Option<Instant>> = Mutex::new(None);
    let Ok(mut last) = LAST.try_lock() else {
        return true; // another thread is trimming now
    };
    if last.is_some_and(|t| t.elapsed() < QUIET_EVERY) {
        return false;
    }
    release_free_pages();
    *last = Some(Instant::now());
    true
}
