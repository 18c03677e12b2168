//! End-to-end tests: the BUILT connector archive, loaded by the local runner (which plays
//! the Atom), against WireMock serving Connect-shaped stubs from `tests/e2e/wiremock`.
//!
//! Why here and not in JUnit: each case runs the runner's command line exactly as a user
//! would with `cargo xtask run`, so the CLI, the archive layout, the class loading and the
//! native library are all covered, and serde_json makes the runner's JSON lines and
//! WireMock's request journal easy to check. Each case is one `#[test]` (in `case::`); one
//! WireMock serves them, one case at a time, its journal and scenarios reset before each.
//! WireMock comes from tests/package.json (`cargo xtask test` installs it in its setup stage).

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};
use system_tests::server;
use system_tests::wiremock::{Recorded, WireMock};
use system_tests::{Run, connection_args, root, str_field};

/// The token the good-token stub accepts. Its secret half doubles as a canary: it must
/// never show up in anything the runner prints.
const TOKEN: &str = "SU-000-000-001:e2e0good0token";
const TOKEN_SECRET: &str = "e2e0good0token";

type Case = fn(&Ctx) -> Result<()>;

/// One `#[test]` per case, each running its case through [`case`].
macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        mod case {
            $(
                #[test]
                fn $name() -> anyhow::Result<()> {
                    super::case(super::$name)
                }
            )*
        }
    };
}

cases!(
    wiremock_journal_sees_traffic,
    list_requests_follows_content_range,
    changed_since_alone_with_user_filter_and_per_document,
    environment_production_filters_requests_and_assets_only,
    get_request_by_id,
    get_missing_request_is_empty_success,
    bad_documents_are_application_errors_in_input_order,
    selected_fields_with_a_root_segment_drop_nothing,
    throttled_get_is_retried_after_retry_after,
    upload_usage_file_sends_the_exact_bytes,
    download_usage_chunk_returns_the_exact_bytes,
    submit_usage_records_round_trip_through_openpyxl,
    invalid_usage_record_makes_no_call,
    run_report_pending_running_succeeded,
    failed_and_unfinished_reports_are_application_errors,
);

/// WireMock and the archive, shared by the cases; started by the first case.
static CTX: LazyLock<Result<Ctx, String>> = LazyLock::new(|| start().map_err(|e| format!("{e:#}")));
/// Held by the running case: the cases share WireMock's journal and scenarios.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn start() -> Result<Ctx> {
    let car = system_tests::archive();
    let work = system_tests::work_dir("e2e");
    let server = WireMock::start(
        &root().join("tests/e2e/wiremock"),
        &work.join("wiremock.log"),
    )?;
    Ok(Ctx { server, car, work })
}

/// Runs one case alone against a WireMock whose journal and scenarios were just reset.
fn case(case: Case) -> Result<()> {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let ctx = match &*CTX {
        Ok(ctx) => ctx,
        Err(err) => bail!("the e2e suite could not start: {err}"),
    };
    ctx.server.reset_journal()?;
    case(ctx)
}

struct Ctx {
    server: WireMock,
    car: PathBuf,
    work: PathBuf,
}

impl Ctx {
    fn endpoint(&self) -> String {
        format!("{}/public/v1", self.server.base_url())
    }

    /// Runs the runner on the archive with a connection to WireMock plus `args`.
    fn run(&self, args: &[&str]) -> Result<Run> {
        self.run_with(&self.endpoint(), &format!("ApiKey {TOKEN}"), args)
    }

    fn run_with(&self, endpoint: &str, token: &str, args: &[&str]) -> Result<Run> {
        self.run_connection(endpoint, token, &[], args)
    }

    /// [`Ctx::run_with`] with more connection settings (`key=value`).
    fn run_connection(
        &self,
        endpoint: &str,
        token: &str,
        settings: &[&str],
        args: &[&str],
    ) -> Result<Run> {
        let connection = [
            format!("endpoint={endpoint}"),
            format!("apiToken={token}"),
            // One attempt: retries would only slow the failure cases down.
            "maxAttempts=1".to_string(),
        ];
        let mut full = connection_args(
            connection
                .iter()
                .map(String::as_str)
                .chain(settings.iter().copied()),
        );
        full.extend(args.iter().map(|a| a.to_string()));
        self.run_raw(&full)
    }

    fn run_raw(&self, args: &[String]) -> Result<Run> {
        let mut cmd = system_tests::runner_command(&self.car);
        cmd.args(args).env("CLOUDBLUE_CONNECT_TEST_HOOKS", "1");
        let out = system_tests::output(&mut cmd)?;
        for text in [&out.stdout, &out.stderr] {
            ensure!(
                !text.contains(TOKEN_SECRET),
                "the API token leaked into the runner's output"
            );
        }
        // Strictly one JSON value per line: the runner writes embedded JSON payloads compactly,
        // so a line-oriented reader (`while read line`) sees whole results.
        let lines = out
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str::<Value>)
            .collect::<Result<Vec<Value>, _>>()
            .with_context(|| {
                format!(
                    "runner stdout is not one JSON value per line:\n{}",
                    out.stdout
                )
            })?;
        Ok(Run::new(out, lines))
    }

    fn write(&self, name: &str, data: &str) -> Result<String> {
        let path = self.work.join(name);
        std::fs::write(&path, data)?;
        Ok(path.display().to_string())
    }

    fn requests(&self) -> Result<Vec<Recorded>> {
        self.server.requests()
    }
}

