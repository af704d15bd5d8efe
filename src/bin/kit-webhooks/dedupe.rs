//! `listen --dedupe`: each delivery is kept once, across Kit's retries and
//! across restarts, in bounded memory.
//!
//! A delivery's key is the SHA-256 of the line `listen` stores for it (the
//! body with line breaks made spaces, which changes only whitespace). A key is
//! claimed before its delivery is written and marked kept once the write is
//! durable; a second copy that arrives meanwhile waits for the outcome, so a
//! duplicate is never acknowledged for a delivery that failed to be stored.
//! At most `capacity` kept keys are remembered, the oldest forgotten first;
//! at start, the keys of the lines already in `--out` and `--quarantine` are
//! read back.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};
use tokio::sync::Notify;

/// A delivery's key.
pub type Key = [u8; 32];

/// The key of a stored line.
pub fn key(line: &[u8]) -> Key {
    Sha256::digest(line).into()
}

enum State {
    /// Being written; the `Notify` fires when the write ends either way.
    InFlight(Arc<Notify>),
    Kept,
}

#[derive(Default)]
struct Inner {
    states: HashMap<Key, State>,
    /// The kept keys, oldest first.
    kept: VecDeque<Key>,
}

/// The set of deliveries kept.
pub struct Dedupe {
    inner: Mutex<Inner>,
    capacity: usize,
}

/// The outcome of [`Dedupe::claim`].
pub enum Claim<'a> {
    /// A new delivery: store it, then call [`Pending::kept`].
    New(Pending<'a>),
    /// Already kept.
    Duplicate,
}

/// A claimed key. Dropped without [`Pending::kept`] (the write failed), it
/// is released, so that Kit's retry is stored.
pub struct Pending<'a> {
    dedupe: &'a Dedupe,
    key: Key,
    done: bool,
}

impl Dedupe {
    /// An empty set that remembers at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        Dedupe {
            inner: Mutex::new(Inner::default()),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the set half-changed
        // in a way that matters more than losing the lock would.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a key as kept (read back at start).
    pub fn preload(&self, key: Key) {
        let mut inner = self.lock();
        self.keep(&mut inner, key);
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.lock().kept.len()
    }

    fn keep(&self, inner: &mut Inner, key: Key) {
        if matches!(inner.states.insert(key, State::Kept), Some(State::Kept)) {
            return;
        }
        inner.kept.push_back(key);
        while inner.kept.len() > self.capacity {
            if let Some(oldest) = inner.kept.pop_front() {
                inner.states.remove(&oldest);
            }
        }
    }

    /// Claims `key`: new, or a duplicate of a delivery kept. Waits while
    /// another copy of it is being written.
    pub async fn claim(&self, key: Key) -> Claim<'_> {
        loop {
            let notify = {
                let mut inner = self.lock();
                match inner.states.get(&key) {
                    None => {
                        inner.states.insert(key, State::InFlight(Arc::new(Notify::new())));
                        return Claim::New(Pending {
                            dedupe: self,
                            key,
                            done: false,
                        });
                    }
                    Some(State::Kept) => return Claim::Duplicate,
                    Some(State::InFlight(notify)) => Arc::clone(notify),
                }
            };
            // Registered before the lock is taken again by the writer, so the
            // end of its write cannot be missed.
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if matches!(self.lock().states.get(&key), Some(State::InFlight(n)) if Arc::ptr_eq(n, &notify)) {
                notified.await;
            }
        }
    }

    fn finish(&self, key: Key, kept: bool) {
        let mut inner = self.lock();
        let notify = match inner.states.remove(&key) {
            Some(State::InFlight(notify)) => Some(notify),
            Some(State::Kept) => {
                inner.states.insert(key, State::Kept);
                None
            }
            None => None,
        };
        if kept {
            self.keep(&mut inner, key);
        }
        drop(inner);
        if let Some(notify) = notify {
            notify.notify_waiters();
        }
    }
}

impl Pending<'_> {
    /// The delivery is durably stored.
    pub fn kept(mut self) {
        self.done = true;
        self.dedupe.finish(self.key, true);
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.dedupe.finish(self.key, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_key_is_new_once_then_a_duplicate() {
        run(async {
            let dedupe = Dedupe::new(10);
            let Claim::New(pending) = dedupe.claim(key(b"a")).await else {
                panic!()
            };
            pending.kept();
            assert!(matches!(dedupe.claim(key(b"a")).await, Claim::Duplicate));
            assert!(matches!(dedupe.claim(key(b"b")).await, Claim::New(_)));
        });
    }

    #[test]
    fn a_failed_write_releases_the_key() {
        run(async {
            let dedupe = Dedupe::new(10);
            let Claim::New(pending) = dedupe.claim(key(b"a")).await else {
                panic!()
            };
            drop(pending);
            assert!(matches!(dedupe.claim(key(b"a")).await, Claim::New(_)));
        });
    }

    #[test]
    fn a_copy_during_the_write_waits_for_its_outcome() {
        run(async {
            let dedupe = Arc::new(Dedupe::new(10));
            let Claim::New(pending) = dedupe.claim(key(b"a")).await else {
                panic!()
            };
            let waiting = {
                let dedupe = Arc::clone(&dedupe);
                tokio::spawn(async move { matches!(dedupe.claim(key(b"a")).await, Claim::Duplicate) })
            };
            tokio::task::yield_now().await;
            assert!(!waiting.is_finished());
            pending.kept();
            assert!(
                waiting.await.unwrap(),
                "the copy is a duplicate once the first is kept"
            );
        });
    }

    #[test]
    fn memory_is_bounded_oldest_first() {
        let dedupe = Dedupe::new(2);
        for line in [b"a", b"b", b"c"] {
            dedupe.preload(key(line));
        }
        assert_eq!(dedupe.len(), 2);
        run(async {
            assert!(
                matches!(dedupe.claim(key(b"a")).await, Claim::New(_)),
                "forgotten"
            );
            assert!(matches!(dedupe.claim(key(b"c")).await, Claim::Duplicate));
        });
    }
}
