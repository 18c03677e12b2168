//! The faults suite: the BUILT archive, through the local runner, against a purpose-built
//! HTTP server on 127.0.0.1 that injects what only a real socket can: a refused connection, a
//! reset mid-response, read timeouts on GET and POST, a POST cut after it was sent, an error
//! page echoing the token; plus a forward proxy (with and without credentials, and bypassed via
//! non-proxy hosts), parallel pages counted in flight, and Verify Webhook Call's secret. Which
//! status is retried on which method, and how paging treats a server that does not page, are
//! the core's rules and proven in its tests (`rust/core`), not again here.
//!
//! Every case checks: one result per input document, in order; the exact number of requests
//! the server saw (so retries are counted, and a POST is never executed twice); a message that
//! says the status or failure kind and how many attempts were made. Every runner invocation uses
//! a canary token (and a canary proxy password and Webhook Secret) and its whole output, stdout
//! and stderr (process log, messages, payloads), is scanned for any 8+ character piece of them.
//! The runner runs with `-Xcheck:jni`, and any JNI warning fails the case.
//!
//! A hostile server too: gzip bombs that inflate to gigabytes (the runner's peak resident memory
//! is measured and must stay under [`BOMB_RSS_BOUND_MB`]), an answer that drips one byte at a
//! time (ended by the request deadline), a redirect from https to http (an `openssl s_server`
//! plays the https side), and an endpoint with `user:password@`. Redirects to another host are
//! the core's tests (`rust/core/tests/hostile.rs`).

use anyhow::{Context, Result, bail, ensure};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;
use system_tests::fault_server::{FaultServer, Proxy, Reply, Seen, scan};
use system_tests::{Run, server};

const SECRET: &str = "CANARYfaultsSECRET0123456789";
const PROXY_USER: &str = "proxyuser";
const PROXY_PASSWORD: &str = "CANARYproxyPASS98765";
/// The password of an endpoint written as `http://user:password@host`: refused, never shown.
const ENDPOINT_PASSWORD: &str = "CANARYepPASSq7Z4321";
/// The Webhook Secret of the Verify Webhook Call case.
const WEBHOOK_SECRET: &str = "CANARYwebhookJWTsecret4242";
/// The Approve call every POST case uses; the fault hits the document whose template is this.
const FAULTY: &str = "TL-000-000-666";
const APPROVE_PATH: &str = "/public/v1/requests/PR-1000-0000-0001-001/approve";
const GET_PATH: &str = "/public/v1/requests/PR-1000-0000-0001-001";

fn token() -> String {
    format!("ApiKey SU-000-000-777:{SECRET}")
}

type Case = fn(&Ctx) -> Result<()>;

/// The expected result of a faulty document that succeeded on its 2nd attempt.
const AFTER_2: (&str, &str, &str) = ("SUCCESS", "200", "after 2 attempts");

// The retry cases are one fault each, run by [`get_case`] / [`post_case`]: (fault, how many
// answers are the fault, how many requests the server must see, the expected result).
/// One `#[test]` per case (in `case::`), each running its case through [`case`].
macro_rules! cases {
    ($($name:ident => $case:expr),* $(,)?) => {
        mod case {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $name() -> anyhow::Result<()> {
                    super::case($case)
                }
            )*
        }
    };
}

cases! {
    get_refused_is_retried_then_fails => get_refused,
    get_reset_mid_response_is_retried => |c| {
        get_case(c, |_| Reply::ResetMidResponse, 1, 2, AFTER_2)
    },
    get_read_timeout_is_retried => |c| {
        get_case(c, |_| Reply::Hang(Duration::from_secs(3)), 1, 2, AFTER_2)
    },
    post_read_timeout_is_not_retried => |c| {
        let fault = |_: &Seen| Reply::Hang(Duration::from_secs(3));
        let want = ("FAILURE", "TIMEOUT", "not retried");
        post_case(c, fault, usize::MAX, 1, want)
    },
    error_page_echoing_the_token_is_retried_and_not_passed_on => |c| {
        let want = ("APPLICATION_ERROR", "504", "after 3 attempts");
        get_case(c, |s| Reply::echo(504, s), usize::MAX, 3, want)
    },
    post_cut_after_request_is_not_retried => |c| {
        let want = ("FAILURE", "IO", "not retried");
        post_case(c, |_| Reply::Cut, usize::MAX, 1, want)
    },
    proxy_routes_requests => proxy_routes,
    proxy_with_credentials => proxy_credentials,
    non_proxy_hosts_bypass_the_proxy => proxy_bypass,
    unknown_object_type_is_a_clear_error => unknown_object,
    list_parallel_pages_in_order_once => list_parallel,
    list_429_lowers_parallel_pages_and_loses_nothing => list_throttled,
    list_maximum_documents_with_parallel_pages => list_maximum_documents,
    list_changing_total_falls_back_to_one_page_at_a_time => list_changing_total,
    verify_webhook_call_tokens => verify_webhook_call,
    gzip_bomb_get_fails_within_memory => |c| {
        let want = (
            "FAILURE",
            "TOO_LARGE",
            "\"Maximum Response Size (MB)\" of 100 MB",
        );
        bomb_case(c, "GET", want)
    },
    gzip_bomb_list_page_fails_within_memory => |c| {
        let want = ("FAILURE", "HTTP", "\"Maximum Page Size (MB)\" of 64 MB");
        bomb_case(c, "LIST", want)
    },
    gzip_bomb_error_answer_is_read_in_part => |c| {
        bomb_case(c, "GET", ("APPLICATION_ERROR", "400", "400 Bad Request"))
    },
    drip_ends_at_the_request_deadline => drip_case,
    endpoint_with_credentials_is_refused => endpoint_credentials,
    redirect_from_https_to_http_is_refused => redirect_downgrade,
}

