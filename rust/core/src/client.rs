//! The HTTP client of one connection: reqwest with rustls, one connection pool per connection settings
//! (shared by the executions that use them, see [`crate::clients`]),
//! retries with capped exponential backoff, and error texts a Boomi user can act on.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_RANGE, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION,
    RETRY_AFTER, USER_AGENT,
};
use serde::Deserialize;

use crate::catalog::HttpMethod;
use crate::error::{CoreError, Result};
use crate::log::Log;
use crate::settings::{DEADLINE_LABEL, MAX_PAGE_LABEL, MAX_RESPONSE_LABEL, Settings};

pub const USER_AGENT_VALUE: &str = concat!("cloudblue-connect-boomi/", env!("CARGO_PKG_VERSION"));

/// What a request sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestBody {
    None,
    Json(Bytes),
    /// `multipart/form-data`: the document bytes as a file part, plus an optional text part.
    Multipart {
        file_part: &'static str,
        data: Bytes,
        note: Option<(&'static str, String)>,
    },
}

/// One Connect call. `url` is absolute (built from the endpoint by [`Client::url`]).
#[derive(Clone, Debug)]
pub struct ApiRequest {
    pub method: HttpMethod,
    pub url: url::Url,
    pub body: RequestBody,
    /// The `Accept` header when it is not the client's `application/json` (file downloads).
    pub accept: Option<&'static str>,
}

impl ApiRequest {
    /// A plain `GET` of `url`.
    pub fn get(url: url::Url) -> Self {
        ApiRequest {
            method: HttpMethod::Get,
            url,
            body: RequestBody::None,
            accept: None,
        }
    }
}

/// Where a response body goes while it arrives (see [`Client::send_into`]): the query path
/// receives a page into a reused buffer and splits it as it comes in.
pub trait BodySink: Send {
    /// A response begins (again after a retry: forget what an earlier attempt received).
    /// `content_length` is the body's size when known (not when it is inflated on the way).
    fn start(&mut self, status: u16, headers: &HeaderMap, content_length: Option<u64>);
    /// The next piece of the body, inflated when the response is compressed.
    fn push(&mut self, piece: &[u8]);
    /// The whole body once it has arrived: what [`ApiResponse::body`] becomes.
    fn take(&mut self) -> Bytes;
}

/// Connect's answer (any status; the caller decides what a non-2xx means).
#[derive(Clone, Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// How many attempts it took (1 = first try).
    pub attempts: u32,
}

impl ApiResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: reqwest::header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_range(&self) -> Option<&str> {
        self.header(CONTENT_RANGE)
    }

    /// Whether the body looks like JSON (by content type, or by its first byte when untyped).
    pub fn is_json(&self) -> bool {
        match self.header(CONTENT_TYPE) {
            Some(ct) => ct.to_ascii_lowercase().contains("json"),
            None => matches!(first_non_ws(&self.body), Some(b'{' | b'[')),
        }
    }
}

fn first_non_ws(b: &[u8]) -> Option<u8> {
    b.iter().copied().find(|c| !c.is_ascii_whitespace())
}

/// Why a request got no usable HTTP answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// Refused, reset, unreachable: nothing reached the server.
    Connect,
    Dns,
    Tls,
    /// The read (or connect) timeout: nothing arrived for that long.
    Timeout,
    /// The connection's request deadline: the attempt as a whole took too long, however the
    /// bytes trickled. Retried where a timeout is.
    Deadline,
    /// The answer broke off or could not be read.
    Io,
    /// The answer grew past this limit after decompression; the rest was not read.
    TooLarge(BodyLimit),
    /// A redirect the connector does not follow (off the endpoint's scheme, host and port, or
    /// too many); the error's detail says where it pointed.
    Redirect,
}

impl TransportKind {
    /// The short status code of a FAILURE result.
    pub fn code(self) -> &'static str {
        match self {
            TransportKind::Connect => "CONNECT",
            TransportKind::Dns => "DNS",
            TransportKind::Tls => "TLS",
            TransportKind::Timeout | TransportKind::Deadline => "TIMEOUT",
            TransportKind::Io => "IO",
            TransportKind::TooLarge(_) => "TOO_LARGE",
            TransportKind::Redirect => "REDIRECT",
        }
    }
}

/// The most bytes an answer may have after decompression, and the connection setting that
/// raises it (named in the error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimit {
    pub bytes: u64,
    pub setting: &'static str,
}

/// How much of an error answer (non-2xx) is read: Connect's error JSON is a few hundred bytes and
/// a message shows an excerpt of 200 characters. The rest is neither received nor inflated.
pub const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// Same-origin redirects followed in a row before giving up.
const MAX_REDIRECTS: usize = 10;

/// Base delay of the retry backoff, also the first pause of a status poll
/// ([`crate::workflow::Poll`]).
pub(crate) const BACKOFF_BASE: Duration = Duration::from_secs(1);

/// How a body read by [`read_limited`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limited {
    /// All of it arrived, within the limit.
    Whole,
    /// More than the limit arrived: `push` got exactly the limit's bytes and reading stopped.
    Cut,
}

