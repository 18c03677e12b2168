//! Fewer requests at once when Connect asks to slow down: parallel execute's documents in flight
//! and a query's pages in flight follow this one rule.

use std::time::{Duration, Instant};

use crate::client::Client;

/// How long a remembered lower limit outlives the last 429 or 503: later batches of the same run
/// (and other executions sharing the connection's client, whose requests count against the same
/// limits) start from it instead of from the setting.
const CEILING_MEMORY: Duration = Duration::from_secs(60);

/// Requests at once, halved (never below one) each time the connection's client has counted more
/// 429 or 503 answers (Connect's "slow down", also to other executions sharing the client) since
/// the last look.
#[derive(Debug)]
pub(crate) struct Throttle {
    limit: usize,
    /// The client's 429/503 count last looked at.
    seen: u64,
    /// A slowdown was found before (the log mentions the first only).
    slowed: bool,
    /// Lowerings are left on the client for later throttles (see [`Throttle::remembered`]).
    remember: bool,
}

impl Throttle {
    /// `limit` requests at once (at least one).
    pub(crate) fn new(client: &Client, limit: usize) -> Self {
        Throttle {
            limit: limit.max(1),
            seen: client.throttles(),
            slowed: false,
            remember: false,
        }
    }

    /// Like [`Throttle::new`], but no more than the lower limit a remembering throttle of the
    /// same client left less than [`CEILING_MEMORY`] ago, and leaving its own lowerings there.
    pub(crate) fn remembered(client: &Client, limit: usize) -> Self {
        let ceiling = client
            .parallel_ceiling
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .filter(|(_, at)| at.elapsed() < CEILING_MEMORY)
            .map_or(limit, |(n, _)| n);
        Throttle {
            remember: true,
            ..Throttle::new(client, limit.min(ceiling))
        }
    }

    /// Requests allowed at once.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// When the client counted a 429 or 503 since the last look, halves the limit and returns how
    /// many fewer requests it allows (0 when it was one already) and whether this is the first
    /// slowdown found (the one to tell the user about).
    pub(crate) fn look(&mut self, client: &Client) -> Option<(usize, bool)> {
        let (fewer, first) = self.count(client.throttles())?;
        if self.remember && fewer > 0 {
            *client
                .parallel_ceiling
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some((self.limit, Instant::now()));
        }
        Some((fewer, first))
    }

    /// [`Throttle::look`] at the client's count `throttles`.
    fn count(&mut self, throttles: u64) -> Option<(usize, bool)> {
        if throttles == self.seen {
            return None;
        }
        self.seen = throttles;
        let before = self.limit;
        self.limit = (before / 2).max(1);
        let first = !self.slowed;
        self.slowed = true;
        Some((before - self.limit, first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_on_each_new_count_down_to_one_and_says_the_first_slowdown_only() {
        let mut t = Throttle {
            limit: 16,
            seen: 3,
            slowed: false,
            remember: false,
        };
        // Several answers between two looks halve the limit once.
        let looks: Vec<_> = [3, 5, 5, 6, 7, 9, 10, 10]
            .into_iter()
            .map(|n| (t.count(n), t.limit()))
            .collect();
        let slowed = |fewer, first| Some((fewer, first));
        assert_eq!(
            looks,
            [
                (None, 16),
                (slowed(8, true), 8),
                (None, 8),
                (slowed(4, false), 4),
                (slowed(2, false), 2),
                (slowed(1, false), 1),
                (slowed(0, false), 1),
                (None, 1),
            ]
        );
        let mut at_one = Throttle { slowed: false, ..t };
        assert_eq!(at_one.count(11), slowed(0, true), "a first slowdown at one");
    }

    #[tokio::test]
    async fn looks_at_the_clients_count_and_remembers_only_when_asked() {
        use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(429))
            .mount(&server)
            .await;
        let json = serde_json::json!({"properties": {
            "endpoint": server.uri(), "apiToken": "SU-1:secretsecret", "maxAttempts": 1}});
        let settings = crate::settings::Settings::parse(json.to_string().as_bytes()).unwrap();
        let client = Client::new(settings).unwrap();
        let (mut query, mut execute) =
            (Throttle::new(&client, 8), Throttle::remembered(&client, 8));
        assert_eq!(query.look(&client), None);
        let req = crate::client::ApiRequest::get(client.url(["x"], None).unwrap());
        let resp = client.send(&req, &mut crate::log::Log::new()).await;
        assert_eq!((resp.unwrap().status, client.throttles()), (429, 1));
        assert_eq!(query.look(&client), Some((4, true)));
        // A throttle that does not remember leaves nothing on the client.
        assert_eq!(Throttle::remembered(&client, 8).limit(), 8);
        assert_eq!(execute.look(&client), Some((4, true)));
        // Later remembering throttles start from 4, never above their own setting; others from
        // their setting (at least one), counting from the client's count when they start.
        assert_eq!(Throttle::remembered(&client, 16).limit(), 4);
        assert_eq!(Throttle::remembered(&client, 2).limit(), 2);
        let mut later = Throttle::new(&client, 0);
        assert_eq!((later.limit(), later.look(&client)), (1, None));
    }
}