/// The archive and the fault server, shared by the cases; started by the first case.
static CTX: LazyLock<Result<Ctx, String>> = LazyLock::new(|| start().map_err(|e| format!("{e:#}")));
/// Held by the running case: the cases share the server's plan and what it saw.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn start() -> Result<Ctx> {
    Ok(Ctx {
        car: system_tests::archive(),
        work: system_tests::work_dir("faults"),
        server: FaultServer::start()?,
    })
}

/// Runs one case alone, the server answering 200 until the case sets its plan.
fn case(case: Case) -> Result<()> {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let ctx = match &*CTX {
        Ok(ctx) => ctx,
        Err(err) => bail!("the faults suite could not start: {err}"),
    };
    ctx.server.reset(Box::new(|_, _| Reply::ok()));
    case(ctx)
}

// ------------------------------------------------------------------------- the runner

struct Ctx {
    car: PathBuf,
    work: PathBuf,
    server: FaultServer,
}

impl Ctx {
    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/public/v1", self.server.port)
    }

    /// The runner with a connection to `endpoint` (3 attempts, 1 s retry wait, 1 s read
    /// timeout) and `args`; output scanned for the canaries and JNI warnings.
    fn run(&self, endpoint: &str, args: &[&str]) -> Result<Run> {
        Ok(self.run_with(endpoint, &[], args, false)?.0)
    }

    /// [`Ctx::run`] with more connection settings (`key=value`, overriding the defaults), and
    /// the runner's peak resident memory (VmHWM, KiB) sampled while it runs when `measure`.
    fn run_with(
        &self,
        endpoint: &str,
        connection: &[String],
        args: &[&str],
        measure: bool,
    ) -> Result<(Run, Option<u64>)> {
        let mut cmd = system_tests::runner_command(&self.car);
        let defaults = [
            format!("endpoint={endpoint}"),
            format!("apiToken={}", token()),
            "maxAttempts=3".into(),
            "maxRetryWaitSeconds=1".into(),
            "readTimeoutSeconds=1".into(),
            "connectTimeoutSeconds=2".into(),
        ];
        cmd.args(system_tests::connection_args(
            defaults.iter().chain(connection),
        ))
        .args(args)
        .env("JAVA_TOOL_OPTIONS", "-Xcheck:jni");
        let (out, peak_rss_kb) = if measure {
            let (out, peak) = output_measured(&mut cmd)?;
            (out, Some(peak))
        } else {
            (system_tests::output(&mut cmd)?, None)
        };
        let (stdout, stderr) = (&out.stdout, &out.stderr);
        scan(
            &format!("{stdout}\n{stderr}"),
            &[SECRET, PROXY_PASSWORD, ENDPOINT_PASSWORD, WEBHOOK_SECRET],
        )?;
        ensure!(
            !stdout.contains("in native method") && !stderr.contains("in native method"),
            "-Xcheck:jni reported a problem:\n{stdout}\n{stderr}"
        );
        Ok((Run::parse(out)?, peak_rss_kb))
    }

    fn get(&self, endpoint: &str, extra: &[&str]) -> Result<Run> {
        self.run(endpoint, &get_args(extra))
    }

    /// Approve with three documents; the middle one uses the [`FAULTY`] template.
    fn approve(&self) -> Result<Run> {
        self.approve_with(&[])
    }

    /// [`Ctx::approve`] with more connection settings.
    fn approve_with(&self, connection: &[String]) -> Result<Run> {
        let docs = self.docs(&[
            r#"{"template_id":"TL-000-000-001"}"#.to_owned(),
            format!(r#"{{"template_id":"{FAULTY}"}}"#),
            r#"{"template_id":"TL-000-000-003"}"#.to_owned(),
        ])?;
        let mut args = vec![
            "--action",
            "APPROVE",
            "--object",
            "REQUEST",
            "--property",
            "request_id=PR-1000-0000-0001-001",
        ];
        args.extend(docs.iter().map(String::as_str));
        Ok(self.run_with(&self.endpoint(), connection, &args, false)?.0)
    }

    fn docs(&self, bodies: &[String]) -> Result<Vec<String>> {
        bodies
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let path = self.work.join(format!("doc-{i}.json"));
                std::fs::write(&path, b)?;
                Ok(path.display().to_string())
            })
            .collect()
    }

    /// How many requests the server saw per approve template, and for GET.
    fn counts(&self) -> (usize, HashMap<String, usize>) {
        let mut gets = 0;
        let mut posts = HashMap::new();
        for s in self.server.seen() {
            match (s.method.as_str(), s.path()) {
                ("GET", GET_PATH) => gets += 1,
                ("POST", APPROVE_PATH) => *posts.entry(s.template()).or_insert(0) += 1,
                _ => {}
            }
        }
        (gets, posts)
    }
}

