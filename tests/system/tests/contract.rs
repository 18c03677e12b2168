//! Contract tests: every object/action pair of the catalog, run through the BUILT archive
//! by the local runner against Stoplight Prism serving Connect's official OpenAPI spec.
//!
//! Prism validates each request against the spec (path, method, parameters, body) and
//! answers a valid one with the operation's 2xx example, an invalid one with 400/404/405/422.
//! So a pair passes when every document it sent came back SUCCESS. Prism mounts routes at
//! the root, so the endpoint is Prism's address without `/public/v1`.
//!
//! Inputs are built the way a user would fill them: every path parameter gets a placeholder
//! id (operation property; GET/DELETE take it as Boomi's object id), JSON bodies are the
//! smallest instance of the generated input profile (required fields only), uploads send
//! the sample usage file `shared/fixtures/connect-extension-boomi/test-resources/UF.xlsx`.
//! A pair that calls nothing (Verify Webhook Call) runs against a closed port instead, with a
//! token signed as Connect signs it.
//!
//! One test per pair (written by build.rs from the catalog); one Prism serves them all. Prism
//! comes from tests/package.json (`cargo xtask test` installs it in its setup stage).

use anyhow::{Result, ensure};
use codegen::operations::{self, Entry};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;
use system_tests::server::{Server, free_port};
use system_tests::{jwt, root};

include!(concat!(env!("OUT_DIR"), "/contract_pairs.rs"));

/// Pairs that Prism rejects today, each with the reason, so the rest can guard against
/// regressions while these wait for their fix. Their tests pass while Prism rejects them and
/// print the reason; a listed pair that starts passing fails its test until it is removed
/// from here.
const KNOWN_FAILURES: &[(&str, &str, &str)] = &[
    (
        "WEBHOOK",
        "ACTIVATE",
        "Prism's generated webhook (the GET this action reads first) has http_method GET, which \
         the spec's own update body refuses (enum: POST): the spec contradicts itself, and the \
         PUT sends the webhook back as read",
    ),
    (
        "WEBHOOK",
        "DEACTIVATE",
        "as ACTIVATE: Prism's generated webhook has http_method GET, which the spec's update \
         body refuses",
    ),
];
/// Pairs made of several calls (`connect_core::usage`, `connect_core::report`): the
/// operation properties they get here, and the result codes besides SUCCESS that still mean
/// every call was accepted. Prism answers a report's status with the spec's first value,
/// `pending`, for ever: with a wait of 0 minutes Run Report creates it, checks it once and ends
/// with WAIT_EXPIRED; its later calls are the Get and Download pairs of Report.
const WORKFLOWS: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "USAGE_REPORT",
        "SUBMIT_USAGE_RECORDS",
        &["submit=false"],
        &[],
    ),
    (
        "REPORT",
        "RUN_REPORT",
        &["wait_minutes=0"],
        &["WAIT_EXPIRED"],
    ),
];

/// The body of Submit Usage Records: a usage file with one record, as a user sends it (the
/// profile's smallest instance has no quantity and no valid times).
fn usage_records_body() -> Value {
    json!({
        "name": "Contract usage",
        "product": {"id": PLACEHOLDER_ID},
        "contract": {"id": PLACEHOLDER_ID},
        "records": [{
            "record_id": "R-1",
            "item_search_criteria": "item.mpn",
            "item_search_value": "MPN-1",
            "quantity": 2,
            "start_time_utc": "2024-03-01 00:00:00",
            "end_time_utc": "2024-03-31 23:59:59",
            "asset_search_criteria": "asset.id",
            "asset_search_value": "AS-0000-0000-0001"
        }]
    })
}

const TOKEN: &str = "ApiKey SU-000-000-000:contract0test0token";
/// A placeholder id for every path parameter; the spec puts no pattern on ids.
const PLACEHOLDER_ID: &str = "ID-0000-0000-0001";

fn spec_path() -> PathBuf {
    codegen::profiles::spec_path()
}

