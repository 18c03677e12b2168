//! The archive's linux-aarch64 and windows-x86_64 libraries on this x86-64 Linux machine, each
//! under the JVM of its platform: browse, Test Connection, a List over three pages, an execute
//! with one application error, a 429 retried (and, under Wine, the library copies left in the
//! temp folder), through the local runner against the fault server standing in for Connect.
//!
//! `cargo xtask emulated` installs the emulators and the platforms' JVMs, builds the
//! `--all-targets` archive and runs this target once per platform with the launcher in
//! [`LAUNCHER_ENV`] and friends. Without them every case skips with a message, so a plain
//! `cargo test` (and `cargo xtask test`, which runs no `emulated` stage) is unaffected.

use anyhow::{Context, Result, bail, ensure};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{LazyLock, Mutex};
use system_tests::Run;
use system_tests::fault_server::{FaultServer, Reply, Seen, scan};

/// The platform under emulation (`linux-aarch64`, `windows-x86_64`).
const PLATFORM_ENV: &str = "CONNECT_BOOMI_EMULATED_PLATFORM";
/// How to start that platform's `java`: a JSON array, the emulator first, e.g.
/// `["qemu-aarch64-static","/usr/lib/jvm/java-17-openjdk-arm64/bin/java"]`.
const LAUNCHER_ENV: &str = "CONNECT_BOOMI_EMULATED_LAUNCHER";
/// How the emulated JVM names host paths: `host` (as they are) or `wine` (`Z:\...`, and `;`
/// between class path entries).
const PATHS_ENV: &str = "CONNECT_BOOMI_EMULATED_PATHS";

const SECRET: &str = "CANARYemulatedSECRET24680";
const LIST_TOTAL: usize = 2_500;
const PAGE_SIZE: usize = 1_000;
const REQUEST_ID: &str = "PR-1000-0000-0001-001";
/// The Approve document Connect rejects.
const REJECTED: &str = "TL-000-000-400";
/// The GET whose first answer is a 429.
const THROTTLED: &str = "PR-1000-0000-0429-001";

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() -> Result<()> {
                case(super::$name)
            }
        )*
    };
}

mod emulated {
    use super::*;
    cases! {
        jvm_is_the_platform,
        browse,
        test_connection,
        list_over_three_pages,
        execute_one_application_error,
        throttled_429_is_retried,
        library_copies_do_not_pile_up,
    }
}

type Case = fn(&Ctx) -> Result<()>;

/// The emulated JVM, the archive and the fault server, shared by the cases; `None` when no
/// launcher is set.
static CTX: LazyLock<Result<Option<Ctx>, String>> =
    LazyLock::new(|| start().map_err(|e| format!("{e:#}")));
/// Held by the running case: the cases share the server and what it saw.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn start() -> Result<Option<Ctx>> {
    let Some(launcher) = std::env::var_os(LAUNCHER_ENV) else {
        return Ok(None);
    };
    let launcher: Vec<String> = serde_json::from_str(
        launcher
            .to_str()
            .with_context(|| format!("{LAUNCHER_ENV} is not UTF-8"))?,
    )
    .with_context(|| format!("{LAUNCHER_ENV} is not a JSON array of strings"))?;
    ensure!(!launcher.is_empty(), "{LAUNCHER_ENV} is empty");
    let platform = std::env::var(PLATFORM_ENV).with_context(|| format!("{PLATFORM_ENV} unset"))?;
    let windows = match std::env::var(PATHS_ENV).as_deref() {
        Ok("wine") => true,
        Ok("host") | Err(_) => false,
        Ok(other) => bail!("{PATHS_ENV}={other}: expected host or wine"),
    };
    Ok(Some(Ctx {
        car: system_tests::archive(),
        jvm: Jvm {
            platform,
            launcher,
            windows,
        },
        server: FaultServer::start()?,
        work: system_tests::work_dir("emulated"),
    }))
}