/// The runner arguments of a GET of the request at [`GET_PATH`], then `extra`.
fn get_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--action",
        "GET",
        "--object",
        "REQUEST",
        "--object-id",
        "PR-1000-0000-0001-001",
    ];
    args.extend_from_slice(extra);
    args
}

/// Runs `cmd` like [`system_tests::output`], sampling its peak resident memory (VmHWM, which
/// only grows) until it exits; returns the last reading in KiB.
fn output_measured(cmd: &mut std::process::Command) -> Result<(system_tests::Output, u64)> {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("could not start the runner")?;
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().context("no stdout")?));
    let err = drain(Box::new(child.stderr.take().context("no stderr")?));
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        let hwm = std::fs::read_to_string(&status_path).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        });
        peak = peak.max(hwm.unwrap_or(0));
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = out
        .join()
        .map_err(|_| anyhow::anyhow!("stdout reader panicked"))?;
    let stderr = err
        .join()
        .map_err(|_| anyhow::anyhow!("stderr reader panicked"))?;
    ensure!(
        peak > 0,
        "the runner's memory could not be read from {status_path}"
    );
    Ok((
        system_tests::Output {
            status,
            stdout,
            stderr,
        },
        peak,
    ))
}

/// GET case: the plan's first `failures` answers are `fault`, then 200. Checks `requests`
/// requests, one result with `status`/`code`, and `attempts_text` in the message.
fn get_case(
    ctx: &Ctx,
    fault: fn(&Seen) -> Reply,
    failures: usize,
    requests: usize,
    want: (&str, &str, &str),
) -> Result<()> {
    ctx.server.reset(Box::new(move |seen, nth| {
        if nth < failures {
            fault(seen)
        } else {
            Reply::ok()
        }
    }));
    let run = ctx.get(&ctx.endpoint(), &[])?;
    ensure!(
        run.results.len() == 1,
        "expected one result\n{}",
        run.explain()
    );
    check_result(&run, 0, want)?;
    let (gets, _) = ctx.counts();
    ensure!(
        gets == requests,
        "server saw {gets} GETs, expected {requests}\n{}",
        run.explain()
    );
    Ok(())
}

fn check_result(run: &Run, i: usize, (status, code, text): (&str, &str, &str)) -> Result<()> {
    let (s, c, m) = run.result(i)?;
    ensure!(
        s == status && c == code && m.contains(text),
        "document {i}: got {s} {c} {m:?}, expected {status} {code} with {text:?}\n{}",
        run.explain()
    );
    Ok(())
}

/// POST case: the faulty document's first `failures` answers are `fault`; the others succeed
/// at once. Checks three results in order, `requests` POSTs for the faulty one and exactly one
/// for each other.
fn post_case(
    ctx: &Ctx,
    fault: fn(&Seen) -> Reply,
    failures: usize,
    requests: usize,
    want: (&str, &str, &str),
) -> Result<()> {
    ctx.server.reset(Box::new(move |seen, nth| {
        if seen.template() == FAULTY && nth < failures {
            fault(seen)
        } else {
            Reply::ok()
        }
    }));
    let run = ctx.approve()?;
    ensure!(
        run.results.len() == 3,
        "expected 3 results\n{}",
        run.explain()
    );
    for (i, r) in run.results.iter().enumerate() {
        ensure!(r["input"] == i, "results out of order: {r}");
    }
    check_result(&run, 0, ("SUCCESS", "200", ""))?;
    check_result(&run, 1, want)?;
    check_result(&run, 2, ("SUCCESS", "200", ""))?;
    let (_, posts) = ctx.counts();
    let got = |t: &str| posts.get(t).copied().unwrap_or(0);
    ensure!(
        got(FAULTY) == requests && got("TL-000-000-001") == 1 && got("TL-000-000-003") == 1,
        "server saw {posts:?}, expected {requests} for {FAULTY} and 1 for each other\n{}",
        run.explain()
    );
    Ok(())
}

// ------------------------------------------------------------------------- cases

fn get_refused(ctx: &Ctx) -> Result<()> {
    // A port that was just free: nothing listens there.
    let port = server::free_port()?;
    let run = ctx.get(&format!("http://127.0.0.1:{port}/public/v1"), &[])?;
    ensure!(
        run.results.len() == 1,
        "expected one result\n{}",
        run.explain()
    );
    check_result(&run, 0, ("FAILURE", "CONNECT", "after 3 attempts"))?;
    ensure!(
        run.stderr.matches("retrying in").count() == 2,
        "expected two retry lines in the process log\n{}",
        run.explain()
    );
    Ok(())
}

