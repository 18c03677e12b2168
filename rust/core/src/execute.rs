//! `execute`: one batch of documents (GET, CREATE, UPDATE, DELETE, EXECUTE actions).
//!
//! Exactly one result per document, in input order, always: a bad document becomes an
//! APPLICATION_ERROR result with a JSON error document and never stops the others; FAILURE is
//! kept for faults outside the document (network, TLS, timeouts). Documents run concurrently up
//! to the operation setting `parallelism` (default 4; 1 = strictly one after the other). A 429
//! or 503 answer halves the number of documents in flight (see [`Limiter`]).

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use serde::Deserialize;

use crate::catalog::{Action, ActionSpec, Body, HttpMethod, Output};
use crate::client::{ApiRequest, ApiResponse, Client, RequestBody, TransportError, status_line};
use crate::error::{CoreError, Result};
use crate::log::Log;
use crate::operation::{Operation, OperationJson, tracked};
use crate::query::{document, split_page};
use crate::settings::Properties;
use crate::throttle::Throttle;
use crate::wire::{self, DocResult, Payload, Status};

#[derive(Deserialize)]
struct BatchJson {
    operation: OperationJson,
    documents: Vec<DocJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DocJson {
    #[serde(default)]
    object_id: Option<String>,
    #[serde(default)]
    dynamic_properties: Properties,
    /// Set by the shim when it read (or tried to read) the legacy file path for an empty
    /// document: the file's bytes are the document's body then. The core never opens a path.
    #[serde(default)]
    pub(crate) legacy_file: Option<LegacyFile>,
}

/// What the shim found at the legacy file path (see [`FILE_PATH_PARAM`]).
#[derive(Deserialize)]
pub(crate) struct LegacyFile {
    path: String,
    /// Why the file could not be read (`cannot be opened: …`, `is empty`, …), if it could not.
    #[serde(default)]
    pub(crate) error: Option<String>,
}

/// Runs a batch and returns its RESULTS frame.
pub(crate) fn execute(
    client: Arc<Client>,
    json: &[u8],
    bodies: Vec<Option<Vec<u8>>>,
) -> Result<Vec<u8>> {
    let batch: BatchJson = serde_json::from_slice(json)
        .map_err(|e| CoreError::invalid_request(format!("batch request is not valid: {e}")))?;
    if batch.documents.len() != bodies.len() {
        return Err(CoreError::invalid_request(format!(
            "batch has {} documents but {} bodies",
            batch.documents.len(),
            bodies.len()
        )));
    }
    let op = batch.operation.resolve()?;
    if op.spec.action == Action::List {
        return Err(CoreError::invalid_request(
            "list actions run as queries, not as executes",
        ));
    }
    if op.spec.is_local() {
        return verify_calls(&op, batch.documents, bodies);
    }
    let parallelism = op
        .properties
        .int("parallelism", "Parallel Requests", 4, 1..=16)?
        .unsigned_abs();
    let parallelism = usize::try_from(parallelism).unwrap_or(1);
    let op = &op;
    let client = client.as_ref();
    let limiter = &Limiter::new(client, parallelism);
    let outcomes: Vec<(DocResult, Log)> = crate::runtime::block_on(
        futures_util::stream::iter(batch.documents.into_iter().zip(bodies).enumerate())
            .map(|(i, (doc, body))| async move {
                let permit = limiter.acquire().await;
                let (result, mut log) = run_document(client, op, i, doc, body).await;
                limiter.release(permit, &mut log);
                (result, log)
            })
            .buffered(parallelism)
            .collect(),
    )?;
    let mut log = Log::new();
    let mut results = Vec::with_capacity(outcomes.len());
    for (result, doc_log) in outcomes {
        log.append(doc_log);
        results.push(result);
    }
    Ok(wire::results(&log, &results))
}

/// Documents in flight at once: "Parallel Requests", halved each time the client receives a 429
/// or 503 (Connect's "slow down"), down to one, and remembered on the client (see [`Throttle`]).
/// The log says so once per lowering batch.
struct Limiter<'a> {
    client: &'a Client,
    permits: tokio::sync::Semaphore,
    state: std::sync::Mutex<LimitState>,
}

struct LimitState {
    throttle: Throttle,
    /// Permits to retire as they come back, after a lowering.
    debt: usize,
}

impl<'a> Limiter<'a> {
    fn new(client: &'a Client, parallelism: usize) -> Self {
        let throttle = Throttle::remembered(client, parallelism);
        Limiter {
            client,
            permits: tokio::sync::Semaphore::new(throttle.limit()),
            state: std::sync::Mutex::new(LimitState { throttle, debt: 0 }),
        }
    }