/// The payload of a result line as JSON (the runner prints JSON payloads as JSON text).
fn payload_json(result: &Value) -> Result<Value> {
    match result.get("payload") {
        Some(Value::String(s)) => serde_json::from_str(s).context("payload is not JSON"),
        Some(v @ (Value::Object(_) | Value::Array(_))) => Ok(v.clone()),
        other => bail!("result has no JSON payload: {other:?}"),
    }
}

fn assert_api_key(req: &Recorded) -> Result<()> {
    let auth = req.header("Authorization").unwrap_or_default();
    ensure!(
        auth == format!("ApiKey {TOKEN}"),
        "{} {} was sent with Authorization `{auth}`, expected `ApiKey SU-…`",
        req.method,
        req.url
    );
    Ok(())
}

/// The sample usage file of CloudBlue's Boomi connector, also served by the download stub.
fn sample_usage_file() -> PathBuf {
    root().join("tests/e2e/wiremock/__files/UF.xlsx")
}

/// Standard base64 (RFC 4648, padded), as WireMock's journal and the runner write binary data.
fn base64_decode(text: &str) -> Result<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .context("not standard base64")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ------------------------------------------------------------------------------- cases

/// Guards the harness itself: a request sent to WireMock shows up in the journal, and an
/// unknown path gets WireMock's 404, so an empty journal in other cases means "not sent".
fn wiremock_journal_sees_traffic(ctx: &Ctx) -> Result<()> {
    let (status, _) = server::http(ctx.server.port(), "GET", "/public/v1/e2e-unmatched", None)?;
    ensure!(status == 404, "unmatched path answered {status}");
    let journal = ctx.requests()?;
    ensure!(
        journal.len() == 1 && journal[0].path() == "/public/v1/e2e-unmatched",
        "journal: {journal:?}"
    );
    Ok(())
}

fn list_requests_follows_content_range(ctx: &Ctx) -> Result<()> {
    let filter = ctx.write(
        "filter.json",
        r#"{"expression": {"property": "status", "operator": "in", "arguments": ["pending,approved,failed"]},
            "sort": [{"property": "created", "order": "desc"}]}"#,
    )?;
    let run = ctx.run(&[
        "--action",
        "LIST",
        "--object",
        "REQUEST",
        "--property",
        "pageSize=2",
        "--filter",
        &filter,
    ])?;
    let results = &run.results;
    let ids: Vec<String> = results
        .iter()
        .map(|r| payload_json(r).map(|p| p["id"].as_str().unwrap_or_default().to_string()))
        .collect::<Result<_>>()?;
    let expected: Vec<String> = (1..=5)
        .map(|i| format!("PR-5000-0000-000{i}-001"))
        .collect();
    ensure!(
        run.ok && ids == expected,
        "expected the 5 requests of 3 pages in order, got {ids:?}\n{}",
        run.explain()
    );
    for r in results {
        ensure!(str_field(r, "status") == "SUCCESS", "not a success: {r}");
        let payload = payload_json(r)?;
        ensure!(
            r["trackedProperties"]["id"] == payload["id"]
                && r["trackedProperties"]["status"] == payload["status"],
            "tracked properties do not match the document: {r}"
        );
    }

    let sent = ctx.requests()?;
    // Pages after the first are requested in parallel: they may arrive in any order.
    let mut offsets: Vec<&str> = sent
        .iter()
        .filter_map(|r| r.query_param("offset"))
        .collect();
    offsets.sort_unstable();
    ensure!(
        sent.len() == 3 && offsets == ["0", "2", "4"],
        "expected 3 page requests at offsets 0, 2, 4 (none past the last page), got {:?}",
        sent.iter().map(|r| &r.url).collect::<Vec<_>>()
    );
    for req in &sent {
        ensure!(
            req.method == "GET" && req.path() == "/public/v1/requests",
            "{req:?}"
        );
        ensure!(
            req.query_param("limit") == Some("2"),
            "page size not sent: {}",
            req.url
        );
        ensure!(
            req.url.contains("in(status,") && req.url.contains("ordering(-created)"),
            "filter or sort missing from {}",
            req.url
        );
        assert_api_key(req)?;
    }
    Ok(())
}

/// The query string a page request carried before `limit`/`offset` (still percent-encoded).
fn rql_sent(req: &Recorded) -> &str {
    let query = req.url.split_once('?').map_or("", |(_, q)| q);
    query
        .split_once("limit=")
        .map_or(query, |(rql, _)| rql.trim_end_matches('&'))
}

