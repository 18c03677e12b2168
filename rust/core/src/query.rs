//! Query cursors: `queryOpen` validates and remembers the query, each `queryNext` fetches one
//! page and returns it as a PAGE frame, one document per element of Connect's JSON array.
//!
//! Pages are requested ahead, on the I/O runtime, where each is received, inflated and split into
//! documents while the calling thread builds the frames of the page before and Java hands its
//! documents to the Atom. Once the first answer's `Content-Range` gives the total, up to
//! "Parallel Page Requests" pages are in flight at once (see [`Pager::planned`]; with Changed
//! Since one at a time, each from the page before: `paging.rs` rule 9); the pages are
//! still handed over in order, each document once. A 429 or 503 answer during the query (seen by
//! the connection's client, also from other executions that share it) halves that number for the
//! rest of the query. Memory stays at about the pages in flight plus the page being handed over,
//! whatever the size of the result; closing the cursor aborts the requests in flight.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::Value;

use crate::catalog::{Action, HttpMethod, ObjectSpec};
use crate::client::{self, ApiRequest, BodySink, Client};
use crate::error::{CoreError, ErrorCode, Result};
use crate::log::Log;
use crate::operation::{OperationJson, join_query};
use crate::paging::{PageAnswer, PageRequest, Pager, parse_content_range};
use crate::profiles::FieldSpec;
use crate::rql;
use crate::settings::Properties;
use crate::sync;
use crate::throttle::Throttle;
use crate::wire::{self, Frame, PageDocument, PageFrame, Payload, TrackedText};

pub(crate) mod split;
pub use split::{SplitError, TRACKED};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryJson {
    operation: OperationJson,
    #[serde(default)]
    dynamic_properties: Properties,
    #[serde(default)]
    filter: Option<Value>,
}

/// One open query.
pub struct QueryCursor {
    target: Arc<Target>,
    mode: Mode,
    /// Lines logged while opening (a field selection that was not understood), sent first.
    opening: Log,
}

/// Where a query that lists records is.
struct Paging {
    pager: Pager,
    /// Page requests running ahead of `queryNext`, in the order the pager will want them.
    in_flight: VecDeque<Prefetch>,
    /// Pages allowed in flight at once: "Parallel Page Requests", lowered on 429/503.
    window: Throttle,
    /// The page whose documents are being handed over, a frame at a time.
    delivering: Option<Delivering>,
    /// Hashes of the records of the last page (their `id`, or their bytes without one), to skip
    /// records a server sends again (see `paging.rs`, rule 6).
    previous: HashSet<u64>,
    hasher: RandomState,
    /// With Changed Since: each document's `changedAt` and the newest (see [`crate::sync`]).
    watermark: Option<sync::Watermark>,
}

/// A page being handed over in frames of at most [`MAX_FRAME_DOCUMENT_BYTES`] of documents.
struct Delivering {
    status: String,
    body: Bytes,
    documents: Vec<PageDocument>,
    /// The first document not handed over yet.
    next: usize,
    /// Log lines of the page, sent with its first frame.
    log: Log,
}

/// Documents per frame, in bytes (a single larger document gets a frame of its own). A whole page
/// of 1,000 records is about 3 MB; as one Java `byte[]` that is what G1 calls a humongous object
/// (half a heap region or more, and regions are 1 MB on a small heap), allocated outside the young
/// generation, zeroed and page-faulted afresh. Frames of this size are ordinary young objects.
const MAX_FRAME_DOCUMENT_BYTES: usize = 256 * 1024;

/// A page request running ahead of `queryNext`. Dropping it aborts it.
struct Prefetch {
    request: PageRequest,
    /// The Changed Since value of the request with keyset paging.
    since: Option<String>,
    task: tokio::task::JoinHandle<Fetched>,
}

/// A page request's outcome, with the log lines of the request.
type Fetched = (Result<SplitPage>, Log);

impl Prefetch {
    fn start(target: &Arc<Target>, request: PageRequest, since: Option<&str>) -> Result<Prefetch> {
        let since = since.map(str::to_owned);
        let fetch = Arc::clone(target).fetch(request, since.clone());
        let task = crate::runtime::runtime()?.spawn(fetch);
        Ok(Prefetch {
            request,
            since,
            task,
        })
    }