/// Through a proxy: the endpoint's host name does not resolve, so only the proxy can reach it.
fn proxy_routes(ctx: &Ctx) -> Result<()> {
    let proxy = Proxy::start(None)?;
    let endpoint = format!(
        "http://connect.faults.invalid:{}/public/v1",
        ctx.server.port
    );
    let spec = format!("127.0.0.1:{}", proxy.port);
    let run = ctx.get(&endpoint, &["--proxy", &spec])?;
    check_result(&run, 0, ("SUCCESS", "200", ""))?;
    let via = proxy.seen();
    ensure!(
        via.len() == 1
            && via[0].path() == GET_PATH
            && via[0].target.starts_with("http://connect.faults.invalid:"),
        "the proxy saw {via:?}\n{}",
        run.explain()
    );
    ensure!(
        ctx.counts().0 == 1,
        "the server saw {:?}",
        ctx.server.seen()
    );
    Ok(())
}

fn proxy_credentials(ctx: &Ctx) -> Result<()> {
    let proxy = Proxy::start(Some((PROXY_USER, PROXY_PASSWORD)))?;
    let endpoint = format!(
        "http://connect.faults.invalid:{}/public/v1",
        ctx.server.port
    );
    let spec = format!("{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{}", proxy.port);
    let run = ctx.get(&endpoint, &["--proxy", &spec])?;
    check_result(&run, 0, ("SUCCESS", "200", ""))?;
    ensure!(proxy.seen().len() == 1, "the proxy saw {:?}", proxy.seen());
    // The same proxy refuses a client without credentials: the check above is not vacuous.
    let spec = format!("127.0.0.1:{}", proxy.port);
    let run = ctx.get(&endpoint, &["--proxy", &spec])?;
    check_result(&run, 0, ("APPLICATION_ERROR", "407", ""))?;
    Ok(())
}

fn proxy_bypass(ctx: &Ctx) -> Result<()> {
    let proxy = Proxy::start(None)?;
    let spec = format!("127.0.0.1:{}", proxy.port);
    let run = ctx.get(
        &ctx.endpoint(),
        &["--proxy", &spec, "--non-proxy-hosts", "localhost|127.0.0.1"],
    )?;
    check_result(&run, 0, ("SUCCESS", "200", ""))?;
    ensure!(
        proxy.seen().is_empty(),
        "a non-proxy host went through the proxy: {:?}",
        proxy.seen()
    );
    ensure!(
        ctx.counts().0 == 1,
        "the server saw {:?}",
        ctx.server.seen()
    );
    Ok(())
}

/// An object type the catalog does not know (an operation imported from another connector
/// version): the document fails with a message naming the type and saying what to do.
fn unknown_object(ctx: &Ctx) -> Result<()> {
    let run = ctx.run(
        &ctx.endpoint(),
        &[
            "--action",
            "GET",
            "--object",
            "NO_SUCH_TYPE",
            "--object-id",
            "X-1",
        ],
    )?;
    ensure!(
        run.code == Some(1),
        "expected a failed document\n{}",
        run.explain()
    );
    ensure!(
        run.results.len() == 1,
        "expected one result\n{}",
        run.explain()
    );
    check_result(&run, 0, ("FAILURE", "INVALID_REQUEST", "\"NO_SUCH_TYPE\""))?;
    check_result(&run, 0, ("FAILURE", "INVALID_REQUEST", "re-import"))?;
    ensure!(
        ctx.server.seen().is_empty(),
        "a request was sent: {:?}",
        ctx.server.seen()
    );
    Ok(())
}

// ------------------------------------------------------------------------- List Resources

const LIST_PATH: &str = "/public/v1/requests";

/// `limit` and `offset` of a List Resources request; `None` for any other request.
fn paging(seen: &Seen) -> Option<(usize, usize)> {
    if seen.method != "GET" || seen.path() != LIST_PATH {
        return None;
    }
    let get = |name| seen.query_param(name)?.parse().ok();
    Some((get("limit")?, get("offset")?))
}

fn record_id(i: usize) -> String {
    format!("PR-2000-0000-{i:04}-001")
}

