//! `cargo xtask run [args]`: the local runner ("Atom in a box") on the built archive.
//!
//! Arguments go to the runner unchanged after `--archive <car>` (see java/runner/README.md
//! for its options). The archive and the runner are rebuilt first when any build input is
//! newer than them. An explicit `--archive F` runs that archive instead.

use crate::dist;
use crate::util::{exit_code, jdk_tool, show};
use anyhow::{Context, Result};
use std::process::{Command, ExitCode};

use system_tests::{RUNNER_MAIN, runner_classpath, runner_command};

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    // `cargo xtask run -- ...` passes the `--` through: it means nothing here.
    let args = match args.first() {
        Some(first) if first == "--" => &args[1..],
        _ => args,
    };
    // With an explicit `--archive` the user runs some other archive: only the runner is needed.
    let own_archive = args.iter().any(|a| a == "--archive");
    if dist::is_stale()? {
        eprintln!("archive or runner missing or older than the sources: building them first");
        // The build reports on stderr: stdout stays the runner's JSON lines.
        dist::build()?;
    }
    let mut cmd = if own_archive {
        runner_java()
    } else {
        runner_command(&dist::car_path())
    };
    cmd.args(args);
    eprintln!("$ {}", show(&cmd));
    Ok(exit_code(cmd.status().context("could not start java")?))
}

/// `java -cp runner.jar:sdk-stubs Main`: the stand-ins play the SDK the Atom would provide,
/// and the runner loads the archive in its own class loader.
fn runner_java() -> Command {
    let mut cmd = jdk_tool("java");
    cmd.arg("-cp").arg(runner_classpath()).arg(RUNNER_MAIN);
    cmd
}
