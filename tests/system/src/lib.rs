//! The harness of the system tests: they run the BUILT connector archive through the local
//! runner (java/runner) against loopback servers. `cargo xtask test` builds the archive in its
//! `dist` stage and runs each suite as a stage; a suite alone runs with
//! `cargo test -p system-tests --test <suite> [filter]` once `cargo xtask dist` has built the
//! archive.

#[cfg(feature = "archive")]
pub mod archive;
#[cfg(feature = "archive")]
pub mod binary;
pub mod fault_server;
#[cfg(feature = "webhook-tokens")]
pub mod jwt;
pub mod platforms;
pub mod server;
pub mod wiremock;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// The environment variable that names the archive under test; `cargo xtask test` sets it.
/// Unset, the archive `cargo xtask dist` writes is used.
pub const ARCHIVE_ENV: &str = "CONNECT_BOOMI_ARCHIVE";

/// The runner's main class.
pub const RUNNER_MAIN: &str = "com.cloudblue.connect.boomi.runner.Main";

/// The Prism release tests/package.json pins (contract).
pub const PRISM_VERSION: &str = "5.16.0";

/// Prism, installed by `npm ci` in tests/ (xtask's setup stage).
pub fn prism_bin() -> PathBuf {
    root().join("tests/node_modules/.bin/prism")
}

/// The workspace root (this crate lives two levels below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/system sits inside the workspace")
        .to_path_buf()
}

/// A per-suite scratch directory under target/, emptied once per test binary.
pub fn work_dir(suite: &str) -> PathBuf {
    static FRESH: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let dir = root().join("target").join(suite);
    let mut fresh = FRESH.lock().unwrap_or_else(|e| e.into_inner());
    if !fresh.iter().any(|s| s == suite) {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        fresh.push(suite.to_string());
    }
    dir
}

/// The archive under test ([`ARCHIVE_ENV`], else `target/dist/...--car.zip`); panics with
/// what to do when it is missing.
pub fn archive() -> PathBuf {
    let car = std::env::var_os(ARCHIVE_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            root().join("target/dist").join(format!(
                "cloudblue-connect-boomi-{}--car.zip",
                env!("CARGO_PKG_VERSION")
            ))
        });
    assert!(
        car.is_file(),
        "the connector archive {} is missing: build it with `cargo xtask dist` (or run the \
         suites through `cargo xtask test`), or name another one in {ARCHIVE_ENV}",
        car.display()
    );
    car
}

/// A JDK tool (`java`, `javac`), taken from `JAVA_HOME` when it is set, else from `PATH`.
pub fn jdk_tool(name: &str) -> Command {
    let program = match std::env::var_os("JAVA_HOME") {
        Some(home) if !home.is_empty() => Path::new(&home).join("bin").join(name),
        _ => PathBuf::from(name),
    };
    let mut cmd = Command::new(program);
    cmd.current_dir(root());
    cmd
}

/// The runner jar and the SDK stand-ins `cargo xtask dist` builds: every way of starting the
/// runner (other JDKs, argument files) uses this class path with [`RUNNER_MAIN`].
pub fn runner_classpath() -> String {
    let sep = if cfg!(windows) { ";" } else { ":" };
    runner_classpath_as(sep, |p| p.display().to_string())
}

/// [`runner_classpath`] for a JVM that names paths its own way (`name`) and separates class
/// path entries with `sep` (an emulated Windows JVM: `Z:\...` and `;`).
pub fn runner_classpath_as(sep: &str, name: impl Fn(&Path) -> String) -> String {
    let java = root().join("target/java");
    format!(
        "{}{sep}{}",
        name(&java.join("runner.jar")),
        name(&java.join("sdk-stubs"))
    )
}

/// The runner on the given archive; callers add the runner's other arguments.
pub fn runner_command(car: &Path) -> Command {
    let mut cmd = jdk_tool("java");
    cmd.arg("-cp")
        .arg(runner_classpath())
        .arg(RUNNER_MAIN)
        .arg("--archive")
        .arg(car);
    cmd
}

/// A size for people: `1.50 MiB`, `2.0 KiB`, `12 B`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// What a finished runner printed (as text) and how it exited.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a runner command to completion with no input, capturing its output.
pub fn output(cmd: &mut Command) -> anyhow::Result<Output> {
    use anyhow::Context as _;
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .context("could not start the runner")?;
    Ok(Output {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// The JSON values the runner printed on stdout, in order (results and any other lines).
pub fn json_values(stdout: &str) -> anyhow::Result<Vec<serde_json::Value>> {
    use anyhow::Context as _;
    serde_json::Deserializer::from_str(stdout)
        .into_iter::<serde_json::Value>()
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("runner stdout is not JSON:\n{stdout}"))
}

/// `--connection key=value` runner arguments, one pair per setting.
pub fn connection_args<S: AsRef<str>>(settings: impl IntoIterator<Item = S>) -> Vec<String> {
    settings
        .into_iter()
        .flat_map(|s| ["--connection".to_string(), s.as_ref().to_string()])
        .collect()
}

/// A string field of a JSON object, or `""`.
pub fn str_field<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
}

/// A finished runner: how it exited, what it printed, and its result lines.
pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    /// The JSON values with a `status` the runner printed, in order.
    pub results: Vec<serde_json::Value>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// A run whose stdout the caller already parsed into `values`.
    pub fn new(out: Output, values: Vec<serde_json::Value>) -> Run {
        Run {
            ok: out.status.success(),
            code: out.status.code(),
            results: values
                .into_iter()
                .filter(|v| v.get("status").is_some())
                .collect(),
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }

    /// A run whose stdout is parsed with [`json_values`].
    pub fn parse(out: Output) -> anyhow::Result<Run> {
        let values = json_values(&out.stdout)?;
        Ok(Run::new(out, values))
    }

    /// The runner's output, for a failure message.
    pub fn explain(&self) -> String {
        format!(
            "runner stdout:\n{}\nrunner stderr:\n{}",
            self.stdout, self.stderr
        )
    }

    /// A string field of the `i`th result printed, or `""`.
    pub fn field(&self, i: usize, key: &str) -> &str {
        self.results.get(i).map_or("", |r| str_field(r, key))
    }

    /// Status, status code and message of input document `i`'s result: the runner prints
    /// results as they arrive, which is not input order when a document is refused before its
    /// batch is sent.
    pub fn result(&self, i: usize) -> anyhow::Result<(&str, &str, &str)> {
        use anyhow::Context as _;
        let r = self
            .results
            .iter()
            .find(|r| r.get("input").and_then(serde_json::Value::as_u64) == Some(i as u64))
            .with_context(|| format!("no result for input {i}\n{}", self.explain()))?;
        let f = |k| str_field(r, k);
        Ok((f("status"), f("statusCode"), f("message")))
    }
}