    async fn acquire(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // The semaphore is never closed, so this only fails in theory; then no limit applies.
        self.permits.acquire().await.ok()
    }

    /// Gives a permit back, after lowering the limit when the client saw a 429/503 since.
    fn release(&self, permit: Option<tokio::sync::SemaphorePermit<'_>>, log: &mut Log) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // A limit of one already has no permits to retire and nothing to say.
        if let Some((fewer, first)) = state.throttle.look(self.client)
            && fewer > 0
        {
            state.debt += fewer;
            if first {
                log.warning(format!(
                    "Connect asked to slow down (HTTP 429 or 503); at most {} \
                     documents at once from now on",
                    state.throttle.limit()
                ));
            }
        }
        if let Some(permit) = permit
            && state.debt > 0
        {
            state.debt -= 1;
            permit.forget();
        }
    }
}

async fn run_document(
    client: &Client,
    op: &Operation,
    index: usize,
    doc: DocJson,
    body: Option<Vec<u8>>,
) -> (DocResult, Log) {
    // Actions made of several calls run in their own modules.
    match op.spec.action {
        Action::SubmitUsageRecords => return crate::usage::run(client, op, index, body).await,
        Action::RunReport => return crate::report::run(client, op, index, &doc, body).await,
        _ => {}
    }
    let mut log = Log::new();
    let req = match prepare(client, op, &doc, body) {
        Ok(req) => with_flag(client, op, req, &mut log).await,
        Err(message) => Err(bad_input(&client.redact(&message))),
    };
    let result = match req {
        Ok(req) => match send_logged(client, index, &req, &mut log).await {
            (what, Ok(resp)) => map_response(client, op.spec, &what, resp),
            (_, Err(e)) => DocResult::failure(e.kind.code(), e.message),
        },
        Err(result) => result,
    };
    (result, log)
}

/// The request for one document, or a message saying what to fix in it.
pub(crate) fn prepare(
    client: &Client,
    op: &Operation,
    doc: &DocJson,
    body: Option<Vec<u8>>,
) -> Result<ApiRequest, String> {
    let segments = op.path_segments(&doc.dynamic_properties, doc.object_id.as_deref())?;
    let query = op.query_params(&doc.dynamic_properties);
    let url = client
        .url(segments.iter().map(String::as_str), Some(&query))
        .map_err(|e| e.message)?;
    let data = body.map(Bytes::from).filter(|b| !b.is_empty());
    let multipart = matches!(op.spec.body, Body::Multipart { .. });
    // The legacy file is only an upload's body; other actions ignore the path, as they ignore
    // the property.
    let data = match &doc.legacy_file {
        Some(_) if !multipart => None,
        _ => data,
    };
    let body = match (op.spec.body, data) {
        // The body is built from the object as Connect returns it (see `with_flag`).
        (Body::None | Body::SetFlag { .. }, _) => RequestBody::None,
        (Body::Json { schema }, None) => {
            // Some actions take no body at all (submit, confirm); one whose profile requires
            // members would only get Connect's validation error, so say what to send instead.
            let shape = body_shape(schema);
            if !shape.required.is_empty() {
                return Err(format!(
                    "the document is empty; send a JSON document matching the {schema} profile \
                     (required: {})",
                    shape.required.join(", ")
                ));
            }
            RequestBody::None
        }
        (Body::Json { schema }, Some(data)) => {
            let actual = match serde_json::from_slice::<JsonType>(&data) {
                Ok(JsonType(actual)) => actual,
                Err(e) => {
                    return Err(format!(
                        "the document is not valid JSON ({e}); send a JSON document matching the {schema} profile"
                    ));
                }
            };
            check_shape(schema, actual)?;
            RequestBody::Json(data)
        }
        (
            Body::Multipart {
                file_part,
                note_part,
            },
            data,
        ) => {
            let data = match (data, &doc.legacy_file) {
                (
                    _,
                    Some(LegacyFile {
                        path,
                        error: Some(error),
                    }),
                ) => {
                    return Err(format!(
                        "\"File Path (legacy)\" ({FILE_PATH_PARAM}) {path:?} {error}"
                    ));
                }
                (Some(data), _) => data,
                (None, Some(LegacyFile { path, .. })) => {
                    return Err(format!(
                        "\"File Path (legacy)\" ({FILE_PATH_PARAM}) {path:?} is empty"
                    ));
                }
                (None, None) => {
                    return Err(format!(
                        "the document is empty; send the file's bytes as the document (it is uploaded as \"{file_part}\"), \
                         or set \"File Path (legacy)\" ({FILE_PATH_PARAM}) to a file on the Atom's disk"
                    ));
                }
            };
            RequestBody::Multipart {
                file_part,
                data,
                note: note_part.and_then(|n| op.param(&doc.dynamic_properties, n).map(|v| (n, v))),
            }
        }
    };
    Ok(ApiRequest {
        method: op.spec.method,
        url,
        body,
        accept: op.spec.accept(),
    })
}