    /// Whether this is the request `request` with the Changed Since value `since`.
    fn is(&self, request: PageRequest, since: Option<&str>) -> bool {
        self.request == request && self.since.as_deref() == since
    }

    /// The page, once it is in.
    fn wait(mut self) -> Result<Fetched> {
        let done = crate::runtime::block_on(&mut self.task)?;
        Ok(done.unwrap_or_else(|e| (Err(joined(e)), Log::new())))
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Where a query's requests go.
struct Target {
    client: Arc<Client>,
    /// Unencoded path segments below the endpoint.
    segments: Vec<String>,
    /// Encoded query string without `limit`/`offset` (filter, ordering, selection, extra params).
    base_query: String,
    /// With Changed Since, what builds the query string of a request from a later change time
    /// (keyset paging, `paging.rs` rule 9).
    keyset: Option<KeysetQuery>,
    /// Buffers of delivered pages, for the next ones (see [`Target::recycle`]).
    buffers: Mutex<Vec<Vec<u8>>>,
    /// Buffers kept for later pages: one per page in flight and the one handed over.
    keep_buffers: usize,
}

/// The parts of a Changed Since query's string: the same builder makes every request's, with the
/// change time that request starts from.
struct KeysetQuery {
    filter: rql::Filter,
    selected: Option<Vec<String>>,
    policy: SpecPolicy,
    sync: sync::Plan,
    extra: String,
}

/// What the cursor returns.
#[derive(Debug)]
enum Mode {
    /// Every matching record, page by page.
    /// (Boxed: it is far larger than the other variant, and there is one per cursor.)
    Documents(Box<Paging>),
    /// "Count Only": one document `{"count":N}` from a `limit=0` request; `done` once sent.
    Count { done: bool },
}

impl std::fmt::Debug for Paging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paging")
            .field("pager", &self.pager)
            .field(
                "in_flight",
                &self.in_flight.iter().map(|p| p.request).collect::<Vec<_>>(),
            )
            .field("window", &self.window.limit())
            .field("delivering", &self.delivering.as_ref().map(|d| d.next))
            .finish()
    }
}

impl std::fmt::Debug for QueryCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryCursor")
            .field("segments", &self.target.segments)
            .field("base_query", &self.target.base_query)
            .field("mode", &self.mode)
            .finish()
    }
}

/// Receives a page body into a reused buffer, never holding more than the connection's page
/// limit (the client stops reading there).
struct PageSink {
    body: Vec<u8>,
    limit: u64,
}

/// Page buffers beyond this capacity are not kept for later pages.
const MAX_KEPT_BUFFER: usize = 64 * 1024 * 1024;

impl BodySink for PageSink {
    fn start(&mut self, _status: u16, _headers: &HeaderMap, content_length: Option<u64>) {
        self.body.clear();
        // A declared size is trusted only up to the limit, so a wrong one asks for no more.
        self.body
            .reserve(client::reserve(content_length, self.limit));
    }

    fn push(&mut self, piece: &[u8]) {
        client::grow_within(&mut self.body, piece, self.limit);
    }

    fn take(&mut self) -> Bytes {
        Bytes::from(std::mem::take(&mut self.body))
    }
}

/// A page that is a JSON array, with its documents.
struct SplitPage {
    page: ListPage,
    documents: Vec<PageDocument>,
}

/// A 2xx answer to one page request.
struct ListPage {
    /// `GET /path`, for messages.
    what: String,
    status: u16,
    content_range: Option<String>,
    body: Bytes,
}

