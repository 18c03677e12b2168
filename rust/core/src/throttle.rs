//! Fewer requests at once when Connect asks to slow down: the rule behind parallel execute's
//! documents in flight and a query's pages in flight.

use std::time::{Duration, Instant};

use crate::client::Client;

/// How long a remembered lower limit outlives the last 429 or 503: later batches of the same run
/// (and other executions sharing the connection's client, whose requests count against the same
/// limits) start from it instead of from the setting.
const CEILING_MEMORY: Duration = Duration::from_secs(60);

/// A number of requests at once, halved (never below one) each time the connection's client has
/// counted more 429 or 503 answers (Connect's "slow down") since the last look. The client's count
/// includes other executions' answers, as their requests count against the same limits.
#[derive(Debug)]
pub(crate) struct Throttle {
    limit: usize,
    /// The client's 429/503 count last looked at.
    seen: u64,
    /// A slowdown was found before (the log mentions the first only).
    slowed: bool,
    /// Lowered limits are left on the client for later throttles (see [`Throttle::remembered`]).
    remember: bool,
}

/// What a look found when the client had counted another 429 or 503.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Slowdown {
    /// How many fewer requests the limit allows: 0 when it was one already.
    pub(crate) fewer: usize,
    /// The throttle's first slowdown: the one the log mentions.
    pub(crate) first: bool,
}

impl Throttle {
    /// `limit` requests at once (at least one), lowered from the client's next 429 or 503 on.
    pub(crate) fn new(client: &Client, limit: usize) -> Self {
        Throttle::counting_from(limit, client.throttles(), false)
    }

    /// Like [`Throttle::new`], but starting from the lower limit a remembering throttle of the
    /// same client left less than [`CEILING_MEMORY`] ago, and leaving its own lowerings there.
    pub(crate) fn remembered(client: &Client, limit: usize) -> Self {
        let ceiling = client
            .parallel_ceiling
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .filter(|(_, at)| at.elapsed() < CEILING_MEMORY)
            .map_or(limit, |(n, _)| n);
        Throttle::counting_from(limit.min(ceiling), client.throttles(), true)
    }

    fn counting_from(limit: usize, seen: u64, remember: bool) -> Self {
        Throttle {
            limit: limit.max(1),
            seen,
            slowed: false,
            remember,
        }
    }

    /// Requests allowed at once.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Halves the limit when the client counted a 429 or 503 since the last look.
    pub(crate) fn look(&mut self, client: &Client) -> Option<Slowdown> {
        let slowdown = self.count(client.throttles())?;
        if self.remember && slowdown.fewer > 0 {
            *client
                .parallel_ceiling
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some((self.limit, Instant::now()));
        }
        Some(slowdown)
    }

    /// The rule, given the client's count of 429 and 503 answers.
    fn count(&mut self, throttles: u64) -> Option<Slowdown> {
        if throttles == self.seen {
            return None;
        }
        self.seen = throttles;
        let before = self.limit;
        self.limit = (before / 2).max(1);
        let first = !self.slowed;
        self.slowed = true;
        Some(Slowdown {
            fewer: before - self.limit,
            first,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_on_each_new_count_never_below_one_and_is_first_once() {
        let mut t = Throttle::counting_from(16, 3, false);
        assert_eq!(t.count(3), None, "no new 429/503");
        assert_eq!(t.limit(), 16);
        let mut limits = Vec::new();
        let mut firsts = Vec::new();
        // Several answers between two looks halve it once.
        for count in [5, 6, 7, 8, 9, 10] {
            let s = t.count(count).expect("a new count is a slowdown");
            assert_eq!(s.fewer, limits.last().unwrap_or(&16) - t.limit());
            limits.push(t.limit());
            firsts.push(s.first);
        }
        assert_eq!(limits, [8, 4, 2, 1, 1, 1]);
        assert_eq!(firsts, [true, false, false, false, false, false]);
        assert_eq!(t.count(10), None);
    }

    #[test]
    fn starts_at_one_at_least_and_a_first_slowdown_at_one_lowers_nothing() {
        let mut t = Throttle::counting_from(0, 0, false);
        assert_eq!(t.limit(), 1);
        assert_eq!(
            t.count(1),
            Some(Slowdown {
                fewer: 0,
                first: true
            })
        );
    }

    /// A client of a server that answers every request 429, not retried.
    async fn client_of_a_throttling_server() -> (Client, wiremock::MockServer) {
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(429))
            .mount(&server)
            .await;
        let json = serde_json::json!({"properties": {
            "endpoint": server.uri(), "apiToken": "SU-1:secretsecret", "maxAttempts": 1}});
        let settings = crate::settings::Settings::parse(json.to_string().as_bytes()).unwrap();
        (Client::new(settings).unwrap(), server)
    }

    #[tokio::test]
    async fn looks_at_the_clients_count_and_remembers_only_when_asked() {
        let (client, _server) = client_of_a_throttling_server().await;
        let mut query = Throttle::new(&client, 8);
        let mut execute = Throttle::remembered(&client, 8);
        assert_eq!(query.look(&client), None);
        let req = crate::client::ApiRequest {
            method: crate::catalog::HttpMethod::Get,
            url: client.url(["x"], None).unwrap(),
            body: crate::client::RequestBody::None,
            accept: None,
        };
        let resp = client.send(&req, &mut crate::log::Log::new()).await;
        assert_eq!((resp.unwrap().status, client.throttles()), (429, 1));
        let halved = Some(Slowdown {
            fewer: 4,
            first: true,
        });
        assert_eq!(query.look(&client), halved);
        assert_eq!(query.look(&client), None);
        // A throttle that does not remember leaves nothing on the client.
        assert_eq!(Throttle::remembered(&client, 8).limit(), 8);
        assert_eq!(execute.look(&client), halved);
        // Later remembering throttles start from 4, never above their own setting; others from
        // their setting, counting from the client's count when they start.
        assert_eq!(Throttle::remembered(&client, 8).limit(), 4);
        assert_eq!(Throttle::remembered(&client, 2).limit(), 2);
        let mut later = Throttle::new(&client, 8);
        assert_eq!((later.limit(), later.look(&client)), (8, None));
    }
}
