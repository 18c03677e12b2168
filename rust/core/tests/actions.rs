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