impl QueryCursor {
    /// Validates `queryJson`; sends nothing.
    pub fn open(client: Arc<Client>, json: &[u8]) -> Result<QueryCursor> {
        let q: QueryJson = serde_json::from_slice(json)
            .map_err(|e| CoreError::invalid_request(format!("query request is not valid: {e}")))?;
        let op = q.operation.resolve()?;
        if op.spec.action != Action::List || op.spec.method != HttpMethod::Get {
            return Err(CoreError::invalid_request(format!(
                "{} / {} is not a list action and cannot be queried",
                op.object.label,
                op.spec.action.label()
            )));
        }
        let page_size = op.properties.int("pageSize", "Page Size", 100, 1..=1000)?;
        let max_documents =
            op.properties
                .int("maxDocuments", "Maximum Documents", 0, 0..=i64::MAX)?;
        let count_only = op.properties.flag("countOnly", false);
        let parallel_pages =
            op.properties
                .int("parallelPages", "Parallel Page Requests", 4, 1..=16)?;
        let segments = op
            .path_segments(&q.dynamic_properties, None)
            .map_err(CoreError::invalid_request)?;
        let filter = with_search(q.filter, op.properties.text("searchTerm"));
        let policy = SpecPolicy::for_object(op.object);
        let sync = sync::Plan::new(
            op.object,
            &op.properties,
            &q.dynamic_properties,
            client.settings().environment,
        )?;
        // The whole filter is checked in both modes, so switching Count Only on or off never
        // turns a broken sort into a working operation or back.
        let mut opening = Log::new();
        let selected = op.field_selection(&mut opening);
        let filter = parse_filter(filter.as_ref())?;
        let rql = build_rql(&filter, selected.as_deref(), &policy, &sync)?;
        let rql = if count_only { rql.filter_only() } else { rql };
        let extra = op.query_params(&q.dynamic_properties);
        let window = usize::try_from(parallel_pages).unwrap_or(1);
        let (page_size, max_documents) = (page_size.unsigned_abs(), max_documents.unsigned_abs());
        let keyset = sync.keyset().filter(|_| !count_only);
        let keyed = keyset.is_some();
        let mode = if count_only {
            Mode::Count { done: false }
        } else {
            Mode::Documents(Box::new(Paging {
                pager: match keyset {
                    Some(k) => Pager::keyset(page_size, max_documents, k),
                    None => Pager::new(page_size, max_documents),
                },
                in_flight: VecDeque::new(),
                window: Throttle::new(&client, window),
                delivering: None,
                previous: HashSet::new(),
                hasher: RandomState::new(),
                watermark: sync.watermark(),
            }))
        };
        Ok(QueryCursor {
            target: Arc::new(Target {
                client,
                segments,
                base_query: join_query(&[&rql.to_query_string(), &extra]),
                keyset: keyed.then_some(KeysetQuery {
                    filter,
                    selected,
                    policy,
                    sync,
                    extra,
                }),
                buffers: Mutex::new(Vec::new()),
                keep_buffers: window + 1,
            }),
            mode,
            opening,
        })
    }

