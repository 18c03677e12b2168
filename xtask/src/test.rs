//! `cargo xtask test`: every test stage, with one closing line `N passed, N failed`.
//!
//! Stages run in order; each reports how many checks passed and failed, and a stage that
//! cannot run at all counts as one failure, so a broken toolchain never looks green.
//! Rust tests run in the dev profile (fast warm rebuilds); only the packaged library is
//! built in release, by the `dist` stage, and the Java and end-to-end stages use that.

use crate::dist;
use crate::java::{self, JUNIT_CONSOLE};
use crate::util::{self, rel, root};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const STAGES: &[(&str, &str)] = &[
    (
        "setup",
        "install or check the test tools (junit5 via apt when root, npm packages in tests/)",
    ),
    ("fmt", "cargo fmt --all --check"),
    (
        "clippy",
        "cargo clippy --workspace --all-targets -- -D warnings",
    ),
    (
        "rust",
        "cargo test --workspace (debug profile), the system tests' suites aside",
    ),
    ("dist", "cargo xtask dist (release library, jars, archive)"),
    (
        "archive",
        "checks of the built archive: layout, size, descriptor vs catalog, Java 8 bytecode, native libraries (glibc <= 2.17, only JNI exports) (tests/system/tests/archive.rs)",
    ),
    (
        "java",
        "JUnit 5 tests of java/sdk-stubs, java/shim and java/runner, on the packaged library, -Xcheck:jni",
    ),
    (
        "newjdk",
        "the archive through the runner on the newest JDK 21+ installed: native access enabled, default, denied (tests/system/tests/newjdk.rs)",
    ),
    (
        "rql",
        "RQL grammar check: every query the builder produces parsed by lib-rql (tests/rql)",
    ),
    (
        "profiles",
        "every generated profile checked as JSON Schema draft 4 by Python jsonschema (tests/profiles)",
    ),
    (
        "e2e",
        "end-to-end: the built archive through the local runner against WireMock (tests/system/tests/e2e.rs)",
    ),
    (
        "faults",
        "fault injection through the built archive: refused, reset, hung and cut connections (retries counted, writes never repeated), proxy, parallel pages in flight, canary secrets; a hostile server: gzip bombs (peak RSS measured), a drip, a redirect from https to http (tests/system/tests/faults.rs)",
    ),
    (
        "contract",
        "every object/action pair through the built archive against Prism serving the Connect spec (tests/system/tests/contract.rs)",
    ),
];

const USAGE: &str = "\
cargo xtask test [--skip-lint] [--only STAGE,...] [--skip STAGE,...] [--no-install]

  --skip-lint     skip fmt and clippy
  --only LIST     run only these stages (comma separated)
  --skip LIST     skip these stages
  --no-install    never install anything; report what is missing instead
";

/// Counts of one stage.
#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl Tally {
    pub fn pass() -> Self {
        Self {
            passed: 1,
            ..Self::default()
        }
    }
    pub fn fail() -> Self {
        Self {
            failed: 1,
            ..Self::default()
        }
    }
    fn of(ok: bool) -> Self {
        if ok { Self::pass() } else { Self::fail() }
    }
    pub fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.failed += other.failed;
    }

    /// Counts one case and prints `<label> ... ok<note>` or `<label> ... FAILED<note>` with
    /// the error below it; `note` is empty or a timing such as ` (1.2 s)`.
    pub fn record(&mut self, label: &str, note: &str, outcome: anyhow::Result<()>) {
        match outcome {
            Ok(()) => {
                println!("{label} ... ok{note}");
                self.passed += 1;
            }
            Err(err) => {
                println!("{label} ... FAILED{note}\n    {err:#}");
                self.failed += 1;
            }
        }
    }

    /// `3 passed, 0 failed`.
    pub fn line(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed)
    }
}

struct Options {
    stages: Vec<&'static str>,
    install: bool,
}

