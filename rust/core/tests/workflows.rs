//! The actions made of several Connect calls, against a mock server: Submit Usage Records
//! (create, upload, wait for validation, submit) and Run Report (create, status checks,
//! download).

mod common;

use common::*;
use serde_json::{Value, json};
use wiremock::ResponseTemplate;

fn usage_doc(records: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "name": "March",
        "product": {"id": "PRD-1"},
        "contract": {"id": "CRD-1"},
        "records": records
    }))
    .unwrap()
}

fn usage_record(id: &str) -> Value {
    json!({
        "record_id": id,
        "item_search_criteria": "item.mpn",
        "item_search_value": "MPN-1",
        "quantity": 2,
        "start_time_utc": "2024-03-01 00:00:00",
        "end_time_utc": "2024-03-31 23:59:59",
        "asset_search_criteria": "asset.id",
        "asset_search_value": "AS-1"
    })
}

fn file(status: &str) -> String {
    json!({"id": "UF-1", "status": status, "error_detail": "row 2: no such item"}).to_string()
}

fn paths(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

fn submit_usage(server: &Server, props: &str, body: Vec<u8>) -> (DocResult, Frame) {
    let b = batch(
        "USAGE_REPORT",
        "EXECUTE",
        Some("SUBMIT_USAGE_RECORDS"),
        props,
        &[r#"{"dynamicProperties":{}}"#],
    );
    execute_one(server.client(""), &b, Some(body))
}

#[test]
fn usage_records_are_created_uploaded_validated_and_submitted() {
    let server = Server::start();
    server.mount(json_mock("POST", "/usage/files", 201, file("draft")).expect(1));
    server.mount(json_mock("POST", "/usage/files/UF-1/upload", 201, file("processing")).expect(1));
    server.mount(json_mock("GET", "/usage/files/UF-1", 200, file("ready")).expect(1));
    server.mount(json_mock("POST", "/usage/files/UF-1/submit", 200, file("pending")).expect(1));
    let doc = usage_doc(json!([usage_record("R-1"), usage_record("R-2")]));
    let (r, frame) = submit_usage(&server, r#""submit":true"#, doc);
    assert_result(&r, Status::Success, "200", "");
    assert_eq!(
        r.message,
        "usage file UF-1: 2 records uploaded and submitted"
    );
    assert_eq!(r.payloads[0].tracked_value("status"), Some("pending"));
    assert_eq!(
        paths(&server),
        [
            "POST /public/v1/usage/files",
            "POST /public/v1/usage/files/UF-1/upload",
            "GET /public/v1/usage/files/UF-1",
            "POST /public/v1/usage/files/UF-1/submit"
        ]
    );
    let requests = server.requests();
    let created: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        created,
        json!({"name": "March", "product": {"id": "PRD-1"}, "contract": {"id": "CRD-1"}}),
        "the usage file's fields without the records"
    );
    let upload = &requests[1].body;
    let has = |needle: &[u8]| upload.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"name=\"usage_file\"; filename=\"usage_file.xlsx\""));
    assert!(has(b"PK\x03\x04"), "the part is a zip (XLSX)");
    let log = frame.log_text();
    assert!(
        log.contains("usage file UF-1 is processing; checking again in 1 s"),
        "{log}"
    );
    assert!(!log.contains(CANARY));
    server.verify();
}

#[test]
fn without_submit_the_file_is_left_uploaded() {
    let server = Server::start();
    server.mount(json_mock("POST", "/usage/files", 201, file("draft")).expect(1));
    server.mount(json_mock("POST", "/usage/files/UF-1/upload", 201, file("uploading")).expect(1));
    let (r, _) = submit_usage(&server, "", usage_doc(json!([usage_record("R-1")])));
    assert_result(&r, Status::Success, "201", "");
    assert_eq!(r.payloads[0].tracked_value("status"), Some("uploading"));
    assert_eq!(paths(&server).len(), 2);
    server.verify();
}

#[test]
fn an_invalid_record_fails_the_document_before_any_call() {
    let server = Server::start();
    let mut bad = usage_record("R-2");
    bad["start_time_utc"] = json!("01/03/2024");
    let (r, _) = submit_usage(
        &server,
        r#""submit":true"#,
        usage_doc(json!([usage_record("R-1"), bad])),
    );
    assert_result(&r, Status::ApplicationError, "INVALID_RECORD", "");
    assert!(
        r.message.starts_with(
            "record 2 (record_id \"R-2\"), column \"start_time_utc\": must be a UTC time"
        ),
        "{}",
        r.message
    );
    let doc: Value = serde_json::from_slice(&r.payloads[0].data).unwrap();
    assert_eq!(
        (doc["record"].as_u64(), doc["column"].as_str()),
        (Some(2), Some("start_time_utc"))
    );
    assert!(server.requests().is_empty(), "nothing was sent to Connect");
}

#[test]
fn an_invalid_file_and_a_failed_upload_say_what_exists() {
    let server = Server::start();
    server.mount(json_mock("POST", "/usage/files", 201, file("draft")));
    server.mount(json_mock(
        "POST",
        "/usage/files/UF-1/upload",
        201,
        file("invalid"),
    ));
    let (r, _) = submit_usage(
        &server,
        r#""submit":true"#,
        usage_doc(json!([usage_record("R-1")])),
    );
    assert_result(&r, Status::ApplicationError, "INVALID_FILE", "");
    assert!(
        r.message
            .ends_with("Connect found it invalid: row 2: no such item"),
        "{}",
        r.message
    );
    assert_eq!(r.payloads[0].tracked_value("id"), Some("UF-1"));

    let server = Server::start();
    server.mount(json_mock("POST", "/usage/files", 201, file("draft")));
    server.mount(json_mock(
        "POST",
        "/usage/files/UF-1/upload",
        400,
        r#"{"error_code":"VAL_001","errors":["bad file"]}"#,
    ));
    let (r, _) = submit_usage(&server, "", usage_doc(json!([usage_record("R-1")])));
    assert_result(&r, Status::ApplicationError, "400", "");
    assert!(
        r.message.starts_with("usage file UF-1 was created, but the upload failed: POST /public/v1/usage/files/UF-1/upload: 400"),
        "{}",
        r.message
    );
}