/// Runs one case alone against the Connect stand-in; skips (passing) when no launcher is set,
/// and `library_copies_do_not_pile_up` on a platform other than Windows.
fn case(case: Case) -> Result<()> {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let ctx = match &*CTX {
        Ok(Some(ctx)) => ctx,
        Ok(None) => {
            eprintln!(
                "skipped: no emulated JVM ({LAUNCHER_ENV} unset); `cargo xtask emulated` runs \
                 these"
            );
            return Ok(());
        }
        Err(err) => bail!("the emulated suite could not start: {err}"),
    };
    ctx.server.reset(Box::new(connect_stand_in));
    case(ctx)
}

// ------------------------------------------------------------------------- the emulated JVM

/// How to start the platform's `java` on this machine.
struct Jvm {
    platform: String,
    /// The emulator, then its arguments up to and including the platform's java launcher.
    launcher: Vec<String>,
    windows: bool,
}

impl Jvm {
    fn java(&self) -> Command {
        let mut cmd = Command::new(&self.launcher[0]);
        cmd.current_dir(system_tests::root())
            .args(&self.launcher[1..]);
        cmd
    }

    /// A host path as the emulated JVM names it: Wine maps `/` to drive `Z:`.
    fn path(&self, path: &Path) -> String {
        let text = path.display().to_string();
        if self.windows {
            format!("Z:{}", text.replace('/', "\\"))
        } else {
            text
        }
    }

    fn runner(&self, car: &Path) -> Command {
        let sep = if self.windows { ";" } else { ":" };
        let mut cmd = self.java();
        cmd.arg("-cp")
            .arg(system_tests::runner_classpath_as(sep, |p| self.path(p)))
            .arg(system_tests::RUNNER_MAIN)
            .arg("--archive")
            .arg(self.path(car));
        cmd
    }
}

// ------------------------------------------------------------------------- the scenario

struct Ctx {
    car: PathBuf,
    jvm: Jvm,
    server: FaultServer,
    work: PathBuf,
}