    /// Hands the next PAGE frame to `deliver` (which writes it where it goes); after the last
    /// page, an empty frame with `done`.
    pub fn next_frame<R>(&mut self, deliver: impl FnOnce(&Frame<'_>) -> R) -> Result<R> {
        if !self.opening.is_empty() {
            let opening = std::mem::take(&mut self.opening);
            return Ok(deliver(&Frame::Written(&wire::page(
                &opening,
                false,
                "",
                &[],
            ))));
        }
        let mut log = Log::new();
        let frame = match &mut self.mode {
            Mode::Documents(paging) => return paging.next_frame(&self.target, deliver),
            Mode::Count { done: true } => wire::page(&log, true, "", &[]),
            Mode::Count { done } => {
                let (total, status) = self.target.count(&mut log)?;
                *done = true;
                let doc = Payload {
                    tracked: vec![("count".to_owned(), total.to_string())],
                    data: Bytes::from(format!("{{\"count\":{total}}}")),
                };
                wire::page(&log, true, &status.to_string(), &[doc])
            }
        };
        Ok(deliver(&Frame::Written(&frame)))
    }
}

impl Paging {
    /// Hands the next PAGE frame to `deliver`: the next documents of the page being handed over,
    /// or of the next page, whose request starts the one after it.
    fn next_frame<R>(
        &mut self,
        target: &Arc<Target>,
        deliver: impl FnOnce(&Frame<'_>) -> R,
    ) -> Result<R> {
        if self.delivering.is_none() {
            self.delivering = self.next_page(target)?;
        }
        let Some(d) = &mut self.delivering else {
            let mut log = Log::new();
            if let Some(w) = &self.watermark {
                log.info(w.summary());
            }
            return Ok(deliver(&Frame::Written(&wire::page(&log, true, "", &[]))));
        };
        let from = d.next;
        let mut to = from;
        let mut bytes = 0;
        while let Some(doc) = d.documents.get(to) {
            bytes += doc.end - doc.start;
            if to > from && bytes > MAX_FRAME_DOCUMENT_BYTES {
                break;
            }
            to += 1;
        }
        let last = to == d.documents.len();
        let done = last && self.pager.is_done();
        let mut log = std::mem::take(&mut d.log);
        if done && let Some(w) = &self.watermark {
            log.info(w.summary());
        }
        let delivered = deliver(&Frame::Page(PageFrame {
            log: &log,
            done,
            status_code: &d.status,
            body: &d.body,
            names: TRACKED,
            documents: &d.documents[from..to],
        }));
        d.next = to;
        if last && let Some(d) = self.delivering.take() {
            target.recycle(d.body);
        }
        Ok(delivered)
    }

    /// The next page, split and counted, with the requests after it started; `None` after the
    /// last.
    fn next_page(&mut self, target: &Arc<Target>) -> Result<Option<Delivering>> {
        self.fill(target)?;
        let Some(req) = self.pager.next_request() else {
            return Ok(None);
        };
        let (fetched, mut log) = match self.in_flight.pop_front() {
            Some(p) if p.is(req, self.pager.since()) => p.wait()?,
            // `fill` starts the pager's next request first, so this cannot happen; a wrong page
            // must never be delivered, though.
            _ => return Err(CoreError::internal("page requests out of order")),
        };
        let SplitPage {
            page,
            mut documents,
        } = fetched?;
        let times: Vec<Option<sync::ChangeTime<'_>>> = documents
            .iter()
            .map(|d| {
                let text = d.tracked[2].as_ref()?.bytes(&page.body);
                std::str::from_utf8(text).ok().map(sync::ChangeTime::new)
            })
            .collect();
        // With Changed Since a record that comes again with a new change time is a new version
        // of it, not a repeat.
        let keys: Vec<u64> = documents
            .iter()
            .zip(&times)
            .map(|(d, t)| self.record_key(&page.body, d, t.map(|t| t.text())))
            .collect();
        let repeated = keys.iter().filter(|k| self.previous.contains(k)).count();
        let count = u64::try_from(documents.len()).unwrap_or(u64::MAX);
        let answer = PageAnswer {
            count,
            repeated: u64::try_from(repeated).unwrap_or(u64::MAX),
            content_range: page.content_range.as_deref(),
        };
        let keep = match &self.watermark {
            Some(_) => self.pager.on_keyset_page(req, answer, &times, &mut log),
            None => self.pager.on_page(req, answer, &mut log),
        };
        let keep = usize::try_from(keep).unwrap_or(usize::MAX);
        let fresh = |k: &u64| !self.previous.contains(k);
        if let Some(w) = &mut self.watermark {
            let kept = times.iter().zip(&keys).filter(|(_, k)| fresh(k));
            w.note(kept.map(|(t, _)| *t).take(keep));
        }
        drop(times);
        if repeated > 0 {
            let mut k = keys.iter();
            documents.retain(|_| k.next().is_some_and(fresh));
        }
        documents.truncate(keep);
        self.previous.clear();
        self.previous.extend(keys);
        if let Some((_, true)) = self.window.look(&target.client) {
            log.warning(format!(
                "Connect asked to slow down (HTTP 429 or 503); at most {} page requests at once \
                 for the rest of this query",
                self.window.limit()
            ));
        }
        // Start the next requests before this page is handed over, so their round trips overlap
        // that work.
        self.fill(target)?;
        Ok(Some(Delivering {
            status: page.status.to_string(),
            body: page.body,
            documents,
            next: 0,
            log,
        }))
    }

    /// Makes the requests in flight the pager's plan: the requests it will make next, as many as
    /// the window allows. A request the plan no longer holds (a short page, a changed total) is
    /// dropped, which aborts it; one started before the window was lowered is left to finish.
    fn fill(&mut self, target: &Arc<Target>) -> Result<()> {
        let window = self.window.limit();
        let plan = self.pager.planned(window.max(self.in_flight.len()));
        let since = self.pager.since();
        let agree = self
            .in_flight
            .iter()
            .zip(&plan)
            .take_while(|(p, want)| p.is(**want, since))
            .count();
        self.in_flight.truncate(agree);
        for &request in plan.iter().skip(agree).take(window.saturating_sub(agree)) {
            self.in_flight
                .push_back(Prefetch::start(target, request, since)?);
        }
        Ok(())
    }

    /// What identifies a record across pages: its `id` (with its change time `changed`, when
    /// given), or all its bytes without one.
    fn record_key(&self, body: &[u8], d: &PageDocument, changed: Option<&str>) -> u64 {
        match &d.tracked[0] {
            Some(id) => self.hasher.hash_one((0u8, id.bytes(body), changed)),
            None => self.hasher.hash_one((1u8, &body[d.start..d.end])),
        }
    }
}

/// A prefetch task that did not finish: a panic inside it, or an abort.
fn joined(e: tokio::task::JoinError) -> CoreError {
    if e.is_panic() {
        let payload = e.into_panic();
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic payload".to_owned());
        CoreError::new(
            ErrorCode::Panic,
            format!("internal error in the native library while fetching a page: {text}"),
        )
    } else {
        CoreError::internal("the page request was cancelled")
    }
}

impl Target {
    /// One page split into documents (on the I/O runtime), with the log lines of the request.
    async fn fetch(self: Arc<Self>, req: PageRequest, since: Option<String>) -> Fetched {
        let mut log = Log::new();
        let outcome = match self.query_from(since.as_deref()) {
            Ok(query) => {
                self.get_async(&query, req.limit, req.offset, &mut log)
                    .await
            }
            Err(e) => Err(e),
        };
        (outcome, log)
    }

