//! Documents that cannot be sent as they are fail alone, before any request, with a message that
//! says what to fix; and a write answered 5xx says it was not sent again.

mod common;

use common::*;
use connect_core::api;
use wiremock::ResponseTemplate;

/// A document naming its request and conversation (what Approve and message creation need).
const DOC: &str = r#"{"dynamicProperties":{"request_id":"PR-1","conversation_id":"CO-1"}}"#;

#[test]
fn wrong_json_type_and_empty_required_body_fail_before_any_request() {
    let server = Server::start();
    server.mount(json_mock(
        "POST",
        "/requests/PR-1/approve",
        200,
        r#"{"id":"PR-1","status":"approved"}"#,
    ));
    let client = server.client("");

    // Approve takes an object: an array, a string and a good object side by side.
    let b = batch("REQUEST", "EXECUTE", Some("APPROVE"), "", &[DOC; 3]);
    let bodies = vec![
        Some(br#"[{"template_id":"TL-1"}]"#.to_vec()),
        Some(br#""TL-1""#.to_vec()),
        Some(br#"{"template_id":"TL-1"}"#.to_vec()),
    ];
    let (rs, _) = results(&api::execute(client, &b, bodies).unwrap());
    assert_eq!(rs.len(), 3);
    assert_eq!(rs[0].status, Status::ApplicationError);
    assert_eq!(rs[0].status_code, "BAD_INPUT");
    assert!(
        rs[0].message.contains("JSON array")
            && rs[0]
                .message
                .contains("JSON object matching the ApproveRequest profile"),
        "{}",
        rs[0].message
    );
    assert_eq!(rs[1].status_code, "BAD_INPUT");
    assert!(rs[1].message.contains("JSON string"), "{}", rs[1].message);
    assert_eq!(rs[2].status, Status::Success, "{}", rs[2].message);
    assert_eq!(
        server.requests().len(),
        1,
        "only the good document reached Connect"
    );

    // A conversation message needs `text`: an empty document says so instead of sending nothing.
    let b = batch("CONVERSATION_MESSAGES", "CREATE", None, "", &[DOC]);
    let (rs, _) = results(&api::execute(client, &b, vec![Some(Vec::new())]).unwrap());
    assert_eq!(rs[0].status_code, "BAD_INPUT");
    assert!(
        rs[0].message.contains("the document is empty") && rs[0].message.contains("required: text"),
        "{}",
        rs[0].message
    );
    assert_eq!(
        server.requests().len(),
        1,
        "no request for the empty document"
    );
}

#[test]
fn invalid_json_and_a_missing_id_fail_alone_with_an_error_document() {
    let server = Server::start();
    server.mount(json_mock("POST", "/requests/PR-2/approve", 200, request_json("PR-2")).expect(1));
    let client = server.client("");
    let batch = br#"{"operation":{"operationType":"EXECUTE","customOperationType":"APPROVE","objectType":"REQUEST","properties":{}},"documents":[{"dynamicProperties":{"request_id":"PR-1"}},{"dynamicProperties":{"request_id":"PR-2"}},{"dynamicProperties":{}}]}"#;
    let frame = api::execute(
        client,
        batch,
        vec![
            Some(b"{not json".to_vec()),
            Some(br#"{"template_id":"TL-1"}"#.to_vec()),
            Some(br#"{"template_id":"TL-1"}"#.to_vec()),
        ],
    )
    .unwrap();
    let (rs, _) = results(&frame);
    assert_result(
        &rs[0],
        Status::ApplicationError,
        "BAD_INPUT",
        "not valid JSON",
    );
    assert_eq!(rs[1].status, Status::Success);
    assert_result(&rs[2], Status::ApplicationError, "BAD_INPUT", "request_id");
    // Each carries an error document in Connect's shape, so the flow keeps the document.
    for r in [&rs[0], &rs[2]] {
        let doc: serde_json::Value = serde_json::from_slice(&r.payloads[0].data).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({"error_code": "BAD_INPUT", "errors": [r.message]})
        );
    }
    server.verify();
}

#[test]
fn a_write_answered_502_says_it_was_not_sent_again() {
    let server = Server::start();
    server.mount(mock(
        "POST",
        "/requests/PR-1/approve",
        ResponseTemplate::new(502).set_body_raw("bad gateway", "text/plain"),
    ));
    let client = server.client("");
    let b = batch("REQUEST", "EXECUTE", Some("APPROVE"), "", &[DOC]);
    let (rs, _) = results(
        &api::execute(
            client,
            &b,
            vec![Some(br#"{"template_id":"TL-1"}"#.to_vec())],
        )
        .unwrap(),
    );
    assert_eq!(rs[0].status, Status::ApplicationError);
    assert_eq!(rs[0].status_code, "502");
    assert!(rs[0].message.contains("not retried"), "{}", rs[0].message);
    assert_eq!(
        server.requests().len(),
        1,
        "a 502 on a write is never re-sent"
    );
}