/// A JSON array of the request records `from..to`.
fn records(from: usize, to: usize) -> String {
    let items: Vec<String> = (from..to)
        .map(|i| format!(r#"{{"id":"{}","status":"pending","n":{i}}}"#, record_id(i)))
        .collect();
    format!("[{}]", items.join(","))
}

/// Connect's answer to `limit`/`offset` over a collection of `total` records.
fn page_reply(limit: usize, offset: usize, total: usize) -> Reply {
    let end = (offset + limit).min(total);
    let range = if offset < end {
        format!("items {offset}-{}/{total}", end - 1)
    } else {
        format!("items 0-0/{total}")
    };
    Reply::Answer(
        200,
        vec![("Content-Range".into(), range)],
        records(offset, end.max(offset)),
    )
}

impl Ctx {
    /// List Resources of requests, 10 per page, with more operation properties.
    fn list(&self, props: &[&str]) -> Result<Run> {
        let mut args = vec![
            "--action",
            "LIST",
            "--object",
            "REQUEST",
            "--property",
            "pageSize=10",
        ];
        for p in props {
            args.extend(["--property", p]);
        }
        self.run(&self.endpoint(), &args)
    }

    /// `(limit, offset)` of every List request the server saw, in the order they came.
    fn pages_seen(&self) -> Vec<(usize, usize)> {
        self.server.seen().iter().filter_map(paging).collect()
    }
}

/// The ids of a query's documents, in the order they came; fails on any result that is not a
/// SUCCESS with a payload.
fn listed_ids(run: &Run) -> Result<Vec<String>> {
    run.results
        .iter()
        .map(|r| {
            ensure!(
                r["status"] == "SUCCESS",
                "not a success: {r}\n{}",
                run.explain()
            );
            r["payload"]["id"]
                .as_str()
                .map(str::to_owned)
                .with_context(|| format!("no payload id in {r}"))
        })
        .collect()
}

fn expect_ids(run: &Run, n: usize) -> Result<()> {
    let got = listed_ids(run)?;
    let want: Vec<String> = (0..n).map(record_id).collect();
    ensure!(
        got == want,
        "expected records 0..{n} once each, in order; got {} documents: {:?}…\n{}",
        got.len(),
        got.iter().take(12).collect::<Vec<_>>(),
        run.explain()
    );
    Ok(())
}

fn sorted(mut pages: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    pages.sort_by_key(|&(limit, offset)| (offset, limit));
    pages
}

/// Pages answered after different pauses, so later pages often arrive before earlier ones.
fn delayed_page(seen: &Seen, total: usize) -> Reply {
    let Some((limit, offset)) = paging(seen) else {
        return Reply::Answer(404, Vec::new(), "{}".into());
    };
    let pause = Duration::from_millis(20 + (offset / 10 % 3) as u64 * 60);
    Reply::Delayed(pause, Box::new(page_reply(limit, offset, total)))
}

fn list_parallel(ctx: &Ctx) -> Result<()> {
    for parallel in [1, 4, 16] {
        ctx.server.reset(Box::new(|seen, _| delayed_page(seen, 95)));
        let run = ctx.list(&[&format!("parallelPages={parallel}")])?;
        expect_ids(&run, 95)?;
        let want: Vec<(usize, usize)> = (0..10).map(|p| (10, p * 10)).collect();
        let pages = ctx.pages_seen();
        ensure!(
            sorted(pages.clone()) == want,
            "{parallel} parallel pages: expected each of 10 pages requested once, got {pages:?}"
        );
        let most = ctx.server.max_in_flight();
        ensure!(
            most <= parallel,
            "{parallel} parallel pages: {most} requests were in flight at once"
        );
        ensure!(
            !run.stderr.contains("WARNING"),
            "{parallel} parallel pages: unexpected warning\n{}",
            run.explain()
        );
    }
    Ok(())
}

fn list_throttled(ctx: &Ctx) -> Result<()> {
    // The server counts requests by path, not query: the page's own first answer is tracked here.
    let throttled = AtomicBool::new(false);
    ctx.server
        .reset(Box::new(move |seen, _| match paging(seen) {
            Some((_, 30)) if !throttled.swap(true, Ordering::SeqCst) => Reply::Answer(
                429,
                vec![("Retry-After".into(), "1".into())],
                r#"{"error_code":"THROTTLED"}"#.into(),
            ),
            _ => delayed_page(seen, 95),
        }));
    let run = ctx.list(&["parallelPages=4"])?;
    expect_ids(&run, 95)?;
    let pages = ctx.pages_seen();
    ensure!(
        pages.len() == 11 && pages.iter().filter(|p| p.1 == 30).count() == 2,
        "expected 10 pages and the throttled one once more, got {pages:?}"
    );
    let said = "Connect asked to slow down (HTTP 429 or 503); at most 2 page requests at once";
    ensure!(
        run.stderr.matches(said).count() == 1,
        "expected the lowering said once\n{}",
        run.explain()
    );
    Ok(())
}

fn list_maximum_documents(ctx: &Ctx) -> Result<()> {
    ctx.server.reset(Box::new(|seen, _| delayed_page(seen, 95)));
    let run = ctx.list(&["parallelPages=4", "maxDocuments=35"])?;
    expect_ids(&run, 35)?;
    let pages = sorted(ctx.pages_seen());
    ensure!(
        pages == [(10, 0), (10, 10), (10, 20), (5, 30)],
        "expected 3 full pages and one of the 5 left, got {pages:?}"
    );
    ensure!(
        run.stderr
            .contains("stopped at the maximum of 35 documents"),
        "{}",
        run.explain()
    );
    Ok(())
}

fn list_changing_total(ctx: &Ctx) -> Result<()> {
    // 95 records when the query starts; 10 deleted from the end before the second page.
    ctx.server.reset(Box::new(|seen, _| match paging(seen) {
        Some((limit, 0)) => page_reply(limit, 0, 95),
        Some((limit, offset)) => Reply::Delayed(
            Duration::from_millis(20),
            Box::new(page_reply(limit, offset, 85)),
        ),
        None => Reply::Answer(404, Vec::new(), "{}".into()),
    }));
    let run = ctx.list(&["parallelPages=4"])?;
    expect_ids(&run, 85)?;
    ensure!(
        run.stderr.contains("changed from 95 to 85")
            && run
                .stderr
                .contains("the remaining pages are requested one at a time"),
        "expected the change and the fallback in the log\n{}",
        run.explain()
    );
    let pages = ctx.pages_seen();
    ensure!(
        pages.iter().all(|&(_, offset)| offset < 85),
        "a page past the total was requested: {pages:?}"
    );
    Ok(())
}

/// Verify Webhook Call through the archive, one run per token (the token is a document
/// property, the same for every document of a run): Connect's valid token succeeds with the
/// claims added; a tampered one is an APPLICATION_ERROR with a JSON error document. No run
/// sends a request, and the secret (a canary, like the API token) appears in no output. Every
/// other way a token is refused (expired, `alg: none`, another algorithm, missing) is the
/// webhook module's unit tests.
fn verify_webhook_call(ctx: &Ctx) -> Result<()> {
    use system_tests::jwt;
    let now = jwt::now();
    let hs256 = r#"{"alg":"HS256","typ":"JWT"}"#;
    let claims = format!(r#"{{"webhook_id":"WB-000-000-001","exp":{}}}"#, now + 600);
    let valid = jwt::sign(hs256, &claims, WEBHOOK_SECRET);
    let tampered = {
        let (_, sig) = valid.rsplit_once('.').context("a JWT")?;
        let forged = jwt::sign(hs256, r#"{"webhook_id":"WB-666"}"#, "not-the-secret");
        let (forged_signed, _) = forged.rsplit_once('.').context("a JWT")?;
        format!("{forged_signed}.{sig}")
    };
    let body = r#"{"webhook_id":"WB-000-000-001","object_class":"fulfillment_request","product_id":"PRD-000-000-000"}"#;
    let docs = ctx.docs(&[body.to_owned()])?;
    let cases: [(&str, Option<String>, &str); 2] = [
        ("valid", Some(format!("Bearer {valid}")), "VERIFIED"),
        ("tampered", Some(format!("Bearer {tampered}")), "SIGNATURE"),
    ];
    let secret_setting = format!(
        "{}={WEBHOOK_SECRET}",
        connect_catalog::webhook::SECRET_SETTING
    );
    for (name, authorization, want) in cases {
        let token_property =
            authorization.map(|a| format!("{}={a}", connect_catalog::webhook::TOKEN_PROPERTY));
        let mut args = vec![
            "--action",
            "VERIFY_WEBHOOK_CALL",
            "--object",
            "WEBHOOK",
            "--property",
            &secret_setting,
        ];
        if let Some(p) = &token_property {
            args.extend(["--doc-property", p.as_str()]);
        }
        args.extend(docs.iter().map(String::as_str));
        let run = ctx.run(&ctx.endpoint(), &args)?;
        ensure!(
            run.results.len() == 1,
            "{name}: expected one result\n{}",
            run.explain()
        );
        let (status, code, _) = run.result(0)?;
        let payload = &run.results[0]["payload"];
        if want == "VERIFIED" {
            ensure!(
                (status, code) == ("SUCCESS", want)
                    && payload["verified_claims"]["webhook_id"] == "WB-000-000-001"
                    && payload["object_class"] == "fulfillment_request",
                "{name}: expected the body with the claims\n{}",
                run.explain()
            );
        } else {
            ensure!(
                (status, code) == ("APPLICATION_ERROR", want) && payload["error"] == want,
                "{name}: expected an APPLICATION_ERROR {want} with an error document\n{}",
                run.explain()
            );
        }
    }
    ensure!(
        ctx.server.seen().is_empty(),
        "Verify Webhook Call sent a request: {:?}",
        ctx.server.seen()
    );
    Ok(())
}

// ------------------------------------------------------------------------- hostile server

/// What a gzip bomb inflates to: far past every limit, and past the test machine's memory.
const BOMB_BYTES: u64 = 4 << 30;

/// The runner's peak resident memory allowed while it refuses a bomb: the JVM and the connector
/// take about 60 MB in these runs, plus at most the limit (100 MB for a single answer, 64 MB for
/// a page) of received body; measured 154, 117 and 56 MB (GET, page, error answer). Without the
/// limits the runner would hold the whole 4 GiB.
const BOMB_RSS_BOUND_MB: u64 = 256;

/// The runner GETs (or lists, `action` LIST) from a server that answers with a gzip body that
/// inflates to [`BOMB_BYTES`] (a 400 answer when `want` expects one): the result is `want`,
/// the runner's peak memory stays under [`BOMB_RSS_BOUND_MB`].
fn bomb_case(ctx: &Ctx, action: &str, want: (&str, &str, &str)) -> Result<()> {
    let error_answer = want.1 == "400";
    ctx.server.reset(Box::new(move |_, _| {
        Reply::Custom(if error_answer {
            gzip_bomb_400
        } else {
            gzip_bomb_200
        })
    }));
    let args = if action == "LIST" {
        vec![
            "--action",
            "LIST",
            "--object",
            "REQUEST",
            "--property",
            "pageSize=10",
        ]
    } else {
        get_args(&[])
    };
    let connection = [
        "maxAttempts=1".to_owned(),
        "readTimeoutSeconds=30".to_owned(),
    ];
    let (run, peak_rss_kb) = ctx.run_with(&ctx.endpoint(), &connection, &args, true)?;
    ensure!(
        run.results.len() == 1,
        "expected one result\n{}",
        run.explain()
    );
    let peak_mb = peak_rss_kb.unwrap_or(u64::MAX) / 1024;
    println!(
        "    {action} of a {} GiB gzip bomb: peak RSS {peak_mb} MB",
        BOMB_BYTES >> 30
    );
    ensure!(
        peak_mb < BOMB_RSS_BOUND_MB,
        "the runner's peak RSS was {peak_mb} MB, over the {BOMB_RSS_BOUND_MB} MB bound\n{}",
        run.explain()
    );
    check_result(&run, 0, want)?;
    ensure!(
        ctx.server.seen().len() == 1,
        "the server saw {} requests, expected 1 (a limit is not retried)",
        ctx.server.seen().len()
    );
    Ok(())
}

fn gzip_bomb_200(conn: &mut TcpStream) -> std::io::Result<()> {
    gzip_bomb(conn, 200)
}

fn gzip_bomb_400(conn: &mut TcpStream) -> std::io::Result<()> {
    gzip_bomb(conn, 400)
}

/// A gzip answer of [`BOMB_BYTES`] spaces, made while it is sent: one deflate block that inflates
/// to 1 MiB (about 1 KiB of it, byte-aligned by a sync flush, referring to nothing before it)
/// repeated, then the final block and the gzip trailer. About 4 MB on the wire for 4 GiB.
fn gzip_bomb(conn: &mut TcpStream, status: u16) -> std::io::Result<()> {
    const CHUNK: usize = 1 << 20;
    let chunk = vec![b' '; CHUNK];
    let mut deflate = flate2::Compress::new(flate2::Compression::best(), false);
    let mut block = Vec::with_capacity(64 * 1024);
    deflate.compress_vec(&chunk, &mut block, flate2::FlushCompress::Sync)?;
    assert_eq!(
        deflate.total_in(),
        CHUNK as u64,
        "one block holds the chunk"
    );
    let mut crc = flate2::Crc::new();
    let mut one = flate2::Crc::new();
    one.update(&chunk);
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n\
         Content-Range: items 0-9/100\r\nConnection: close\r\n\r\n"
    );
    conn.write_all(head.as_bytes())?;
    conn.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])?;
    for _ in 0..BOMB_BYTES / CHUNK as u64 {
        conn.write_all(&block)?;
        crc.combine(&one);
    }
    // An empty final block with fixed codes, then CRC-32 and the size modulo 2^32.
    conn.write_all(&[0x03, 0x00])?;
    conn.write_all(&crc.sum().to_le_bytes())?;
    conn.write_all(&((BOMB_BYTES & 0xffff_ffff) as u32).to_le_bytes())?;
    conn.flush()
}

/// Headers at once, then one byte of the body every half second: never quiet for the 1 s read
/// timeout, so only the request deadline ends it. Gives up after a minute.
fn drip(conn: &mut TcpStream) -> std::io::Result<()> {
    conn.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
    )?;
    for _ in 0..120 {
        std::thread::sleep(Duration::from_millis(500));
        conn.write_all(b" ")?;
        conn.flush()?;
    }
    Ok(())
}

