//! The HTTP clients of recent connections, kept from one execution to the next.
//!
//! Boomi opens the connector's connection once per operation execution: a process that runs every
//! minute, or a Query inside a loop, opens it hundreds of times. Building a client reads the
//! platform's certificate store (a few milliseconds of file system work) and starts an empty
//! connection pool, so every execution would also pay a new TCP and TLS handshake with Connect.
//! Reusing the client of identical settings keeps both: the store is read once, and idle keep-alive
//! connections (reqwest closes them after 90 s) carry the next execution's requests.
//!
//! Clients are shared only between identical [`Settings`] (endpoint, token, proxy, timeouts,
//! retries, extra CA), so no execution ever talks to Connect with another connection's
//! credentials or options. The cache holds the few most recently used settings; the token stays in
//! memory as long as its client, as it does while any execution runs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::client::Client;
use crate::error::Result;
use crate::settings::Settings;

/// Settings kept at once: an Atom runs a handful of Connect connections, not hundreds.
pub const CAPACITY: usize = 8;

/// Clients by settings, most recently used first.
pub struct ClientCache {
    recent: Mutex<VecDeque<Arc<Client>>>,
}

impl ClientCache {
    pub const fn new() -> Self {
        ClientCache {
            recent: Mutex::new(VecDeque::new()),
        }
    }

    /// The client of `settings`: the kept one, or a new one built by `build` (and kept).
    pub fn get_or_build(
        &self,
        settings: Settings,
        build: impl FnOnce(Settings) -> Result<Client>,
    ) -> Result<Arc<Client>> {
        // Every operation on the list is a single lookup, insert or truncate: a panic elsewhere
        // while holding the lock cannot leave it half-updated.
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = recent.iter().position(|c| *c.settings() == settings) {
            let client = recent.remove(at).expect("position is in the list");
            recent.push_front(client.clone());
            return Ok(client);
        }
        // Built under the lock: two executions starting together with new settings share one
        // client instead of racing to build two.
        let client = Arc::new(build(settings)?);
        recent.push_front(client.clone());
        recent.truncate(CAPACITY);
        Ok(client)
    }

    /// How many settings are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.recent.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Default for ClientCache {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CoreError;

    fn settings(endpoint: &str, token: &str) -> Settings {
        Settings::parse(
            format!(r#"{{"properties":{{"endpoint":"{endpoint}","apiToken":"{token}"}}}}"#)
                .as_bytes(),
        )
        .expect("valid settings")
    }

    #[test]
    fn identical_settings_share_one_client() {
        let cache = ClientCache::new();
        let mut built = 0;
        let mut open = |s: Settings| {
            cache.get_or_build(s, |s| {
                built += 1;
                Client::new(s)
            })
        };
        let a = open(settings("https://a.example/public/v1", "ApiKey SU-1:x")).unwrap();
        let again = open(settings("https://a.example/public/v1", "ApiKey SU-1:x")).unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        // Any difference, the token above all, gets a client of its own.
        let other_token = open(settings("https://a.example/public/v1", "ApiKey SU-1:y")).unwrap();
        let other_endpoint =
            open(settings("https://b.example/public/v1", "ApiKey SU-1:x")).unwrap();
        assert!(!Arc::ptr_eq(&a, &other_token));
        assert!(!Arc::ptr_eq(&a, &other_endpoint));
        assert_eq!(
            other_token.settings().authorization.expose(),
            "ApiKey SU-1:y"
        );
        assert_eq!(built, 3);
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn the_least_recently_used_settings_go_first() {
        let cache = ClientCache::new();
        let open = |n: usize| {
            cache
                .get_or_build(
                    settings(&format!("https://h{n}.example"), "ApiKey SU-1:x"),
                    Client::new,
                )
                .unwrap()
        };
        let first = open(0);
        let second = open(1);
        for n in 2..CAPACITY {
            open(n);
        }
        // Using the first again makes the second the oldest; one more settings push it out.
        assert!(Arc::ptr_eq(&first, &open(0)));
        open(CAPACITY);
        assert_eq!(cache.len(), CAPACITY);
        assert!(Arc::ptr_eq(&first, &open(0)));
        assert!(
            !Arc::ptr_eq(&second, &open(1)),
            "the oldest was dropped and rebuilt"
        );
    }

    #[test]
    fn a_failed_build_keeps_nothing() {
        let cache = ClientCache::new();
        let e = cache
            .get_or_build(settings("https://a.example", "ApiKey SU-1:x"), |_| {
                Err(CoreError::internal("no client"))
            })
            .unwrap_err();
        assert_eq!(e.message, "no client");
        assert_eq!(cache.len(), 0);
    }
}
