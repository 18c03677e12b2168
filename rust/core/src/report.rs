//! "Run Report" on Report: create a report run, wait until Connect has made it, return its file.
//!
//! The input document is the body of `POST /reporting/reports` (template, name, parameters).
//! The report's status is then read with Get Resource's call, with growing pauses (1 s, 2 s,
//! 4 s, … at most 30 s), until it is `succeeded` or `failed` or the operation's "Wait Up To
//! (minutes)" is over; each check is logged with the status and progress. A succeeded report
//! gives its file (Download Resource File's call) as a binary document, or with "Return
//! Report Object" the report object. A failed or unfinished report is an APPLICATION_ERROR
//! whose document is Connect's report object.

use crate::catalog::Action;
use crate::client::{Client, RequestBody};
use crate::execute::DocJson;
use crate::log::Log;
use crate::operation::{Operation, tracked};
use crate::wire::{DocResult, Payload};
use crate::workflow::{Steps, WAIT_LABEL, member, with_object};

pub use connect_catalog::report::{DEFAULT_WAIT_MINUTES, OBJECT_PARAM};

pub(crate) async fn run(
    client: &Client,
    op: &Operation,
    index: usize,
    doc: &DocJson,
    body: Option<Vec<u8>>,
) -> (DocResult, Log) {
    let mut steps = Steps::new(client, op, index);
    let outcome = run_steps(&mut steps, doc, body).await;
    steps.finish(outcome)
}

async fn run_steps(
    steps: &mut Steps<'_>,
    doc: &DocJson,
    body: Option<Vec<u8>>,
) -> Result<DocResult, DocResult> {
    let (client, op) = (steps.client, steps.op);
    let mut poll = steps.poll(DEFAULT_WAIT_MINUTES)?;
    let return_object = op.properties.flag(OBJECT_PARAM, false);
    let (get, download) = (steps.spec(Action::Get)?, steps.spec(Action::Download)?);
    // The create call is the action's own: the same checks of the document as any JSON action.
    let create = crate::execute::prepare(client, op, doc, body)
        .map_err(|m| crate::execute::bad_input(&client.redact(&m)))?;
    let mut report = steps.send(op.spec, &create, "").await?;
    let id = steps.created_id(&report, "a report")?;
    let started = std::time::Instant::now();
    loop {
        let status = member(&report.body, "status");
        steps.info(format_args!(
            "report {id} is {status}{} after {} s",
            progress(&report.body),
            started.elapsed().as_secs()
        ));
        match status.as_str() {
            "succeeded" => break,
            "failed" => {
                let why = member(&report.body, "failure_output");
                let message = client.redact(&format!("report {id} failed: {why}"));
                return Err(with_object(
                    DocResult::application_error("REPORT_FAILED", message),
                    &report.body,
                ));
            }
            _ => {}
        }
        if !poll.pause().await {
            let message = format!(
                "report {id} was not finished within \"{WAIT_LABEL}\" (status {status}); it goes \
                 on in Connect: get it later with Get Resource and Download Resource File on Report"
            );
            return Err(with_object(
                DocResult::application_error("WAIT_EXPIRED", message),
                &report.body,
            ));
        }
        let context = format!("report {id} was created, but checking its status failed: ");
        report = steps
            .call(get, Some(&id), RequestBody::None, &context)
            .await?;
    }
    if return_object {
        let done = DocResult::success(
            report.status.to_string(),
            format!("report {id} succeeded"),
            Vec::new(),
        );
        return Ok(with_object(done, &report.body));
    }
    let context = format!("report {id} succeeded, but downloading its file failed: ");
    let file = steps
        .call(download, Some(&id), RequestBody::None, &context)
        .await?;
    steps.info(format_args!(
        "report {id} downloaded, {} bytes",
        file.body.len()
    ));
    Ok(DocResult::success(
        file.status.to_string(),
        format!("report {id} succeeded: {} bytes", file.body.len()),
        vec![Payload {
            tracked: tracked(&report.body),
            data: file.body,
        }],
    ))
}

/// `, 3 of 10` from the report's `progress`, when it says.
fn progress(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    match (
        v["progress"]["value"].as_i64(),
        v["progress"]["max"].as_i64(),
    ) {
        (Some(value), Some(max)) if max > 0 => format!(", {value} of {max}"),
        _ => String::new(),
    }
}