/// Reads `resp`'s body piece by piece, inflated when it is compressed, into `push`, but never
/// more than `limit` bytes in all: the piece that crosses the limit is cut at it, reading stops
/// there (the rest is neither received nor inflated) and the answer is [`Limited::Cut`]. Memory
/// thus stays at what `push` keeps, at most `limit` bytes, whatever the server sends: a small
/// gzip body can inflate to gigabytes.
pub async fn read_limited(
    resp: &mut reqwest::Response,
    limit: u64,
    push: &mut (dyn FnMut(&[u8]) + Send),
) -> std::result::Result<Limited, (TransportKind, String)> {
    let mut received = 0u64;
    while let Some(piece) = resp.chunk().await.map_err(classify)? {
        let room = limit - received;
        if piece.len() as u64 > room {
            push(&piece[..usize::try_from(room).unwrap_or(usize::MAX)]);
            return Ok(Limited::Cut);
        }
        received += piece.len() as u64;
        push(&piece);
    }
    Ok(Limited::Whole)
}

/// Whether `to` is on the same scheme, host and port as `from` (the only redirects followed).
pub fn same_origin(from: &url::Url, to: &url::Url) -> bool {
    from.scheme() == to.scheme()
        && from.host_str() == to.host_str()
        && from.port_or_known_default() == to.port_or_known_default()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    pub kind: TransportKind,
    /// Complete, token-free text for the user (says what to check and how many attempts were made).
    pub message: String,
    pub attempts: u32,
}

/// One connection's HTTP client.
pub struct Client {
    http: reqwest::Client,
    settings: Settings,
    /// 429 and 503 answers received so far: parallel requests slow down when it grows.
    throttles: std::sync::atomic::AtomicU64,
    /// Parallel execute's lowered parallelism and when it was lowered (see `throttle.rs`).
    pub(crate) parallel_ceiling: std::sync::Mutex<Option<(usize, std::time::Instant)>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.settings.endpoint)
            .finish()
    }
}