fn sample_upload() -> PathBuf {
    root().join("../shared/fixtures/connect-extension-boomi/test-resources/UF.xlsx")
}

/// The Connect spec, read once for the request bodies.
static SPEC: LazyLock<Value> =
    LazyLock::new(|| codegen::profiles::load_spec().expect("the Connect OpenAPI spec is readable"));

/// What every pair shares: the archive, a scratch directory, the sample upload and one Prism.
struct Suite {
    car: PathBuf,
    work: PathBuf,
    upload: PathBuf,
    prism: Server,
}

static SUITE: LazyLock<Result<Suite, String>> =
    LazyLock::new(|| start().map_err(|e| format!("{e:#}")));

fn start() -> Result<Suite> {
    let car = system_tests::archive();
    let spec = spec_path();
    ensure!(
        spec.is_file(),
        "the Connect OpenAPI spec is missing at {}",
        spec.display()
    );
    let upload = sample_upload();
    ensure!(
        upload.is_file(),
        "the sample usage file is missing at {}",
        upload.display()
    );
    ensure!(
        system_tests::prism_bin().is_file(),
        "Prism is missing at {}: `cargo xtask test --only setup` installs it (npm ci in tests/)",
        system_tests::prism_bin().display()
    );
    let work = system_tests::work_dir("contract");

    let port = free_port()?;
    let mut cmd = std::process::Command::new(system_tests::prism_bin());
    cmd.current_dir(root())
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(&spec);
    // Any HTTP answer on `/` means the routes are loaded (it is a 404: no such path).
    let prism = Server::start(
        "Prism",
        cmd,
        port,
        &work.join("prism.log"),
        "/",
        |_| true,
        Duration::from_secs(120),
    )?;
    Ok(Suite {
        car,
        work,
        upload,
        prism,
    })
}

/// The test of one pair: it must come back SUCCESS from Prism, or, when it is listed in
/// [`KNOWN_FAILURES`], still fail.
fn pair(object: &str, action: &str) {
    let ctx = match &*SUITE {
        Ok(ctx) => ctx,
        Err(err) => panic!("the contract suite could not start: {err}"),
    };
    let entry = operations::entries()
        .into_iter()
        .find(|e| e.object == object && e.action == action)
        .expect("build.rs writes tests for catalog pairs only");
    println!(
        "contract {object} {action} ({} {})",
        entry.method, entry.path
    );
    let outcome = check_pair(&entry, &ctx.prism, &ctx.car, &ctx.work, &ctx.upload);
    let known = KNOWN_FAILURES
        .iter()
        .find(|(o, a, _)| *o == object && *a == action);
    match (outcome, known) {
        (Ok(()), None) => {}
        (Err(err), None) => panic!("{err:#}"),
        (Err(err), Some((_, _, why))) => println!("KNOWN FAILURE: {why}\n    {err:#}"),
        (Ok(()), Some(_)) => panic!(
            "listed as a known failure but passes now: remove it from KNOWN_FAILURES in \
             tests/system/tests/contract.rs"
        ),
    }
}