/// A GET and an Approve whose answers drip: each attempt ends at the 3 s request deadline; the
/// GET is retried (2 attempts), the POST is not.
fn drip_case(ctx: &Ctx) -> Result<()> {
    ctx.server.reset(Box::new(|seen, _| {
        if seen.method == "GET" || seen.template() == FAULTY {
            Reply::Custom(drip)
        } else {
            Reply::ok()
        }
    }));
    let deadline = [
        "requestDeadlineSeconds=3".to_owned(),
        "maxAttempts=2".to_owned(),
    ];
    let (run, _) = ctx.run_with(&ctx.endpoint(), &deadline, &get_args(&[]), false)?;
    let text = "did not finish within the connection's \"Request Deadline (seconds)\" of 3 s";
    check_result(&run, 0, ("FAILURE", "TIMEOUT", text))?;
    check_result(&run, 0, ("FAILURE", "TIMEOUT", "(after 2 attempts)"))?;
    let (gets, _) = ctx.counts();
    ensure!(
        gets == 2,
        "server saw {gets} GETs, expected 2\n{}",
        run.explain()
    );

    let run = ctx.approve_with(&deadline)?;
    check_result(&run, 0, ("SUCCESS", "200", ""))?;
    check_result(&run, 1, ("FAILURE", "TIMEOUT", text))?;
    check_result(&run, 1, ("FAILURE", "TIMEOUT", "not retried"))?;
    check_result(&run, 2, ("SUCCESS", "200", ""))?;
    let (_, posts) = ctx.counts();
    ensure!(
        posts.get(FAULTY) == Some(&1),
        "server saw {posts:?}, expected one POST for {FAULTY}"
    );
    Ok(())
}