/// `req` with the body of a [`Body::SetFlag`] action (other actions' `req` as it is): the object
/// is read with a GET of the same URL and sent back with the flag set. A failed read is the
/// document's result.
async fn with_flag(
    client: &Client,
    op: &Operation,
    mut req: ApiRequest,
    log: &mut Log,
) -> Result<ApiRequest, DocResult> {
    let Body::SetFlag {
        schema,
        member,
        value,
    } = op.spec.body
    else {
        return Ok(req);
    };
    let get = ApiRequest::get(req.url.clone());
    let what = format!("GET {}", get.url.path());
    // Connect's error (a 404 for an unknown id) is the document's result, worded for the read it
    // answered (a GET is retried; the write after it was never sent).
    let read = op.object.action(Action::Get).unwrap_or(op.spec);
    let resp = answered(client, read, &what, client.send(&get, log).await)?;
    let body = crate::webhook::set_flag_body(&resp.body, schema, member, value).map_err(|e| {
        let message = client.redact(&format!("{what}: {e}"));
        DocResult::application_error("BAD_RESPONSE", &message).with_payload(error_document(
            None,
            "BAD_RESPONSE",
            &message,
        ))
    })?;
    log.fine(format!(
        "{what}: read the object to set {member} to {value}"
    ));
    req.body = RequestBody::Json(Bytes::from(body));
    Ok(req)
}

/// Verify Webhook Call: each document's token checked against the operation's secret, with no
/// call to Connect. One result per document, in order; a refusal is an APPLICATION_ERROR with
/// a JSON error document, so a process can route on it.
fn verify_calls(
    op: &Operation,
    documents: Vec<DocJson>,
    bodies: Vec<Option<Vec<u8>>>,
) -> Result<Vec<u8>> {
    use crate::webhook::{SECRET_SETTING, TOKEN_PROPERTY, verify_call};
    let secret = op.properties.text(SECRET_SETTING).ok_or_else(|| {
        CoreError::invalid_settings(format!(
            "\"Webhook Secret\" ({SECRET_SETTING}) is empty: paste the webhook's jwt_secret \
             (Get Resource on Webhook shows it)"
        ))
    })?;
    let secret = crate::secret::Secret::new(secret);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let mut log = Log::new();
    let results: Vec<DocResult> = documents
        .iter()
        .zip(bodies)
        .enumerate()
        .map(|(i, (doc, body))| {
            let token = doc.dynamic_properties.text(TOKEN_PROPERTY);
            match verify_call(
                body.as_deref().unwrap_or_default(),
                token.as_deref(),
                &secret,
                now,
            ) {
                Ok(data) => {
                    log.fine(format!("document {i}: webhook call verified"));
                    DocResult::success(
                        "VERIFIED",
                        "the webhook call's token is valid (HS256, signed with the Webhook Secret)",
                        vec![Payload::new(data)],
                    )
                }
                Err(refusal) => {
                    log.warning(format!(
                        "document {i}: webhook call refused ({}): {}",
                        refusal.code, refusal.message
                    ));
                    let document = Payload::new(refusal.document());
                    DocResult::application_error(refusal.code, refusal.message)
                        .with_payload(document)
                }
            }
        })
        .collect();
    Ok(wire::results(&log, &results))
}

/// What an input profile says about the top level of a JSON body.
#[derive(Debug, Default)]
struct BodyShape {
    /// `object` or `array` (the JSON type the action takes), when the profile says.
    kind: Option<String>,
    /// Top-level members the profile requires.
    required: Vec<String>,
}

/// The shape of a named input profile, read once per library copy.
fn body_shape(schema: &str) -> &'static BodyShape {
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static SHAPES: LazyLock<HashMap<&'static str, BodyShape>> = LazyLock::new(|| {
        crate::catalog::objects()
            .iter()
            .flat_map(|o| o.actions.iter())
            .filter_map(|a| match a.body {
                Body::Json { schema } => Some(schema),
                _ => None,
            })
            .map(|name| (name, read_shape(crate::profiles::schema(name))))
            .collect()
    });
    static NONE: BodyShape = BodyShape {
        kind: None,
        required: Vec::new(),
    };
    SHAPES.get(schema).unwrap_or(&NONE)
}

