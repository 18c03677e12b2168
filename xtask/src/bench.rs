//! `cargo xtask bench` and `cargo xtask soak`: build what they measure (the archive when it is
//! missing or older than the sources; for bench also `java/bench` and Debian's Jackson), then
//! run the `bench` crate's binary of the same name with the remaining arguments. The
//! measurements and their page server live in `bench/`.

use crate::util::{self, root};
use crate::{dist, java};
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Debian's libjackson2-databind-java (the stack of CloudBlue's own connector), which the
/// pure-Java client of the benchmark uses.
const JACKSON_JARS: &[&str] = &[
    "/usr/share/java/jackson-databind.jar",
    "/usr/share/java/jackson-core.jar",
    "/usr/share/java/jackson-annotations.jar",
];

pub fn bench(args: &[String]) -> Result<ExitCode> {
    let help = args.iter().any(|a| a == "-h" || a == "--help");
    let mut env = Vec::new();
    if !help {
        ensure_jackson()?;
        if !args.iter().any(|a| a == "--no-build") && dist::is_stale()? {
            dist::build()?;
        }
        let classes = compile_bench()?;
        let mut cp = vec![classes, dist::runner_jar(), dist::stubs_dir()];
        cp.extend(JACKSON_JARS.iter().map(PathBuf::from));
        env.push(("CONNECT_BOOMI_BENCH_CLASSPATH", java::classpath(&cp)));
        env.push((
            "CONNECT_BOOMI_LIBRARY",
            dist::release_library().display().to_string(),
        ));
    }
    launch("bench", args, env, help)
}

pub fn soak(args: &[String]) -> Result<ExitCode> {
    let help = args.iter().any(|a| a == "-h" || a == "--help");
    if !help && dist::is_stale()? {
        dist::build()?;
    }
    launch("soak", args, Vec::new(), help)
}

/// `cargo run -p bench --bin <bin> -- <args>` on the archive `dist` writes; its exit status.
fn launch(bin: &str, args: &[String], env: Vec<(&str, String)>, help: bool) -> Result<ExitCode> {
    let mut cmd = util::cargo();
    cmd.args(["run", "--quiet", "-p", "bench", "--bin", bin, "--"])
        .args(args);
    if !help {
        cmd.env(system_tests::ARCHIVE_ENV, dist::built_car()?);
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    println!("$ {}", util::show(&cmd));
    Ok(util::exit_code(cmd.status()?))
}

/// Compiles `java/bench` against the runner, the SDK stand-ins and Jackson.
fn compile_bench() -> Result<PathBuf> {
    let out = java::out_dir().join("bench");
    let mut cp = vec![dist::runner_jar(), dist::stubs_dir()];
    cp.extend(JACKSON_JARS.iter().map(PathBuf::from));
    // Java 11+: the bench uses java.net.http, as a pure-Java connector would; it is never shipped.
    java::compile(
        "bench",
        17,
        &root().join("java/bench/src/main/java"),
        None,
        &cp,
        &out,
    )?;
    Ok(out)
}

/// Installs Debian's Jackson when missing and we are root; otherwise says what to install.
fn ensure_jackson() -> Result<()> {
    if JACKSON_JARS.iter().all(|j| Path::new(j).is_file()) {
        return Ok(());
    }
    if !util::can_apt_install() {
        bail!(
            "Jackson is missing: apt-get install --no-install-recommends libjackson2-databind-java"
        );
    }
    println!("Jackson missing: installing Debian package libjackson2-databind-java");
    util::apt_install("libjackson2-databind-java")
}