/// `http://user:password@host`: refused before any request, for a document and for Test
/// Connection, and the password shows nowhere (the canary scan of every run).
fn endpoint_credentials(ctx: &Ctx) -> Result<()> {
    let endpoint = format!(
        "http://connect-user:{ENDPOINT_PASSWORD}@127.0.0.1:{}/public/v1",
        ctx.server.port
    );
    let run = ctx.get(&endpoint, &[])?;
    let text = "must not contain a user name or password";
    check_result(&run, 0, ("FAILURE", "INVALID_SETTINGS", text))?;
    let run = ctx.run(&endpoint, &["--test-connection"])?;
    ensure!(
        run.code == Some(4) && run.stdout.contains("INVALID_SETTINGS") && run.stdout.contains(text),
        "Test Connection was not refused\n{}",
        run.explain()
    );
    ensure!(
        ctx.server.seen().is_empty(),
        "a request was sent: {:?}",
        ctx.server.seen()
    );
    Ok(())
}

/// An https endpoint (an `openssl s_server` with a certificate from a fresh CA, given as the
/// connection's Extra CA Certificate) that redirects to plain http on the fault server: refused,
/// and the fault server sees nothing.
fn redirect_downgrade(ctx: &Ctx) -> Result<()> {
    let target = format!("http://127.0.0.1:{}{GET_PATH}", ctx.server.port);
    let tls = TlsRedirect::start(&ctx.work.join("tls"), &target)?;
    let endpoint = format!("https://127.0.0.1:{}/public/v1", tls.port);
    let connection = [format!("extraCaPem={}", tls.ca_pem)];
    let (run, _) = ctx.run_with(&endpoint, &connection, &get_args(&[]), false)?;
    let text = format!("GET {GET_PATH} was redirected from https to {target}, which is not https");
    check_result(&run, 0, ("FAILURE", "REDIRECT", &text))?;
    ensure!(
        ctx.server.seen().is_empty(),
        "the redirect to http was followed: {:?}",
        ctx.server.seen()
    );
    Ok(())
}

