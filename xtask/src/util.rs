//! Small helpers shared by the commands: paths, running processes, sizes, freshness.

use anyhow::{Context, Result, bail};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// The workspace root (xtask lives one level below it). Every path the commands use is
/// relative to this, so `cargo xtask` works from any directory inside the repository.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// The connector version: the workspace version, shared by every crate and the archive name.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `cargo` as invoked us (rustup proxies set `CARGO`), so nested builds use the same toolchain.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// A JDK tool (`java`, `javac`), taken from `JAVA_HOME` when it is set, else from `PATH`.
pub use system_tests::jdk_tool;

/// Renders a command the way a user could paste it, for the log. `key=value` arguments whose
/// key names a secret (`apiToken=…`, `password=…`) are shown as `key=***`: the runner takes
/// connection settings that way and an API token must never reach a log.
pub fn show(cmd: &Command) -> String {
    let mut out = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        let arg = redact(&arg);
        if arg.is_empty() || arg.contains([' ', '"', '\'', '$']) {
            out.push_str(&format!(" '{}'", arg.replace('\'', r"'\''")));
        } else {
            out.push(' ');
            out.push_str(&arg);
        }
    }
    out
}

fn redact(arg: &str) -> std::borrow::Cow<'_, str> {
    match arg.split_once('=') {
        Some((key, _))
            if ["token", "password", "secret"]
                .iter()
                .any(|word| key.to_ascii_lowercase().contains(word)) =>
        {
            format!("{key}=***").into()
        }
        _ => arg.into(),
    }
}

/// A child's exit status as this process's: its code (1 when it does not fit), 1 when a signal
/// ended it.
pub fn exit_code(status: std::process::ExitStatus) -> std::process::ExitCode {
    match status.code() {
        Some(0) => std::process::ExitCode::SUCCESS,
        Some(code) => std::process::ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => std::process::ExitCode::FAILURE,
    }
}

/// Runs a command with inherited stdio; fails with the command line when it exits non-zero.
pub fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", show(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{}`", show(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", show(cmd));
    }
    Ok(())
}

/// Runs a command, echoing its stdout line by line while also collecting it (stderr stays
/// inherited), so a stage's output stays visible and can still be parsed for counts.
/// Returns whether it succeeded and the collected stdout.
pub fn run_tee(cmd: &mut Command) -> Result<(bool, String)> {
    eprintln!("$ {}", show(cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{}`", show(cmd)))?;
    let mut collected = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).split(b'\n') {
            let line = String::from_utf8_lossy(&line?).into_owned();
            println!("{line}");
            collected.push_str(&line);
            collected.push('\n');
        }
    }
    let status = child.wait()?;
    Ok((status.success(), collected))
}

/// Whether a program can be started at all (used to say precisely what is missing).
pub fn have(program: impl AsRef<OsStr>) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Whether Debian packages can be installed here: running as root with `apt-get` available.
pub fn can_apt_install() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    root && have("apt-get")
}

/// `apt-get update`, then a quiet, non-interactive install of `package` without recommends.
pub fn apt_install(package: &str) -> Result<()> {
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends", package])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

pub use system_tests::human_size;

pub fn file_size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("{} is missing", path.display()))?
        .len())
}

/// Every regular file below `dir` (recursively) whose name ends with `suffix`, sorted so
/// that builds and archives do not depend on directory iteration order.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, &mut |p| {
            if p.to_string_lossy().ends_with(suffix) {
                out.push(p.to_path_buf());
            }
        })?;
    }
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, f)?;
        } else if kind.is_file() {
            f(&path);
        }
    }
    Ok(())
}

/// The newest modification time of any file below the given paths (files or directories),
/// or `None` when none exists. Used to decide whether a built artifact is stale.
pub fn newest_mtime(paths: &[PathBuf]) -> Result<Option<SystemTime>> {
    let mut newest: Option<SystemTime> = None;
    let mut consider = |p: &Path| {
        if let Ok(t) = std::fs::metadata(p).and_then(|m| m.modified()) {
            newest = Some(newest.map_or(t, |n| n.max(t)));
        }
    };
    for path in paths {
        if path.is_dir() {
            walk(path, &mut consider)?;
        } else if path.is_file() {
            consider(path);
        }
    }
    Ok(newest)
}

/// Removes a directory tree if present and creates it empty, so no stale output survives.
pub fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Path relative to the workspace root, for messages.
pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_hides_secrets() {
        let mut cmd = Command::new("java");
        cmd.args([
            "--connection",
            "apiToken=ApiKey SU-1:secret",
            "--connection",
        ])
        .args(["proxyPassword=p", "endpoint=https://x", "two words"]);
        let shown = show(&cmd);
        assert_eq!(
            shown,
            "java --connection apiToken=*** --connection proxyPassword=*** endpoint=https://x 'two words'"
        );
    }
}