#[test]
fn validation_that_outlasts_the_wait_is_an_application_error() {
    let server = Server::start();
    server.mount(json_mock("POST", "/usage/files", 201, file("draft")));
    server.mount(json_mock(
        "POST",
        "/usage/files/UF-1/upload",
        201,
        file("processing"),
    ));
    let props = r#""submit":true,"wait_minutes":"0""#;
    let (r, _) = submit_usage(&server, props, usage_doc(json!([usage_record("R-1")])));
    assert_result(
        &r,
        Status::ApplicationError,
        "WAIT_EXPIRED",
        "status processing",
    );
    assert_eq!(paths(&server).len(), 2, "no submit");
}

fn report(status: &str) -> String {
    json!({
        "id": "RP-1",
        "status": status,
        "progress": {"value": 1, "max": 4},
        "failure_output": "template error"
    })
    .to_string()
}

fn report_batch(props: &str) -> Vec<u8> {
    batch(
        "REPORT",
        "EXECUTE",
        Some("RUN_REPORT"),
        props,
        &[r#"{"dynamicProperties":{}}"#],
    )
}

fn run_report(server: &Server, props: &str) -> (DocResult, Frame) {
    let body = br#"{"name":"Monthly","template":{"id":"RT-1"},"parameters":[]}"#.to_vec();
    execute_one(server.client(""), &report_batch(props), Some(body))
}

#[test]
fn a_report_is_polled_until_it_succeeds_and_its_file_returned() {
    let server = Server::start();
    server.mount(json_mock("POST", "/reporting/reports", 201, report("pending")).expect(1));
    server.mount(
        json_mock("GET", "/reporting/reports/RP-1", 200, report("running"))
            .up_to_n_times(1)
            .expect(1),
    );
    server.mount(json_mock("GET", "/reporting/reports/RP-1", 200, report("succeeded")).expect(1));
    server.mount(
        mock(
            "GET",
            "/reporting/reports/RP-1/download",
            ResponseTemplate::new(200).set_body_raw(b"PK-report".to_vec(), "application/zip"),
        )
        .expect(1),
    );
    let (r, frame) = run_report(&server, "");
    assert_result(&r, Status::Success, "200", "");
    assert_eq!(r.payloads[0].data, b"PK-report".to_vec());
    assert_eq!(r.payloads[0].tracked_value("id"), Some("RP-1"));
    let log = frame.log_text();
    for line in [
        "report RP-1 is pending, 1 of 4",
        "report RP-1 is running",
        "report RP-1 is succeeded",
    ] {
        assert!(log.contains(line), "{line}: {log}");
    }
    let sent: Value = serde_json::from_slice(&server.requests()[0].body).unwrap();
    assert_eq!(
        sent["template"]["id"], "RT-1",
        "the document is the create body"
    );
    server.verify();
}

#[test]
fn a_report_object_instead_of_the_file() {
    let server = Server::start();
    server.mount(json_mock(
        "POST",
        "/reporting/reports",
        201,
        report("succeeded"),
    ));
    let (r, _) = run_report(&server, r#""return_report_object":true"#);
    assert_result(&r, Status::Success, "201", "");
    let doc: Value = serde_json::from_slice(&r.payloads[0].data).unwrap();
    assert_eq!(doc["status"], "succeeded");
    assert_eq!(paths(&server), ["POST /public/v1/reporting/reports"]);
}

#[test]
fn failed_and_unfinished_reports_are_application_errors_with_the_report() {
    let server = Server::start();
    server.mount(json_mock(
        "POST",
        "/reporting/reports",
        201,
        report("pending"),
    ));
    server.mount(json_mock(
        "GET",
        "/reporting/reports/RP-1",
        200,
        report("failed"),
    ));
    let (r, _) = run_report(&server, "");
    assert_result(&r, Status::ApplicationError, "REPORT_FAILED", "");
    assert_eq!(r.message, "report RP-1 failed: template error");
    let doc: Value = serde_json::from_slice(&r.payloads[0].data).unwrap();
    assert_eq!(doc["status"], "failed");

    let server = Server::start();
    server.mount(json_mock(
        "POST",
        "/reporting/reports",
        201,
        report("pending"),
    ));
    let (r, _) = run_report(&server, r#""wait_minutes":0"#);
    assert_result(&r, Status::ApplicationError, "WAIT_EXPIRED", "");
    let doc: Value = serde_json::from_slice(&r.payloads[0].data).unwrap();
    assert_eq!(doc["status"], "pending");
    assert_eq!(
        paths(&server),
        ["POST /public/v1/reporting/reports"],
        "no download"
    );
}

#[test]
fn a_report_document_must_be_the_create_body() {
    let server = Server::start();
    let (r, _) = execute_one(server.client(""), &report_batch(""), Some(b"[1]".to_vec()));
    assert_result(&r, Status::ApplicationError, "BAD_INPUT", "NewReport");
    assert!(server.requests().is_empty());
}