fn check_pair(entry: &Entry, prism: &Server, car: &Path, work: &Path, upload: &Path) -> Result<()> {
    if entry.method == operations::NO_CALL {
        return check_local(entry, car, work);
    }
    let mut args = base_args(entry, &prism.base_url());
    let params = path_params(entry.path);
    for p in &params {
        let value = if *p == "resource_path" {
            // The `{id}` inside a Generic path is filled from the `id` property (or, for
            // GET and DELETE, Boomi's object id).
            args.extend(["--property".into(), format!("id={PLACEHOLDER_ID}")]);
            generic_path(entry)
        } else {
            PLACEHOLDER_ID.to_string()
        };
        args.extend(["--property".into(), format!("{p}={value}")]);
    }
    match entry.boomi_type {
        "GET" | "DELETE" => args.extend(["--object-id".into(), PLACEHOLDER_ID.into()]),
        "QUERY" => args.extend(["--property".into(), "maxDocuments=1".into()]),
        _ => {}
    }
    let workflow = WORKFLOWS
        .iter()
        .find(|(o, a, _, _)| *o == entry.object && *a == entry.action);
    for p in workflow.map_or(&[][..], |w| w.2) {
        args.extend(["--property".into(), (*p).into()]);
    }
    if let Some(schema_name) = body_schema(entry) {
        let instance = if schema_name == connect_catalog::usage::PROFILE {
            usage_records_body()
        } else {
            // The spec's own form of the profile's schema: a profile cannot say "`id` or
            // `email`" or which text is a timestamp, and Prism checks both.
            minimal_instance(&codegen::profiles::spec_schema(&SPEC, schema_name)?, 0)
        };
        let body = work.join(format!("{}-{}.json", entry.object, entry.action));
        std::fs::write(&body, serde_json::to_vec(&instance)?)?;
        args.push(body.display().to_string());
    } else if entry.input.starts_with("multipart:") {
        args.push(upload.display().to_string());
    }

    expect_success(car, &args, workflow.map_or(&[][..], |w| w.3))
}

/// A pair the connector does itself (Verify Webhook Call): the spec has nothing to check, so
/// what is checked is that it needs nothing from Connect. The endpoint is a closed port, where
/// any request would fail the document; a call signed as Connect signs it must succeed.
fn check_local(entry: &Entry, car: &Path, work: &Path) -> Result<()> {
    ensure!(
        entry.action == "VERIFY_WEBHOOK_CALL",
        "{} {} calls nothing, and this stage knows no check for it",
        entry.object,
        entry.action
    );
    let closed = free_port()?;
    let secret = "contract-webhook-secret";
    let claims = format!(
        r#"{{"webhook_id":"WB-000-000-001","exp":{}}}"#,
        jwt::now() + 600
    );
    let token = jwt::sign(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, secret);
    let body = work.join("webhook-call.json");
    std::fs::write(
        &body,
        r#"{"webhook_id":"WB-000-000-001","object_class":"fulfillment_request","product_id":"PRD-000-000-000"}"#,
    )?;
    let mut args = base_args(entry, &format!("http://127.0.0.1:{closed}"));
    args.extend([
        "--property".into(),
        format!("{}={secret}", connect_catalog::webhook::SECRET_SETTING),
        "--doc-property".into(),
        format!(
            "{}=Bearer {token}",
            connect_catalog::webhook::TOKEN_PROPERTY
        ),
        body.display().to_string(),
    ]);
    expect_success(car, &args, &[])
}

/// The runner's connection (one attempt: Prism answers in milliseconds, and a retry would only
/// hide a failure), action and object for a pair.
fn base_args(entry: &Entry, endpoint: &str) -> Vec<String> {
    let mut args = system_tests::connection_args([
        format!("endpoint={endpoint}"),
        format!("apiToken={TOKEN}"),
        "maxAttempts=1".into(),
    ]);
    args.extend(["--action", entry.action, "--object", entry.object].map(String::from));
    args
}