fn read_shape(schema: Option<&str>) -> BodyShape {
    let Some(value) = schema.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return BodyShape::default();
    };
    BodyShape {
        kind: value["type"].as_str().map(str::to_owned),
        required: value["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A document of the wrong JSON type (an array where the action takes an object) fails before any
/// request, saying what to fix. Missing members are left to Connect, whose validation error names
/// them: the spec's `required` lists are not always what the server enforces.
fn check_shape(schema: &str, actual: &str) -> Result<(), String> {
    let shape = body_shape(schema);
    if let Some(kind) = shape.kind.as_deref()
        && kind != actual
    {
        return Err(format!(
            "the document is a JSON {actual}, but this action takes a JSON {kind} matching the {schema} profile"
        ));
    }
    Ok(())
}

/// The JSON Schema type name of a document's top level, read by one pass that checks the whole
/// document as a `serde_json::Value` would (same errors, numbers in range included) but keeps
/// nothing: a `Value` of a large document costs several times its size, once per document.
struct JsonType(&'static str);

impl<'de> Deserialize<'de> for JsonType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(JsonTypeVisitor).map(JsonType)
    }
}

struct JsonTypeVisitor;

impl<'de> serde::de::Visitor<'de> for JsonTypeVisitor {
    type Value = &'static str;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok("boolean")
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok("number")
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok("number")
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok("number")
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok("string")
    }

    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok("null")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while seq.next_element::<JsonType>()?.is_some() {}
        Ok("array")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while map.next_entry::<JsonType, JsonType>()?.is_some() {}
        Ok("object")
    }
}

pub use connect_catalog::FILE_PATH_PARAM;

/// Sends `req` and logs (FINE) it with document `index`, its status or error code and how long
/// it took; returns what it was, as messages name it (`PUT /path`), with the outcome.
pub(crate) async fn send_logged(
    client: &Client,
    index: usize,
    req: &ApiRequest,
    log: &mut Log,
) -> (String, std::result::Result<ApiResponse, TransportError>) {
    let what = format!("{} {}", req.method.as_str(), req.url.path());
    let started = std::time::Instant::now();
    let outcome = client.send(req, log).await;
    let elapsed = started.elapsed().as_millis();
    let code = match &outcome {
        Ok(resp) => resp.status.to_string(),
        Err(e) => e.kind.code().to_owned(),
    };
    log.fine(format!("document {index}: {what} -> {code} ({elapsed} ms)"));
    (what, outcome)
}

/// A 2xx answer to a call that must succeed for the document to go on, or the document's result
/// instead: Connect's error as an APPLICATION_ERROR (worded by [`map_response`] for `spec`), no
/// answer as a FAILURE with the transport error's code.
pub(crate) fn answered(
    client: &Client,
    spec: &ActionSpec,
    what: &str,
    outcome: std::result::Result<ApiResponse, TransportError>,
) -> std::result::Result<ApiResponse, DocResult> {
    match outcome {
        Ok(resp) if resp.is_success() => Ok(resp),
        Ok(resp) => {
            let mut result = map_response(client, spec, what, resp);
            // Get Resource treats a missing object as an empty success; an object that must be
            // read or was just created is an error when it is missing.
            result.status = Status::ApplicationError;
            Err(result)
        }
        Err(e) => Err(DocResult::failure(e.kind.code(), e.message)),
    }
}