    /// The query string without `limit`/`offset` of a request from the change time `since`
    /// (keyset paging), or the query's own.
    fn query_from(&self, since: Option<&str>) -> Result<std::borrow::Cow<'_, str>> {
        let (Some(q), Some(since)) = (&self.keyset, since) else {
            return Ok(self.base_query.as_str().into());
        };
        let rql = build_rql(
            &q.filter,
            q.selected.as_deref(),
            &q.policy,
            &q.sync.with_since(since),
        )?;
        Ok(join_query(&[&rql.to_query_string(), &q.extra]).into())
    }

    /// A buffer for the next page body: one a finished page gave back, or a new one.
    fn page_buffer(&self) -> Vec<u8> {
        self.buffers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_default()
    }

    /// Keeps a delivered page's buffer for a later page: a fresh multi-megabyte buffer per page
    /// costs a page fault per 4 KiB, more than receiving into it. One per page in flight and one
    /// for the page being delivered are enough; an unusually large one is let go.
    fn recycle(&self, body: Bytes) {
        let Ok(unique) = body.try_into_mut() else {
            return;
        };
        let mut buffer = Vec::from(unique);
        let mut buffers = self.buffers.lock().unwrap_or_else(|p| p.into_inner());
        if buffers.len() < self.keep_buffers && buffer.capacity() <= MAX_KEPT_BUFFER {
            buffer.clear();
            buffers.push(buffer);
        }
    }

    /// Count Only: asks for no records (`limit=0`) and reads the total from `Content-Range`;
    /// returns it with the HTTP status. Without a usable header the count is unknown, which is
    /// an error rather than a guess.
    fn count(&self, log: &mut Log) -> Result<(u64, u16)> {
        let page = self.get(0, 0, log)?.page;
        let range = page.content_range.as_deref();
        let total = range
            .and_then(parse_content_range)
            .map(|r| r.total)
            .ok_or_else(|| {
                let header = range.map_or_else(
                    || "missing".to_owned(),
                    |v| format!("\"{}\"", self.client.excerpt(v.as_bytes(), 120)),
                );
                CoreError::new(
                    ErrorCode::Http,
                    self.client.redact(&format!(
                        "{} answered the count request without a usable Content-Range header \
                         ({header}), so the number of matching records is unknown; turn off \
                         Count Only to list the records instead",
                        page.what
                    )),
                )
            })?;
        log.info(format!(
            "{total} matching records (Count Only: no records fetched)"
        ));
        Ok((total, page.status))
    }

    /// `GET` of one page (`limit`, `offset`): a 2xx answer, split into its documents when that was
    /// done while it arrived, or a whole-call error (also when it is not a JSON array).
    fn get(&self, limit: u64, offset: u64, log: &mut Log) -> Result<SplitPage> {
        crate::runtime::block_on(self.get_async(&self.base_query, limit, offset, log))?
    }

