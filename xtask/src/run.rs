//! `cargo xtask run [args]`: the local runner ("Atom in a box") on the built archive.
//!
//! Arguments go to the runner unchanged after `--archive <car>` (see java/runner for its
//! options). The archive is rebuilt first when any build input is newer than it.

use crate::dist;
use crate::util::{jdk_tool, show};
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::{Command, ExitCode};

pub const RUNNER_MAIN: &str = "com.cloudblue.connect.boomi.runner.Main";

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    if dist::is_stale()? {
        eprintln!("archive missing or older than its sources: running `cargo xtask dist` first");
        // The build reports on stderr: stdout stays the runner's JSON lines.
        dist::build()?;
    }
    let mut cmd = runner_command(&dist::car_path());
    cmd.args(args);
    eprintln!("$ {}", show(&cmd));
    let status = cmd.status().context("could not start java")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// `java -cp runner.jar:sdk-stubs Main --archive <car>`: the stand-ins play the SDK the
/// Atom would provide, and the runner loads the archive in its own class loader.
pub fn runner_command(car: &std::path::Path) -> Command {
    let mut cmd = jdk_tool("java");
    let cp: Vec<PathBuf> = vec![dist::runner_jar(), dist::stubs_dir()];
    cmd.arg("-cp")
        .arg(crate::java::classpath(&cp))
        .arg(RUNNER_MAIN)
        .arg("--archive")
        .arg(car);
    cmd
}