fn parse(args: &[String]) -> Result<Option<Options>> {
    let mut selected: Vec<&'static str> = STAGES.iter().map(|(n, _)| *n).collect();
    let mut install = true;
    let mut it = args.iter();
    let stage_list = |value: Option<&String>, flag: &str| -> Result<Vec<&'static str>> {
        let value =
            value.with_context(|| format!("{flag} needs a comma-separated list of stages"))?;
        value
            .split(',')
            .map(|s| {
                STAGES
                    .iter()
                    .map(|(n, _)| *n)
                    .find(|n| *n == s.trim())
                    .with_context(|| format!("unknown stage `{s}` (stages: {})", stage_names()))
            })
            .collect()
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--skip-lint" => selected.retain(|s| !matches!(*s, "fmt" | "clippy")),
            "--only" => {
                let only = stage_list(it.next(), "--only")?;
                selected.retain(|s| only.contains(s));
            }
            "--skip" => {
                let skip = stage_list(it.next(), "--skip")?;
                selected.retain(|s| !skip.contains(s));
            }
            "--no-install" => install = false,
            "-h" | "--help" => {
                print!("{USAGE}\nStages, in order:\n");
                for (name, help) in STAGES {
                    println!("  {name:<8} {help}");
                }
                return Ok(None);
            }
            other => bail!("unknown option `{other}`\n\n{USAGE}"),
        }
    }
    Ok(Some(Options {
        stages: selected,
        install,
    }))
}