    async fn get_async(
        &self,
        base_query: &str,
        limit: u64,
        offset: u64,
        log: &mut Log,
    ) -> Result<SplitPage> {
        let paging = format!("limit={limit}&offset={offset}");
        let query = join_query(&[base_query, &paging]);
        let url = self
            .client
            .url(self.segments.iter().map(String::as_str), Some(&query))?;
        let what = format!("GET {}", url.path());
        log.fine(format!("{what}?{query}"));
        let api = ApiRequest::get(url);
        let mut sink = PageSink {
            body: self.page_buffer(),
            limit: self.client.page_limit().bytes,
        };
        let resp = self
            .client
            .send_into(&api, log, &mut sink)
            .await
            .map_err(|e| e.into_core())?;
        if !resp.is_success() {
            return Err(self.client.http_error(&what, &resp));
        }
        let page = ListPage {
            what,
            status: resp.status,
            content_range: resp.content_range().map(str::to_owned),
            body: resp.body,
        };
        let change = self.keyset.as_ref().and_then(|k| k.sync.change_path());
        let documents = split::split(&page.body, change).map_err(|e| self.not_a_list(&page, &e))?;
        Ok(SplitPage { page, documents })
    }

    /// A 2xx answer that is not a JSON array: most likely not Connect at all.
    fn not_a_list(&self, page: &ListPage, why: &SplitError) -> CoreError {
        let message = match why {
            SplitError::Utf8 { .. } => format!(
                "{} answered {} with a page that is not valid UTF-8 ({why}); Connect sends UTF-8 \
                 JSON, so a proxy or another server answered: check the API endpoint",
                page.what, page.status
            ),
            _ => format!(
                "{} answered {} but not with a JSON array ({why}); is the API endpoint right? ({})",
                page.what,
                page.status,
                self.client.excerpt(&page.body, 120)
            ),
        };
        CoreError::new(ErrorCode::Http, self.client.redact(&message))
    }
}

/// The elements of a page body (Connect answers a list with a JSON array) as positions in `body`,
/// each with its top-level `id` and `status`.
pub fn split_page(body: &[u8]) -> std::result::Result<Vec<PageDocument>, SplitError> {
    split::split(body, None)
}

/// One element of `page` (from [`split_page`] over the same buffer) as a document: a view into
/// the page buffer, the element's exact bytes, not re-serialised.
pub(crate) fn document(page: &Bytes, element: &PageDocument) -> Payload {
    let text = |t: &TrackedText| String::from_utf8_lossy(t.bytes(page)).into_owned();
    Payload {
        tracked: TRACKED
            .iter()
            .zip(&element.tracked)
            .filter_map(|(name, value)| Some(((*name).to_owned(), text(value.as_ref()?))))
            .collect(),
        data: page.slice(element.start..element.end),
    }
}

/// The filter with the operation's "Search Term" ANDed in as `eq(search,term)` (RQL's spelling
/// of `search=term`), so the term is quoted and encoded like any other filter value.
fn with_search(filter: Option<Value>, term: Option<String>) -> Option<Value> {
    let Some(term) = term else {
        return filter;
    };
    let search = serde_json::json!({"property": "search", "operator": "eq", "arguments": [term]});
    let mut filter = match filter {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let expression = match filter.remove("expression") {
        None | Some(Value::Null) => search,
        Some(user) => serde_json::json!({"group": "AND", "nested": [search, user]}),
    };
    filter.insert("expression".to_owned(), expression);
    Some(Value::Object(filter))
}

/// Checks filters and sorts against the fields the OpenAPI spec documents for the object, and
/// names the fields its `select()` can add or drop.
///
/// Lenient on purpose: a field the spec does not list (or an object without field specs, such as
/// the Generic Resource) is left for Connect to judge, because the spec's lists are not complete;
/// only a documented field used with an operator or ordering it documents as unsupported is
/// rejected here, before any request, with the alternatives in the message.
pub(crate) struct SpecPolicy {
    object: &'static str,
    fields: &'static [FieldSpec],
    selects: &'static [(&'static str, rql::SelectKind)],
}