impl Client {
    pub fn new(settings: Settings) -> Result<Client> {
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(settings.authorization.expose()).map_err(|_| {
            CoreError::invalid_settings(
                "\"API Token\" contains characters that cannot be sent in an HTTP header",
            )
        })?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .gzip(true)
            // A redirect elsewhere would carry the request (and a POST's body) to another server;
            // it is stopped here and refused by `send_once`, which names where it pointed.
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let from = attempt.previous().first();
                if attempt.previous().len() <= MAX_REDIRECTS
                    && from.is_some_and(|from| same_origin(from, attempt.url()))
                {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .referer(false)
            // Boomi passes the Atom's proxy explicitly; environment proxies must not change routing.
            .no_proxy();
        if let Some(p) = &settings.proxy {
            let mut proxy = reqwest::Proxy::all(&p.url).map_err(|e| {
                CoreError::invalid_settings(format!(
                    "the Atom's proxy settings are not usable: {e}"
                ))
            })?;
            if let Some(user) = &p.user {
                let password = p.password.as_ref().map(|s| s.expose()).unwrap_or("");
                proxy = proxy.basic_auth(user, password);
            }
            proxy = proxy.no_proxy(
                p.no_proxy
                    .as_deref()
                    .and_then(reqwest::NoProxy::from_string),
            );
            builder = builder.proxy(proxy);
        }
        // The bundled roots stand in for a missing CA bundle (slim Linux containers); Windows
        // always has its own store. There, extra roots need a chain engine whose configuration
        // Wine 8 and Windows before 8 reject, so only an Extra CA Certificate asks for one.
        if !cfg!(windows) || settings.extra_ca_pem.is_some() {
            builder = builder.tls_certs_merge(trusted_roots(settings.extra_ca_pem.as_deref())?);
        }
        install_crypto_provider();
        // Some resolver/TLS pieces look for a runtime handle while the client is built.
        let _guard = crate::runtime::runtime()?.enter();
        let http = builder.build().map_err(|e| {
            CoreError::internal(format!(
                "could not build the HTTP client: {}",
                settings.authorization.redact(&e.to_string())
            ))
        })?;
        Ok(Client {
            http,
            settings,
            throttles: std::sync::atomic::AtomicU64::new(0),
            parallel_ceiling: std::sync::Mutex::new(None),
        })
    }

    /// How many 429 and 503 answers this client has received (every execution that shares it).
    pub fn throttles(&self) -> u64 {
        self.throttles.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// `text` without the token (use on anything that came from the network or from errors).
    pub fn redact(&self, text: &str) -> String {
        let mut out = self.settings.authorization.redact(text);
        if let Some(pw) = self
            .settings
            .proxy
            .as_ref()
            .and_then(|p| p.password.as_ref())
        {
            out = pw.redact(&out);
        }
        out
    }

    /// The absolute URL of `segments` (already resolved, unencoded) below the endpoint, with an
    /// already encoded query string.
    pub fn url<'a>(
        &self,
        segments: impl IntoIterator<Item = &'a str>,
        query: Option<&str>,
    ) -> Result<url::Url> {
        let mut url = url::Url::parse(&self.settings.endpoint)
            .map_err(|e| CoreError::internal(format!("endpoint no longer parses: {e}")))?;
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|_| CoreError::internal("the endpoint cannot take a path"))?;
            path.pop_if_empty();
            path.extend(segments);
        }
        url.set_query(query.filter(|q| !q.is_empty()));
        Ok(url)
    }

    /// Sends `req`, retrying transient failures (see [`retry_decision`]), and returns Connect's
    /// answer whatever its status. Retries are logged as warnings to `log`.
    pub async fn send(
        &self,
        req: &ApiRequest,
        log: &mut Log,
    ) -> std::result::Result<ApiResponse, TransportError> {
        self.send_with(req, log, None).await
    }

    /// [`Client::send`] of a List Resources page: the body is received piece by piece into
    /// `sink` (every attempt's), at most [`Client::page_limit`] bytes of it.
    pub async fn send_into(
        &self,
        req: &ApiRequest,
        log: &mut Log,
        sink: &mut dyn BodySink,
    ) -> std::result::Result<ApiResponse, TransportError> {
        self.send_with(req, log, Some(sink)).await
    }

    /// The most bytes one List Resources page may have after decompression.
    pub fn page_limit(&self) -> BodyLimit {
        BodyLimit {
            bytes: self.settings.limits.page,
            setting: MAX_PAGE_LABEL,
        }
    }

    /// The most bytes one single-object answer or download may have after decompression.
    pub fn response_limit(&self) -> BodyLimit {
        BodyLimit {
            bytes: self.settings.limits.response,
            setting: MAX_RESPONSE_LABEL,
        }
    }

    async fn send_with(
        &self,
        req: &ApiRequest,
        log: &mut Log,
        mut sink: Option<&mut dyn BodySink>,
    ) -> std::result::Result<ApiResponse, TransportError> {
        let max = self.settings.retry.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let attempt_once = self.send_once(req, sink.as_deref_mut());
            let outcome = tokio::time::timeout(self.settings.deadline, attempt_once)
                .await
                .unwrap_or_else(|_| Err((TransportKind::Deadline, String::new())));
            if let Ok(resp) = &outcome
                && matches!(resp.status, 429 | 503)
            {
                self.throttles
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let retry = retry_decision(req.method, &outcome);
            if withheld_retry(req.method, &outcome) {
                // Transient for a read, but this request may already have changed something.
                log.warning(format!(
                    "{} {}: {}; {NOT_RETRIED}",
                    req.method.as_str(),
                    req.url.path(),
                    outcome_summary(&outcome)
                ));
            }
            let Some(retry_after) = retry.filter(|_| attempt < max) else {
                return self.finish(req, outcome, attempt);
            };
            let wait = match retry_after {
                Some(after) if after > self.settings.retry.max_wait => {
                    // The server asks for a longer pause than the user allows: stop here.
                    log.warning(format!(
                        "{} {} asked to retry after {} s, more than the maximum retry wait of {} s; not retrying",
                        req.method.as_str(),
                        req.url.path(),
                        after.as_secs(),
                        self.settings.retry.max_wait.as_secs()
                    ));
                    return self.finish(req, outcome, attempt);
                }
                Some(after) => after,
                None => backoff(BACKOFF_BASE, attempt, self.settings.retry.max_wait),
            };
            log.warning(format!(
                "{} {}: {}; retrying in {:.1} s (attempt {} of {max})",
                req.method.as_str(),
                req.url.path(),
                outcome_summary(&outcome),
                wait.as_secs_f64(),
                attempt + 1
            ));
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The answer of `send` once it stops retrying: the response with its attempt count, or the
    /// transport error.
    fn finish(
        &self,
        req: &ApiRequest,
        outcome: std::result::Result<ApiResponse, (TransportKind, String)>,
        attempts: u32,
    ) -> std::result::Result<ApiResponse, TransportError> {
        match outcome {
            Ok(mut resp) => {
                resp.attempts = attempts;
                Ok(resp)
            }
            Err((kind, detail)) => Err(self.transport_error(req, kind, &detail, attempts)),
        }
    }

    async fn send_once(
        &self,
        req: &ApiRequest,
        sink: Option<&mut (dyn BodySink + '_)>,
    ) -> std::result::Result<ApiResponse, (TransportKind, String)> {
        let method = match req.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.http.request(method, req.url.clone());
        if let Some(accept) = req.accept {
            builder = builder.header(ACCEPT, accept);
        }
        builder = match &req.body {
            RequestBody::None => builder,
            RequestBody::Json(data) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(data.clone()),
            RequestBody::Multipart {
                file_part,
                data,
                note,
            } => {
                // Built per attempt: a multipart form is consumed by sending it.
                let file = reqwest::multipart::Part::stream(data.clone())
                    .file_name(format!("{file_part}.xlsx"))
                    .mime_str("application/octet-stream")
                    .map_err(|e| (TransportKind::Io, e.to_string()))?;
                let mut form = reqwest::multipart::Form::new().part(*file_part, file);
                if let Some((name, value)) = note {
                    form = form.text(*name, value.clone());
                }
                builder.multipart(form)
            }
        };
        let mut resp = builder.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        if resp.status().is_redirection()
            && let Some(location) = resp.headers().get(LOCATION)
        {
            return Err((
                TransportKind::Redirect,
                redirect_refusal(resp.url(), location),
            ));
        }
        let headers = resp.headers().clone();
        // A 2xx answer is read up to its limit (past it, the request fails); an error answer only
        // as far as its message needs (the rest is dropped).
        let limit = match (resp.status().is_success(), sink.is_some()) {
            (false, _) => None,
            (true, true) => Some(self.page_limit()),
            (true, false) => Some(self.response_limit()),
        };
        let max = limit.map_or(ERROR_BODY_LIMIT, |l| l.bytes);
        // Known before reading when the body is not inflated on the way.
        let declared = resp.content_length();
        if let Some(limit) = limit
            && declared.is_some_and(|n| n > max)
        {
            return Err((TransportKind::TooLarge(limit), String::new()));
        }
        let (body, end) = match sink {
            None => {
                let mut buf = Vec::with_capacity(reserve(declared, max));
                let mut keep = |piece: &[u8]| grow_within(&mut buf, piece, max);
                let end = read_limited(&mut resp, max, &mut keep).await?;
                (Bytes::from(buf), end)
            }
            Some(sink) => {
                sink.start(status, &headers, declared);
                let end = read_limited(&mut resp, max, &mut |piece| sink.push(piece)).await?;
                (sink.take(), end)
            }
        };
        if let Some(limit) = limit
            && end == Limited::Cut
        {
            return Err((TransportKind::TooLarge(limit), String::new()));
        }
        Ok(ApiResponse {
            status,
            headers,
            body,
            attempts: 1,
        })
    }

    fn transport_error(
        &self,
        req: &ApiRequest,
        kind: TransportKind,
        detail: &str,
        attempts: u32,
    ) -> TransportError {
        let host = req.url.host_str().unwrap_or("?");
        let target = match req.url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let (method, path) = (req.method.as_str(), req.url.path());
        // The transport's own words, after the advice; kinds whose advice says it all drop it.
        let mut suffix = format!(" [{detail}]");
        let advice = match kind {
            TransportKind::Connect => format!(
                "could not connect to {target}; check the API endpoint, and that the Atom can reach it (firewall, proxy settings)"
            ),
            TransportKind::Dns => format!(
                "could not resolve the host name {host}; check the API endpoint (e.g. https://api.connect.cloudblue.com/public/v1) and the Atom's DNS"
            ),
            TransportKind::Tls => format!(
                "the TLS (HTTPS) handshake with {target} failed; check the endpoint uses https with a valid certificate. \
                 If the certificate comes from a private or corporate CA (e.g. a proxy that inspects TLS), \
                 paste that CA's certificate (PEM) into the connection's \"Extra CA Certificate (PEM)\" field"
            ),
            TransportKind::Timeout => format!(
                "{method} {path} timed out; Connect may be slow or unreachable: check the network, or raise the connection's timeouts"
            ),
            TransportKind::Io => {
                format!("the connection to {target} broke off during {method} {path}")
            }
            TransportKind::Deadline => {
                suffix.clear();
                format!(
                    "{method} {path} did not finish within the connection's \"{DEADLINE_LABEL}\" \
                     of {} s, so it was stopped; Connect may be very slow or something between \
                     sends the answer a little at a time: check the network, or raise the setting",
                    self.settings.deadline.as_secs()
                )
            }
            TransportKind::TooLarge(limit) => {
                suffix.clear();
                format!(
                    "{method} {path}: the answer is larger than the connection's \"{}\" of {} MB \
                     (counted after decompression), so it was not read further; raise the \
                     setting if the answer really is that large",
                    limit.setting,
                    limit.bytes / (1024 * 1024)
                )
            }
            TransportKind::Redirect => {
                suffix.clear();
                format!("{method} {path} {detail}")
            }
        };
        let tries = if attempts > 1 {
            format!(" (after {attempts} attempts)")
        } else if withheld_retry(req.method, &Err((kind, String::new()))) {
            format!(" ({NOT_RETRIED})")
        } else {
            String::new()
        };
        TransportError {
            kind,
            message: self.redact(&format!("{advice}{tries}{suffix}")),
            attempts,
        }
    }
}

/// Makes ring the TLS provider of this library's rustls, which reqwest takes when it builds a
/// client (it is built without a provider of its own to keep the library small). The default
/// is per copy of rustls, so it is this library's alone; once set it stays, and a second call
/// finds it set and changes nothing.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err only when another thread installed it first: the same provider either way.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Roots trusted besides the platform's store (which rustls-platform-verifier reads): the
/// bundled Mozilla roots, so that an Atom host without a CA bundle (a slim container) can still
/// reach Connect, plus the connection's "Extra CA Certificate (PEM)".
fn trusted_roots(extra_pem: Option<&str>) -> Result<Vec<reqwest::Certificate>> {
    let mut roots = Vec::with_capacity(webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() + 1);
    for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        // The bundle is fixed at build time; a root this TLS stack cannot read is skipped, not fatal.
        if let Ok(cert) = reqwest::Certificate::from_der(der.as_ref()) {
            roots.push(cert);
        }
    }
    if let Some(pem) = extra_pem {
        let bad = |why: &str| {
            CoreError::invalid_settings(format!(
                "\"Extra CA Certificate (PEM)\" {why}; paste the CA certificate as text starting with \
                 -----BEGIN CERTIFICATE----- (several may follow each other), or leave the field empty"
            ))
        };
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(bad("holds no PEM certificate"));
        }
        let extra = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|_| bad("could not be read"))?;
        if extra.is_empty() {
            return Err(bad("holds no readable certificate"));
        }
        roots.extend(extra);
    }
    Ok(roots)
}

