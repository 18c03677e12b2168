//! A server that is not (or no longer) Connect: answers too large once inflated, requests that
//! never finish, redirects elsewhere, non-JSON pages. Each must end with a clear error naming
//! the limit or the place, through the same `connect_core::api` functions the bridge calls.

mod common;

use std::io::Write as _;
use std::time::Duration;

use common::*;
use connect_core::api;
use connect_core::error::ErrorCode;
use wiremock::ResponseTemplate;

/// One Get Resource of `PR-1`: its result and frame.
fn get_pr_1(client: u64) -> (DocResult, Frame) {
    execute_one(client, GET_PR_1, None)
}

/// One Approve of `PR-1` with the document `body`: its result.
fn approve_pr_1(client: u64, body: &[u8]) -> DocResult {
    let b = batch(
        "REQUEST",
        "EXECUTE",
        Some("APPROVE"),
        r#""request_id":"PR-1""#,
        &[r#"{"dynamicProperties":{}}"#],
    );
    execute_one(client, &b, Some(body.to_vec())).0
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn gzip_response(status: u16, body: &[u8]) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("Content-Encoding", "gzip")
        .set_body_raw(gzip(body), "application/json")
}

#[test]
fn an_answer_that_inflates_past_the_limit_fails_naming_the_setting() {
    let server = Server::start();
    // 3 MB of JSON in a few kilobytes of gzip: over a 2 MB limit only once inflated.
    let big = format!(r#"{{"id":"PR-1","note":"{}"}}"#, "x".repeat(3 << 20));
    server.mount(mock("GET", "/requests/PR-1", gzip_response(200, big.as_bytes())).expect(2));
    let client = server.client(r#","maxResponseMegabytes":2"#);
    let (r, _) = get_pr_1(client);
    assert_result(
        &r,
        Status::Failure,
        "TOO_LARGE",
        "larger than the connection's \"Maximum Response Size (MB)\" of 2 MB (counted after decompression)",
    );
    // Within the limit, the same answer is the document.
    let client = server.client(r#","maxResponseMegabytes":4"#);
    let (r, _) = get_pr_1(client);
    assert_eq!((r.status, r.payloads.len()), (Status::Success, 1));
    assert_eq!(r.payloads[0].data.len(), big.len());
    server.verify();
}

#[test]
fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let server = Server::start();
    let big = format!(r#"{{"id":"PR-1","note":"{}"}}"#, "x".repeat(1 << 20));
    server.mount(json_mock("GET", "/requests/PR-1", 200, big));
    let client = server.client(r#","maxResponseMegabytes":1"#);
    let (r, _) = get_pr_1(client);
    assert_result(&r, Status::Failure, "TOO_LARGE", "of 1 MB");
}

#[test]
fn a_list_page_past_its_limit_fails_the_query_naming_the_setting() {
    let server = Server::start();
    let page = request_page(0, 1000);
    assert!(page.len() > 1 << 20);
    server.mount(given("GET", "/requests").respond_with(
        gzip_response(200, page.as_bytes()).insert_header("Content-Range", "items 0-999/1000"),
    ));
    let client = server.client(r#","maxPageMegabytes":1"#);
    let cursor = api::query_open(
        client,
        &query_json("REQUEST", r#""pageSize":1000"#, "null", "null"),
    )
    .expect("query opens");
    let e = api::query_next(cursor).unwrap_err();
    assert_eq!(e.code, ErrorCode::Http, "{}", e.message);
    assert!(
        e.message.contains("\"Maximum Page Size (MB)\" of 1 MB"),
        "{}",
        e.message
    );
}

/// Only the start of an error answer is read: the message comes from its first 64 KiB (here a
/// Connect error whose JSON would only close after them, so an excerpt), not from all of it.
#[test]
fn an_error_answer_is_read_only_as_far_as_its_message_needs() {
    let server = Server::start();
    let body = format!(
        r#"{{"error_code":"VAL_001","errors":["{}"]}}"#,
        "a".repeat(100 * 1024)
    );
    server.mount(mock(
        "GET",
        "/requests/PR-1",
        gzip_response(400, body.as_bytes()),
    ));
    let client = server.client("");
    let (r, _) = get_pr_1(client);
    assert_result(
        &r,
        Status::ApplicationError,
        "400",
        "400 Bad Request: {\"error_code\"",
    );
    assert!(r.message.len() < 1000, "{} characters", r.message.len());
}

#[test]
fn the_request_deadline_ends_a_request_the_read_timeout_lets_run() {
    let server = Server::start();
    server.mount(
        given("GET", "/requests/PR-1")
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(request_json("PR-1"), "application/json")
                    .set_delay(Duration::from_secs(3)),
            )
            .expect(2),
    );
    let client =
        server.client(r#","readTimeoutSeconds":30,"requestDeadlineSeconds":1,"maxAttempts":2"#);
    let (r, _) = get_pr_1(client);
    assert_result(
        &r,
        Status::Failure,
        "TIMEOUT",
        "did not finish within the connection's \"Request Deadline (seconds)\" of 1 s",
    );
    assert!(r.message.contains("after 2 attempts"), "{}", r.message);
    server.verify();
}

#[test]
fn a_write_cut_by_the_deadline_is_not_sent_again() {
    let server = Server::start();
    server.mount(
        given("POST", "/requests/PR-1/approve")
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
            .expect(1),
    );
    let client = server.client(r#","requestDeadlineSeconds":1,"maxAttempts":3"#);
    let r = approve_pr_1(client, br#"{"template_id":"TL-1"}"#);
    assert_result(&r, Status::Failure, "TIMEOUT", "not retried");
    server.verify();
}

#[test]
fn a_redirect_to_another_origin_is_refused_and_names_it() {
    let other = Server::start();
    other.mount(json_mock("GET", "/requests/PR-1", 200, request_json("PR-1")).expect(0));
    other.mount(json_mock("POST", "/requests/PR-1/approve", 200, "{}").expect(0));
    let server = Server::start();
    let elsewhere = format!("{}/requests/PR-1?token=abc", other.base());
    server.mount(mock(
        "GET",
        "/requests/PR-1",
        ResponseTemplate::new(302).insert_header("Location", elsewhere.as_str()),
    ));
    server.mount(mock(
        "POST",
        "/requests/PR-1/approve",
        ResponseTemplate::new(307).insert_header(
            "Location",
            format!("{}/requests/PR-1/approve", other.base()).as_str(),
        ),
    ));
    let client = server.client("");
    let (r, _) = get_pr_1(client);
    let shown = format!(
        "GET /public/v1/requests/PR-1 was redirected to {}/requests/PR-1, outside",
        other.base()
    );
    assert_result(&r, Status::Failure, "REDIRECT", &shown);
    assert!(!r.message.contains("token=abc"), "{}", r.message);
    let r = approve_pr_1(client, b"{}");
    assert_result(
        &r,
        Status::Failure,
        "REDIRECT",
        "outside the API endpoint's scheme",
    );
    // Refused, not retried: one request each.
    assert_eq!(server.requests().len(), 2);
    other.verify();
    // Test Connection says the endpoint is wrong instead of "Connected".
    server.mount(mock(
        "GET",
        "/accounts",
        ResponseTemplate::new(301)
            .insert_header("Location", format!("{}/accounts", other.base()).as_str()),
    ));
    let e = api::test_connection(client).unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongEndpoint, "{}", e.message);
    assert!(e.message.contains("was redirected to"), "{}", e.message);
}

#[test]
fn a_redirect_on_the_same_origin_is_followed_without_a_referer() {
    let server = Server::start();
    server.mount(mock(
        "GET",
        "/requests/PR-1",
        ResponseTemplate::new(302).insert_header("Location", "/public/v1/requests/PR-2"),
    ));
    server.mount(json_mock("GET", "/requests/PR-2", 200, request_json("PR-2")).expect(1));
    let client = server.client("");
    let (r, _) = get_pr_1(client);
    assert_eq!(r.status, Status::Success, "{}", r.message);
    assert_eq!(r.payloads[0].tracked_value("id"), Some("PR-2"));
    let followed = &server.requests()[1];
    assert!(
        followed.headers.get("referer").is_none(),
        "{:?}",
        followed.headers
    );
    // The token goes along on the same origin: it is the same server.
    assert!(followed.headers.get("authorization").is_some());
    server.verify();
}

#[test]
fn a_redirect_loop_on_the_same_origin_ends() {
    let server = Server::start();
    server.mount(mock(
        "GET",
        "/requests/PR-1",
        ResponseTemplate::new(302).insert_header("Location", "/public/v1/requests/PR-1"),
    ));
    let client = server.client("");
    let (r, _) = get_pr_1(client);
    assert_result(
        &r,
        Status::Failure,
        "REDIRECT",
        "redirected more than 10 times",
    );
}

#[test]
fn a_retry_after_date_beyond_the_maximum_wait_ends_the_retries() {
    let server = Server::start();
    let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3600));
    server.mount(
        mock(
            "GET",
            "/requests/PR-1",
            ResponseTemplate::new(503).insert_header("Retry-After", later.as_str()),
        )
        .expect(1),
    );
    let client = server.client(r#","maxRetryWaitSeconds":5"#);
    let (r, frame) = get_pr_1(client);
    assert_result(
        &r,
        Status::ApplicationError,
        "503",
        "503 Service Unavailable",
    );
    assert!(
        frame
            .log_text()
            .contains("more than the maximum retry wait of 5 s"),
        "{}",
        frame.log_text()
    );
    server.verify();
}

#[test]
fn a_retry_after_date_in_the_past_retries_at_once() {
    let server = Server::start();
    server.mount(
        mock(
            "GET",
            "/requests/PR-1",
            ResponseTemplate::new(503)
                .insert_header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
        )
        .up_to_n_times(1)
        .expect(1),
    );
    server.mount(json_mock("GET", "/requests/PR-1", 200, request_json("PR-1")).expect(1));
    let client = server.client("");
    let (r, frame) = get_pr_1(client);
    assert_eq!(r.status, Status::Success, "{}", r.message);
    assert!(
        frame.log_text().contains("retrying in 0.0 s"),
        "{}",
        frame.log_text()
    );
    server.verify();
}

#[test]
fn an_html_page_answered_200_is_not_an_object() {
    let server = Server::start();
    server.mount(mock(
        "GET",
        "/requests/PR-1",
        ResponseTemplate::new(200).set_body_raw(
            "<html><body>Please sign in to the hotel Wi-Fi</body></html>",
            "text/html",
        ),
    ));
    let client = server.client("");
    let (r, _) = get_pr_1(client);
    assert_result(
        &r,
        Status::Failure,
        "NOT_JSON",
        "GET /public/v1/requests/PR-1 answered 200 OK but not with JSON (text/html: <html><body>Please sign in",
    );
    assert!(r.payloads.is_empty());
}

#[test]
fn an_answer_that_is_not_utf8_is_named_as_such() {
    let server = Server::start();
    let mut body = br#"{"id":"PR-1","name":"caf"#.to_vec();
    body.extend_from_slice(b"\xe9\"}");
    server.mount(json_mock("GET", "/requests/PR-1", 200, body));
    let client = server.client("");
    let (r, _) = get_pr_1(client);
    assert_result(
        &r,
        Status::Failure,
        "NOT_JSON",
        "not valid UTF-8 (at byte 24)",
    );
}