impl SpecPolicy {
    /// The policy of a catalog object, from the generated spec tables.
    pub(crate) fn for_object(object: &ObjectSpec) -> SpecPolicy {
        SpecPolicy {
            object: object.label,
            fields: crate::profiles::field_specs(object.id),
            selects: crate::profiles::select_specs(object.id),
        }
    }

    fn field(&self, rql_path: &str) -> Option<&'static FieldSpec> {
        self.fields
            .iter()
            .find(|f| f.name.split('/').eq(rql_path.split('.')))
    }
}

impl rql::FieldPolicy for SpecPolicy {
    fn check_lookup(&self, field: &str, op: rql::Operator) -> std::result::Result<(), String> {
        let Some(spec) = self.field(field) else {
            return Ok(());
        };
        let lookup = match op {
            rql::Operator::NotNull => "null",
            // The spec does not document `empty()` per field; Connect decides.
            rql::Operator::Empty | rql::Operator::NotEmpty | rql::Operator::Rql => return Ok(()),
            other => other.id(),
        };
        if spec.lookups.contains(&lookup) {
            return Ok(());
        }
        Err(if spec.lookups.is_empty() {
            format!("{} cannot be filtered on this field", self.object)
        } else {
            format!(
                "{} does not support \"{}\" on this field; use one of: {}",
                self.object,
                op.id(),
                spec.lookups.join(", ")
            )
        })
    }

    fn check_sort(&self, field: &str) -> std::result::Result<(), String> {
        match self.field(field) {
            Some(spec) if !spec.sortable => {
                Err(format!("{} cannot be ordered by this field", self.object))
            }
            _ => Ok(()),
        }
    }

    fn select_rules(&self) -> Vec<rql::SelectRule> {
        self.selects
            .iter()
            .map(|&(field, kind)| rql::SelectRule {
                field: field.to_owned(),
                kind,
            })
            .collect()
    }
}

/// The Boomi filter, read once per query.
fn parse_filter(filter: Option<&Value>) -> Result<rql::Filter> {
    match filter {
        None | Some(Value::Null) => Ok(rql::Filter::default()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| CoreError::invalid_request(format!("the query filter is not valid: {e}"))),
    }
}

