//! HTTP behaviour of the core against a wiremock Connect on 127.0.0.1, through the same
//! `connect_core::api` functions the JNI bridge calls.

mod common;

use std::collections::HashSet;

use common::*;
use connect_core::api;
use connect_core::catalog::{Action, object, objects_for, path_shape};
use connect_core::error::ErrorCode;
use wiremock::matchers::{body_json, header, query_param};
use wiremock::{Mock, ResponseTemplate};

const SUCCESS: Status = Status::Success;
const APPLICATION_ERROR: Status = Status::ApplicationError;
const FAILURE: Status = Status::Failure;

/// A Request query with the operation properties `props` and the filter JSON `filter`.
fn requests_query(props: &str, filter: &str) -> Vec<u8> {
    query_json("REQUEST", props, "null", filter)
}

/// [`page_mock`], expected exactly once.
fn list_mock(limit: usize, offset: usize, items: usize, range: Option<&str>) -> Mock {
    page_mock(limit, offset, items, range).expect(1)
}

#[test]
fn query_pages_through_2500_requests_in_three_pages() {
    let server = Server::start();
    server.mount(list_mock(1000, 0, 1000, Some("items 0-999/2500")));
    server.mount(list_mock(1000, 1000, 1000, Some("items 1000-1999/2500")));
    server.mount(list_mock(1000, 2000, 500, Some("items 2000-2499/2500")));
    let client = server.client("");
    let (docs, frames) = run_query(client, &requests_query(r#""pageSize":1000"#, "null"));
    assert_eq!(docs.len(), 2500);
    // Each ~1.8 MB page is handed over in frames of at most 256 KiB of documents.
    let bytes: usize = docs.iter().map(|d| d.data.len()).sum();
    assert!(
        frames.len() >= bytes / (256 * 1024),
        "{} frames",
        frames.len()
    );
    let logs: Vec<String> = frames.iter().map(|f| f.log_text()).collect();
    for page in [
        "page 1: received 1000",
        "page 2: received 1000",
        "page 3: received 500",
    ] {
        assert_eq!(
            logs.iter().filter(|l| l.contains(page)).count(),
            1,
            "{page}"
        );
    }
    for (i, d) in docs.iter().enumerate() {
        let id = format!("PR-{i}");
        assert_eq!(d.tracked_value("id"), Some(id.as_str()));
        assert_eq!(d.tracked_value("status"), Some("approved"));
        // Byte for byte what the server sent (pretty-printed), not re-serialised.
        assert_eq!(std::str::from_utf8(&d.data).unwrap(), request_json(&id));
    }
    let log = logs.concat();
    assert!(log.contains("2500 of 2500"), "{log}");
    server.verify();
    api::client_close(client).unwrap();
}

#[test]
fn query_follows_a_clamped_page_size() {
    let server = Server::start();
    // Asked for 1000, the server sends 100 at a time.
    server.mount(list_mock(1000, 0, 100, Some("items 0-99/250")));
    server.mount(list_mock(1000, 100, 100, Some("items 100-199/250")));
    server.mount(list_mock(1000, 200, 50, Some("items 200-249/250")));
    let client = server.client("");
    let (docs, _) = run_query(client, &requests_query(r#""pageSize":"1000""#, "null"));
    assert_eq!(docs.len(), 250);
    assert_eq!(docs[249].tracked_value("id"), Some("PR-249"));
    server.verify();
}

#[test]
fn query_without_content_range_stops_after_a_short_page() {
    let server = Server::start();
    server.mount(list_mock(10, 0, 10, None));
    server.mount(list_mock(10, 10, 10, Some("garbage")));
    server.mount(list_mock(10, 20, 3, None));
    let client = server.client("");
    let (docs, frames) = run_query(client, &requests_query(r#""pageSize":10"#, "null"));
    assert_eq!(docs.len(), 23);
    let warnings: Vec<_> = frames
        .iter()
        .flat_map(|f| f.logs.iter())
        .filter(|(l, _)| *l == 2)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].1.contains("Content-Range"));
    server.verify();
}

#[test]
fn query_follows_a_total_that_changes_between_pages() {
    let server = Server::start();
    server.mount(list_mock(10, 0, 10, Some("items 0-9/25")));
    // Five records were deleted meanwhile: this is now the last page.
    server.mount(list_mock(10, 10, 10, Some("items 10-19/20")));
    let client = server.client("");
    let (docs, frames) = run_query(client, &requests_query(r#""pageSize":10"#, "null"));
    assert_eq!(docs.len(), 20);
    assert!(frames[1].log_text().contains("changed from 25 to 20"));
    server.verify();
}

#[test]
fn query_respects_max_documents_and_sends_the_filter_as_rql() {
    let server = Server::start();
    server.mount(list_mock(5, 0, 5, Some("items 0-4/100")));
    let client = server.client("");
    let filter = r#"{"expression":{"property":"status","operator":"eq","arguments":["pending"]},"sort":[{"property":"created","order":"desc"}]}"#;
    let (docs, _) = run_query(
        client,
        &requests_query(r#""pageSize":100,"maxDocuments":5"#, filter),
    );
    assert_eq!(docs.len(), 5);
    let reqs = server.requests();
    let q = reqs[0].url.query().unwrap_or("").to_owned();
    assert!(q.contains("eq(status,pending)"), "{q}");
    assert!(q.contains("ordering(-created)"), "{q}");
    server.verify();
}

#[test]
fn query_errors_are_whole_call_errors() {
    let server = Server::start();
    server.mount(json_mock(
        "GET",
        "/requests",
        401,
        format!(r#"{{"error_code":"AUTH_001","errors":["bad token ApiKey {TOKEN}"]}}"#),
    ));
    let client = server.client("");
    let cursor = api::query_open(client, &requests_query("", "null")).unwrap();
    let e = api::query_next(cursor).unwrap_err();
    assert_eq!(e.code, ErrorCode::Auth);
    assert!(
        e.message.contains("401 Unauthorized: AUTH_001"),
        "{}",
        e.message
    );
    assert_no_canary("query error", &e.message);
    api::query_close(cursor).unwrap();
    assert_eq!(
        api::query_next(cursor).unwrap_err().code,
        ErrorCode::HandleClosed
    );
}

fn approve_batch(ids: &[&str]) -> Vec<u8> {
    let docs: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"objectId":null,"dynamicProperties":{{"request_id":"{id}"}}}}"#))
        .collect();
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    batch(
        "REQUEST",
        "EXECUTE",
        Some("APPROVE"),
        r#""parallelism":"3""#,
        &docs,
    )
}

/// Approves `ids` (one document each, all with the same template) and decodes the results.
fn approve(client: u64, ids: &[&str]) -> (Vec<DocResult>, Frame) {
    let bodies = ids
        .iter()
        .map(|_| Some(br#"{"template_id":"TL-1"}"#.to_vec()))
        .collect();
    results(&api::execute(client, &approve_batch(ids), bodies).expect("batch runs"))
}

/// Runs a batch whose documents have no bodies.
fn run_bodiless(client: u64, batch: &[u8], n: usize) -> (Vec<DocResult>, Frame) {
    results(&api::execute(client, batch, vec![None; n]).expect("batch runs"))
}

#[test]
fn approve_batch_with_one_rejected_document() {
    let server = Server::start();
    for id in ["PR-1", "PR-3"] {
        server.mount(
            given("POST", &format!("/requests/{id}/approve"))
                .and(header("authorization", format!("ApiKey {TOKEN}").as_str()))
                .and(header("content-type", "application/json"))
                .and(body_json(serde_json::json!({"template_id": "TL-1"})))
                .respond_with(
                    ResponseTemplate::new(200).set_body_raw(request_json(id), "application/json"),
                )
                .expect(1),
        );
    }
    server.mount(
        json_mock(
            "POST",
            "/requests/PR-2/approve",
            400,
            r#"{"error_code":"VAL_001","errors":["template_id: Template not found."]}"#,
        )
        // A 400 is final: never retried.
        .expect(1),
    );
    let client = server.client("");
    let (rs, _) = approve(client, &["PR-1", "PR-2", "PR-3"]);
    assert_eq!(rs.len(), 3);
    assert_eq!((rs[0].status, rs[0].status_code.as_str()), (SUCCESS, "200"));
    assert_eq!(rs[0].payloads[0].tracked_value("id"), Some("PR-1"));
    assert_result(
        &rs[1],
        APPLICATION_ERROR,
        "400",
        "400 Bad Request: VAL_001 - template_id: Template not found.",
    );
    // Connect's error body is the document a process routes on, byte for byte.
    assert_eq!(rs[1].payloads.len(), 1);
    assert_eq!(
        rs[1].payloads[0].data,
        br#"{"error_code":"VAL_001","errors":["template_id: Template not found."]}"#.to_vec()
    );
    assert_eq!(rs[2].status, SUCCESS);
    assert_eq!(rs[2].payloads[0].tracked_value("id"), Some("PR-3"));
    server.verify();
}

/// A server that holds every request until `expected` are waiting, then answers them last
/// first: a client that sends one at a time never gets there, and its first document is then
/// answered (after `WAIT`) with how many requests were waiting, so the test names the problem.
/// Returns the port and a handle giving the most requests held at once.
fn held_answers_server(expected: usize) -> (u16, std::thread::JoinHandle<usize>) {
    use std::io::{BufRead, BufReader, Read, Write};
    const WAIT: std::time::Duration = std::time::Duration::from_secs(10);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let deadline = std::time::Instant::now() + WAIT;
        let mut held = Vec::new();
        while held.len() < expected && std::time::Instant::now() < deadline {
            let Ok((conn, _)) = listener.accept() else {
                std::thread::sleep(std::time::Duration::from_millis(5));
                continue;
            };
            conn.set_nonblocking(false).unwrap();
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let id = line
                .split('/')
                .find(|s| s.starts_with("PR-"))
                .unwrap()
                .to_owned();
            let mut length = 0;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
            }
            reader.read_exact(&mut vec![0; length]).unwrap();
            held.push((conn, id));
        }
        let most = held.len();
        for (mut conn, id) in held.into_iter().rev() {
            let body = request_json(&id);
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
        most
    });
    (port, handle)
}

#[test]
fn execute_sends_documents_in_parallel_and_answers_in_input_order() {
    let (port, held) = held_answers_server(3);
    let client = api::client_open(
        format!(
            r#"{{"properties":{{"endpoint":"http://127.0.0.1:{port}/public/v1","apiToken":"{TOKEN}","maxAttempts":1}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    // The server answers PR-3 first and PR-1 last.
    let (rs, _) = approve(client, &["PR-1", "PR-2", "PR-3"]);
    api::client_close(client).unwrap();
    assert_eq!(
        held.join().unwrap(),
        3,
        "the three approvals were not in flight together"
    );
    let ids: Vec<_> = rs
        .iter()
        .map(|r| r.payloads[0].tracked_value("id").unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["PR-1", "PR-2", "PR-3"]);
}

#[test]
fn no_content_answers_are_empty_successes() {
    let server = Server::start();
    server.mount(
        mock(
            "POST",
            "/tier/config-requests/TCR-1/pend",
            ResponseTemplate::new(204),
        )
        .expect(1),
    );
    let client = server.client("");
    let batch = br#"{"operation":{"operationType":"EXECUTE","customOperationType":"PENDING","objectType":"TIER_CONFIG_REQUEST","properties":{"tier_config_request_id":"TCR-1"}},"documents":[{"dynamicProperties":{}}]}"#;
    let (rs, _) = run_bodiless(client, batch, 1);
    assert_eq!(
        (
            rs[0].status,
            rs[0].status_code.as_str(),
            rs[0].payloads.len()
        ),
        (SUCCESS, "204", 0)
    );
    server.verify();
}

#[test]
fn get_of_a_missing_object_is_an_empty_success() {
    let server = Server::start();
    server.mount(json_mock(
        "GET",
        "/requests/PR-404",
        404,
        r#"{"error_code":"NOT_FOUND","errors":["Object not found"]}"#,
    ));
    server.mount(json_mock(
        "GET",
        "/requests/PR-1",
        200,
        request_json("PR-1"),
    ));
    let client = server.client("");
    let batch = br#"{"operation":{"operationType":"GET","objectType":"REQUEST","properties":{}},"documents":[{"objectId":"PR-404","dynamicProperties":{}},{"objectId":"PR-1","dynamicProperties":{}}]}"#;
    let (rs, _) = run_bodiless(client, batch, 2);
    assert_eq!(
        (
            rs[0].status,
            rs[0].status_code.as_str(),
            rs[0].payloads.len()
        ),
        (SUCCESS, "404", 0)
    );
    assert_eq!((rs[1].status, rs[1].payloads.len()), (SUCCESS, 1));
    assert_eq!(rs[1].payloads[0].data, request_json("PR-1").into_bytes());
}

#[test]
fn downloads_are_binary_payloads() {
    let server = Server::start();
    let xlsx: Vec<u8> = (0..=255u8).collect();
    server.mount(mock(
        "GET",
        "/usage/chunks/UFC-1/download",
        ResponseTemplate::new(200).set_body_raw(xlsx.clone(), "application/octet-stream"),
    ));
    let client = server.client("");
    let batch = br#"{"operation":{"operationType":"EXECUTE","customOperationType":"DOWNLOAD","objectType":"USAGE_CHUNK","properties":{"usage_chunk_id":"UFC-1"}},"documents":[{"dynamicProperties":{}}]}"#;
    let (rs, _) = run_bodiless(client, batch, 1);
    assert_eq!(rs[0].status, SUCCESS);
    assert_eq!(rs[0].payloads[0].data, xlsx);
    assert!(rs[0].payloads[0].tracked.is_empty());
}

#[test]
fn get_retries_a_503_then_succeeds() {
    let server = Server::start();
    server.mount(
        mock(
            "GET",
            "/requests/PR-1",
            ResponseTemplate::new(503).insert_header("Retry-After", "0"),
        )
        .up_to_n_times(2)
        .expect(2),
    );
    server.mount(json_mock("GET", "/requests/PR-1", 200, request_json("PR-1")).expect(1));
    let client = server.client("");
    let batch = br#"{"operation":{"operationType":"GET","objectType":"REQUEST","properties":{}},"documents":[{"objectId":"PR-1","dynamicProperties":{}}]}"#;
    let (rs, frame) = run_bodiless(client, batch, 1);
    assert_eq!(rs[0].status, SUCCESS);
    assert!(
        rs[0].message.contains("after 3 attempts"),
        "{}",
        rs[0].message
    );
    // Two retry warnings, and the parallelism halved for what follows (said once).
    assert_eq!(
        frame.logs.iter().filter(|(l, _)| *l == 2).count(),
        3,
        "{}",
        frame.log_text()
    );
    assert!(
        frame
            .log_text()
            .contains("Connect asked to slow down (HTTP 429 or 503); at most 2 documents at once"),
        "{}",
        frame.log_text()
    );
    server.verify();
}

#[test]
fn post_is_not_resent_after_a_500() {
    let server = Server::start();
    server.mount(
        mock(
            "POST",
            "/requests/PR-1/approve",
            ResponseTemplate::new(500).set_body_raw("oops", "text/plain"),
        )
        .expect(1),
    );
    let client = server.client("");
    let (rs, _) = approve(client, &["PR-1"]);
    assert_result(
        &rs[0],
        APPLICATION_ERROR,
        "500",
        "500 Internal Server Error: oops",
    );
    // Not JSON: the document says the status, a code and the message instead.
    let doc: serde_json::Value = serde_json::from_slice(&rs[0].payloads[0].data).unwrap();
    assert_eq!(doc["status"], 500);
    assert_eq!(doc["error_code"], "HTTP_500");
    assert_eq!(doc["errors"][0], serde_json::json!(rs[0].message));
    server.verify();
}

#[test]
fn retries_give_up_after_max_attempts() {
    let server = Server::start();
    server.mount(mock("POST", "/requests/PR-1/approve", ResponseTemplate::new(429)).expect(2));
    let client = server.client(r#","maxAttempts":2"#);
    let (rs, _) = approve(client, &["PR-1"]);
    assert_result(&rs[0], APPLICATION_ERROR, "429", "after 2 attempts");
    server.verify();
}

/// A port nothing listens on: bind, note the port, close.
fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn connection_refused_is_a_failure_result_and_unreachable() {
    let port = dead_port();
    let client = api::client_open(
        format!(
            r#"{{"properties":{{"endpoint":"http://127.0.0.1:{port}/public/v1","apiToken":"{TOKEN}","maxAttempts":2,"maxRetryWaitSeconds":0}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let (rs, _) = approve(client, &["PR-1"]);
    assert_result(&rs[0], FAILURE, "CONNECT", &format!("127.0.0.1:{port}"));
    assert!(
        rs[0].message.contains("after 2 attempts"),
        "{}",
        rs[0].message
    );
    let e = api::test_connection(client).unwrap_err();
    assert_eq!(e.code, ErrorCode::Unreachable);
    let cursor = api::query_open(client, &requests_query("", "null")).unwrap();
    assert_eq!(
        api::query_next(cursor).unwrap_err().code,
        ErrorCode::Unreachable
    );
    api::query_close(cursor).unwrap();
    api::client_close(client).unwrap();
}

#[test]
fn test_connection_outcomes() {
    let server = Server::start();
    server.mount(
        given("GET", "/accounts")
            .and(query_param("limit", "1"))
            .and(header("authorization", format!("ApiKey {TOKEN}").as_str()))
            .and(header("accept", "application/json"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"[{"id":"PA-080-719","name":"Connect Labs Provider","type":"provider"}]"#,
                "application/json",
            )),
    );
    let client = server.client("");
    match decode(&api::test_connection(client).unwrap()).body {
        Body::Message(m) => assert_eq!(
            m,
            format!(
                "Connected to {} as Connect Labs Provider (PA-080-719)",
                server.base()
            )
        ),
        other => panic!("{other:?}"),
    }
    let ua = server.requests()[0]
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(ua.starts_with("cloudblue-connect-boomi/"), "{ua}");

    let cases: [(u16, &str, &str, ErrorCode); 4] = [
        (
            401,
            "application/json",
            r#"{"error_code":"AUTH_001","errors":["Unauthorized."]}"#,
            ErrorCode::Auth,
        ),
        (
            404,
            "text/html",
            "<html>Not Found</html>",
            ErrorCode::WrongEndpoint,
        ),
        (
            500,
            "application/json",
            r#"{"error_code":"E","errors":["boom"]}"#,
            ErrorCode::Http,
        ),
        (
            200,
            "text/html",
            "<html><body>Welcome to our portal</body></html>",
            ErrorCode::WrongEndpoint,
        ),
    ];
    for (status, ct, body, code) in cases {
        let server = Server::start();
        server.mount(mock(
            "GET",
            "/accounts",
            ResponseTemplate::new(status).set_body_raw(body, ct),
        ));
        let client = server.client(r#","maxAttempts":1"#);
        let e = api::test_connection(client).unwrap_err();
        assert_eq!(e.code, code, "{status}: {}", e.message);
        if code == ErrorCode::Auth {
            assert!(e.message.contains("ApiKey SU-"), "{}", e.message);
        }
        if code == ErrorCode::WrongEndpoint {
            assert!(
                e.message
                    .contains("https://api.connect.cloudblue.com/public/v1"),
                "{}",
                e.message
            );
        }
        api::client_close(client).unwrap();
    }
}

#[test]
fn the_token_never_appears_in_frames_or_errors() {
    let server = Server::start();
    let echo =
        format!(r#"{{"error_code":"VAL_001","errors":["you sent ApiKey {TOKEN} and {CANARY}"]}}"#);
    for (m, p, status) in [
        ("GET", "/accounts", 401),
        ("GET", "/requests", 400),
        ("POST", "/requests/PR-1/approve", 400),
        ("GET", "/requests/PR-1", 418),
    ] {
        server.mount(json_mock(m, p, status, echo.clone()));
    }
    let client = server.client("");
    let e = api::test_connection(client).unwrap_err();
    assert_no_canary("test connection", &format!("{e} {e:?}"));
    let cursor = api::query_open(client, &requests_query("", "null")).unwrap();
    let e = api::query_next(cursor).unwrap_err();
    assert_no_canary("query", &format!("{e} {e:?}"));
    let frame = api::execute(
        client,
        &approve_batch(&["PR-1"]),
        vec![Some(br#"{"template_id":"TL-1"}"#.to_vec())],
    )
    .unwrap();
    assert_no_canary("approve frame", &String::from_utf8_lossy(&frame));
    let batch = br#"{"operation":{"operationType":"GET","objectType":"REQUEST","properties":{}},"documents":[{"objectId":"PR-1","dynamicProperties":{}}]}"#;
    let frame = api::execute(client, batch, vec![None]).unwrap();
    assert_no_canary("get frame", &String::from_utf8_lossy(&frame));
    assert!(String::from_utf8_lossy(&frame).contains("418"));
    // The server did receive it, as the Authorization header.
    let reqs = server.requests();
    assert!(
        reqs.iter()
            .all(|r| r.headers.get("authorization").unwrap() == format!("ApiKey {TOKEN}").as_str())
    );
    // Settings errors do not echo it either.
    let e = api::client_open(
        format!(r#"{{"properties":{{"apiToken":"{TOKEN}","endpoint":"ftp://{CANARY}"}}}}"#)
            .as_bytes(),
    )
    .unwrap_err();
    assert_no_canary("settings error", &e.message);
    let port = dead_port();
    let dead = api::client_open(
        format!(r#"{{"properties":{{"endpoint":"http://127.0.0.1:{port}/{CANARY}","apiToken":"{TOKEN}","maxAttempts":1}}}}"#)
            .as_bytes(),
    )
    .unwrap();
    let e = api::test_connection(dead).unwrap_err();
    assert_no_canary("transport error", &e.message);
}

#[test]
fn browse_lists_types_and_definitions() {
    match decode(
        &api::browse(
            br#"{"kind":"types","operationType":"EXECUTE","customOperationType":"APPROVE"}"#,
        )
        .unwrap(),
    )
    .body
    {
        Body::ObjectTypes(types) => {
            assert!(
                types
                    .iter()
                    .any(|t| t.id == "REQUEST" && t.label == "Request"),
                "{types:?}"
            );
            assert!(!types.iter().any(|t| t.id == "ASSET"));
        }
        other => panic!("{other:?}"),
    }
    match decode(
        &api::browse(br#"{"kind":"definitions","operationType":"EXECUTE","customOperationType":"APPROVE","objectType":"REQUEST","roles":["INPUT","OUTPUT"]}"#)
            .unwrap(),
    )
    .body
    {
        Body::Definitions(defs) => {
            assert_eq!(defs.len(), 2);
            assert_eq!((defs[0].role.as_str(), defs[0].input_type.as_str()), ("INPUT", "json"));
            assert_eq!((defs[1].role.as_str(), defs[1].output_type.as_str()), ("OUTPUT", "json"));
            assert!(defs[0].json_schema.contains("template_id"), "{}", defs[0].json_schema);
        }
        other => panic!("{other:?}"),
    }
    match decode(
        &api::browse(br#"{"kind":"definitions","operationType":"QUERY","objectType":"REQUEST","roles":["OUTPUT"]}"#)
            .unwrap(),
    )
    .body
    {
        Body::Definitions(defs) => {
            let f = defs[0].fields.iter().find(|f| f.name == "asset/product/id").expect("field spec");
            assert!(f.filterable && f.selectable);
        }
        other => panic!("{other:?}"),
    }
    match decode(
        &api::browse(br#"{"kind":"definitions","operationType":"EXECUTE","customOperationType":"DOWNLOAD","objectType":"USAGE_CHUNK","roles":["INPUT","OUTPUT"]}"#)
            .unwrap(),
    )
    .body
    {
        Body::Definitions(defs) => {
            assert_eq!(defs[0].input_type, "none");
            assert_eq!(defs[1].output_type, "binary");
            assert_eq!(defs[1].json_schema, "");
        }
        other => panic!("{other:?}"),
    }
    let e = api::browse(
        br#"{"kind":"definitions","operationType":"QUERY","objectType":"NOPE","roles":["OUTPUT"]}"#,
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest);
}

/// The old connector's List of Operations (CloudBlue's Boomi connector 24.0.8: connect-api.md
/// table (a) and §2), with the paths the spec gives where the old connector was wrong. The new
/// catalog must keep every one of these pairs with this method and path.
const OLD_CONNECTOR_PAIRS: &[(&str, &str, &str, &str)] = &[
    ("REQUEST", "LIST", "GET", "/requests"),
    ("REQUEST", "GET", "GET", "/requests/{}"),
    ("REQUEST", "UPDATE", "PUT", "/requests/{}"),
    ("REQUEST", "APPROVE", "POST", "/requests/{}/approve"),
    ("REQUEST", "INQUIRE", "POST", "/requests/{}/inquire"),
    ("REQUEST", "PENDING", "POST", "/requests/{}/pend"),
    ("REQUEST", "REJECT", "POST", "/requests/{}/fail"),
    ("REQUEST", "ASSIGN", "POST", "/requests/{}/assign"),
    ("REQUEST", "UNASSIGN", "POST", "/requests/{}/unassign"),
    ("REQUEST", "PURCHASE", "POST", "/requests/{}/purchase"),
    ("PURCHASE_REQUEST", "CREATE", "POST", "/requests"),
    ("CHANGE_REQUEST", "CREATE", "POST", "/requests"),
    ("ADMIN_HOLD_REQUEST", "CREATE", "POST", "/requests"),
    // Fixed: the old connector posted billing requests to /requests.
    (
        "BILLING_REQUEST",
        "CREATE",
        "POST",
        "/subscriptions/requests",
    ),
    ("ASSET", "LIST", "GET", "/assets"),
    ("ASSET", "GET", "GET", "/assets/{}"),
    (
        "ASSET_USAGE_AGGREGATE",
        "LIST",
        "GET",
        "/assets/{}/usage/aggregates",
    ),
    (
        "SUBSCRIPTION_REQUEST",
        "LIST",
        "GET",
        "/subscriptions/requests",
    ),
    (
        "SUBSCRIPTION_REQUEST",
        "GET",
        "GET",
        "/subscriptions/requests/{}",
    ),
    ("SUBSCRIPTION_ASSET", "LIST", "GET", "/subscriptions/assets"),
    (
        "SUBSCRIPTION_ASSET",
        "GET",
        "GET",
        "/subscriptions/assets/{}",
    ),
    // Fixed: the old connector appended `/update`.
    (
        "BILLING_REQUEST_ATTRIBUTE",
        "UPDATE",
        "PUT",
        "/subscriptions/requests/{}/attributes",
    ),
    ("TIER_ACCOUNT", "LIST", "GET", "/tier/accounts"),
    ("TIER_ACCOUNT", "GET", "GET", "/tier/accounts/{}"),
    ("TIER_ACCOUNT", "CREATE", "POST", "/tier/accounts"),
    ("TIER_ACCOUNT", "UPDATE", "PUT", "/tier/accounts/{}"),
    (
        "TIER_ACCOUNT_VERSION",
        "LIST",
        "GET",
        "/tier/accounts/{}/versions",
    ),
    (
        "TIER_ACCOUNT_VERSION",
        "GET",
        "GET",
        "/tier/accounts/{}/versions/{}",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "LIST",
        "GET",
        "/tier/account-requests",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "GET",
        "GET",
        "/tier/account-requests/{}",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "CREATE",
        "POST",
        "/tier/account-requests",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "ACCEPT",
        "POST",
        "/tier/account-requests/{}/accept",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "IGNORE",
        "POST",
        "/tier/account-requests/{}/ignore",
    ),
    ("TIER_CONFIG", "LIST", "GET", "/tier/configs"),
    ("TIER_CONFIG", "GET", "GET", "/tier/configs/{}"),
    (
        "TIER_CONFIG_REQUEST",
        "LIST",
        "GET",
        "/tier/config-requests",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "GET",
        "GET",
        "/tier/config-requests/{}",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "CREATE",
        "POST",
        "/tier/config-requests",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "UPDATE",
        "PUT",
        "/tier/config-requests/{}",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "APPROVE",
        "POST",
        "/tier/config-requests/{}/approve",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "INQUIRE",
        "POST",
        "/tier/config-requests/{}/inquire",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "PENDING",
        "POST",
        "/tier/config-requests/{}/pend",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "REJECT",
        "POST",
        "/tier/config-requests/{}/fail",
    ),
    ("PRODUCT", "LIST", "GET", "/products"),
    ("PRODUCT", "GET", "GET", "/products/{}"),
    ("PRODUCT_TEMPLATE", "LIST", "GET", "/products/{}/templates"),
    (
        "PRODUCT_TEMPLATE",
        "GET",
        "GET",
        "/products/{}/templates/{}",
    ),
    ("PRODUCT_ACTION", "LIST", "GET", "/products/{}/actions"),
    ("PRODUCT_ACTION", "GET", "GET", "/products/{}/actions/{}"),
    // Fixed: the old connector fetched the action itself, not its link.
    (
        "PRODUCT_ACTION_LINK",
        "GET",
        "GET",
        "/products/{}/actions/{}/actionLink",
    ),
    ("PRODUCT_ITEM", "LIST", "GET", "/products/{}/items"),
    ("PRODUCT_ITEM", "GET", "GET", "/products/{}/items/{}"),
    (
        "PRODUCT_PARAMETER",
        "LIST",
        "GET",
        "/products/{}/parameters",
    ),
    (
        "PRODUCT_PARAMETER",
        "GET",
        "GET",
        "/products/{}/parameters/{}",
    ),
    (
        "PRODUCT_CONFIGURATION",
        "LIST",
        "GET",
        "/products/{}/configurations",
    ),
    ("USAGE_REPORT", "LIST", "GET", "/usage/files"),
    ("USAGE_REPORT", "GET", "GET", "/usage/files/{}"),
    ("USAGE_REPORT", "CREATE", "POST", "/usage/files"),
    ("USAGE_REPORT", "UPDATE", "PUT", "/usage/files/{}"),
    ("USAGE_REPORT", "UPLOAD", "POST", "/usage/files/{}/upload"),
    (
        "USAGE_REPORT",
        "UPLOAD_RECON_FILE",
        "POST",
        "/usage/files/{}/reconciliation",
    ),
    ("USAGE_REPORT", "SUBMIT", "POST", "/usage/files/{}/submit"),
    ("USAGE_REPORT", "ACCEPT", "POST", "/usage/files/{}/accept"),
    ("USAGE_REPORT", "REJECT", "POST", "/usage/files/{}/reject"),
    ("USAGE_REPORT", "CLOSE", "POST", "/usage/files/{}/close"),
    (
        "USAGE_REPORT",
        "REPROCESS",
        "POST",
        "/usage/files/{}/reprocess",
    ),
    ("USAGE_RECORD", "LIST", "GET", "/usage/records"),
    ("USAGE_RECORD", "GET", "GET", "/usage/records/{}"),
    ("USAGE_RECORD", "CLOSE", "POST", "/usage/records/{}/close"),
    (
        "USAGE_RECORD",
        "BULK_CLOSE",
        "POST",
        "/usage/records/close-records",
    ),
    ("USAGE_CHUNK", "LIST", "GET", "/usage/chunks"),
    ("USAGE_CHUNK", "GET", "GET", "/usage/chunks/{}"),
    ("USAGE_CHUNK", "UPDATE", "PUT", "/usage/chunks/{}"),
    ("USAGE_CHUNK", "CLOSE", "POST", "/usage/chunks/{}/close"),
    (
        "USAGE_CHUNK",
        "REGENERATE",
        "POST",
        "/usage/chunks/{}/regenerate",
    ),
    (
        "USAGE_CHUNK",
        "DOWNLOAD",
        "GET",
        "/usage/chunks/{}/download",
    ),
    (
        "USAGE_RECONCILIATION",
        "LIST",
        "GET",
        "/usage/reconciliations",
    ),
    (
        "USAGE_RECONCILIATION",
        "GET",
        "GET",
        "/usage/reconciliations/{}",
    ),
    (
        "USAGE_RECONCILIATION",
        "UPLOAD",
        "POST",
        "/usage/reconciliations",
    ),
    (
        "RECONCILIATION_PROCESSED_FILE",
        "DOWNLOAD",
        "GET",
        "/usage/reconciliations/{}/processedfile",
    ),
    (
        "RECONCILIATION_UPLOADED_FILE",
        "DOWNLOAD",
        "GET",
        "/usage/reconciliations/{}/uploadedfile",
    ),
    ("USAGE_AGGREGATE", "LIST", "GET", "/usage/aggregates"),
    ("CASE", "LIST", "GET", "/helpdesk/cases"),
    ("CASE", "GET", "GET", "/helpdesk/cases/{}"),
    ("CASE", "CREATE", "POST", "/helpdesk/cases"),
    ("CASE", "PENDING", "POST", "/helpdesk/cases/{}/pend"),
    ("CASE", "INQUIRE", "POST", "/helpdesk/cases/{}/inquire"),
    ("CASE", "RESOLVE", "POST", "/helpdesk/cases/{}/resolve"),
    ("CASE", "CLOSE", "POST", "/helpdesk/cases/{}/close"),
    (
        "CONVERSATION_MESSAGES",
        "LIST",
        "GET",
        "/conversations/{}/messages",
    ),
    (
        "CONVERSATION_MESSAGES",
        "CREATE",
        "POST",
        "/conversations/{}/messages",
    ),
];

#[test]
fn old_connector_pairs_are_all_offered_with_method_and_path() {
    assert_eq!(OLD_CONNECTOR_PAIRS.len(), 91);
    let distinct: HashSet<_> = OLD_CONNECTOR_PAIRS.iter().map(|p| (p.0, p.1)).collect();
    assert_eq!(distinct.len(), 91, "a pair is listed twice");
    let objects: HashSet<_> = OLD_CONNECTOR_PAIRS.iter().map(|p| p.0).collect();
    assert_eq!(objects.len(), 31);
    for &(object_id, action_id, method, path) in OLD_CONNECTOR_PAIRS {
        let action = Action::ALL
            .iter()
            .copied()
            .find(|a| a.id() == action_id)
            .unwrap_or_else(|| panic!("no action {action_id}"));
        // What browsing the action lists: the OBJECT_TYPES frame the shim receives.
        let browsed = browsed_object_ids(action);
        assert!(
            browsed.iter().any(|id| id == object_id),
            "{object_id}/{action_id} is not offered when browsing {action_id}"
        );
        let spec = object(object_id).unwrap().action(action).unwrap();
        assert_eq!(spec.method.as_str(), method, "{object_id}/{action_id}");
        assert_eq!(path_shape(spec.path), path, "{object_id}/{action_id}");
    }
}

/// The object type ids of `api::browse`'s OBJECT_TYPES frame for an action.
fn browsed_object_ids(action: Action) -> Vec<String> {
    let t = action.boomi_type().as_str();
    let custom = if t == "EXECUTE" {
        format!("\"{}\"", action.id())
    } else {
        "null".to_owned()
    };
    let json = format!(
        r#"{{"kind":"types","operationType":"{t}","customOperationType":{custom},"properties":{{}}}}"#
    );
    let frame = api::browse(json.as_bytes()).expect("browse answers");
    let ids: Vec<String> = match decode(&frame).body {
        Body::ObjectTypes(types) => types.into_iter().map(|t| t.id).collect(),
        other => panic!("OBJECT_TYPES frame for {action:?}: {other:?}"),
    };
    // Browsing an action lists exactly the objects that support it.
    let mut expected: Vec<&str> = objects_for(action).map(|o| o.id).collect();
    expected.sort_unstable();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "{action:?}");
    ids
}

#[test]
fn handles_survive_misuse() {
    assert!(api::client_close(0).is_ok());
    assert!(api::query_close(0).is_ok());
    assert_eq!(
        api::test_connection(0).unwrap_err().code,
        ErrorCode::HandleClosed
    );
    assert_eq!(
        api::query_next(u64::MAX).unwrap_err().code,
        ErrorCode::HandleClosed
    );
    let client =
        api::client_open(format!(r#"{{"properties":{{"apiToken":"{TOKEN}"}}}}"#).as_bytes())
            .unwrap();
    api::client_close(client).unwrap();
    assert_eq!(
        api::client_close(client).unwrap_err().code,
        ErrorCode::HandleClosed
    );
    assert_eq!(
        api::execute(client, b"{}", vec![]).unwrap_err().code,
        ErrorCode::HandleClosed
    );
}

#[test]
fn uploads_send_the_document_as_a_multipart_file() {
    let server = Server::start();
    server.mount(
        json_mock(
            "POST",
            "/usage/reconciliations",
            201,
            r#"{"id":"URC-1","status":"draft"}"#,
        )
        .expect(1),
    );
    let client = server.client("");
    let xlsx = fixture_xlsx();
    let batch = br#"{"operation":{"operationType":"EXECUTE","customOperationType":"UPLOAD","objectType":"USAGE_RECONCILIATION","properties":{"upload_note":"from the operation"}},"documents":[{"dynamicProperties":{"upload_note":"March run"}},{"dynamicProperties":{}}]}"#;
    let (rs, _) = results(&api::execute(client, batch, vec![Some(xlsx.clone()), None]).unwrap());
    assert_eq!((rs[0].status, rs[0].status_code.as_str()), (SUCCESS, "201"));
    assert_eq!(rs[0].payloads[0].tracked_value("id"), Some("URC-1"));
    // An empty document is refused before any request.
    assert_eq!(
        (rs[1].status, rs[1].status_code.as_str()),
        (APPLICATION_ERROR, "BAD_INPUT")
    );
    let req = &server.requests()[0];
    let ct = req.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = &req.body;
    let find = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(find(br#"name="recon_file"; filename="recon_file.xlsx""#));
    assert!(find(&xlsx), "file bytes sent unchanged");
    assert!(find(b"name=\"upload_note\"\r\n\r\nMarch run"));
    server.verify();
}

#[test]
fn requests_go_through_the_atoms_proxy() {
    // wiremock plays the proxy: a plain-HTTP proxy receives absolute-form requests.
    let proxy = Server::start();
    proxy.mount(
        given("GET", "/accounts")
            .and(header("proxy-authorization", "Basic dTpw"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(r#"[{"id":"PA-1","name":"P"}]"#, "application/json"),
            )
            .expect(1),
    );
    let port = proxy
        .base()
        .rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let client = api::client_open(
        format!(
            r#"{{"properties":{{"endpoint":"http://connect.example.invalid/public/v1","apiToken":"{TOKEN}"}},"proxy":{{"host":"127.0.0.1","port":{port},"user":"u","password":"p","nonProxyHosts":"localhost|*.corp"}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    match decode(&api::test_connection(client).unwrap()).body {
        Body::Message(m) => assert!(m.ends_with("as P (PA-1)"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        proxy.requests()[0].url.host_str(),
        Some("connect.example.invalid")
    );
    proxy.verify();
}

#[test]
fn a_slow_answer_times_out_and_a_post_is_not_resent() {
    let server = Server::start();
    server.mount(
        mock(
            "POST",
            "/requests/PR-1/approve",
            ResponseTemplate::new(200)
                .set_body_raw(request_json("PR-1"), "application/json")
                .set_delay(std::time::Duration::from_secs(3)),
        )
        .expect(1),
    );
    let client = server.client(r#","readTimeoutSeconds":1"#);
    let (rs, _) = approve(client, &["PR-1"]);
    assert_result(&rs[0], FAILURE, "TIMEOUT", "timed out");
    server.verify();
}