/// Connect as far as the scenario needs: a 2,500-request collection paged by `offset`/`limit`,
/// `/accounts` for Test Connection, Approve (rejecting one template), and a GET answered
/// with a 429 first.
fn connect_stand_in(seen: &Seen, nth: usize) -> Reply {
    let path = seen.target.split('?').next().unwrap_or_default();
    let param = |name: &str| seen.query_param(name).and_then(|v| v.parse::<usize>().ok());
    let json = |status, body: String| Reply::Answer(status, Vec::new(), body);
    match (seen.method.as_str(), path) {
        ("GET", "/public/v1/accounts") => {
            let body = r#"[{"id":"PA-000-000","name":"Emulated"}]"#;
            let range = vec![("Content-Range".into(), "items 0-0/1".into())];
            Reply::Answer(200, range, body.into())
        }
        ("GET", "/public/v1/requests") => {
            let offset = param("offset").unwrap_or(0).min(LIST_TOTAL);
            let end = (offset + param("limit").unwrap_or(100)).min(LIST_TOTAL);
            let items: Vec<String> = (offset..end)
                .map(|i| format!(r#"{{"id":"{}","status":"pending"}}"#, list_id(i)))
                .collect();
            let range = format!("items {offset}-{}/{LIST_TOTAL}", end.max(1) - 1);
            let headers = vec![("Content-Range".into(), range)];
            Reply::Answer(200, headers, format!("[{}]", items.join(",")))
        }
        ("GET", p) if p == format!("/public/v1/requests/{THROTTLED}") && nth == 0 => {
            let headers = vec![("Retry-After".into(), "1".into())];
            Reply::Answer(429, headers, r#"{"error_code":"THROTTLED"}"#.into())
        }
        ("GET", p) if let Some(id) = p.strip_prefix("/public/v1/requests/") => {
            json(200, format!(r#"{{"id":"{id}","status":"pending"}}"#))
        }
        ("POST", p) if p == format!("/public/v1/requests/{REQUEST_ID}/approve") => {
            if seen.body.contains(REJECTED) {
                json(
                    400,
                    format!(
                        r#"{{"error_code":"REQ_003","errors":["{REJECTED} is not available"]}}"#
                    ),
                )
            } else {
                json(
                    200,
                    format!(r#"{{"id":"{REQUEST_ID}","status":"approved"}}"#),
                )
            }
        }
        _ => json(404, r#"{"error_code":"NOT_FOUND"}"#.into()),
    }
}

fn list_id(i: usize) -> String {
    format!("PR-2000-{:04}-{:04}-001", i / 10_000, i % 10_000)
}

impl Ctx {
    fn id(&self) -> &str {
        &self.jvm.platform
    }

    /// The runner under the emulated JVM, connected to the stand-in; output scanned for the
    /// canary token.
    fn run(&self, args: &[&str]) -> Result<Run> {
        let mut cmd = self.jvm.runner(&self.car);
        cmd.args(system_tests::connection_args([
            format!("endpoint=http://127.0.0.1:{}/public/v1", self.server.port),
            format!("apiToken=ApiKey SU-000-000-123:{SECRET}"),
            "maxAttempts=3".into(),
            "maxRetryWaitSeconds=2".into(),
        ]))
        .args(args);
        println!("$ {cmd:?}");
        let out = system_tests::output(&mut cmd)?;
        scan(&format!("{}\n{}", out.stdout, out.stderr), &[SECRET])?;
        Run::parse(out)
    }

    /// A document file, named the way the emulated JVM sees it.
    fn doc(&self, name: &str, body: &str) -> Result<String> {
        let path = self.work.join(format!("{}-{name}", self.id()));
        std::fs::write(&path, body)?;
        Ok(self.jvm.path(&path))
    }
}

/// The JVM reports the emulated platform, so the loader picks that platform's library (the
/// runs below would fail with a `NATIVE_LIBRARY` error on any other).
fn jvm_is_the_platform(ctx: &Ctx) -> Result<()> {
    let mut cmd = ctx.jvm.java();
    cmd.args(["-XshowSettings:properties", "-version"]);
    println!("$ {cmd:?}");
    let out = system_tests::output(&mut cmd)?;
    let property = |key: &str| {
        out.stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(key)?.trim().strip_prefix('='))
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    let (os, arch) = (property("os.name"), property("os.arch"));
    println!(
        "{}: Java {} ({}), os.name={os}, os.arch={arch}",
        ctx.id(),
        property("java.runtime.version"),
        property("java.vm.name"),
    );
    let want = match ctx.id() {
        "linux-aarch64" => os == "Linux" && arch == "aarch64",
        _ => os.starts_with("Windows") && arch == "amd64",
    };
    ensure!(want, "not the emulated platform:\n{}", out.stderr);
    Ok(())
}

fn browse(ctx: &Ctx) -> Result<()> {
    let run = ctx.run(&["--browse-types"])?;
    ensure!(
        run.ok && run.stdout.contains(r#""id":"REQUEST""#),
        "browse failed\n{}",
        run.explain()
    );
    ensure!(ctx.server.seen().is_empty(), "browsing called Connect");
    Ok(())
}

fn test_connection(ctx: &Ctx) -> Result<()> {
    let run = ctx.run(&["--test-connection"])?;
    ensure!(
        run.ok && run.field(0, "status") == "SUCCESS",
        "Test Connection failed\n{}",
        run.explain()
    );
    let seen = ctx.server.seen();
    ensure!(
        seen.len() == 1
            && seen[0].target.starts_with("/public/v1/accounts?")
            && seen[0].query_param("limit") == Some("1"),
        "expected GET /accounts?limit=1, the server saw {seen:?}"
    );
    Ok(())
}

fn list_over_three_pages(ctx: &Ctx) -> Result<()> {
    let page = format!("pageSize={PAGE_SIZE}");
    let run = ctx.run(&[
        "--action",
        "LIST",
        "--object",
        "REQUEST",
        "--property",
        &page,
        "--discard-payloads",
    ])?;
    ensure!(
        run.ok && run.results.len() == LIST_TOTAL,
        "expected {LIST_TOTAL} results, got {}\n{:.2000}",
        run.results.len(),
        run.explain()
    );
    for (i, r) in run.results.iter().enumerate() {
        ensure!(
            r["status"] == "SUCCESS" && r["trackedProperties"]["id"] == list_id(i),
            "result {i} is not request {}: {r}",
            list_id(i)
        );
    }
    let seen = ctx.server.seen();
    // Pages after the first are requested in parallel, so they may reach the server in any order.
    let mut pages: Vec<(Option<&str>, Option<&str>)> = seen
        .iter()
        .map(|s| (s.query_param("offset"), s.query_param("limit")))
        .collect();
    pages.sort_by_key(|(offset, _)| offset.and_then(|o| o.parse::<u64>().ok()));
    let limit = PAGE_SIZE.to_string();
    let want: Vec<(Option<&str>, Option<&str>)> = ["0", "1000", "2000"]
        .iter()
        .map(|o| (Some(*o), Some(limit.as_str())))
        .collect();
    ensure!(
        pages == want,
        "expected three pages of {PAGE_SIZE} at offsets 0, 1000, 2000, the server saw {:?}",
        seen.iter().map(|s| &s.target).collect::<Vec<_>>()
    );
    Ok(())
}

fn execute_one_application_error(ctx: &Ctx) -> Result<()> {
    let templates = ["TL-000-000-001", REJECTED, "TL-000-000-003"];
    let mut docs = Vec::new();
    for (i, t) in templates.iter().enumerate() {
        docs.push(ctx.doc(
            &format!("approve-{i}.json"),
            &format!(r#"{{"template_id":"{t}"}}"#),
        )?);
    }
    let request = format!("request_id={REQUEST_ID}");
    let mut args = vec![
        "--action",
        "APPROVE",
        "--object",
        "REQUEST",
        "--property",
        &request,
    ];
    args.extend(docs.iter().map(String::as_str));
    let run = ctx.run(&args)?;
    ensure!(
        run.results.len() == 3,
        "expected 3 results\n{}",
        run.explain()
    );
    for (i, r) in run.results.iter().enumerate() {
        ensure!(r["input"] == i, "results out of input order: {r}");
    }
    let got: Vec<(&str, &str)> = (0..3)
        .map(|i| (run.field(i, "status"), run.field(i, "statusCode")))
        .collect();
    ensure!(
        got == [
            ("SUCCESS", "200"),
            ("APPLICATION_ERROR", "400"),
            ("SUCCESS", "200")
        ] && run.field(1, "message").contains("REQ_003")
            && !run.ok,
        "expected success, a 400 REQ_003 application error, success; got {got:?}\n{}",
        run.explain()
    );
    ensure!(
        ctx.server.seen().len() == 3,
        "expected 3 approve calls, the server saw {:?}",
        ctx.server.seen()
    );
    Ok(())
}

fn throttled_429_is_retried(ctx: &Ctx) -> Result<()> {
    let run = ctx.run(&[
        "--action",
        "GET",
        "--object",
        "REQUEST",
        "--object-id",
        THROTTLED,
    ])?;
    ensure!(
        run.ok
            && run.results.len() == 1
            && run.field(0, "status") == "SUCCESS"
            && run.field(0, "message").contains("after 2 attempts"),
        "expected one success after 2 attempts\n{}",
        run.explain()
    );
    ensure!(
        ctx.server.seen().len() == 2,
        "expected the GET twice, the server saw {:?}",
        ctx.server.seen()
    );
    Ok(())
}

/// Windows cannot delete a loaded DLL, so each JVM leaves its copy in the temp folder when it
/// exits; the loader deletes those of earlier JVMs. After the runs above (and any earlier
/// `emulated` runs) only the last JVM's copy may be left.
fn library_copies_do_not_pile_up(ctx: &Ctx) -> Result<()> {
    if !ctx.jvm.windows {
        eprintln!("skipped: {} is not Windows", ctx.id());
        return Ok(());
    }
    let prefix = std::env::var_os("WINEPREFIX")
        .map(PathBuf::from)
        .context("no Wine prefix (WINEPREFIX)")?;
    let mut copies = Vec::new();
    for user in std::fs::read_dir(prefix.join("drive_c/users"))? {
        let temp = user?.path().join("Temp");
        if temp.is_dir() {
            for entry in std::fs::read_dir(&temp)? {
                let name = entry?.file_name().to_string_lossy().into_owned();
                if name.starts_with("cloudblue_connect_boomi-") {
                    copies.push(name);
                }
            }
        }
    }
    ensure!(
        copies.len() <= 1,
        "{} library copies left in the Wine user's temp folder: {copies:?}",
        copies.len()
    );
    Ok(())
}