/// Why a write that failed ambiguously was not sent again (process log and document result).
pub const NOT_RETRIED: &str =
    "not retried: the request was sent and may already have taken effect on Connect";

/// Kind and token-free detail text of a reqwest error (the URL is stripped; its source chain kept).
/// The kind comes from the error's typed causes: reqwest's DNS, timeout and connect markers, and a
/// `rustls::Error` anywhere in the chain for TLS.
fn classify(err: reqwest::Error) -> (TransportKind, String) {
    let kind = if err.is_dns() {
        TransportKind::Dns
    } else if causes(&err).any(|e| e.is::<rustls::Error>()) {
        TransportKind::Tls
    } else if err.is_timeout() {
        TransportKind::Timeout
    } else if err.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Io
    };
    let err = err.without_url();
    let mut chain = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(&err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !chain.iter().any(|c: &String| c.contains(&text)) {
            chain.push(text);
        }
        cur = e.source();
    }
    (kind, chain.join(": "))
}

/// An error and its causes, also the error inside each `io::Error`: `io::Error::source` skips the
/// error it wraps, and tokio-rustls reports a TLS failure as an `io::Error` around a
/// `rustls::Error`.
fn causes<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    let mut next = Some(err);
    std::iter::from_fn(move || {
        let cur = next?;
        next = match cur
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => cur.source(),
        };
        Some(cur)
    })
}