/// `rql` with `since` as the value of its `ge(updated,…)`.
fn from_time(rql: &str, since: &str) -> String {
    let (head, rest) = rql.split_once("ge(updated,").unwrap_or((rql, ""));
    let tail = rest.split_once(')').map_or("", |(_, tail)| tail);
    format!("{head}ge(updated,{since}){tail}")
}

/// Lists requests (page size 2: the three stub pages of `incremental-sync.json`, the five
/// requests ordered by `updated`, two changed at one time and three at a later one) with
/// `args`; checks that the first page request carried `rql` (up to the select) and the next
/// ones the same from the last change time received, past the records received with it, and
/// that each document's `changedAt` is its `updated`.
fn list_changed_requests(ctx: &Ctx, args: &[&str], rql: &str) -> Result<Run> {
    ctx.server.reset_journal()?;
    let mut all = vec![
        "--action",
        "LIST",
        "--object",
        "REQUEST",
        "--property",
        "pageSize=2",
    ];
    all.extend(args);
    let run = ctx.run(&all)?;
    let results = &run.results;
    ensure!(
        run.ok && results.len() == 5,
        "expected the 5 requests\n{}",
        run.explain()
    );
    for r in results {
        let payload = payload_json(r)?;
        ensure!(
            payload["updated"].is_string()
                && r["trackedProperties"]["changedAt"] == payload["updated"],
            "changedAt is not the document's updated: {r}"
        );
    }
    let sent = ctx.requests()?;
    ensure!(sent.len() == 3, "expected 3 page requests: {sent:?}");
    let want = [
        (rql.to_owned(), 0),
        (from_time(rql, "2021-04-07T09:30:36%2B00:00"), 2),
        (from_time(rql, "2021-04-08T06:33:56%2B00:00"), 2),
    ];
    for (req, (rql, offset)) in sent.iter().zip(want) {
        let got = rql_sent(req);
        ensure!(
            (got == rql || got.starts_with(&format!("{rql}&select(")))
                && req.url.ends_with(&format!("&limit=2&offset={offset}")),
            "expected the query {rql} at offset {offset}, sent {}",
            req.url
        );
    }
    // The newest of the five (2021-04-08T06:33:56+00:00), named at the end of the log.
    ensure!(
        run.stderr.contains(
            "5 records changed (by updated); newest changedAt 2021-04-08T06:33:56+00:00: store \
             it as the next run's Changed Since"
        ),
        "the log does not name the newest changedAt\n{}",
        run.explain()
    );
    Ok(run)
}

/// Changed Since alone, with the user's filter and sorts, and overridden by the document
/// property: each adds `ge(updated,…)` and orders by `updated` first.
fn changed_since_alone_with_user_filter_and_per_document(ctx: &Ctx) -> Result<()> {
    list_changed_requests(
        ctx,
        &["--property", "changedSince=2021-04-01"],
        "ge(updated,2021-04-01T00:00:00%2B00:00)&ordering(updated)",
    )?;
    let filter = ctx.write(
        "changed-filter.json",
        r#"{"expression": {"property": "status", "operator": "in", "arguments": ["pending,approved,failed"]},
            "sort": [{"property": "created", "order": "desc"}, {"property": "updated", "order": "desc"}]}"#,
    )?;
    list_changed_requests(
        ctx,
        &[
            "--property",
            "changedSince=2021-04-01T00:00:00Z",
            "--filter",
            &filter,
        ],
        "and(ge(updated,2021-04-01T00:00:00Z),in(status,(pending,approved,failed)))\
         &ordering(updated,-created)",
    )?;
    // The stored watermark of the last run, as the document property, wins over the setting.
    list_changed_requests(
        ctx,
        &[
            "--property",
            "changedSince=2021-04-01",
            "--doc-property",
            "changedSince=2021-04-07T09:30:36+00:00",
        ],
        "ge(updated,2021-04-07T09:30:36%2B00:00)&ordering(updated)",
    )?;
    // An object whose spec offers no usable field refuses it before sending anything.
    ctx.server.reset_journal()?;
    let run = ctx.run(&[
        "--action",
        "LIST",
        "--object",
        "ASSET",
        "--property",
        "changedSince=2021-04-01",
    ])?;
    let refusal = "\"Changed Since\" (operation setting) cannot be used with Asset";
    ensure!(
        !run.ok
            && run
                .results
                .iter()
                .any(|l| str_field(l, "message").contains(refusal)),
        "Changed Since on assets should be refused\n{}",
        run.explain()
    );
    ensure!(ctx.requests()?.is_empty(), "a refused query sent requests");
    Ok(())
}

