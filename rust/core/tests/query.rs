//! List Resources against a wiremock Connect on 127.0.0.1, through `connect_core::api`: what is
//! requested (asserted on the requests the server received, not only on mock counts), when
//! paging stops, the progress log, field selection, Count Only, and settings and filters that
//! fail before any request.

mod common;

use common::*;
use connect_core::api;
use connect_core::error::{CoreError, ErrorCode};
use wiremock::matchers::query_param;
use wiremock::{Mock, ResponseTemplate};

/// INFO, as the frame numbers log levels.
const INFO: u8 = 1;
const WARNING: u8 = 2;

fn requests_query(props: &str) -> Vec<u8> {
    query_json("REQUEST", props, "null", "null")
}

/// A numeric query parameter of `request` (`limit`, `offset`).
fn param(request: &wiremock::Request, name: &str) -> Option<usize> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// `(limit, offset)` of every request the server received, in order.
fn paging_of(server: &Server) -> Vec<(usize, usize)> {
    let mut paging: Vec<(usize, usize)> = server
        .requests()
        .iter()
        .map(|r| {
            let get = |name| param(r, name).unwrap_or(usize::MAX);
            (get("limit"), get("offset"))
        })
        .collect();
    // Pages requested at the same time arrive in any order.
    paging.sort_by_key(|&(limit, offset)| (offset, limit));
    paging
}

/// What a paged query did: its documents, frames and the `(limit, offset)` of each request.
struct Run {
    docs: Vec<Payload>,
    frames: Vec<Frame>,
    paging: Vec<(usize, usize)>,
}

impl Run {
    /// The messages logged at `level` over all frames.
    fn logged(&self, level: u8) -> Vec<&str> {
        self.frames
            .iter()
            .flat_map(|f| f.logs.iter())
            .filter(|(l, _)| *l == level)
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// Serves `pages` (`limit`, `offset`, number of items, `Content-Range`) of `/requests` and runs
/// a Request query with the operation properties `props` to the end.
fn run_pages(props: &str, pages: &[(usize, usize, usize, Option<&str>)]) -> Run {
    let server = Server::start();
    for &(limit, offset, items, range) in pages {
        server.mount(page_mock(limit, offset, items, range));
    }
    run_on(&server, &requests_query(props))
}

/// Runs `query` to the end on a new client of `server`.
fn run_on(server: &Server, query: &[u8]) -> Run {
    let client = server.client("");
    let (docs, frames) = run_query(client, query);
    api::client_close(client).unwrap();
    Run {
        docs,
        frames,
        paging: paging_of(server),
    }
}

/// The raw query strings the server received, in order.
fn raw_queries(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| r.url.query().unwrap_or("").to_owned())
        .collect()
}

fn ids(docs: &[Payload]) -> Vec<String> {
    docs.iter()
        .map(|d| d.tracked_value("id").unwrap_or("").to_owned())
        .collect()
}

fn expected_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("PR-{i}")).collect()
}

#[test]
fn every_page_logs_its_progress_at_info_with_the_running_count_and_total() {
    let run = run_pages(
        r#""pageSize":10"#,
        &[
            (10, 0, 10, Some("items 0-9/25")),
            (10, 10, 10, Some("items 10-19/25")),
            (10, 20, 5, Some("items 20-24/25")),
        ],
    );
    assert_eq!(ids(&run.docs), expected_ids(25));
    let progress: Vec<Vec<&str>> = run
        .frames
        .iter()
        .map(|f| {
            f.logs
                .iter()
                .filter(|(level, _)| *level == INFO)
                .map(|(_, m)| m.as_str())
                .collect()
        })
        .collect();
    assert_eq!(
        progress,
        [
            vec!["page 1: received 10 (offset 0), 10 of 25 so far"],
            vec!["page 2: received 10 (offset 10), 20 of 25 so far"],
            vec!["page 3: received 5 (offset 20), 25 of 25 so far"],
        ]
    );
    assert_eq!(run.paging, [(10, 0), (10, 10), (10, 20)]);
}

#[test]
fn no_page_is_requested_past_the_last() {
    // The total is an exact multiple of the page size: the second page is the last one.
    let run = run_pages(
        r#""pageSize":10"#,
        &[
            (10, 0, 10, Some("items 0-9/20")),
            (10, 10, 10, Some("items 10-19/20")),
        ],
    );
    assert_eq!(ids(&run.docs), expected_ids(20));
    assert_eq!(run.frames.len(), 2);
    assert_eq!(run.paging, [(10, 0), (10, 10)]);
}

