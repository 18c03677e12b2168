//! Handle tables: Java holds `long` ids, never raw pointers, so a stale or doubled close from Java
//! gives a `HANDLE_CLOSED` error instead of a use-after-free.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{CoreError, ErrorCode, Result};

/// A table of live objects keyed by `u64` ids. Ids start at 1 (0 is never valid) and are never
/// reused, so an old id can always be told apart from a live one.
pub struct HandleTable<T> {
    /// What the table holds, for messages ("client", "query cursor").
    kind: &'static str,
    next: AtomicU64,
    live: Mutex<BTreeMap<u64, Arc<T>>>,
}

impl<T> HandleTable<T> {
    pub const fn new(kind: &'static str) -> Self {
        Self {
            kind,
            next: AtomicU64::new(1),
            live: Mutex::new(BTreeMap::new()),
        }
    }

    /// The map, even if a thread panicked while holding the lock: every operation on the map is a
    /// single insert/remove/get, so it is never left half-updated.
    fn map(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<T>>> {
        self.live
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn insert(&self, value: T) -> u64 {
        self.insert_shared(Arc::new(value))
    }

    /// A new handle to an object that may have other handles (or owners) too.
    pub fn insert_shared(&self, value: Arc<T>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.map().insert(id, value);
        id
    }

    /// The object behind `id`. The `Arc` keeps it alive for the caller even if another thread
    /// closes the handle meanwhile.
    pub fn get(&self, id: u64) -> Result<Arc<T>> {
        self.map().get(&id).cloned().ok_or_else(|| self.closed(id))
    }

    /// Releases `id`. Closing 0 is a no-op; closing an unknown or already closed id is an error.
    pub fn remove(&self, id: u64) -> Result<()> {
        if id == 0 {
            return Ok(());
        }
        self.map()
            .remove(&id)
            .map(drop)
            .ok_or_else(|| self.closed(id))
    }

    pub fn len(&self) -> usize {
        self.map().len()
    }

    fn closed(&self, id: u64) -> CoreError {
        let why = if id == 0 || id >= self.next.load(Ordering::Relaxed) {
            "was never opened"
        } else {
            "is already closed"
        };
        CoreError::new(
            ErrorCode::HandleClosed,
            format!("{} handle {id} {why}", self.kind),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let t: HandleTable<String> = HandleTable::new("thing");
        let a = t.insert("a".into());
        let b = t.insert("b".into());
        assert_ne!(a, 0);
        assert_ne!(a, b);
        assert_eq!(*t.get(a).unwrap(), "a");
        t.remove(a).unwrap();
        let e = t.get(a).unwrap_err();
        assert_eq!(e.code, ErrorCode::HandleClosed);
        assert!(e.message.contains("already closed"), "{}", e.message);
        assert_eq!(t.remove(a).unwrap_err().code, ErrorCode::HandleClosed);
        assert!(t.remove(0).is_ok());
        let e = t.get(0).unwrap_err();
        assert!(e.message.contains("never opened"));
        assert!(t.get(999).unwrap_err().message.contains("never opened"));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn value_outlives_close() {
        let t: HandleTable<String> = HandleTable::new("thing");
        let a = t.insert("a".into());
        let held = t.get(a).unwrap();
        t.remove(a).unwrap();
        assert_eq!(*held, "a");
    }
}
