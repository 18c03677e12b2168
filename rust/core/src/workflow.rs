//! What the actions made of several Connect calls share (Submit Usage Records, Run Report):
//! one step's call with its outcome as the document's result when it fails, and waiting for
//! Connect to finish something it does in the background (a usage file's validation, a report
//! run) with growing pauses between status checks, bounded by the operation setting
//! "Wait Up To (minutes)".

use std::time::Duration;

use tokio::time::Instant;

use bytes::Bytes;

use crate::catalog::{Action, ActionSpec};
use crate::client::{ApiRequest, ApiResponse, Client, RequestBody};
use crate::error::Result;
use crate::log::Log;
use crate::operation::{Operation, tracked};
use crate::settings::Properties;
use crate::wire::{DocResult, Payload};

/// One document's run through several Connect calls: the calls, the log, and the settings.
pub(crate) struct Steps<'a> {
    pub client: &'a Client,
    pub op: &'a Operation,
    index: usize,
    pub log: Log,
}

impl<'a> Steps<'a> {
    pub(crate) fn new(client: &'a Client, op: &'a Operation, index: usize) -> Self {
        Steps {
            client,
            op,
            index,
            log: Log::new(),
        }
    }

    /// The document's result and log, from what the steps ended with (a failed step's result
    /// is the document's result).
    pub(crate) fn finish(
        self,
        outcome: std::result::Result<DocResult, DocResult>,
    ) -> (DocResult, Log) {
        (outcome.unwrap_or_else(|r| r), self.log)
    }

    /// An INFO line for the process log, naming the document.
    pub(crate) fn info(&mut self, message: impl std::fmt::Display) {
        self.log.info(format!("document {}: {message}", self.index));
    }

    /// The catalog action of the operation's object that a step uses.
    pub(crate) fn spec(
        &self,
        action: Action,
    ) -> std::result::Result<&'static ActionSpec, DocResult> {
        self.op.object.action(action).ok_or_else(|| {
            DocResult::failure(
                "INTERNAL",
                format!("{} has no {} action", self.op.object.label, action.label()),
            )
        })
    }

    /// The operation's "Wait Up To (minutes)", as the pauses of a status poll.
    pub(crate) fn poll(&self, default_minutes: i64) -> std::result::Result<Poll, DocResult> {
        let wait = wait_setting(&self.op.properties, default_minutes)
            .map_err(|e| DocResult::failure("BAD_INPUT", e.message))?;
        Ok(Poll::new(wait, crate::client::BACKOFF_BASE))
    }

    /// Sends one step: the catalog action `spec` of the operation's object (so the step is the
    /// same call as that action on its own), its path parameter filled with `id`; see [`Self::send`].
    pub(crate) async fn call(
        &mut self,
        spec: &'static ActionSpec,
        id: Option<&str>,
        body: RequestBody,
        context: &str,
    ) -> std::result::Result<ApiResponse, DocResult> {
        let segments = spec.path.split('/').filter(|s| !s.is_empty()).map(|s| {
            if s.starts_with('{') {
                id.unwrap_or("")
            } else {
                s
            }
        });
        let url = match self.client.url(segments, None) {
            Ok(url) => url,
            Err(e) => {
                return Err(in_context(
                    context,
                    DocResult::failure("INTERNAL", e.message),
                ));
            }
        };
        let req = ApiRequest {
            method: spec.method,
            url,
            body,
            accept: spec.accept(),
        };
        self.send(spec, &req, context).await
    }

    /// Sends `req`, the call of the catalog action `spec`. A 2xx answer is returned; anything
    /// else is the document's result already: a FAILURE for no answer, Connect's error as an
    /// APPLICATION_ERROR, the message starting with `context` (what was already done, so the
    /// user knows what exists in Connect).
    pub(crate) async fn send(
        &mut self,
        spec: &'static ActionSpec,
        req: &ApiRequest,
        context: &str,
    ) -> std::result::Result<ApiResponse, DocResult> {
        let (what, outcome) =
            crate::execute::send_logged(self.client, self.index, req, &mut self.log).await;
        crate::execute::answered(self.client, spec, &what, outcome)
            .map_err(|result| in_context(context, result))
    }

    /// The `id` of the object Connect answered a create step with; without one, the document's
    /// result says Connect created `what` (`a report`) but did not name it.
    pub(crate) fn created_id(
        &self,
        resp: &ApiResponse,
        what: &str,
    ) -> std::result::Result<String, DocResult> {
        text_member(&resp.body, "id").ok_or_else(|| {
            DocResult::application_error(
                resp.status.to_string(),
                format!(
                    "Connect created {what} but its answer has no id: {}",
                    self.client.excerpt(&resp.body, 200)
                ),
            )
        })
    }
}