/// Environment = Production filters requests and assets on their connection type and leaves
/// objects without such a field (products) alone.
fn environment_production_filters_requests_and_assets_only(ctx: &Ctx) -> Result<()> {
    let endpoint = ctx.endpoint();
    let token = format!("ApiKey {TOKEN}");
    for (object, page_size, expected) in [
        ("REQUEST", "2", "eq(asset.connection.type,production)"),
        ("ASSET", "100", "eq(connection.type,production)"),
        ("PRODUCT", "100", ""),
    ] {
        ctx.server.reset_journal()?;
        let run = ctx.run_connection(
            &endpoint,
            &token,
            &["environment=production"],
            &[
                "--action",
                "LIST",
                "--object",
                object,
                "--property",
                &format!("pageSize={page_size}"),
            ],
        )?;
        ensure!(
            run.ok && !run.results.is_empty(),
            "{object}: expected documents\n{}",
            run.explain()
        );
        for req in ctx.requests()? {
            let got = rql_sent(&req);
            let filter = got.split("&select(").next().unwrap_or_default();
            ensure!(
                filter == expected,
                "{object}: expected the filter `{expected}`, sent `{got}`"
            );
        }
    }
    Ok(())
}

fn get_request_by_id(ctx: &Ctx) -> Result<()> {
    let id = "PR-5000-0000-0001-001";
    get_request_succeeds(ctx, id, &[], "expected one success")?;
    let sent = ctx.requests()?;
    ensure!(
        sent.len() == 1
            && sent[0].method == "GET"
            && sent[0].path() == format!("/public/v1/requests/{id}"),
        "unexpected requests: {sent:?}"
    );
    assert_api_key(&sent[0])
}

/// GETs request `id` (after `extra` runner arguments) and checks that the runner answered with
/// one success whose payload is that request; `failure` says what was expected otherwise.
fn get_request_succeeds(ctx: &Ctx, id: &str, extra: &[&str], failure: &str) -> Result<()> {
    let mut args = extra.to_vec();
    args.extend(["--action", "GET", "--object", "REQUEST", "--object-id", id]);
    let run = ctx.run(&args)?;
    let results = &run.results;
    ensure!(
        run.ok && results.len() == 1 && str_field(&results[0], "status") == "SUCCESS",
        "{failure}\n{}",
        run.explain()
    );
    ensure!(
        payload_json(&results[0])?["id"] == id,
        "wrong document: {}",
        results[0]
    );
    Ok(())
}

/// Boomi's contract for a GET of something that does not exist: an empty success.
fn get_missing_request_is_empty_success(ctx: &Ctx) -> Result<()> {
    let id = "PR-0000-0000-0000-404";
    let run = ctx.run(&["--action", "GET", "--object", "REQUEST", "--object-id", id])?;
    let results = &run.results;
    ensure!(
        run.ok
            && results.len() == 1
            && str_field(&results[0], "status") == "SUCCESS"
            && results[0].get("payload").is_none()
            && results[0].get("payloadBase64").is_none(),
        "expected one empty success\n{}",
        run.explain()
    );
    ensure!(ctx.requests()?.len() == 1, "expected exactly one request");
    Ok(())
}

/// An Approve of the request the approve stub knows (documents follow).
const APPROVE_ARGS: &[&str] = &[
    "--action",
    "APPROVE",
    "--object",
    "REQUEST",
    "--property",
    "request_id=PR-5000-0000-0001-001",
];

/// The error body the approve stub answers for template TL-000-000-400.
fn connect_req_003() -> Value {
    serde_json::json!({
        "error_code": "REQ_003",
        "errors": ["Activation template TL-000-000-400 is not available for this product."]
    })
}