/// What went wrong with one attempt, for the retry warnings: the HTTP status or the transport
/// error code (never the detail, which may quote the request).
fn outcome_summary(outcome: &std::result::Result<ApiResponse, (TransportKind, String)>) -> String {
    match outcome {
        Ok(resp) => format!("HTTP {}", resp.status),
        Err((kind, _)) => kind.code().to_owned(),
    }
}

/// Whether `outcome` is one a read would retry but a `method` request must not: a write that may
/// already have taken effect (what [`NOT_RETRIED`] tells the user).
pub fn withheld_retry(
    method: HttpMethod,
    outcome: &std::result::Result<ApiResponse, (TransportKind, String)>,
) -> bool {
    retry_decision(method, outcome).is_none() && retry_decision(HttpMethod::Get, outcome).is_some()
}

/// Whether to retry an attempt's outcome, and the server's `Retry-After` if it gave one.
///
/// Retried: connection failures (nothing reached the server, so safe for every method); 429 and
/// 503 (the server says it did not process the request); and, for GET only, timeouts, broken
/// answers, 500, 502 and 504, where a POST/PUT may already have taken effect and must not be sent
/// twice.
pub fn retry_decision(
    method: HttpMethod,
    outcome: &std::result::Result<ApiResponse, (TransportKind, String)>,
) -> Option<Option<Duration>> {
    let idempotent = method == HttpMethod::Get;
    match outcome {
        Ok(resp) => {
            let retry = match resp.status {
                429 | 503 => true,
                500 | 502 | 504 => idempotent,
                _ => false,
            };
            retry.then(|| resp.header(RETRY_AFTER).and_then(parse_retry_after))
        }
        Err((kind, _)) => {
            let retry = match kind {
                TransportKind::Connect | TransportKind::Dns => true,
                TransportKind::Timeout | TransportKind::Deadline | TransportKind::Io => idempotent,
                // The same request gets the same answer.
                TransportKind::Tls | TransportKind::TooLarge(_) | TransportKind::Redirect => false,
            };
            retry.then_some(None)
        }
    }
}

/// `Retry-After` in delta-seconds or as an HTTP-date (a date in the past means now).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    retry_after_at(v, std::time::SystemTime::now())
}