/// Runs the runner and fails unless every document it answered is a SUCCESS, or a result whose
/// status code is one of `accepted` (see [`WORKFLOWS`]).
fn expect_success(car: &Path, args: &[String], accepted: &[&str]) -> Result<()> {
    let mut cmd = system_tests::runner_command(car);
    cmd.args(args);
    let out = system_tests::output(&mut cmd)?;
    let results = system_tests::json_values(&out.stdout)?;
    let bad: Vec<String> = results
        .iter()
        .filter(|r| {
            let code = r.get("statusCode").and_then(Value::as_str).unwrap_or("");
            r.get("status").and_then(Value::as_str) != Some("SUCCESS") && !accepted.contains(&code)
        })
        .map(|r| {
            format!(
                "{} {}: {}",
                r["status"].as_str().unwrap_or("?"),
                r["statusCode"].as_str().unwrap_or("?"),
                r["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    ensure!(
        // The runner exits 1 when a document did not succeed: an accepted workflow code.
        (out.status.success() || !accepted.is_empty()) && !results.is_empty() && bad.is_empty(),
        "Prism (or the runner) rejected it: {}\n    stderr: {}",
        if bad.is_empty() {
            "no result".to_string()
        } else {
            bad.join("; ")
        },
        out.stderr.trim()
    );
    Ok(())
}

/// `{name}` segments of a catalog path template.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// Real spec paths for the Generic Resource's user-given path, each with the catalog
/// profile whose body that path takes (the Generic profile itself is any JSON object):
/// cases can be listed, read, created and updated, marketplaces deleted, requests approved.
const GENERIC_TARGETS: &[(&str, &str, Option<&str>)] = &[
    ("QUERY", "/helpdesk/cases", None),
    ("GET", "/helpdesk/cases/{id}", None),
    ("CREATE", "/helpdesk/cases", Some("NewCase")),
    ("UPDATE", "/helpdesk/cases/{id}", Some("UpdateCase")),
    ("DELETE", "/marketplaces/{id}", None),
    ("EXECUTE", "/requests/{id}/approve", Some("ApproveRequest")),
];

fn generic_target(
    entry: &Entry,
) -> Option<&'static (&'static str, &'static str, Option<&'static str>)> {
    GENERIC_TARGETS
        .iter()
        .find(|(t, _, _)| *t == entry.boomi_type)
}

fn generic_path(entry: &Entry) -> String {
    generic_target(entry).map_or("/", |t| t.1).to_string()
}

/// The profile the pair's JSON body follows, if it sends one.
fn body_schema(entry: &Entry) -> Option<&str> {
    let own = entry.input.strip_prefix("json:")?;
    if entry.object == "GENERIC" {
        return generic_target(entry).and_then(|t| t.2);
    }
    Some(own)
}

/// The smallest JSON value that a schema (refs already resolved, see
/// `profiles::spec_schema`) accepts: required properties only, first enum value or variant, minimum
/// lengths and counts. Depth-limited because generated profiles cut cycles but can nest deep.
fn minimal_instance(schema: &Value, depth: usize) -> Value {
    if depth > 16 {
        return Value::Null;
    }
    if let Some(v) = fixed_value(schema) {
        return v;
    }
    // Combinators: fold the chosen variant (the first of oneOf/anyOf, every part of allOf)
    // into the surrounding schema, so a variant that only adds `required` still sees the
    // properties declared beside it (Connect's assign body is written that way).
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            let mut base = schema.clone();
            if let Some(o) = base.as_object_mut() {
                o.remove(key);
            }
            let chosen = if key == "allOf" {
                &parts[..]
            } else {
                &parts[..parts.len().min(1)]
            };
            for part in chosen {
                merge_schema(&mut base, part);
            }
            return minimal_instance(&base, depth + 1);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "object",
    };
    match ty {
        "object" => {
            let props = schema.get("properties").and_then(Value::as_object);
            let mut out = Map::new();
            // Properties with a fixed set of values act as discriminators (`"type": "change"`
            // picks one of the spec's request variants): a user always sends them, and
            // without them a body can match several `oneOf` variants. Send the first value.
            // Only text values discriminate: an optional enum of numbers (a case's priority
            // 0..3 and rating 1..5) is left out, because the spec types those `string` with
            // numeric values, so Prism refuses every value of them (the profiles follow
            // Connect's examples and send numbers).
            for (name, sub) in props.into_iter().flatten() {
                if let Some(v) = fixed_value(sub).filter(Value::is_string) {
                    out.insert(name.clone(), v);
                }
            }
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let sub = props
                    .and_then(|p| p.get(name))
                    .cloned()
                    .unwrap_or(json!({}));
                out.insert(name.to_string(), minimal_instance(&sub, depth + 1));
            }
            Value::Object(out)
        }
        "array" => {
            let n = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let item = schema.get("items").cloned().unwrap_or(json!({}));
            Value::Array((0..n).map(|_| minimal_instance(&item, depth + 1)).collect())
        }
        "string" => Value::String(match schema.get("format").and_then(Value::as_str) {
            Some("date-time" | "datetime") => "2024-01-01T00:00:00+00:00".into(),
            Some("date") => "2024-01-01".into(),
            Some("email") => "user@example.com".into(),
            Some("uri" | "url") => "https://example.com".into(),
            Some("uuid") => "00000000-0000-0000-0000-000000000001".into(),
            _ => {
                let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(1);
                "x".repeat(usize::try_from(min.max(1)).unwrap_or(1))
            }
        }),
        "integer" | "number" => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        "boolean" => Value::Bool(true),
        _ => Value::Null,
    }
}