#[test]
fn an_empty_result_is_one_request_and_no_documents() {
    let run = run_pages("", &[(100, 0, 0, Some("items 0-0/0"))]);
    assert!(run.docs.is_empty());
    assert_eq!(run.paging, [(100, 0)]);
    assert_eq!(
        run.logged(INFO),
        ["page 1: received 0 (offset 0), 0 of 0 so far"]
    );
    assert!(run.logged(WARNING).is_empty());
}

#[test]
fn maximum_documents_stops_exactly_and_asks_only_for_what_is_left() {
    let run = run_pages(
        r#""pageSize":10,"maxDocuments":"25""#,
        &[
            (10, 0, 10, Some("items 0-9/100")),
            (10, 10, 10, Some("items 10-19/100")),
            (5, 20, 5, Some("items 20-24/100")),
        ],
    );
    assert_eq!(ids(&run.docs), expected_ids(25));
    assert_eq!(run.paging, [(10, 0), (10, 10), (5, 20)]);
    let last = run.frames.last().unwrap().log_text();
    assert!(
        last.contains("stopped at the maximum of 25 documents"),
        "{last}"
    );
}

#[test]
fn maximum_documents_drops_what_a_server_sends_beyond_the_limit() {
    // Asked for 3, the server ignores the limit and sends 10.
    let run = run_pages(
        r#""pageSize":100,"maxDocuments":3"#,
        &[(3, 0, 10, Some("items 0-9/50"))],
    );
    assert_eq!(ids(&run.docs), expected_ids(3));
    assert_eq!(run.paging, [(3, 0)]);
}

#[test]
fn a_growing_total_is_followed_and_warned() {
    let run = run_pages(
        r#""pageSize":10"#,
        &[
            (10, 0, 10, Some("items 0-9/20")),
            // Five records were created meanwhile: there is a third page now.
            (10, 10, 10, Some("items 10-19/25")),
            (10, 20, 5, Some("items 20-24/25")),
        ],
    );
    assert_eq!(ids(&run.docs), expected_ids(25));
    assert_eq!(run.paging, [(10, 0), (10, 10), (10, 20)]);
    let warned = run.logged(WARNING);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("changed from 20 to 25"), "{}", warned[0]);
}

#[test]
fn a_malformed_content_range_pages_by_page_size_and_says_so() {
    let run = run_pages(
        r#""pageSize":10"#,
        &[
            (10, 0, 10, Some("items 0-9/*")),
            (10, 10, 4, Some("items 10-13/*")),
        ],
    );
    assert_eq!(ids(&run.docs), expected_ids(14));
    assert_eq!(run.paging, [(10, 0), (10, 10)]);
    let first = run.frames[0].log_text();
    assert!(
        first.contains("no usable Content-Range header (\"items 0-9/*\")"),
        "{first}"
    );
    assert!(first.contains("10 of ? so far"), "{first}");
    assert_eq!(run.logged(WARNING).len(), 1);
}

#[test]
fn an_empty_page_before_the_reported_total_ends_with_a_warning() {
    // One page at a time: with more, the pages after the empty one would be requested too.
    let run = run_pages(
        r#""pageSize":10,"parallelPages":1"#,
        &[
            (10, 0, 10, Some("items 0-9/30")),
            (10, 10, 0, Some("items 10-10/30")),
        ],
    );
    assert_eq!(ids(&run.docs), expected_ids(10));
    assert_eq!(run.paging, [(10, 0), (10, 10)]);
    let warned = run.logged(WARNING);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("may be incomplete"), "{}", warned[0]);
}

fn open_error(client: u64, query: &[u8]) -> CoreError {
    api::query_open(client, query).expect_err("the query is refused")
}

#[test]
fn an_operator_the_spec_does_not_accept_fails_before_any_request() {
    let server = Server::start();
    let client = server.client("");
    // The spec documents only eq for asset.status on /requests.
    let filter = r#"{"expression":{"group":"AND","nested":[
        {"property":"status","operator":"eq","arguments":["pending"]},
        {"property":"asset/status","operator":"like","arguments":["act*"]}]},"sort":[]}"#;
    let e = open_error(client, &query_json("REQUEST", "", "null", filter));
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    assert_eq!(
        e.message,
        "filter on \"asset/status\": Request does not support \"like\" on this field; use one of: eq"
    );
    // Is Not Null is checked as the spec's `null` lookup, which asset.status lacks.
    let filter = r#"{"expression":{"property":"asset/status","operator":"not_null","arguments":[]},"sort":[]}"#;
    let e = open_error(client, &query_json("REQUEST", "", "null", filter));
    assert!(e.message.contains("\"not_null\""), "{}", e.message);
    assert!(e.message.contains("use one of: eq"), "{}", e.message);
    // A sort the spec says Connect cannot do.
    let sort = r#"{"expression":null,"sort":[{"property":"asset/id","order":"desc"}]}"#;
    let e = open_error(client, &query_json("REQUEST", "", "null", sort));
    assert_eq!(
        e.message,
        "sort on \"asset/id\": Request cannot be ordered by this field"
    );
    // The same checks hold with Count Only.
    let e = open_error(
        client,
        &query_json("REQUEST", r#""countOnly":true"#, "null", filter),
    );
    assert!(e.message.contains("asset/status"), "{}", e.message);
    assert!(server.requests().is_empty(), "a request was sent");
    api::client_close(client).unwrap();
}