/// The checked RQL (filter, ordering, selection) for the Boomi filter with the incremental sync
/// additions.
fn build_rql(
    filter: &rql::Filter,
    selected: Option<&[String]>,
    policy: &dyn rql::FieldPolicy,
    sync: &sync::Plan,
) -> Result<rql::RqlQuery> {
    let mut filter = filter.clone();
    sync.apply(&mut filter);
    rql::build_query(&filter, selected, policy)
        .map_err(|e| CoreError::invalid_request(e.message().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query-string part for a filter, as `open` builds it.
    fn filter_query(
        filter: Option<&Value>,
        selected: Option<&[String]>,
        policy: &dyn rql::FieldPolicy,
    ) -> Result<String> {
        build_rql(
            &parse_filter(filter)?,
            selected,
            policy,
            &sync::Plan::default(),
        )
        .map(|q| q.to_query_string())
    }

    fn policy(object_id: &str) -> SpecPolicy {
        SpecPolicy::for_object(crate::catalog::object(object_id).expect("catalog object"))
    }

    /// The `select()` sent for a selection of Boomi paths (`None`: Boomi sent no selection).
    fn select_for(object_id: &str, selected: Option<&[&str]>) -> String {
        let owned: Option<Vec<String>> =
            selected.map(|s| s.iter().map(|p| (*p).to_owned()).collect());
        filter_query(None, owned.as_deref(), &policy(object_id)).unwrap()
    }

    #[test]
    fn search_term_joins_the_filter() {
        let user = serde_json::json!({"expression": {"property": "status", "operator": "eq", "arguments": ["pending"]}, "sort": []});
        let q = filter_query(
            with_search(Some(user), Some("ACME Corp".into())).as_ref(),
            None,
            &rql::AllowAll,
        )
        .unwrap();
        assert!(q.contains("search") && q.contains("status"), "{q}");
        assert!(q.contains("ACME%20Corp"), "{q}");
        let q = filter_query(
            with_search(None, Some("x".into())).as_ref(),
            None,
            &rql::AllowAll,
        )
        .unwrap();
        assert_eq!(q, "eq(search,x)");
        assert_eq!(
            filter_query(with_search(None, None).as_ref(), None, &rql::AllowAll).unwrap(),
            ""
        );
    }

    #[test]
    fn spec_policy_rejects_documented_unsupported_uses_only() {
        let policy = policy("REQUEST");
        let q = |expr: serde_json::Value| {
            let f = serde_json::json!({"expression": expr, "sort": []});
            filter_query(Some(&f), Some(&["activation_key".to_owned()]), &policy)
        };
        // asset/status documents only eq.
        let e = q(serde_json::json!({"property": "asset/status", "operator": "like", "arguments": ["a*"]})).unwrap_err();
        assert_eq!(
            e.message,
            "filter on \"asset/status\": Request does not support \"like\" on this field; use one of: eq"
        );
        assert!(q(serde_json::json!({"property": "asset/status", "operator": "eq", "arguments": ["active"]})).is_ok());
        // Not in the spec's list: Connect decides.
        assert!(q(serde_json::json!({"property": "no_such_field", "operator": "like", "arguments": ["x"]})).is_ok());
        let sort = serde_json::json!({"expression": null, "sort": [{"property": "asset/status", "order": "asc"}]});
        assert!(filter_query(Some(&sort), None, &policy).is_err());
    }

    #[test]
    fn requests_select_only_what_the_selection_warrants() {
        // Boomi sent no selection: every field is wanted, so the hidden one is asked for and
        // nothing is dropped.
        assert_eq!(
            select_for("REQUEST", None),
            "select(asset.product.capabilities)"
        );
        // Plain fields only: everything heavy is dropped, the hidden field stays hidden.
        assert_eq!(
            select_for("REQUEST", Some(&["id", "status", "asset/id"])),
            "select(-activation_key,-asset.configuration,-asset.items,-template)"
        );
        // The whole asset keeps its configuration and items and asks for product capabilities.
        assert_eq!(
            select_for("REQUEST", Some(&["id", "asset", "activation_key"])),
            "select(asset.product.capabilities,-template)"
        );
        // A field inside an excludable object keeps that object.
        assert_eq!(
            select_for(
                "REQUEST",
                Some(&[
                    "asset/configuration/params",
                    "asset/items/id",
                    "template/id"
                ])
            ),
            "select(-activation_key)"
        );
        // Selecting the product (two levels, Boomi's default depth) includes its capabilities.
        assert_eq!(
            select_for("REQUEST", Some(&["asset/product"])),
            "select(-activation_key,-asset.configuration,-asset.items,asset.product.capabilities,-template)"
        );
    }

    #[test]
    fn assets_select_hidden_fields_only_when_selected() {
        assert_eq!(
            select_for("ASSET", Some(&["id"])),
            "select(-configuration,-items)"
        );
        assert_eq!(
            select_for("ASSET", Some(&["id", "pending_request/id", "items"])),
            "select(-configuration,pending_request)"
        );
        assert_eq!(
            select_for(
                "ASSET",
                Some(&["pending_request", "template", "configuration"])
            ),
            "select(-items,pending_request,pending_request.template,template)"
        );
        assert_eq!(
            select_for("ASSET", None),
            "select(pending_request,pending_request.template,template)"
        );
        // Objects whose list endpoint documents no select: nothing, whatever is selected.
        assert_eq!(select_for("PRODUCT", Some(&["id"])), "");
        assert_eq!(select_for("PRODUCT", None), "");
    }

    #[test]
    fn count_only_keeps_the_filter_and_drops_ordering_and_select() {
        let f = serde_json::json!({
            "expression": {"property": "status", "operator": "eq", "arguments": ["pending"]},
            "sort": [{"property": "created", "order": "desc"}]});
        let rql = build_rql(
            &parse_filter(Some(&f)).unwrap(),
            Some(&["id".to_owned()]),
            &policy("REQUEST"),
            &sync::Plan::default(),
        )
        .unwrap();
        assert_eq!(
            rql.to_query_string(),
            "eq(status,pending)&ordering(-created)&select(-activation_key,-asset.configuration,-asset.items,-template)"
        );
        assert_eq!(rql.filter_only().to_query_string(), "eq(status,pending)");
    }
}
