//! One expensive, read-only setup (an archive with a server process)
//! shared by the tests of one test binary that run at the same time.
//!
//! The setup lives as long as some test holds it and is dropped (the
//! server killed, the temporary directory removed) when the last one
//! finishes; a test starting after that builds a fresh one. A `static`
//! holding the value itself would never be dropped, leaving the server
//! process running after the tests.
//!
//! ```no_run
//! use ficus_testkit::Shared;
//!
//! struct Archive { /* server, data directory, ids… */ }
//! fn setup() -> Archive { Archive {} }
//!
//! static ARCHIVE: Shared<Archive> = Shared::new();
//!
//! // In each `#[test]` that uses it:
//! let archive = ARCHIVE.get(setup);
//! // … only reads: other tests may be reading the same archive.
//! drop(archive);
//! ```

use std::sync::{Arc, Mutex, PoisonError, Weak};

/// A lazily built value shared while any test holds it; see the module.
pub struct Shared<T> {
    slot: Mutex<Weak<T>>,
}

impl<T> Shared<T> {
    /// Empty; the first [`Shared::get`] builds the value.
    pub const fn new() -> Shared<T> {
        Shared {
            slot: Mutex::new(Weak::new()),
        }
    }

    /// The value other running tests hold, or a new one from `setup`. Tests
    /// asking while it is being built wait for it. If `setup` panics, the
    /// next test tries again (and most likely fails the same way).
    pub fn get(&self, setup: impl FnOnce() -> T) -> Arc<T> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = slot.upgrade() {
            return value;
        }
        let value = Arc::new(setup());
        *slot = Arc::downgrade(&value);
        value
    }
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared::new()
    }
}