#[test]
fn page_size_and_maximum_documents_out_of_range_fail_before_any_request() {
    let server = Server::start();
    let client = server.client("");
    for size in ["1001", "0", "-5", "\"ten\""] {
        let e = open_error(client, &requests_query(&format!(r#""pageSize":{size}"#)));
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert_eq!(
            e.message, "\"Page Size\" must be a whole number from 1 to 1000",
            "{size}"
        );
    }
    let e = open_error(client, &requests_query(r#""maxDocuments":-1"#));
    assert!(e.message.contains("\"Maximum Documents\""), "{}", e.message);
    assert!(server.requests().is_empty(), "a request was sent");
    api::client_close(client).unwrap();
}

/// Runs a one-page query of `object` (path `list_path`) with a selection and returns the
/// query string the server received.
fn query_sent(object: &str, list_path: &str, selected: &str) -> String {
    let server = Server::start();
    server.mount(mock(
        "GET",
        list_path,
        ResponseTemplate::new(200)
            .set_body_raw("[]", "application/json")
            .insert_header("Content-Range", "items 0-0/0"),
    ));
    let client = server.client("");
    let filter =
        r#"{"expression":{"property":"id","operator":"ne","arguments":["X-1"]},"sort":[]}"#;
    run_query(client, &query_json(object, "", selected, filter));
    api::client_close(client).unwrap();
    let sent = raw_queries(&server);
    assert_eq!(sent.len(), 1, "{sent:?}");
    sent.into_iter().next().unwrap_or_default()
}

#[test]
fn select_is_sent_exactly_when_the_selection_warrants_it() {
    // Only plain fields selected: the heavy parts Connect can leave out are excluded.
    assert_eq!(
        query_sent("REQUEST", "/requests", r#"["id","status","asset/id"]"#),
        "ne(id,X-1)&select(-activation_key,-asset.configuration,-asset.items,-template)\
         &limit=100&offset=0"
    );
    // Selecting the asset keeps its configuration and items and asks for the product's
    // capabilities, which Connect hides by default.
    assert_eq!(
        query_sent("REQUEST", "/requests", r#"["id","asset","activation_key"]"#),
        "ne(id,X-1)&select(asset.product.capabilities,-template)&limit=100&offset=0"
    );
    // No selection from Boomi: every field is wanted.
    assert_eq!(
        query_sent("REQUEST", "/requests", "null"),
        "ne(id,X-1)&select(asset.product.capabilities)&limit=100&offset=0"
    );
    // A hidden field of assets is asked for only when selected.
    assert_eq!(
        query_sent("ASSET", "/assets", r#"["id","configuration","items"]"#),
        "ne(id,X-1)&limit=100&offset=0"
    );
    assert_eq!(
        query_sent(
            "ASSET",
            "/assets",
            r#"["id","configuration","items","pending_request/id"]"#
        ),
        "ne(id,X-1)&select(pending_request)&limit=100&offset=0"
    );
    // Products document no select(): none is sent, whatever is selected.
    assert_eq!(
        query_sent("PRODUCT", "/products", r#"["id"]"#),
        "ne(id,X-1)&limit=100&offset=0"
    );
}

fn count_mock(range: Option<&str>) -> Mock {
    let mut resp = ResponseTemplate::new(200).set_body_raw("[]", "application/json");
    if let Some(r) = range {
        resp = resp.insert_header("Content-Range", r);
    }
    given("GET", "/requests")
        .and(query_param("limit", "0"))
        .and(query_param("offset", "0"))
        .respond_with(resp)
}

#[test]
fn count_only_returns_the_total_without_fetching_records() {
    let server = Server::start();
    server.mount(count_mock(Some("items 0-0/2345")));
    let client = server.client("");
    let filter = r#"{"expression":{"property":"status","operator":"eq","arguments":["pending"]},
        "sort":[{"property":"created","order":"desc"}]}"#;
    let query = query_json(
        "REQUEST",
        r#""countOnly":true,"pageSize":10,"maxDocuments":5,"searchTerm":"ACME Corp""#,
        r#"["id"]"#,
        filter,
    );
    let cursor = api::query_open(client, &query).unwrap();
    let (done, docs, frame) = page(&api::query_next(cursor).unwrap());
    assert!(done);
    assert_eq!(docs.len(), 1);
    assert_eq!(&docs[0].data[..], br#"{"count":2345}"#);
    assert_eq!(docs[0].tracked, [("count".to_owned(), "2345".to_owned())]);
    let log = frame.log_text();
    assert!(
        log.contains("2345 matching records (Count Only: no records fetched)"),
        "{log}"
    );
    // Past the end: an empty, finished page and no second request.
    let (done, docs, _) = page(&api::query_next(cursor).unwrap());
    assert!(done && docs.is_empty());
    api::query_close(cursor).unwrap();
    // One request: the filter and the search term, no ordering or select, limit 0.
    assert_eq!(
        raw_queries(&server),
        ["and(eq(search,%22ACME%20Corp%22),eq(status,pending))&limit=0&offset=0"]
    );
    api::client_close(client).unwrap();
}

#[test]
fn count_only_of_an_empty_result_is_zero() {
    let server = Server::start();
    server.mount(count_mock(Some("items 0-0/0")));
    let client = server.client("");
    let (docs, _) = run_query(
        client,
        &query_json("REQUEST", r#""countOnly":"true""#, "null", "null"),
    );
    assert_eq!(docs.len(), 1);
    assert_eq!(&docs[0].data[..], br#"{"count":0}"#);
    assert_eq!(docs[0].tracked_value("count"), Some("0"));
    assert_eq!(raw_queries(&server), ["limit=0&offset=0"]);
    api::client_close(client).unwrap();
}

#[test]
fn count_only_without_a_usable_content_range_fails_and_says_why() {
    for range in [None, Some("items */*")] {
        let server = Server::start();
        server.mount(count_mock(range));
        let client = server.client("");
        let cursor = api::query_open(
            client,
            &query_json("REQUEST", r#""countOnly":true"#, "null", "null"),
        )
        .unwrap();
        let e = api::query_next(cursor).unwrap_err();
        assert_eq!(e.code, ErrorCode::Http);
        assert!(
            e.message.contains("without a usable Content-Range header"),
            "{}",
            e.message
        );
        let shown = range.map_or("missing".to_owned(), |r| format!("\"{r}\""));
        assert!(e.message.contains(&shown), "{}", e.message);
        assert_no_canary("count error", &e.message);
        assert_eq!(server.requests().len(), 1);
        api::query_close(cursor).unwrap();
        api::client_close(client).unwrap();
    }
}

#[test]
fn count_only_refuses_an_answer_that_is_not_a_list() {
    let server = Server::start();
    server.mount(mock(
        "GET",
        "/requests",
        ResponseTemplate::new(200)
            .set_body_raw("<html>portal</html>", "text/html")
            .insert_header("Content-Range", "items 0-0/7"),
    ));
    let client = server.client("");
    let cursor = api::query_open(
        client,
        &query_json("REQUEST", r#""countOnly":true"#, "null", "null"),
    )
    .unwrap();
    let e = api::query_next(cursor).unwrap_err();
    assert_eq!(e.code, ErrorCode::Http);
    assert!(e.message.contains("not with a JSON array"), "{}", e.message);
    api::query_close(cursor).unwrap();
    api::client_close(client).unwrap();
}

/// The cursor starts the next request early when `Content-Range` says the page was full. When the
/// body then holds fewer records than the range claims, the early request is dropped and paging
/// goes on from what was actually received: no document is lost or repeated.
#[test]
fn a_full_range_over_a_short_body_still_yields_every_document_once() {
    let run = run_pages(
        r#""pageSize":10"#,
        &[
            (10, 0, 7, Some("items 0-9/30")),
            (10, 7, 10, Some("items 7-16/30")),
            (10, 17, 10, Some("items 17-26/30")),
            (10, 27, 3, Some("items 27-29/30")),
        ],
    );
    assert_eq!(ids(&run.docs), expected_ids(30));
    // The early guess (offset 10) may or may not have reached the server before it was dropped.
    let sent: Vec<_> = run
        .paging
        .iter()
        .copied()
        .filter(|&p| p != (10, 10))
        .collect();
    assert_eq!(sent, [(10, 0), (10, 7), (10, 17), (10, 27)]);
}

/// A page far larger than the splitter's look-ahead step (64 KiB), with multi-byte characters
/// and escapes, to be cut at every kind of place while it arrives.
fn large_page() -> (String, Vec<String>) {
    let mut items: Vec<String> = (0..150).map(|i| request_json(&format!("PR-{i}"))).collect();
    items.push(
        r#"{"id":"PR-150","note":"grüße € 𝄞 \"quoted\" \u00e9 \\","n":[1.5e3,-0,true,null,{}]}"#
            .to_owned(),
    );
    let body = format!("[{}]", items.join(",\n"));
    assert!(body.len() > 4 * 64 * 1024, "{}", body.len());
    (body, items)
}

fn large_page_mock(response: ResponseTemplate) -> Mock {
    mock(
        "GET",
        "/requests",
        response.insert_header("Content-Range", "items 0-150/151"),
    )
}

fn assert_large_page_documents(server: &Server) {
    let (_, items) = large_page();
    let client = server.client("");
    let (docs, _) = run_query(client, &requests_query(r#""pageSize":1000"#));
    api::client_close(client).unwrap();
    assert_eq!(docs.len(), items.len());
    for (i, (doc, item)) in docs.iter().zip(&items).enumerate() {
        assert_eq!(doc.data, item.as_bytes(), "document {i}");
        assert_eq!(doc.tracked_value("id"), Some(format!("PR-{i}").as_str()));
    }
}

/// Split while it arrives (uncompressed): every document exactly, in order.
#[test]
fn a_large_uncompressed_page_is_split_exactly_while_it_arrives() {
    let server = Server::start();
    server.mount(large_page_mock(
        ResponseTemplate::new(200).set_body_raw(large_page().0, "application/json"),
    ));
    assert_large_page_documents(&server);
}

/// Split after it was inflated (gzip): the same documents.
#[test]
fn a_large_gzip_page_is_split_exactly_after_inflating() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(large_page().0.as_bytes()).unwrap();
    let server = Server::start();
    server.mount(large_page_mock(
        ResponseTemplate::new(200)
            .set_body_raw(gz.finish().unwrap(), "application/json")
            .insert_header("Content-Encoding", "gzip"),
    ));
    assert_large_page_documents(&server);
}

/// A retried page starts from nothing: the failed attempt's body is not part of the page.
#[test]
fn a_retried_page_keeps_nothing_of_the_failed_attempt() {
    let server = Server::start();
    server.mount(
        mock(
            "GET",
            "/requests",
            ResponseTemplate::new(503)
                .insert_header("Retry-After", "0")
                .set_body_raw("[{\"id\":\"PR-X\"},", "application/json"),
        )
        .up_to_n_times(1)
        .expect(1),
    );
    server.mount(large_page_mock(
        ResponseTemplate::new(200).set_body_raw(large_page().0, "application/json"),
    ));
    assert_large_page_documents(&server);
    server.verify();
}

/// A 2xx answer that is not a JSON array is refused whichever way it is split.
#[test]
fn a_large_page_that_is_not_an_array_fails_the_query() {
    for cut in ["", "]]", "] x", ",", ",\"\u{1}\"]"] {
        let (body, _) = large_page();
        let bad = if cut.is_empty() {
            body[..body.len() - 1].to_owned()
        } else {
            format!("{}{cut}", &body[..body.len() - 1])
        };
        let server = Server::start();
        server.mount(large_page_mock(
            ResponseTemplate::new(200).set_body_raw(bad, "application/json"),
        ));
        let client = server.client("");
        let cursor = api::query_open(client, &requests_query(r#""pageSize":1000"#)).unwrap();
        let Err(e) = api::query_next(cursor) else {
            panic!("{cut:?}: a page that is not a JSON array was split");
        };
        assert_eq!(e.code, ErrorCode::Http, "{cut:?}");
        assert!(
            e.message.contains("not with a JSON array"),
            "{cut:?}: {}",
            e.message
        );
        api::query_close(cursor).unwrap();
        api::client_close(client).unwrap();
    }
}

/// Runs `query` until it fails; the error.
fn query_error(client: u64, query: &[u8]) -> CoreError {
    let Err(e) = try_run_query(client, query) else {
        panic!("the query succeeded");
    };
    e
}

/// A server whose `/requests` answers every request with `body` (and `range`), whatever its
/// `limit` and `offset`.
fn same_answer_server(body: String, range: Option<&str>) -> Server {
    let server = Server::start();
    let mut resp = ResponseTemplate::new(200).set_body_raw(body, "application/json");
    if let Some(r) = range {
        resp = resp.insert_header("Content-Range", r);
    }
    server.mount(mock("GET", "/requests", resp));
    server
}

#[test]
fn a_server_that_ignores_offset_ends_with_each_record_once() {
    for (range, parallel) in [(Some("items 0-9/30"), "4"), (None, "4"), (None, "1")] {
        let server = same_answer_server(request_page(0, 10), range);
        let client = server.client("");
        let (docs, frames) = run_query(
            client,
            &requests_query(&format!(r#""pageSize":10,"parallelPages":{parallel}"#)),
        );
        api::client_close(client).unwrap();
        assert_eq!(ids(&docs), expected_ids(10), "{range:?}");
        let log: String = frames.iter().map(Frame::log_text).collect();
        assert!(
            log.contains("the request for 10 records from offset 10 was answered with"),
            "{log}"
        );
        assert!(log.contains("the endpoint does not page"), "{log}");
        let requests = paging_of(&server);
        assert!(requests.len() <= 3, "{requests:?}");
    }
}

#[test]
fn a_first_answer_longer_than_the_limit_is_the_whole_result_in_one_request() {
    let server = same_answer_server(request_page(0, 25), None);
    let client = server.client("");
    let (docs, frames) = run_query(client, &requests_query(r#""pageSize":10"#));
    api::client_close(client).unwrap();
    assert_eq!(ids(&docs), expected_ids(25));
    assert_eq!(paging_of(&server), [(10, 0)]);
    let log: String = frames.iter().map(Frame::log_text).collect();
    assert!(
        log.contains("answered with 25 records: the endpoint does not page, so this answer is taken as the whole result"),
        "{log}"
    );
}

#[test]
fn invalid_utf8_in_a_page_is_named_as_such() {
    let server = Server::start();
    server.mount(mock(
        "GET",
        "/requests",
        ResponseTemplate::new(200)
            .set_body_raw(b"[{\"id\":\"PR-\xff\"}]".to_vec(), "application/json"),
    ));
    let client = server.client("");
    let e = query_error(client, &requests_query(""));
    api::client_close(client).unwrap();
    assert!(
        e.message
            .contains("with a page that is not valid UTF-8 (invalid UTF-8 at byte 11)"),
        "{}",
        e.message
    );
    assert!(
        !e.message.contains("not with a JSON array"),
        "{}",
        e.message
    );
}

#[test]
fn a_broken_element_fails_the_page_whatever_follows_it() {
    for body in [r#"[{"a":01}]"#, r#"[{"a":01},"x"]"#] {
        let server = same_answer_server(body.to_owned(), None);
        let client = server.client("");
        let e = query_error(client, &requests_query(""));
        api::client_close(client).unwrap();
        assert!(
            e.message
                .contains("but not with a JSON array (invalid JSON: "),
            "{}",
            e.message
        );
    }
}

#[test]
fn parallel_pages_deliver_every_document_once_in_order() {
    for parallel in [1, 4, 16] {
        let server = Server::start();
        let pages = 23;
        for p in 0..pages {
            let items = if p == pages - 1 { 5 } else { 10 };
            let range = format!("items {}-{}/225", p * 10, p * 10 + items - 1);
            // Later pages answer sooner, so they arrive before the ones ahead of them.
            let delay = std::time::Duration::from_millis(((pages - p) % 5 * 10) as u64);
            server.mount(
                given("GET", "/requests")
                    .and(query_param("limit", "10"))
                    .and(query_param("offset", (p * 10).to_string()))
                    .respond_with(
                        ResponseTemplate::new(200)
                            .set_body_raw(request_page(p * 10, items), "application/json")
                            .insert_header("Content-Range", range.as_str())
                            .set_delay(delay),
                    )
                    .expect(1),
            );
        }
        let run = run_on(
            &server,
            &requests_query(&format!(r#""pageSize":10,"parallelPages":{parallel}"#)),
        );
        assert_eq!(ids(&run.docs), expected_ids(225), "{parallel}");
        assert_eq!(run.paging.len(), pages, "{parallel}");
        let warned = run.logged(WARNING);
        assert!(warned.is_empty(), "{warned:?}");
        server.verify();
    }
}

/// Answers every list request in full with records never sent before (`{"id":"PR-<offset+i>"}`)
/// and a total always one page beyond the one asked for: a result that never ends.
struct EndlessPages;

impl wiremock::Respond for EndlessPages {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let get = |name| param(request, name).unwrap_or(0);
        let (limit, offset) = (get("limit"), get("offset"));
        let records: Vec<String> = (offset..offset + limit)
            .map(|i| format!(r#"{{"id":"PR-{i}"}}"#))
            .collect();
        let range = format!(
            "items {offset}-{}/{}",
            offset + limit - 1,
            offset + 2 * limit
        );
        ResponseTemplate::new(200)
            .set_body_raw(format!("[{}]", records.join(",")), "application/json")
            .insert_header("Content-Range", range.as_str())
    }
}

#[test]
fn a_total_that_keeps_growing_ends_the_query_past_the_first_total_and_its_allowance() {
    let server = Server::start();
    server.mount(given("GET", "/requests").respond_with(EndlessPages));
    let run = run_on(&server, &requests_query(r#""pageSize":1000"#));
    // The first answer says 2,000: followed up to 2,000 + 10,000, each record once, in order.
    assert_eq!(ids(&run.docs), expected_ids(12_000));
    let warned = run.logged(WARNING);
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(
        warned[0].contains("changed from 2000 to 3000"),
        "{}",
        warned[0]
    );
    assert!(
        warned[1].contains("grew to 13000 while paging, past 12000")
            && warned[1].contains("ends here after 12000 documents"),
        "{}",
        warned[1]
    );
    let pages = run.paging;
    assert!(pages.len() <= 13, "{pages:?}");
}

/// A Connect that holds requests `(id, updated)` and answers list calls from its current state, as
/// Connect does: the records with `updated` at or after the `ge(updated,…)` value, ordered by
/// `updated` (records with the same time in the order they were stored), `limit` and `offset`
/// applied, with the matching `Content-Range`. After answering the request numbered `update_after`
/// (1 = the first), it updates the record `update`: its time becomes `NOW` and it moves to the end.
struct StatefulConnect {
    records: std::sync::Mutex<Vec<(String, String)>>,
    answered: std::sync::atomic::AtomicUsize,
    update_after: usize,
    update: &'static str,
}

const NOW: &str = "2024-06-01T00:00:00+00:00";

impl StatefulConnect {
    fn new(records: Vec<(String, String)>, update_after: usize, update: &'static str) -> Self {
        StatefulConnect {
            records: std::sync::Mutex::new(records),
            answered: std::sync::atomic::AtomicUsize::new(0),
            update_after,
            update,
        }
    }
}

impl wiremock::Respond for StatefulConnect {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let get = |name| param(request, name).expect("limit and offset");
        let since = pairs
            .iter()
            .find_map(|(k, _)| k.strip_prefix("ge(updated,")?.strip_suffix(')'))
            .expect("a ge(updated,…) filter")
            .to_owned();
        assert!(
            pairs.iter().any(|(k, _)| k == "ordering(updated)"),
            "{pairs:?}"
        );
        let (limit, offset) = (get("limit"), get("offset"));
        let mut records = self.records.lock().unwrap();
        let mut matching: Vec<&(String, String)> =
            records.iter().filter(|(_, at)| *at >= since).collect();
        // Stable: records with one time keep the order they were stored in.
        matching.sort_by(|a, b| a.1.cmp(&b.1));
        let page: Vec<String> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(id, at)| format!(r#"{{"id":"{id}","updated":"{at}"}}"#))
            .collect();
        let mut resp = ResponseTemplate::new(200)
            .set_body_raw(format!("[{}]", page.join(",")), "application/json");
        if !page.is_empty() {
            let range = format!(
                "items {offset}-{}/{}",
                offset + page.len() - 1,
                matching.len()
            );
            resp = resp.insert_header("Content-Range", range.as_str());
        } else if matching.is_empty() {
            resp = resp.insert_header("Content-Range", "items 0-0/0");
        }
        let answered = self
            .answered
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        if answered == self.update_after {
            let at = records
                .iter()
                .position(|(id, _)| id == self.update)
                .unwrap();
            let (id, _) = records.remove(at);
            records.push((id, NOW.to_owned()));
        }
        resp
    }
}

/// `(id, changedAt)` of each document.
fn changes(docs: &[Payload]) -> Vec<(String, String)> {
    docs.iter()
        .map(|d| {
            let get = |name| d.tracked_value(name).unwrap_or("").to_owned();
            (get("id"), get("changedAt"))
        })
        .collect()
}

/// `(ge value, offset)` of each request the server received, in order.
fn keyset_of(server: &Server) -> Vec<(String, usize)> {
    server
        .requests()
        .iter()
        .map(|r| {
            let pairs: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
            let since = pairs
                .iter()
                .find_map(|(k, _)| k.strip_prefix("ge(updated,")?.strip_suffix(')'))
                .unwrap_or("")
                .to_owned();
            let offset = param(r, "offset").unwrap_or(usize::MAX);
            (since, offset)
        })
        .collect()
}

/// Runs a Changed Since query on Requests against `connect`.
fn run_changed_since(connect: StatefulConnect, props: &str) -> (Run, Vec<(String, usize)>) {
    let server = Server::start();
    server.mount(given("GET", "/requests").respond_with(connect));
    let run = run_on(
        &server,
        &requests_query(&format!(r#""changedSince":"2024-01-01",{props}"#)),
    );
    (run, keyset_of(&server))
}

fn at_second(s: usize) -> String {
    format!("2024-01-01T00:00:{s:02}+00:00")
}

#[test]
fn changed_since_loses_no_record_that_changes_between_two_pages() {
    // PR-i changed at second i; PR-2, delivered with the first page, changes before the second.
    let records = (0..25).map(|i| (format!("PR-{i}"), at_second(i))).collect();
    let (run, asked) =
        run_changed_since(StatefulConnect::new(records, 1, "PR-2"), r#""pageSize":10"#);
    let got = changes(&run.docs);
    let mut want: Vec<(String, String)> =
        (0..25).map(|i| (format!("PR-{i}"), at_second(i))).collect();
    want.push(("PR-2".to_owned(), NOW.to_owned()));
    assert_eq!(
        got, want,
        "every record once, the changed one again with its new time"
    );
    // Each request starts at the last change time delivered, past the records delivered with it.
    assert_eq!(
        asked,
        [
            ("2024-01-01T00:00:00+00:00".to_owned(), 0),
            (at_second(9), 1),
            (at_second(19), 1),
        ]
    );
    let last = run.frames.last().unwrap().log_text();
    assert!(
        last.contains(&format!(
            "26 records changed (by updated); newest changedAt {NOW}: store it"
        )),
        "{last}"
    );
    assert!(run.logged(WARNING).is_empty(), "{:?}", run.logged(WARNING));
}

#[test]
fn changed_since_pages_through_more_records_with_one_time_than_a_page_holds() {
    // PR-3 to PR-17 share one second: three pages and more of the same time.
    let time = |i: usize| at_second(if (3..=17).contains(&i) { 3 } else { i });
    let records = (0..25).map(|i| (format!("PR-{i}"), time(i))).collect();
    let (run, asked) = run_changed_since(
        StatefulConnect::new(records, usize::MAX, "PR-0"),
        r#""pageSize":5,"parallelPages":8"#,
    );
    let want: Vec<(String, String)> = (0..25).map(|i| (format!("PR-{i}"), time(i))).collect();
    assert_eq!(changes(&run.docs), want);
    assert_eq!(
        asked,
        [
            ("2024-01-01T00:00:00+00:00".to_owned(), 0),
            (at_second(3), 2),
            (at_second(3), 7),
            (at_second(3), 12),
            (at_second(19), 1),
        ]
    );
    // One request at a time, each for a full page.
    assert!(run.paging.iter().all(|&(limit, _)| limit == 5));
    assert!(run.logged(WARNING).is_empty(), "{:?}", run.logged(WARNING));
}

#[test]
fn changed_since_against_a_server_that_sends_the_same_full_page_ends_with_each_record_once() {
    let page: Vec<String> = (0..10)
        .map(|i| format!(r#"{{"id":"PR-{i}","updated":"{}"}}"#, at_second(i)))
        .collect();
    let body = format!("[{}]", page.join(","));
    for (range, seen) in [
        (
            Some("items 0-9/30"),
            "was answered with records from offset 0 (Content-Range \"items 0-9/30\")",
        ),
        (
            None,
            "was answered with the same 10 records as the request before",
        ),
    ] {
        let server = same_answer_server(body.clone(), range);
        let client = server.client("");
        let (docs, frames) = run_query(
            client,
            &requests_query(r#""pageSize":10,"changedSince":"2024-01-01""#),
        );
        api::client_close(client).unwrap();
        assert_eq!(ids(&docs), expected_ids(10), "{range:?}");
        let log: String = frames.iter().map(Frame::log_text).collect();
        let asked = format!(
            "the request for 10 records changed since {} from offset 1 {seen}: the endpoint \
             does not page; the query stops here after 10 documents",
            at_second(9)
        );
        assert!(log.contains(&asked), "{log}");
        assert_eq!(keyset_of(&server).len(), 2, "{range:?}");
    }
}
