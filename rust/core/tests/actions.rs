//! Actions whose request or answer is not a plain JSON object, over HTTP against a wiremock
//! Connect: file downloads (their `Accept`), Bulk Close (an array answer), the Generic Resource's
//! object id, and uploads of the legacy file the shim read.

mod common;

use common::*;
use connect_core::api;
use connect_core::catalog::FILE_ACCEPT;
use wiremock::ResponseTemplate;

fn accept_of(req: &wiremock::Request) -> String {
    req.headers
        .get("accept")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[test]
fn downloads_accept_the_file_type_and_json_actions_accept_json() {
    let server = Server::start();
    let xlsx = fixture_xlsx();
    for p in [
        "/usage/chunks/UFC-1/download",
        "/usage/reconciliations/URC-1/processedfile",
        "/usage/reconciliations/URC-1/uploadedfile",
    ] {
        server.mount(mock(
            "GET",
            p,
            ResponseTemplate::new(200).set_body_raw(
                xlsx.clone(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        ));
    }
    server.mount(json_mock("GET", "/requests/PR-1", 200, r#"{"id":"PR-1"}"#));
    let client = server.client("");
    let doc = r#"{"dynamicProperties":{}}"#;
    for (object, props) in [
        ("USAGE_CHUNK", r#""usage_chunk_id":"UFC-1""#),
        (
            "RECONCILIATION_PROCESSED_FILE",
            r#""usage_recon_id":"URC-1""#,
        ),
        (
            "RECONCILIATION_UPLOADED_FILE",
            r#""usage_recon_id":"URC-1""#,
        ),
    ] {
        let b = batch(object, "EXECUTE", Some("DOWNLOAD"), props, &[doc]);
        let (rs, _) = results(&api::execute(client, &b, vec![None]).unwrap());
        assert_eq!(rs[0].status, Status::Success, "{object}: {}", rs[0].message);
        assert_eq!(rs[0].payloads[0].data, xlsx, "{object}: exact bytes");
    }
    let get = batch(
        "REQUEST",
        "GET",
        None,
        "",
        &[r#"{"objectId":"PR-1","dynamicProperties":{}}"#],
    );
    let (rs, _) = results(&api::execute(client, &get, vec![None]).unwrap());
    assert_eq!(rs[0].status, Status::Success, "{}", rs[0].message);
    let accepts: Vec<String> = server.requests().iter().map(accept_of).collect();
    assert_eq!(
        accepts,
        [FILE_ACCEPT, FILE_ACCEPT, FILE_ACCEPT, "application/json"],
        "one Accept header per request, the file type first on downloads"
    );
    assert!(FILE_ACCEPT.starts_with("application/vnd.openxmlformats"));
}

#[test]
fn bulk_close_answers_one_document_per_record() {
    let server = Server::start();
    let answer = r#"[{"id":"UR-1","status":"closed"}, {"id":"UR-2","status":"invalid","error_details":"x"}]"#;
    server.mount(json_mock("POST", "/usage/records/close-records", 206, answer).expect(2));
    let client = server.client("");
    let b = batch(
        "USAGE_RECORD",
        "EXECUTE",
        Some("BULK_CLOSE"),
        "",
        &[r#"{"dynamicProperties":{}}"#, r#"{"dynamicProperties":{}}"#],
    );
    let body = br#"[{"id":"UR-1"},{"id":"UR-2"}]"#.to_vec();
    let (rs, _) = results(&api::execute(client, &b, vec![Some(body.clone()), Some(body)]).unwrap());
    for r in &rs {
        assert_eq!((r.status, r.status_code.as_str()), (Status::Success, "206"));
        assert_eq!(r.payloads.len(), 2);
        assert_eq!(
            r.payloads[0].data,
            br#"{"id":"UR-1","status":"closed"}"#.to_vec()
        );
        assert_eq!(r.payloads[1].tracked_value("id"), Some("UR-2"));
        assert_eq!(r.payloads[1].tracked_value("status"), Some("invalid"));
    }
    server.verify();
}

#[test]
fn generic_get_and_delete_append_the_object_id() {
    let server = Server::start();
    for m in ["GET", "DELETE"] {
        server.mount(
            json_mock(m, "/marketplaces/MP-1", 200, r#"{"id":"MP-1","name":"m"}"#).expect(1),
        );
    }
    let client = server.client("");
    for t in ["GET", "DELETE"] {
        let b = batch(
            "GENERIC",
            t,
            None,
            r#""resource_path":"/marketplaces""#,
            &[r#"{"objectId":"MP-1","dynamicProperties":{}}"#],
        );
        let (rs, _) = results(&api::execute(client, &b, vec![None]).unwrap());
        assert_eq!(rs[0].status, Status::Success, "{t}: {}", rs[0].message);
        if t == "GET" {
            assert_eq!(rs[0].payloads[0].tracked_value("id"), Some("MP-1"));
        }
    }
    server.verify();
}

/// The shim reads "File Path (legacy)" and hands the file's bytes over as the body of an empty
/// document (`legacyFile`); the core uploads them, reports a read failure as that document's bad
/// input, and ignores the file on actions that take no file.
#[test]
fn uploads_send_the_legacy_file_the_shim_read() {
    let server = Server::start();
    server.mount(
        json_mock(
            "POST",
            "/usage/files/UF-1/upload",
            200,
            r#"{"id":"UF-1","status":"uploaded"}"#,
        )
        .expect(2),
    );
    server.mount(json_mock("POST", "/requests/PR-1/approve", 200, r#"{"id":"PR-1"}"#).expect(1));
    let client = server.client("");
    let xlsx = fixture_xlsx();
    let legacy = |error: &str| {
        format!(
            r#"{{"dynamicProperties":{{}},"legacyFile":{{"path":"/data/u.xlsx","error":{error}}}}}"#
        )
    };
    let docs = [
        // 0: the file the shim read.
        legacy("null"),
        // 1: the document's own bytes, no legacy file.
        r#"{"dynamicProperties":{}}"#.to_owned(),
        // 2..: per-document failures, without a request.
        legacy(r#""cannot be opened: No such file or directory""#),
        legacy("null"),
    ];
    let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let b = batch(
        "USAGE_REPORT",
        "EXECUTE",
        Some("UPLOAD"),
        r#""usage_report_id":"UF-1","parallelism":"1""#,
        &docs,
    );
    let own = b"PK own bytes".to_vec();
    let bodies = vec![
        Some(xlsx.clone()),
        Some(own.clone()),
        None,
        Some(Vec::new()),
    ];
    let (rs, _) = results(&api::execute(client, &b, bodies).unwrap());
    assert_eq!(rs[0].status, Status::Success, "{}", rs[0].message);
    assert_eq!(rs[1].status, Status::Success, "{}", rs[1].message);
    for (r, text) in rs[2..]
        .iter()
        .zip(["cannot be opened: No such", "is empty"])
    {
        assert_eq!(
            (r.status, r.status_code.as_str()),
            (Status::ApplicationError, "BAD_INPUT"),
            "{}",
            r.message
        );
        assert!(
            r.message.contains(text)
                && r.message.contains("(file_path)")
                && r.message.contains("/data/u.xlsx"),
            "{:?} lacks {text:?}",
            r.message
        );
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let has = |body: &[u8], needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(has(&reqs[0].body, &xlsx), "the file's bytes are sent");
    assert!(has(&reqs[0].body, br#"name="usage_file""#));
    assert!(has(&reqs[1].body, &own) && !has(&reqs[1].body, &xlsx));

    // An action that takes no file ignores it: the empty document is sent without a body.
    let b = batch(
        "REQUEST",
        "EXECUTE",
        Some("APPROVE"),
        r#""request_id":"PR-1""#,
        &[&legacy(r#""is not a file""#)],
    );
    let (rs, _) = results(&api::execute(client, &b, vec![None]).unwrap());
    assert_eq!(rs[0].status, Status::Success, "{}", rs[0].message);
    assert!(server.requests()[2].body.is_empty());
    server.verify();
}

/// The webhook as Connect returns it, with `active` as given.
fn webhook(active: bool) -> String {
    format!(
        r#"{{"id":"WB-1","label":"L","active":{active},"external_url":"https://x.example/hook",
        "jwt_secret":"s3cr3t-value","description":"d","http_method":"POST","type":"event",
        "object_class":"fulfillment_request","product":{{"id":"PRD-1","name":"P"}},"data":{{}},
        "headers":{{}},"stats":{{"events":1}}}}"#
    )
}

#[test]
fn activate_and_deactivate_read_the_webhook_and_send_it_back_with_active_set() {
    let server = Server::start();
    server.mount(json_mock("GET", "/notifications/webhooks/WB-1", 200, webhook(false)).expect(2));
    server.mount(json_mock("PUT", "/notifications/webhooks/WB-1", 200, webhook(true)).expect(2));
    server.mount(json_mock(
        "GET",
        "/notifications/webhooks/WB-404",
        404,
        r#"{"error_code":"NOT_FOUND","errors":["no webhook"]}"#,
    ));
    let client = server.client("");
    for (action, value) in [("ACTIVATE", true), ("DEACTIVATE", false)] {
        let b = batch(
            "WEBHOOK",
            "EXECUTE",
            Some(action),
            "",
            &[
                r#"{"dynamicProperties":{"webhook_id":"WB-1"}}"#,
                r#"{"dynamicProperties":{"webhook_id":"WB-404"}}"#,
            ],
        );
        // The document's content is not sent: the body is built from what Connect returned.
        let docs = vec![Some(br#"{"active":"ignored"}"#.to_vec()), None];
        let (rs, _) = results(&api::execute(client, &b, docs).unwrap());
        assert_eq!(rs[0].status, Status::Success, "{action}: {}", rs[0].message);
        assert_eq!(rs[1].status, Status::ApplicationError, "{action}");
        assert_eq!(rs[1].status_code, "404", "{action}");
        assert!(
            rs[1]
                .message
                .contains("GET /public/v1/notifications/webhooks/WB-404")
        );
        let put = server
            .requests()
            .into_iter()
            .rfind(|r| r.method.as_str() == "PUT")
            .expect("a PUT");
        let sent: serde_json::Value = serde_json::from_slice(&put.body).unwrap();
        assert_eq!(sent["active"], value, "{action}");
        assert_eq!(sent["product_id"], "PRD-1", "{action}");
        assert_eq!(sent["jwt_secret"], "s3cr3t-value", "{action}: kept as read");
        assert!(sent.get("stats").is_none() && sent.get("id").is_none());
    }
    // No PUT for the webhook that could not be read.
    let puts = server
        .requests()
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .count();
    assert_eq!(puts, 2);
}

#[test]
fn a_webhook_read_answered_502_was_retried_and_nothing_is_sent() {
    let server = Server::start();
    server.mount(
        json_mock(
            "GET",
            "/notifications/webhooks/WB-1",
            502,
            r#"{"error_code":"GATEWAY","errors":["upstream down"]}"#,
        )
        .expect(2),
    );
    let client = server.client(r#","maxAttempts":2"#);
    let b = batch(
        "WEBHOOK",
        "EXECUTE",
        Some("ACTIVATE"),
        "",
        &[r#"{"dynamicProperties":{"webhook_id":"WB-1"}}"#],
    );
    let (rs, _) = results(&api::execute(client, &b, vec![None]).unwrap());
    assert_result(
        &rs[0],
        Status::ApplicationError,
        "502",
        "(after 2 attempts)",
    );
    // The read is a GET, retried like any read: nothing here was sent that could take effect.
    assert!(!rs[0].message.contains("not retried"), "{}", rs[0].message);
    assert!(server.requests().iter().all(|r| r.method.as_str() == "GET"));
    server.verify();
}

#[test]
fn verify_webhook_call_sends_nothing_and_needs_the_secret() {
    let server = Server::start();
    let client = server.client("");
    let docs = &[r#"{"dynamicProperties":{}}"#, r#"{"dynamicProperties":{}}"#];
    let b = batch(
        "WEBHOOK",
        "EXECUTE",
        Some("VERIFY_WEBHOOK_CALL"),
        r#""webhook_secret":"CANARYsecretTOKEN0123456789""#,
        docs,
    );
    let frame = api::execute(client, &b, vec![Some(b"{}".to_vec()), None]).unwrap();
    let (rs, f) = results(&frame);
    assert_eq!(rs.len(), 2, "one result per document");
    for r in &rs {
        assert_eq!(r.status, Status::ApplicationError);
        assert_eq!(r.status_code, "MISSING_TOKEN");
        let doc: serde_json::Value = serde_json::from_slice(&r.payloads[0].data).unwrap();
        assert_eq!(doc["error"], "MISSING_TOKEN");
        assert_no_canary("the result", &r.message);
    }
    assert_no_canary("the log", &f.log_text());
    assert!(server.requests().is_empty(), "Verify called Connect");
    // Without a secret every document fails with a message naming the field.
    let b = batch("WEBHOOK", "EXECUTE", Some("VERIFY_WEBHOOK_CALL"), "", docs);
    let e = api::execute(client, &b, vec![None, None]).unwrap_err();
    assert!(e.message.contains("Webhook Secret"), "{}", e.message);
}