/// Connect's answer to the action `spec` as the document's result.
pub(crate) fn map_response(
    client: &Client,
    spec: &ActionSpec,
    what: &str,
    resp: ApiResponse,
) -> DocResult {
    let code = resp.status.to_string();
    let tries = if resp.attempts > 1 {
        format!(" (after {} attempts)", resp.attempts)
    } else {
        String::new()
    };
    if resp.is_success() {
        if matches!(spec.output, Output::Json { .. })
            && !resp.body.is_empty()
            && let Some(why) = client.not_json(what, &resp)
        {
            return DocResult::failure("NOT_JSON", why);
        }
        let message = format!("{}{tries}", status_line(resp.status));
        let payloads = match spec.output {
            _ if resp.body.is_empty() => Vec::new(),
            Output::Empty => Vec::new(),
            Output::Binary => vec![Payload::new(resp.body)],
            // An action answered with an array (Bulk Close: one status per record) gives one
            // document per element, like List; the generated output profile is the element's.
            Output::Json { .. } => {
                match starts_with(&resp.body, b'[').then(|| split_page(&resp.body)) {
                    Some(Ok(items)) => items.iter().map(|d| document(&resp.body, d)).collect(),
                    _ => vec![Payload {
                        tracked: tracked(&resp.body),
                        data: resp.body,
                    }],
                }
            }
        };
        return DocResult::success(code, message, payloads);
    }
    // A write answered 500/502/504 is not sent again (it may have taken effect): say so.
    let not_retried = if crate::client::withheld_retry(spec.method, &Ok(resp.clone())) {
        format!("; {}", crate::client::NOT_RETRIED)
    } else {
        String::new()
    };
    let message = client.redact(&format!(
        "{what}: {}{tries}{not_retried}",
        client.error_message(&resp)
    ));
    if resp.status == 404 && spec.method == HttpMethod::Get && spec.action == Action::Get {
        // Boomi's GET contract: a missing object is an empty success, not an error.
        return DocResult::success(code, message, Vec::new());
    }
    // The Atom drops an application error without a document, so a process that returns
    // application error responses gets Connect's error body to route on.
    let document = connect_error_body(client, &resp.body)
        .unwrap_or_else(|| error_document(Some(resp.status), &format!("HTTP_{code}"), &message));
    DocResult::application_error(code, message).with_payload(document)
}

/// Connect's error body as a document, when it is JSON (after the token is taken out of it).
fn connect_error_body(client: &Client, body: &[u8]) -> Option<Payload> {
    let text = std::str::from_utf8(body).ok()?;
    let text = client.redact(text);
    serde_json::from_str::<serde::de::IgnoredAny>(&text).ok()?;
    Some(Payload::new(text.into_bytes()))
}

/// An error document in Connect's own shape (`error_code`, `errors`), plus the HTTP status when
/// there was one, for errors whose answer was not JSON or that the connector found itself.
pub(crate) fn error_document(status: Option<u16>, error_code: &str, message: &str) -> Payload {
    let mut doc = serde_json::Map::new();
    if let Some(status) = status {
        doc.insert("status".into(), status.into());
    }
    doc.insert("error_code".into(), error_code.into());
    doc.insert("errors".into(), serde_json::json!([message]));
    Payload::new(serde_json::Value::Object(doc).to_string().into_bytes())
}

/// A document that cannot become a request: the document's fault, so an application error
/// (Boomi's example of one is "a document in the wrong format or missing required information").
pub(crate) fn bad_input(message: &str) -> DocResult {
    DocResult::application_error(BAD_INPUT, message)
        .with_payload(error_document(None, BAD_INPUT, message))
}

/// The status code of a document the connector refused before sending it.
pub(crate) const BAD_INPUT: &str = "BAD_INPUT";

/// Whether the first non-whitespace byte of `body` is `c`.
fn starts_with(body: &[u8], c: u8) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&c)
}

#[cfg(test)]
mod tests {
    use super::JsonType;

    #[test]
    fn json_type_reads_and_refuses_as_a_value_would() {
        let docs = [
            "{}",
            " [1, {\"a\": [null]}] ",
            "\"x\\u00e9\"",
            "-1.5e3",
            "18446744073709551616",
            "true",
            "null",
            "1e400",
            "{\"a\":1,}",
            "[1] x",
            "{\"a\" 1}",
            "\"\\q\"",
            "",
        ];
        for doc in docs {
            let ours = serde_json::from_slice::<JsonType>(doc.as_bytes());
            let value = serde_json::from_slice::<serde_json::Value>(doc.as_bytes());
            match (ours, value) {
                (Ok(JsonType(t)), Ok(v)) => {
                    let want = match v {
                        serde_json::Value::Object(_) => "object",
                        serde_json::Value::Array(_) => "array",
                        serde_json::Value::String(_) => "string",
                        serde_json::Value::Number(_) => "number",
                        serde_json::Value::Bool(_) => "boolean",
                        serde_json::Value::Null => "null",
                    };
                    assert_eq!(t, want, "{doc}");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{doc}"),
                (a, b) => panic!("{doc}: {:?} vs {b:?}", a.map(|t| t.0)),
            }
        }
        // Deep nesting hits the same recursion limit.
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(serde_json::from_str::<JsonType>(&deep).is_err());
        assert!(serde_json::from_str::<serde_json::Value>(&deep).is_err());
    }
}