/// `result` with its message led by `context`.
fn in_context(context: &str, mut result: DocResult) -> DocResult {
    if !context.is_empty() {
        result.message = format!("{context}{}", result.message);
    }
    result
}

/// The result with Connect's object as its document.
pub(crate) fn with_object(mut result: DocResult, body: &Bytes) -> DocResult {
    result.payloads = vec![Payload {
        tracked: tracked(body),
        data: body.clone(),
    }];
    result
}

/// A top-level text member of Connect's object (`id`, `status`).
fn text_member(body: &[u8], key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get(key)?.as_str().map(str::to_owned)
}

/// A top-level text member of Connect's object (`status`, `failure_output`), or `unknown`.
pub(crate) fn member(body: &[u8], key: &str) -> String {
    text_member(body, key).unwrap_or_else(|| "unknown".to_owned())
}

pub use connect_catalog::workflow::{WAIT_LABEL, WAIT_MAX_MINUTES, WAIT_PARAM};

/// The longest pause between two status checks.
const MAX_PAUSE: Duration = Duration::from_secs(30);

/// The minutes the operation allows, as a duration; `0` means one status check, no pause.
pub(crate) fn wait_setting(properties: &Properties, default_minutes: i64) -> Result<Duration> {
    let minutes = properties.int(
        WAIT_PARAM,
        WAIT_LABEL,
        default_minutes,
        0..=WAIT_MAX_MINUTES,
    )?;
    Ok(Duration::from_secs(minutes.unsigned_abs() * 60))
}

/// The pauses between status checks: `base`, twice that, four times, … capped at
/// [`MAX_PAUSE`], the last one cut to end at the deadline.
pub(crate) struct Poll {
    deadline: Instant,
    next: Duration,
}

impl Poll {
    pub(crate) fn new(wait: Duration, base: Duration) -> Self {
        Poll {
            deadline: Instant::now() + wait,
            next: base,
        }
    }

    /// How long the next pause will be, or `None` when the wait is over.
    pub(crate) fn next_pause(&self) -> Option<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        (!left.is_zero()).then(|| self.next.min(left))
    }

    /// Sleeps for the next pause; `false` (without sleeping) when the wait is over.
    pub(crate) async fn pause(&mut self) -> bool {
        let Some(pause) = self.next_pause() else {
            return false;
        };
        tokio::time::sleep(pause).await;
        self.next = (self.next * 2).min(MAX_PAUSE);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn pauses_grow_cap_and_stop_at_the_deadline() {
        let mut poll = Poll::new(Duration::from_secs(100), Duration::from_secs(1));
        let mut pauses = Vec::new();
        while let Some(p) = poll.next_pause() {
            pauses.push(p.as_secs());
            assert!(poll.pause().await);
        }
        assert!(!poll.pause().await);
        // 1+2+4+8+16+30+30 = 91, then the 9 s left.
        assert_eq!(pauses, [1, 2, 4, 8, 16, 30, 30, 9]);
    }

    #[tokio::test(start_paused = true)]
    async fn zero_wait_never_pauses() {
        let mut poll = Poll::new(Duration::ZERO, Duration::from_secs(1));
        assert_eq!(poll.next_pause(), None);
        assert!(!poll.pause().await);
    }

    #[test]
    fn wait_setting_reads_minutes_and_refuses_out_of_range() {
        let props = |v: serde_json::Value| {
            Properties(serde_json::from_value(serde_json::json!({ WAIT_PARAM: v })).unwrap())
        };
        assert_eq!(
            wait_setting(&Properties::default(), 10).unwrap(),
            Duration::from_secs(600)
        );
        assert_eq!(
            wait_setting(&props("0".into()), 10).unwrap(),
            Duration::ZERO
        );
        let err = wait_setting(&props(1441.into()), 10).unwrap_err();
        assert!(err.message.contains(WAIT_LABEL), "{}", err.message);
    }
}