fn stage_names() -> String {
    STAGES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    let Some(options) = parse(args)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let started = Instant::now();
    let mut total = Tally::default();
    let mut report = Vec::new();
    for stage in &options.stages {
        println!("\n==== stage {stage} ====");
        let stage_started = Instant::now();
        let tally = match run_stage(stage, &options) {
            Ok(t) => t,
            Err(err) => {
                println!("stage {stage} could not run: {err:#}");
                Tally::fail()
            }
        };
        let secs = stage_started.elapsed().as_secs_f64();
        println!("---- stage {stage}: {} ({secs:.1} s)", tally.line());
        report.push((*stage, tally, secs));
        total.add(tally);
    }
    println!(
        "\n==== summary ({:.1} s) ====",
        started.elapsed().as_secs_f64()
    );
    for (stage, t, secs) in &report {
        let mark = if t.failed == 0 { "ok  " } else { "FAIL" };
        println!(
            "{mark} {stage:<8} {:>5} passed {:>4} failed {secs:>7.1} s",
            t.passed, t.failed
        );
    }
    // The closing line CI reads: nothing may be printed after it.
    println!("{}", total.line());
    Ok(if total.failed == 0 && total.passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_stage(stage: &str, options: &Options) -> Result<Tally> {
    match stage {
        "setup" => setup(options.install).map(|()| Tally::pass()),
        "fmt" => Ok(Tally::of(
            util::run(util::cargo().args(["fmt", "--all", "--check"])).is_ok(),
        )),
        "clippy" => Ok(Tally::of(
            util::run(util::cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
            .is_ok(),
        )),
        "rust" => rust_tests(),
        "dist" => dist::build().map(|_| Tally::pass()),
        "archive" => system_suite("archive"),
        "java" => java_tests(),
        "newjdk" => system_suite("newjdk"),
        "rql" => rql_grammar(),
        "profiles" => profiles_draft4(),
        "e2e" => system_suite("e2e"),
        "faults" => system_suite("faults"),
        "contract" => system_suite("contract"),
        other => bail!("no such stage {other}"),
    }
}

// ---------------------------------------------------------------- setup

/// Makes sure the tools the later stages need are present. On a fresh Debian 12 machine
/// as root it installs them; otherwise it says exactly what to install.
fn setup(install: bool) -> Result<()> {
    let mut missing = Vec::new();
    for tool in ["java", "javac"] {
        if !util::have(util::jdk_tool(tool).get_program()) {
            missing.push(format!(
                "`{tool}` (a JDK 17: apt-get install openjdk-17-jdk-headless)"
            ));
        }
    }
    if !Path::new(JUNIT_CONSOLE).is_file() {
        if install && util::can_apt_install() {
            println!("JUnit 5 console launcher missing: installing Debian package junit5");
            util::apt_install("junit5")?;
        } else {
            missing.push(format!(
                "{JUNIT_CONSOLE} (Debian package junit5: apt-get install --no-install-recommends junit5)"
            ));
        }
    }
    for jar in java::junit_compile_classpath() {
        if !jar.is_file() && Path::new(JUNIT_CONSOLE).is_file() {
            missing.push(format!("{} (Debian package junit5)", jar.display()));
        }
    }
    // tests/rql builds a virtual environment; Debian splits `venv` into python3-venv.
    let venv_ok = Command::new("python3")
        .args(["-c", "import ensurepip, venv"])
        .status()
        .is_ok_and(|s| s.success());
    if !venv_ok {
        if install && util::can_apt_install() {
            util::apt_install("python3-venv")?;
        } else {
            missing.push("python3 with venv (Debian package python3-venv)".into());
        }
    }
    if npm_tools_stale()? {
        if !util::have("npm") {
            missing
                .push("`npm` (Node.js 20 with npm), needed to install tests/package.json".into());
        } else if install {
            util::run(
                Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                    .current_dir(root().join("tests")),
            )?;
        } else {
            missing.push("test tools from tests/package-lock.json (run `npm ci` in tests/)".into());
        }
    }
    if !missing.is_empty() {
        bail!("missing: {}", missing.join("; "));
    }
    println!(
        "tools ready: JDK, JUnit 5 console launcher, WireMock {}, Prism {}",
        system_tests::wiremock::VERSION,
        system_tests::PRISM_VERSION
    );
    Ok(())
}

/// npm writes node_modules/.package-lock.json on install: when it is older than the
/// committed lock file (or the WireMock jar is missing) the tools need (re)installing.
fn npm_tools_stale() -> Result<bool> {
    let tests = root().join("tests");
    let installed = tests.join("node_modules/.package-lock.json");
    if !system_tests::wiremock::jar().is_file()
        || !system_tests::prism_bin().is_file()
        || !installed.is_file()
    {
        return Ok(true);
    }
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified());
    Ok(mtime(&tests.join("package-lock.json"))? > mtime(&installed)?)
}

// ---------------------------------------------------------------- rust

fn rust_tests() -> Result<Tally> {
    // The system tests' suites need the built archive: their own stages run them after `dist`.
    let mut tally = cargo_tests(&["--workspace", "--exclude", SYSTEM_TESTS], &[])?;
    tally.add(cargo_tests(&["-p", SYSTEM_TESTS, "--lib"], &[])?);
    Ok(tally)
}

/// The crate of the system tests (tests/system): one test target per suite.
const SYSTEM_TESTS: &str = "system-tests";

/// One suite of tests/system (`--test <suite>`) against the archive the dist stage built.
fn system_suite(suite: &str) -> Result<Tally> {
    let car = dist::built_car()?;
    let env = [(system_tests::ARCHIVE_ENV, car.as_os_str())];
    cargo_tests(&["-p", SYSTEM_TESTS, "--test", suite], &env)
}

/// `cargo test <args>`, its libtest results counted; a build failure or a test binary that
/// crashed before its summary counts as one failure.
pub fn cargo_tests(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Result<Tally> {
    let mut cmd = util::cargo();
    // Cargo's options first: `args` may end with `-- <libtest options>`.
    cmd.arg("test")
        .args(["--no-fail-fast", "--color", "never"])
        .args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let (ok, out) = util::run_tee(&mut cmd)?;
    let mut tally = libtest_counts(&out);
    if !ok && tally.failed == 0 {
        println!("cargo test failed without a failing test to count: counting it as one failure");
        tally.failed += 1;
    }
    Ok(tally)
}

/// Sums libtest's `test result: ok. 3 passed; 1 failed; ...` lines (unit, integration and
/// doc tests each print one).
fn libtest_counts(out: &str) -> Tally {
    let mut tally = Tally::default();
    for line in out.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split(';') {
            let words: Vec<&str> = part.split_whitespace().collect();
            let n = |i: usize| words.get(i).and_then(|w| w.parse::<u64>().ok());
            // The first part reads "ok. 3 passed" or "FAILED. 3 passed".
            let (count, label) = match words.as_slice() {
                [_, _, label] => (n(1), *label),
                [_, label] => (n(0), *label),
                _ => continue,
            };
            match (count, label) {
                (Some(c), "passed") => tally.passed += c,
                (Some(c), "failed") => tally.failed += c,
                _ => {}
            }
        }
    }
    tally
}

// ---------------------------------------------------------------- rql

/// The RQL helper's grammar check (tests/rql/run.sh: builds the corpus with a Rust test,
/// then parses it with lib-rql). One check; its last line reads
/// `check_grammar: N queries, M problems`.
fn rql_grammar() -> Result<Tally> {
    python_check("tests/rql/run.sh", "check_grammar: ")
}

/// A check script under tests/ whose last summary line, after `prefix`, ends in ` 0 problems`
/// when it passed. One check.
fn python_check(script: &str, prefix: &str) -> Result<Tally> {
    let script = root().join(script);
    if !script.is_file() {
        bail!("{} is missing", rel(&script));
    }
    let (ok, out) = util::run_tee(Command::new("sh").arg(&script).current_dir(root()))?;
    let summary = out
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .with_context(|| format!("no `{}` summary line", prefix.trim_end()))?;
    Ok(Tally::of(ok && summary.ends_with(" 0 problems")))
}

// ---------------------------------------------------------------- profiles

/// The draft-4 check of the generated profiles (tests/profiles/run.sh). One check; its last
/// line reads `check_profiles: N profiles, M problems`.
fn profiles_draft4() -> Result<Tally> {
    python_check("tests/profiles/run.sh", "check_profiles: ")
}

// ---------------------------------------------------------------- java

struct JavaSuite {
    name: &'static str,
    main_classes: PathBuf,
    tests_src: PathBuf,
}

fn java_tests() -> Result<Tally> {
    let r = root();
    let suites = [
        JavaSuite {
            name: "sdk-stubs",
            main_classes: dist::stubs_dir(),
            tests_src: r.join("java/sdk-stubs/src/test/java"),
        },
        JavaSuite {
            name: "shim",
            main_classes: dist::shim_classes_dir(),
            tests_src: r.join("java/shim/src/test/java"),
        },
        JavaSuite {
            name: "runner",
            main_classes: dist::runner_classes_dir(),
            tests_src: r.join("java/runner/src/test/java"),
        },
    ];
    let mut tally = Tally::default();
    let mut ran = 0;
    for suite in &suites {
        if util::files_with_suffix(&suite.tests_src, ".java")?.is_empty() {
            println!(
                "java/{}: no tests under {}",
                suite.name,
                rel(&suite.tests_src)
            );
            continue;
        }
        ran += 1;
        match java_suite(suite) {
            Ok(t) => tally.add(t),
            Err(err) => {
                println!("java/{} could not run: {err:#}", suite.name);
                tally.add(Tally::fail());
            }
        }
    }
    if ran == 0 {
        bail!("no Java tests found under java/*/src/test/java");
    }
    Ok(tally)
}

/// Compiles one suite's tests and runs them in their own JVM. Suites get separate JVMs
/// because the runner's tests load the archive in an isolated class loader: shim classes
/// on the application class path would be found first and defeat that isolation.
fn java_suite(suite: &JavaSuite) -> Result<Tally> {
    if !suite.main_classes.is_dir() {
        bail!(
            "{} is missing: the dist stage must build it first",
            rel(&suite.main_classes)
        );
    }
    let test_classes = java::out_dir().join(format!("{}-tests", suite.name));
    let mut compile_cp = vec![suite.main_classes.clone(), dist::stubs_dir()];
    compile_cp.extend(java::junit_compile_classpath());
    // Tests run on the build JDK (17), so they may use its language level; the shipped
    // classes stay at release 8.
    let resources = suite.tests_src.parent().map(|p| p.join("resources"));
    java::compile(
        &format!("{}-tests", suite.name),
        17,
        &suite.tests_src,
        resources.as_deref(),
        &compile_cp,
        &test_classes,
    )?;

    let reports = java::out_dir().join("test-reports").join(suite.name);
    util::fresh_dir(&reports)?;
    let mut cmd = util::jdk_tool("java");
    cmd.arg("-Xcheck:jni")
        // Atoms may run connectors under a security manager; a test installs one (Java 17 allows
        // that only when asked; Java 24 and later not at all, where that test is skipped).
        .arg("-Djava.security.manager=allow")
        .arg(format!(
            "-Dcloudblue.connect.native.library={}",
            dist::release_library().display()
        ))
        .arg(format!(
            "-Dconnector.archive={}",
            dist::car_path().display()
        ))
        .arg("-jar")
        .arg(JUNIT_CONSOLE)
        .arg("--class-path")
        .arg(java::classpath(&[
            test_classes.clone(),
            suite.main_classes.clone(),
            dist::stubs_dir(),
        ]))
        .arg("--scan-class-path")
        .arg(&test_classes)
        .args([
            "--disable-banner",
            "--disable-ansi-colors",
            "--details=tree",
            "--fail-if-no-tests",
        ])
        .arg("--reports-dir")
        .arg(&reports)
        .env("CLOUDBLUE_CONNECT_TEST_HOOKS", "1");
    let (ok, out) = util::run_tee(&mut cmd)?;
    // HotSpot prints -Xcheck:jni findings on stdout; any of them fails the suite.
    let jni_findings = out
        .lines()
        .filter(|l| l.contains("in native method"))
        .count();
    let mut tally = junit_counts(&out).with_context(|| {
        format!(
            "java/{}: no JUnit summary in the launcher's output",
            suite.name
        )
    })?;
    if jni_findings > 0 {
        println!(
            "java/{}: -Xcheck:jni reported {jni_findings} problem line(s): counting one failure",
            suite.name
        );
        tally.failed += 1;
    }
    if !ok && tally.failed == 0 {
        println!(
            "java/{}: launcher failed without a failing test to count",
            suite.name
        );
        tally.failed += 1;
    }
    Ok(tally)
}

/// Reads the console launcher's summary box: `[  12 tests successful  ]`,
/// `[  1 tests failed  ]`, `[  1 containers failed  ]` (a failing `@BeforeAll` reports no
/// test at all, so failed containers count as failures too).
fn junit_counts(out: &str) -> Option<Tally> {
    let mut tally = Tally::default();
    let mut seen = false;
    for line in out.lines() {
        let Some(inner) = line
            .trim()
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
        else {
            continue;
        };
        let mut words = inner.split_whitespace();
        let Some(Ok(n)) = words.next().map(str::parse::<u64>) else {
            continue;
        };
        match words.collect::<Vec<_>>().join(" ").as_str() {
            "tests successful" => {
                tally.passed += n;
                seen = true;
            }
            "tests failed" | "containers failed" | "tests aborted" | "containers aborted" => {
                tally.failed += n;
                seen = true;
            }
            _ => {}
        }
    }
    seen.then_some(tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_lines_are_summed() {
        let out = "running 2 tests\n\
            test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\
            test result: FAILED. 3 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out\n\
            test result: ok. 0 passed; 0 failed; 0 ignored\n";
        let t = libtest_counts(out);
        assert_eq!((t.passed, t.failed), (5, 1));
    }

    #[test]
    fn junit_summary_is_read() {
        let out = "\
[         4 containers found      ]
[         0 containers skipped    ]
[         1 containers failed     ]
[        12 tests successful      ]
[         2 tests failed          ]
";
        let t = junit_counts(out).expect("summary");
        assert_eq!((t.passed, t.failed), (12, 3));
        assert!(junit_counts("no summary here\n[ not a count ]").is_none());
    }

    #[test]
    fn stage_options() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse(&args(&[
            "--skip-lint",
            "--skip",
            "rql,profiles,e2e,faults,contract",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            o.stages,
            ["setup", "rust", "dist", "archive", "java", "newjdk"]
        );
        let o = parse(&args(&["--only", "java,dist"])).unwrap().unwrap();
        assert_eq!(
            o.stages,
            ["dist", "java"],
            "stages keep their natural order"
        );
        assert!(parse(&args(&["--only", "nope"])).is_err());
    }
}