fn retry_after_at(v: &str, now: std::time::SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A body buffer's first capacity: the declared size when there is one (never past `max`),
/// otherwise a small start that grows as the body arrives.
pub(crate) fn reserve(declared: Option<u64>, max: u64) -> usize {
    usize::try_from(declared.unwrap_or(8 * 1024).min(max)).unwrap_or(0)
}

/// Appends `piece` to `buf`, growing it by doubling as `Vec` does but never past `max` bytes of
/// capacity, so a body just under its limit costs the limit and not up to twice it.
pub(crate) fn grow_within(buf: &mut Vec<u8>, piece: &[u8], max: u64) {
    let need = buf.len() + piece.len();
    if need > buf.capacity() {
        let max = usize::try_from(max).unwrap_or(usize::MAX).max(need);
        let target = buf.capacity().saturating_mul(2).clamp(need, max);
        buf.reserve_exact(target - buf.len());
    }
    buf.extend_from_slice(piece);
}

/// Why a redirect to `location` (from the response at `from`) is not followed, naming where it
/// pointed (without user info, query or fragment: only where, not what it carried).
fn redirect_refusal(from: &url::Url, location: &HeaderValue) -> String {
    let text = String::from_utf8_lossy(location.as_bytes());
    let Ok(mut to) = from.join(&text) else {
        return format!(
            "was redirected to an address that is not a URL ({}); refused",
            excerpt(text.as_bytes(), 120)
        );
    };
    let _ = to.set_username("");
    let _ = to.set_password(None);
    to.set_query(None);
    to.set_fragment(None);
    let shown = excerpt(to.as_str().as_bytes(), 200);
    if same_origin(from, &to) {
        format!("was redirected more than {MAX_REDIRECTS} times (last to {shown}); refused")
    } else if from.scheme() == "https" && to.scheme() != "https" {
        format!(
            "was redirected from https to {shown}, which is not https; refused: the connector \
             never leaves https. Check the API Endpoint"
        )
    } else {
        format!(
            "was redirected to {shown}, outside the API endpoint's scheme, host and port ({}); \
             refused: the connector follows redirects only on the endpoint's own origin. Set the \
             API Endpoint to the address Connect answers at",
            from.origin().ascii_serialization()
        )
    }
}

/// Exponential backoff `base * 2^(attempt-1)`, capped at `max`, with "equal jitter" (half fixed,
/// half random) so that parallel documents do not retry in lockstep.
pub fn backoff(base: Duration, attempt: u32, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(max);
    let half = capped / 2;
    half + half.mul_f64(jitter())
}

/// A number in [0, 1) from the standard library's randomly keyed hasher (no RNG dependency).
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[derive(Deserialize)]
struct ConnectError {
    error_code: String,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

/// `"<status> <Reason>: <error_code> - <errors joined by ', '>"` (the official Python client's
/// form) for Connect's error body; otherwise the status and a short excerpt of the body.
/// Not redacted (the redacted form is [`Client::error_message`]); the fuzz checkers and tests
/// read it.
#[cfg(any(test, feature = "fuzzing"))]
pub fn http_error_message(status: u16, body: &[u8]) -> String {
    error_message_with(status, body, &|t: &str| t.to_owned())
}

/// [`http_error_message`] with `redact` applied to the body's text BEFORE it is cut to an
/// excerpt: cutting first could split a secret the body echoes, and a split secret no longer
/// matches the redaction.
fn error_message_with(status: u16, body: &[u8], redact: &dyn Fn(&str) -> String) -> String {
    let head = status_line(status);
    if let Ok(e) = serde_json::from_slice::<ConnectError>(body) {
        let errors: Vec<String> = e
            .errors
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        return redact(&if errors.is_empty() {
            format!("{head}: {}", e.error_code)
        } else {
            format!("{head}: {} - {}", e.error_code, errors.join(", "))
        });
    }
    let excerpt = excerpt_with(body, 200, redact);
    if excerpt.is_empty() {
        head
    } else {
        format!("{head}: {excerpt}")
    }
}

/// `404 Not Found`: the status and its reason phrase.
pub fn status_line(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{status} {reason}").trim_end().to_owned()
}

/// The first `max` characters of `body`, whitespace collapsed, for messages. Not redacted (see
/// [`Client::excerpt`]).
pub fn excerpt(body: &[u8], max: usize) -> String {
    excerpt_with(body, max, &|t: &str| t.to_owned())
}

/// How far past the cut the text is redacted: a secret that straddles the cut lies wholly inside
/// this window, so it is matched (and hidden) before the cut. Far longer than any token.
const REDACT_WINDOW: usize = 1024;

fn excerpt_with(body: &[u8], max: usize, redact: &dyn Fn(&str) -> String) -> String {
    let text = String::from_utf8_lossy(body);
    let mut joined = String::new();
    for word in text.split_whitespace() {
        // Only the start is ever shown; stop collapsing a huge body once past the window.
        if joined.len() > max.saturating_mul(4) + REDACT_WINDOW {
            break;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    // (Stopping early above leaves more than `max + 256` characters, so `cut` below is right.)
    let cut = joined.chars().count() > max;
    let window: String = joined.chars().take(max + REDACT_WINDOW).collect();
    let redacted = redact(&window);
    if cut || redacted.chars().count() > max {
        let shown: String = redacted.chars().take(max).collect();
        format!("{shown}…")
    } else {
        redacted
    }
}

impl TransportError {
    /// As a whole-call error: TLS problems keep their code, everything else is `UNREACHABLE`.
    pub fn into_core(self) -> CoreError {
        use crate::error::ErrorCode;
        let code = match self.kind {
            TransportKind::Tls => ErrorCode::Tls,
            // Something answered, but not with what the connector can use.
            TransportKind::TooLarge(_) | TransportKind::Redirect => ErrorCode::Http,
            _ => ErrorCode::Unreachable,
        };
        CoreError::new(code, self.message)
    }
}

impl Client {
    /// `400 Bad Request: VAL_001 - name: required`, for a non-2xx answer, with the connection's
    /// secrets redacted before the body is cut to an excerpt.
    pub fn error_message(&self, resp: &ApiResponse) -> String {
        error_message_with(resp.status, &resp.body, &|t: &str| self.redact(t))
    }

    /// Why a 2xx answer that should be JSON is not, as the document's message (`what` is the
    /// request, `GET /path`); `None` when it is JSON. A proxy's or captive portal's HTML page
    /// answers 200 too, and must not pass for Connect's object.
    pub fn not_json(&self, what: &str, resp: &ApiResponse) -> Option<String> {
        let status = status_line(resp.status);
        if let Err(e) = std::str::from_utf8(&resp.body) {
            return Some(self.redact(&format!(
                "{what} answered {status} with a body that is not valid UTF-8 (at byte {}), so it \
                 is not JSON; is the API endpoint right?",
                e.valid_up_to()
            )));
        }
        if serde_json::from_slice::<serde::de::IgnoredAny>(&resp.body).is_ok() {
            return None;
        }
        let kind = resp.header(CONTENT_TYPE).unwrap_or("no content type");
        Some(self.redact(&format!(
            "{what} answered {status} but not with JSON ({kind}: {}); is the API endpoint right? \
             A proxy or captive portal may have answered instead of Connect",
            self.excerpt(&resp.body, 120)
        )))
    }

    /// [`excerpt`], redacted before it is cut.
    pub fn excerpt(&self, body: &[u8], max: usize) -> String {
        excerpt_with(body, max, &|t: &str| self.redact(t))
    }

    /// A non-2xx answer as a whole-call error (`AUTH` for 401/403, `HTTP` otherwise), prefixed
    /// with what was being done.
    pub fn http_error(&self, what: &str, resp: &ApiResponse) -> CoreError {
        use crate::error::ErrorCode;
        let (code, hint) = match resp.status {
            401 | 403 => (
                ErrorCode::Auth,
                "; check the connection's API token is an active Connect token with access to this module",
            ),
            _ => (ErrorCode::Http, ""),
        };
        let tries = if resp.attempts > 1 {
            format!(" (after {} attempts)", resp.attempts)
        } else {
            String::new()
        };
        CoreError::new(
            code,
            self.redact(&format!(
                "{what}: {}{hint}{tries}",
                self.error_message(resp)
            )),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind `classify` gives the error of a GET of `url`, whether sending or reading fails.
    async fn kind_of(client: reqwest::Client, url: &str) -> TransportKind {
        let err = match client.get(url).send().await {
            Err(e) => e,
            Ok(mut resp) => loop {
                match resp.chunk().await {
                    Err(e) => break e,
                    Ok(Some(_)) => {}
                    Ok(None) => panic!("{url} answered in full"),
                }
            },
        };
        classify(err).0
    }

    /// A loopback server that answers every connection with `answer` (nothing: holds it open).
    fn server(answer: &'static [u8]) -> u16 {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for mut socket in listener.incoming().flatten() {
                let _ = socket.read(&mut [0; 4096]);
                if answer.is_empty() {
                    held.push(socket);
                } else {
                    let _ = socket.write_all(answer);
                }
            }
        });
        port
    }

    /// A resolver that knows no name.
    struct NoNames;

    impl reqwest::dns::Resolve for NoNames {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            Box::pin(async {
                Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such host").into())
            })
        }
    }

    #[tokio::test]
    async fn transport_errors_are_classified_from_their_causes() {
        // These clients are built here, not by `Client::new`, which installs the provider.
        install_crypto_provider();
        let client = || {
            reqwest::Client::builder()
                .no_proxy()
                .read_timeout(Duration::from_millis(300))
                .build()
                .unwrap()
        };
        let no_dns = reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(std::sync::Arc::new(NoNames))
            .build()
            .unwrap();
        assert_eq!(
            kind_of(no_dns, "http://connect.example/").await,
            TransportKind::Dns
        );
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        assert_eq!(
            kind_of(client(), &format!("http://127.0.0.1:{closed}/")).await,
            TransportKind::Connect
        );
        let alert = server(b"\x15\x03\x03\x00\x02\x02\x28");
        let silent = server(b"");
        let cut = server(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{}");
        for (url, kind) in [
            // The server answers any hello with a TLS alert (handshake_failure).
            (format!("https://127.0.0.1:{alert}/"), TransportKind::Tls),
            (
                format!("http://127.0.0.1:{silent}/"),
                TransportKind::Timeout,
            ),
            (format!("http://127.0.0.1:{cut}/"), TransportKind::Io),
        ] {
            assert_eq!(kind_of(client(), &url).await, kind, "{url}");
        }
    }

    #[test]
    fn connect_error_text() {
        let body = br#"{"error_code":"VAL_001","errors":["name: required","id: bad"]}"#;
        assert_eq!(
            http_error_message(400, body),
            "400 Bad Request: VAL_001 - name: required, id: bad"
        );
        assert_eq!(
            http_error_message(401, br#"{"error_code":"AUTH_001"}"#),
            "401 Unauthorized: AUTH_001"
        );
        assert_eq!(
            http_error_message(502, b"<html>\n  <body>Bad   gateway</body></html>"),
            "502 Bad Gateway: <html> <body>Bad gateway</body></html>"
        );
        assert_eq!(http_error_message(500, b""), "500 Internal Server Error");
        let long = "x".repeat(500);
        assert!(http_error_message(500, long.as_bytes()).ends_with('…'));
    }

    /// The fuzz seed that found the leak: an HTML error page echoing the Authorization header
    /// just past the 200-character excerpt, so cutting before redacting kept half the secret.
    #[test]
    fn token_echoed_across_the_excerpt_cut_is_redacted() {
        const TOKEN: &str = "ApiKey SU-0000-FUZZ:fuzzsecret0123456789abcdef";
        let json = format!(
            r#"{{"properties":{{"apiToken":"{TOKEN}","endpoint":"http://127.0.0.1:9/v1"}}}}"#
        );
        let client = Client::new(Settings::parse(json.as_bytes()).unwrap()).unwrap();
        let seed = include_bytes!("../../../fuzz/seeds/connect_response/token-in-html");
        // The seed's first three bytes choose the operation and the status; the rest is the body.
        let mut bodies = vec![seed[3..].to_vec()];
        // The secret at every offset around the cut, and pieces of it.
        for pad in 180..=210 {
            bodies.push(format!("{} {TOKEN} tail", "x".repeat(pad)).into_bytes());
        }
        bodies.push(b"<p>fuzzsecret0123</p>".to_vec());
        for body in bodies {
            let resp = ApiResponse {
                status: 502,
                headers: HeaderMap::new(),
                body: Bytes::from(body),
                attempts: 1,
            };
            for text in [
                client.error_message(&resp),
                client.excerpt(&resp.body, 200),
                client.http_error("GET /x", &resp).message,
            ] {
                assert_no_secret_piece(&text, "fuzzsecret0123456789abcdef");
            }
        }
    }

    /// No run of 8 or more characters of `secret` in `text`.
    fn assert_no_secret_piece(text: &str, secret: &str) {
        for len in crate::secret::MIN_FRAGMENT..=secret.len() {
            for start in 0..=secret.len() - len {
                let piece = &secret[start..start + len];
                assert!(!text.contains(piece), "{piece:?} leaked in {text:?}");
            }
        }
    }

    #[test]
    fn retry_rules() {
        let resp = |status: u16, after: Option<&str>| {
            let mut headers = HeaderMap::new();
            if let Some(a) = after {
                headers.insert(RETRY_AFTER, HeaderValue::from_str(a).unwrap());
            }
            Ok(ApiResponse {
                status,
                headers,
                body: Bytes::new(),
                attempts: 1,
            })
        };
        use HttpMethod::*;
        assert_eq!(
            retry_decision(Get, &resp(503, Some("7"))),
            Some(Some(Duration::from_secs(7)))
        );
        assert_eq!(retry_decision(Post, &resp(429, None)), Some(None));
        assert_eq!(retry_decision(Get, &resp(500, None)), Some(None));
        assert_eq!(retry_decision(Post, &resp(500, None)), None);
        assert_eq!(retry_decision(Put, &resp(502, None)), None);
        // 429 and 503 mean "not processed": retried whatever the method. Other 5xx only on GET.
        assert_eq!(retry_decision(Post, &resp(503, None)), Some(None));
        assert_eq!(retry_decision(Get, &resp(502, None)), Some(None));
        assert_eq!(retry_decision(Get, &resp(504, None)), Some(None));
        assert_eq!(retry_decision(Post, &resp(502, None)), None);
        assert_eq!(retry_decision(Delete, &resp(504, None)), None);
        assert_eq!(retry_decision(Get, &resp(404, None)), None);
        assert_eq!(retry_decision(Get, &resp(200, None)), None);
        let err = |k| Err((k, String::new()));
        assert_eq!(
            retry_decision(Post, &err(TransportKind::Connect)),
            Some(None)
        );
        assert_eq!(retry_decision(Post, &err(TransportKind::Timeout)), None);
        assert_eq!(
            retry_decision(Get, &err(TransportKind::Timeout)),
            Some(None)
        );
        assert_eq!(retry_decision(Get, &err(TransportKind::Tls)), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(10);
        for attempt in 1..=20 {
            let d = backoff(base, attempt, max);
            let ceiling = base.saturating_mul(1 << (attempt - 1).min(16)).min(max);
            assert!(d >= ceiling / 2 && d <= ceiling, "{attempt}: {d:?}");
        }
        assert_eq!(backoff(base, 3, Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn retry_after_seconds_or_date() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let at = |v: &str| retry_after_at(v, now);
        assert_eq!(
            at("Wed, 21 Oct 2015 07:28:30 GMT"),
            Some(Duration::from_secs(30))
        );
        // The other two date forms HTTP allows.
        assert_eq!(
            at("Wednesday, 21-Oct-15 07:29:00 GMT"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(at("Wed Oct 21 07:28:05 2015"), Some(Duration::from_secs(5)));
        assert_eq!(at("Tue, 20 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(at("soon"), None);
        assert_eq!(at("-1"), None);
    }

    #[test]
    fn deadlines_limits_and_redirects_are_retried_like_timeouts_or_never() {
        use HttpMethod::*;
        let err = |k| Err((k, String::new()));
        assert_eq!(
            retry_decision(Get, &err(TransportKind::Deadline)),
            Some(None)
        );
        assert_eq!(retry_decision(Post, &err(TransportKind::Deadline)), None);
        assert!(withheld_retry(Put, &err(TransportKind::Deadline)));
        let limit = BodyLimit {
            bytes: 1,
            setting: "x",
        };
        for kind in [TransportKind::TooLarge(limit), TransportKind::Redirect] {
            assert_eq!(retry_decision(Get, &err(kind)), None);
            assert!(!withheld_retry(Post, &err(kind)));
        }
        assert_eq!(TransportKind::Deadline.code(), "TIMEOUT");
    }

    #[test]
    fn origins() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let from = u("https://api.example/public/v1/x");
        assert!(same_origin(&from, &u("https://api.example:443/other")));
        assert!(same_origin(&from, &u("https://API.example/y")));
        assert!(!same_origin(&from, &u("http://api.example/public/v1/x")));
        assert!(!same_origin(&from, &u("https://api.example:8443/x")));
        assert!(!same_origin(&from, &u("https://evil.example/x")));
        assert!(!same_origin(&from, &u("https://api.example.evil/x")));
    }

    #[test]
    fn a_refused_redirect_names_where_it_pointed_and_nothing_it_carried() {
        let from = url::Url::parse("https://api.example/public/v1/x").unwrap();
        let refuse = |loc: &str| redirect_refusal(&from, &HeaderValue::from_str(loc).unwrap());
        assert_eq!(
            refuse("http://api.example/public/v1/x?token=abc"),
            "was redirected from https to http://api.example/public/v1/x, which is not https; \
             refused: the connector never leaves https. Check the API Endpoint"
        );
        let other = refuse("https://u:secretpass@other.example:8443/login#top");
        assert!(
            other.starts_with(
                "was redirected to https://other.example:8443/login, outside the API endpoint's \
                 scheme, host and port (https://api.example)"
            ),
            "{other}"
        );
        assert!(!other.contains("secretpass"));
        assert!(refuse("/public/v1/y").starts_with("was redirected more than 10 times"));
    }

    #[test]
    fn a_buffer_grows_by_doubling_up_to_its_limit_only() {
        let mut buf = Vec::with_capacity(1000);
        let piece = [0u8; 900];
        grow_within(&mut buf, &piece[..700], 3000);
        grow_within(&mut buf, &piece[..700], 3000);
        assert_eq!(buf.capacity(), 2000);
        grow_within(&mut buf, &piece[..700], 3000);
        assert_eq!(buf.capacity(), 3000);
        grow_within(&mut buf, &piece, 3000);
        assert_eq!((buf.len(), buf.capacity()), (3000, 3000));
    }

    #[tokio::test]
    async fn read_limited_stops_at_the_limit() {
        install_crypto_provider();
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_raw(vec![b'x'; 100_000], "text/plain"),
            )
            .mount(&server)
            .await;
        for (limit, want, kept) in [
            (100_000, Limited::Whole, 100_000),
            (200_000, Limited::Whole, 100_000),
            (99_999, Limited::Cut, 99_999),
            (10, Limited::Cut, 10),
            (0, Limited::Cut, 0),
        ] {
            let mut resp = reqwest::get(server.uri()).await.unwrap();
            let mut got = Vec::new();
            let end = read_limited(&mut resp, limit, &mut |p| got.extend_from_slice(p))
                .await
                .unwrap();
            assert_eq!((end, got.len()), (want, kept), "limit {limit}");
        }
    }
}