/// `openssl s_server -HTTP` on 127.0.0.1, answering [`GET_PATH`] with a 302 to `location`
/// (`-HTTP` sends a file that holds the whole answer). Killed when dropped.
struct TlsRedirect {
    port: u16,
    ca_pem: String,
    child: std::process::Child,
}

impl TlsRedirect {
    fn start(dir: &std::path::Path, location: &str) -> Result<Self> {
        ensure!(
            std::process::Command::new("openssl")
                .arg("version")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok(),
            "this case needs the openssl command (apt-get install openssl)"
        );
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
        let openssl = |args: &[&str]| -> Result<()> {
            let out = std::process::Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .stdin(std::process::Stdio::null())
                .output()
                .context("could not run openssl")?;
            ensure!(
                out.status.success(),
                "openssl {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Ok(())
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=faults CA",
        ]);
        openssl(&ca)?;
        let mut leaf = vec!["req"];
        leaf.extend(ec);
        leaf.extend([
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=127.0.0.1",
        ]);
        openssl(&leaf)?;
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
        ])?;
        let docs = dir.join("docs");
        let answer = docs.join(GET_PATH.trim_start_matches('/'));
        std::fs::create_dir_all(answer.parent().context("answer has a folder")?)?;
        std::fs::write(
            &answer,
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        )?;
        let port = server::free_port()?;
        let child = std::process::Command::new("openssl")
            .args(["s_server", "-quiet", "-HTTP", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-cert", "../leaf.pem", "-key", "../leaf.key"])
            .current_dir(&docs)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("could not start openssl s_server")?;
        let server = TlsRedirect {
            port,
            ca_pem: std::fs::read_to_string(dir.join("ca.pem"))?,
            child,
        };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("openssl s_server did not listen on 127.0.0.1:{port}")
    }
}

impl Drop for TlsRedirect {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod harness {
    use super::*;

    #[test]
    fn scan_finds_pieces() {
        assert!(scan("x CANARYfa y", &[SECRET]).is_err());
        assert!(scan("x CANARYf y", &[SECRET]).is_ok());
    }
}