/// The `const`, or the first `enum` value, of a schema, when it fits the declared type (a
/// hand-written schema may still contradict itself; the generated profiles type an enum of
/// numbers as `integer`, see `codegen/src/profiles.rs`).
fn fixed_value(schema: &Value) -> Option<Value> {
    let v = schema.get("const").or_else(|| {
        schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
    })?;
    let fits = match schema.get("type").and_then(Value::as_str) {
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        _ => true,
    };
    fits.then(|| v.clone())
}

/// `a` and `b` together: properties merged, required lists joined, other keys from `b`.
fn merge_schema(a: &mut Value, b: &Value) {
    let (Some(a), Some(b)) = (a.as_object_mut(), b.as_object()) else {
        return;
    };
    for (k, v) in b {
        match (k.as_str(), a.get_mut(k), v) {
            ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                mine.extend(theirs.clone());
            }
            ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                mine.extend(
                    theirs
                        .iter()
                        .filter(|r| !mine.contains(r))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
            _ => {
                a.insert(k.clone(), v.clone());
            }
        }
    }
}

mod minimal {
    use super::*;

    #[test]
    fn minimal_instances() {
        let schema = json!({
            "type": "object",
            "required": ["name", "kind", "tags", "when", "n", "nested"],
            "properties": {
                "name": {"type": "string", "minLength": 3},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "tags": {"type": "array", "minItems": 1, "items": {"type": ["null", "integer"]}},
                "when": {"type": "string", "format": "date-time"},
                "n": {"type": "integer", "minimum": 5},
                "nested": {"oneOf": [{"type": "object", "required": ["id"],
                                      "properties": {"id": {"type": "string"}}}, {"type": "string"}]},
                "optional": {"type": "string"},
                "priority": {"type": "string", "enum": [0, 1]},
                "rating": {"type": "integer", "enum": [1, 5]},
                "discriminator": {"type": "string", "enum": ["change"]}
            }
        });
        assert_eq!(
            minimal_instance(&schema, 0),
            json!({"name": "xxx", "kind": "a", "tags": [1], "when": "2024-01-01T00:00:00+00:00",
                   "n": 5, "nested": {"id": "x"}, "discriminator": "change"})
        );
    }

    #[test]
    fn variants_see_the_properties_beside_them() {
        let assign = json!({
            "type": "object",
            "properties": {"id": {"type": "string"}, "email": {"type": "string", "format": "email"}},
            "oneOf": [{"required": ["id"]}, {"required": ["email"]}]
        });
        assert_eq!(minimal_instance(&assign, 0), json!({"id": "x"}));
        let all = json!({"allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "boolean"}}},
            {"required": ["b"], "properties": {"b": {"type": "integer"}}}
        ]});
        assert_eq!(minimal_instance(&all, 0), json!({"a": true, "b": 1}));
    }

    #[test]
    fn params_of_a_template() {
        assert_eq!(
            path_params("/products/{product_id}/items/{item_id}"),
            ["product_id", "item_id"]
        );
        assert!(path_params("/requests").is_empty());
    }
}