/// A batch of valid, too-large, invalid and Connect-rejected (400) documents: one result each,
/// in input order, the valid ones approved, every refused one an APPLICATION_ERROR with a JSON
/// error document (Connect's own body for the 400), and nothing sent for the ones the connector
/// refused; a document without its request id is a BAD_INPUT as well.
fn bad_documents_are_application_errors_in_input_order(ctx: &Ctx) -> Result<()> {
    let good = ctx.write("mixed-good.json", r#"{"template_id": "TL-111-111-111"}"#)?;
    let big = ctx.work.join("mixed-too-large.json");
    // Sparse: one byte over the shim's 50 MB cap without writing it.
    std::fs::File::create(&big)?.set_len(50 * 1024 * 1024 + 1)?;
    let big = big.display().to_string();
    let invalid = ctx.write("mixed-invalid.json", "{not json")?;
    let rejected = ctx.write(
        "mixed-rejected.json",
        r#"{"template_id": "TL-000-000-400"}"#,
    )?;
    let mut args = APPROVE_ARGS.to_vec();
    args.extend([good.as_str(), &big, &invalid, &rejected, &good]);
    let run = ctx.run(&args)?;
    let results = &run.results;
    ensure!(
        results.len() == 5,
        "expected 5 results
{}",
        run.explain()
    );
    let want = [
        ("SUCCESS", "200"),
        ("APPLICATION_ERROR", "TOO_LARGE"),
        ("APPLICATION_ERROR", "BAD_INPUT"),
        ("APPLICATION_ERROR", "400"),
        ("SUCCESS", "200"),
    ];
    for (i, (r, (status, code))) in results.iter().zip(want).enumerate() {
        ensure!(
            r["input"] == i
                && str_field(r, "status") == status
                && str_field(r, "statusCode") == code,
            "result {i} should be input {i}, {status} {code}: {r}\n{}",
            run.explain()
        );
    }
    for (i, code) in [(1, "TOO_LARGE"), (2, "BAD_INPUT")] {
        let doc = payload_json(&results[i])?;
        ensure!(
            doc["error_code"] == code && doc["errors"][0] == results[i]["message"],
            "result {i} should carry a {code} error document: {}",
            results[i]
        );
    }
    ensure!(!run.ok, "a failed document must make the run exit non-zero");
    for i in [0, 4] {
        ensure!(
            payload_json(&results[i])?["status"] == "approved",
            "document {i} should be the approved request: {}",
            results[i]
        );
    }
    // Connect's 400 names its code and text, and its error body stays in the flow.
    let message = str_field(&results[3], "message");
    ensure!(
        message.contains("REQ_003") && message.contains("TL-000-000-400 is not available"),
        "{}",
        results[3]
    );
    ensure!(
        payload_json(&results[3])? == connect_req_003(),
        "{}",
        results[3]
    );
    // Only the good and the rejected documents reach Connect, each once, as sent.
    let sent = ctx.requests()?;
    let mut templates = Vec::new();
    for req in &sent {
        ensure!(
            req.method == "POST"
                && req.path() == "/public/v1/requests/PR-5000-0000-0001-001/approve",
            "{req:?}"
        );
        assert_api_key(req)?;
        let body: Value = serde_json::from_str(&req.body).context("approve body is not JSON")?;
        templates.push(body["template_id"].as_str().unwrap_or_default().to_owned());
    }
    templates.sort();
    ensure!(
        templates == ["TL-000-000-400", "TL-111-111-111", "TL-111-111-111"],
        "approve bodies sent: {templates:?}"
    );

    let missing = ctx.run(&["--action", "APPROVE", "--object", "REQUEST", &good])?;
    let results = &missing.results;
    ensure!(
        results.len() == 1
            && str_field(&results[0], "status") == "APPLICATION_ERROR"
            && str_field(&results[0], "statusCode") == "BAD_INPUT"
            && payload_json(&results[0])?["error_code"] == "BAD_INPUT"
            && str_field(&results[0], "message").contains("request_id"),
        "a missing request id should be a BAD_INPUT application error with a document\n{}",
        missing.explain()
    );
    Ok(())
}

/// Asset's `configuration` and `items` are dropped by `select(-…)` unless selected. Selected with
/// a root segment (`Asset/items`) they count as selected, so nothing is dropped; a selection that
/// names no field of the profile counts as all fields, with a warning.
fn selected_fields_with_a_root_segment_drop_nothing(ctx: &Ctx) -> Result<()> {
    let list = |fields: &[&str]| -> Result<(Run, String)> {
        ctx.server.reset_journal()?;
        let mut args = vec!["--action", "LIST", "--object", "ASSET"];
        for f in fields {
            args.extend(["--selected-field", f]);
        }
        let run = ctx.run(&args)?;
        ensure!(
            run.ok && !run.results.is_empty(),
            "expected the listed assets\n{}",
            run.explain()
        );
        let sent = ctx.requests()?;
        ensure!(sent.len() == 1, "expected one list request: {sent:?}");
        Ok((run, sent[0].url.clone()))
    };
    let (rooted, url) = list(&["Asset/id", "Asset/configuration", "Asset/items"])?;
    ensure!(
        !url.contains("select("),
        "selected parts were dropped: {url}\n{}",
        rooted.explain()
    );
    let (unknown, url) = list(&["nothing/here"])?;
    ensure!(
        !url.contains("select(-") && !url.contains(",-"),
        "an unmatched selection must drop nothing: {url}"
    );
    ensure!(
        unknown.stderr.contains("do not match the Asset profile")
            && unknown.stderr.contains("nothing/here"),
        "no warning naming the selection\n{}",
        unknown.explain()
    );
    Ok(())
}

/// Connect answers 429 with `Retry-After: 1`, then 200: with retries allowed the document
/// succeeds, after waiting at least the second Connect asked for.
fn throttled_get_is_retried_after_retry_after(ctx: &Ctx) -> Result<()> {
    let id = "PR-5000-0000-0002-001";
    // A later --connection wins over the harness's maxAttempts=1.
    let retries = ["--connection", "maxAttempts=3"];
    get_request_succeeds(ctx, id, &retries, "expected one success after the retry")?;
    let sent = ctx.requests()?;
    ensure!(
        sent.len() == 2
            && sent
                .iter()
                .all(|r| r.path() == format!("/public/v1/requests/{id}")),
        "expected the GET twice, got {sent:?}"
    );
    let waited = sent[1].logged_ms.saturating_sub(sent[0].logged_ms);
    ensure!(
        waited >= 900,
        "retried after {waited} ms, before the 1 s Retry-After"
    );
    Ok(())
}

/// Upload Resource File through the archive: the document is the sample usage file, sent as
/// the multipart part `usage_file` with a file name and the exact bytes; a second, empty
/// document takes the same file from "File Path (legacy)" on disk.
fn upload_usage_file_sends_the_exact_bytes(ctx: &Ctx) -> Result<()> {
    let file = sample_usage_file();
    let xlsx = std::fs::read(&file)?;
    let empty = ctx.write("empty-document.xlsx", "")?;
    let file_path = format!("file_path={}", file.display());
    let run = ctx.run(&[
        "--action",
        "UPLOAD",
        "--object",
        "USAGE_REPORT",
        "--property",
        "usage_report_id=UF-2024-0001",
        "--property",
        &file_path,
        &file.display().to_string(),
        &empty,
    ])?;
    let results = &run.results;
    ensure!(
        run.ok
            && results.len() == 2
            && results
                .iter()
                .all(|r| str_field(r, "status") == "SUCCESS" && str_field(r, "statusCode") == "201"),
        "expected two 201 successes\n{}",
        run.explain()
    );
    ensure!(
        payload_json(&results[0])?["status"] == "uploaded",
        "{}",
        results[0]
    );
    let sent = ctx.requests()?;
    ensure!(sent.len() == 2, "expected 2 uploads, got {}", sent.len());
    for (i, req) in sent.iter().enumerate() {
        let (url, body) = (&req.url, &req.body_bytes);
        ensure!(url == "/public/v1/usage/files/UF-2024-0001/upload", "{url}");
        ensure!(
            contains(body, br#"name="usage_file"; filename=""#),
            "upload {i}: no usage_file part with a file name"
        );
        ensure!(
            contains(body, &xlsx),
            "upload {i}: the file's {} bytes are not in the body unchanged",
            xlsx.len()
        );
    }
    for req in ctx.requests()? {
        assert_api_key(&req)?;
    }
    Ok(())
}

/// Download Resource File through the archive: the stub serves the sample usage file (only to a
/// request that accepts the xlsx type) and the runner's binary document holds the same bytes.
fn download_usage_chunk_returns_the_exact_bytes(ctx: &Ctx) -> Result<()> {
    let xlsx = std::fs::read(sample_usage_file())?;
    let run = ctx.run(&[
        "--action",
        "DOWNLOAD",
        "--object",
        "USAGE_CHUNK",
        "--property",
        "usage_chunk_id=UFC-2024-0001-001",
    ])?;
    let results = &run.results;
    ensure!(
        run.ok && results.len() == 1 && str_field(&results[0], "status") == "SUCCESS",
        "expected one success\n{}",
        run.explain()
    );
    let data = base64_decode(str_field(&results[0], "payloadBase64"))?;
    ensure!(
        data == xlsx,
        "downloaded {} bytes, the file has {}; they differ",
        data.len(),
        xlsx.len()
    );
    let sent = ctx.requests()?;
    ensure!(
        sent.len() == 1
            && sent[0]
                .header("Accept")
                .is_some_and(|a| a.contains("spreadsheetml")),
        "unexpected requests: {sent:?}"
    );
    assert_api_key(&sent[0])
}

// ------------------------------------------------------------ usage records and reports

/// Three usage records as a Boomi process would map them: required columns, optional ones,
/// numbers given as text, ISO times, non-ASCII text.
fn usage_records() -> Value {
    serde_json::json!([
        {
            "record_id": "E2E-1",
            "item_search_criteria": "item.mpn",
            "item_search_value": "MPN-A",
            "quantity": 4,
            "start_time_utc": "2024-03-01 00:00:00",
            "end_time_utc": "2024-03-31 23:59:59",
            "asset_search_criteria": "asset.id",
            "asset_search_value": "AS-0000-0000-0001"
        },
        {
            "record_id": "E2E-2",
            "record_note": "Überstunden ✓",
            "item_search_criteria": "item.global_id",
            "item_search_value": "PRD-000-000-001-0001",
            "amount": "12.5",
            "start_time_utc": "2024-03-01T00:00:00Z",
            "end_time_utc": "2024-03-15T12:00:00Z",
            "asset_search_criteria": "asset.external_id",
            "asset_search_value": 1090540,
            "item_precision": "decimal(2)",
            "tier": 1
        },
        {
            "record_id": "E2E-3",
            "item_search_criteria": "item.mpn",
            "item_search_value": "MPN-B",
            "quantity": 0.25,
            "start_time_utc": "2024-03-02 00:00:00",
            "end_time_utc": "2024-03-02 00:00:00",
            "asset_search_criteria": "asset.id",
            "asset_search_value": "AS-0000-0000-0002",
            "category_id": "Cat1"
        }
    ])
}

/// The bytes of the `usage_file` part of a multipart body (the boundary is its first line).
fn usage_file_part(body: &[u8]) -> Result<Vec<u8>> {
    let line_end = body
        .windows(2)
        .position(|w| w == b"\r\n")
        .context("multipart body has no boundary line")?;
    let boundary = &body[..line_end];
    let header = b"name=\"usage_file\"";
    let at = body
        .windows(header.len())
        .position(|w| w == header)
        .context("no usage_file part")?;
    let start = at
        + body[at..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .context("usage_file part has no end of headers")?
        + 4;
    let mut closing = b"\r\n".to_vec();
    closing.extend_from_slice(boundary);
    let len = body[start..]
        .windows(closing.len())
        .position(|w| w == closing.as_slice())
        .context("usage_file part does not end with the boundary")?;
    Ok(body[start..start + len].to_vec())
}

/// An XLSX's sheets as openpyxl reads them (`tests/usage/run.sh`).
fn openpyxl_sheets(xlsx: &std::path::Path) -> Result<serde_json::Map<String, Value>> {
    let out = std::process::Command::new(root().join("tests/usage/run.sh"))
        .arg(xlsx)
        .output()
        .context("running tests/usage/run.sh")?;
    ensure!(
        out.status.success(),
        "openpyxl could not read {}: {}",
        xlsx.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).context("reader output is not JSON")?;
    v["sheets"].as_object().cloned().context("no sheets")
}

fn submit_usage_records_round_trip_through_openpyxl(ctx: &Ctx) -> Result<()> {
    let records = usage_records();
    let doc = serde_json::json!({
        "name": "E2E usage",
        "product": {"id": "PRD-000-000-001"},
        "contract": {"id": "CRD-00000-00000-00001"},
        "records": records
    });
    let input = ctx.write("usage-records.json", &doc.to_string())?;
    let run = ctx.run(&[
        "--action",
        "SUBMIT_USAGE_RECORDS",
        "--object",
        "USAGE_REPORT",
        "--property",
        "submit=true",
        &input,
    ])?;
    let results = &run.results;
    ensure!(
        run.ok && results.len() == 1 && str_field(&results[0], "status") == "SUCCESS",
        "expected one success\n{}",
        run.explain()
    );
    ensure!(
        payload_json(&results[0])?["status"] == "pending",
        "{}",
        results[0]
    );
    let sent = ctx.requests()?;
    let urls: Vec<&str> = sent.iter().map(|r| r.url.as_str()).collect();
    ensure!(
        urls == [
            "/public/v1/usage/files",
            "/public/v1/usage/files/UF-2024-0002/upload",
            "/public/v1/usage/files/UF-2024-0002/submit"
        ],
        "calls: {urls:?}"
    );
    let created: Value = serde_json::from_slice(&sent[0].body_bytes)?;
    ensure!(
        created.get("records").is_none() && created["contract"]["id"] == "CRD-00000-00000-00001",
        "create body: {created}"
    );
    let xlsx = ctx.work.join("uploaded-usage.xlsx");
    std::fs::write(&xlsx, usage_file_part(&sent[1].body_bytes)?)?;
    let sheets = openpyxl_sheets(&xlsx)?;
    let names: Vec<&String> = sheets.keys().collect();
    ensure!(names == ["records"], "sheets: {names:?}");
    let rows = sheets["records"].as_array().context("rows")?;
    let header: Vec<&str> = rows[0]
        .as_array()
        .context("header")?
        .iter()
        .map(|c| c.as_str().unwrap_or(""))
        .collect();
    let template: Vec<&str> = connect_catalog::usage::COLUMNS
        .iter()
        .map(|c| c.name)
        .collect();
    ensure!(header == template, "header {header:?}");
    // The first eight are the columns of Connect's own sample usage file, in its order.
    ensure!(
        [
            "record_id",
            "item_search_criteria",
            "item_search_value",
            "quantity",
            "start_time_utc",
            "end_time_utc",
            "asset_search_criteria",
            "asset_search_value"
        ]
        .iter()
        .all(|c| header.contains(c)),
        "header {header:?}"
    );
    ensure!(rows.len() == 4, "{} rows", rows.len());
    let cell = |row: usize, name: &str| -> &Value {
        let i = template.iter().position(|c| *c == name).unwrap_or(0);
        &rows[row][i]
    };
    let expected: [(usize, &str, Value); 13] = [
        (1, "record_id", "E2E-1".into()),
        (1, "quantity", 4.into()),
        (1, "amount", Value::Null),
        (1, "end_time_utc", "2024-03-31 23:59:59".into()),
        (2, "record_note", "Überstunden ✓".into()),
        (2, "amount", 12.5.into()),
        (2, "start_time_utc", "2024-03-01 00:00:00".into()),
        (2, "asset_search_value", "1090540".into()),
        (2, "item_precision", "decimal(2)".into()),
        (2, "tier", 1.into()),
        (3, "quantity", 0.25.into()),
        (3, "category_id", "Cat1".into()),
        (3, "asset_search_value", "AS-0000-0000-0002".into()),
    ];
    for (row, name, want) in expected {
        let got = cell(row, name);
        let same = match (got.as_f64(), want.as_f64()) {
            (Some(a), Some(b)) => a == b,
            _ => *got == want,
        };
        ensure!(same, "row {row} {name}: {got} (expected {want})");
    }
    for req in ctx.requests()? {
        assert_api_key(&req)?;
    }
    Ok(())
}

fn invalid_usage_record_makes_no_call(ctx: &Ctx) -> Result<()> {
    let mut records = usage_records();
    records[2]["quantity"] = Value::from("a lot");
    let doc = serde_json::json!({
        "name": "E2E usage",
        "product": {"id": "PRD-000-000-001"},
        "records": records
    });
    let input = ctx.write("usage-records-invalid.json", &doc.to_string())?;
    let run = ctx.run(&[
        "--action",
        "SUBMIT_USAGE_RECORDS",
        "--object",
        "USAGE_REPORT",
        &input,
    ])?;
    let results = &run.results;
    ensure!(
        !run.ok
            && results.len() == 1
            && str_field(&results[0], "status") == "APPLICATION_ERROR"
            && str_field(&results[0], "statusCode") == "INVALID_RECORD",
        "expected one INVALID_RECORD application error\n{}",
        run.explain()
    );
    let message = str_field(&results[0], "message");
    ensure!(
        message.contains("record 3") && message.contains("\"quantity\""),
        "message does not name the record and column: {message}"
    );
    let sent = ctx.requests()?;
    ensure!(sent.is_empty(), "Connect was called: {sent:?}");
    Ok(())
}

fn run_report(ctx: &Ctx, template: &str, extra: &[&str]) -> Result<Run> {
    let doc =
        serde_json::json!({"name": "Monthly", "template": {"id": template}, "parameters": []});
    let input = ctx.write(&format!("report-{template}.json"), &doc.to_string())?;
    let mut args = vec!["--action", "RUN_REPORT", "--object", "REPORT"];
    args.extend_from_slice(extra);
    args.push(&input);
    ctx.run(&args)
}

fn run_report_pending_running_succeeded(ctx: &Ctx) -> Result<()> {
    let run = run_report(ctx, "RT-OK", &[])?;
    let results = &run.results;
    ensure!(
        run.ok && results.len() == 1 && str_field(&results[0], "status") == "SUCCESS",
        "expected one success\n{}",
        run.explain()
    );
    let data = base64_decode(str_field(&results[0], "payloadBase64"))?;
    ensure!(
        data == std::fs::read(sample_usage_file())?,
        "the document is not the report's file"
    );
    let paths: Vec<String> = ctx
        .requests()?
        .iter()
        .map(|r| format!("{} {}", r.method, r.path()))
        .collect();
    ensure!(
        paths
            == [
                "POST /public/v1/reporting/reports",
                "GET /public/v1/reporting/reports/RP-OK",
                "GET /public/v1/reporting/reports/RP-OK",
                "GET /public/v1/reporting/reports/RP-OK/download"
            ],
        "calls: {paths:?}"
    );
    for progress in [
        "RP-OK is pending, 0 of 3",
        "RP-OK is running, 2 of 3",
        "RP-OK is succeeded",
    ] {
        ensure!(
            run.stderr.contains(progress),
            "the process log does not show `{progress}`\n{}",
            run.explain()
        );
    }
    Ok(())
}

fn failed_and_unfinished_reports_are_application_errors(ctx: &Ctx) -> Result<()> {
    for (template, extra, code, status) in [
        ("RT-FAIL", &[][..], "REPORT_FAILED", "failed"),
        (
            "RT-SLOW",
            &["--property", "wait_minutes=0"][..],
            "WAIT_EXPIRED",
            "pending",
        ),
    ] {
        let run = run_report(ctx, template, extra)?;
        let results = &run.results;
        ensure!(
            !run.ok
                && results.len() == 1
                && str_field(&results[0], "status") == "APPLICATION_ERROR"
                && str_field(&results[0], "statusCode") == code,
            "{template}: expected one {code} application error\n{}",
            run.explain()
        );
        let report = payload_json(&results[0])?;
        ensure!(
            report["status"] == status,
            "{template}: the document is not Connect's report: {report}"
        );
    }
    let downloads = ctx
        .requests()?
        .iter()
        .filter(|r| r.path().ends_with("/download"))
        .count();
    ensure!(
        downloads == 0,
        "{downloads} downloads of unfinished reports"
    );
    Ok(())
}

mod harness {
    use super::*;

    #[test]
    fn base64_decodes_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64_decode("//8=").unwrap(), [0xff, 0xff]);
        assert!(base64_decode("Zm9v!").is_err());
    }
}
