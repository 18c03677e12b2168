//! `cargo xtask fuzz`: the long, coverage-guided fuzz run (libFuzzer through cargo-fuzz).
//!
//! The targets are the binaries in `fuzz/fuzz_targets/`, one per `connect_core::fuzz::TARGETS`
//! entry (`rust/core/tests/fuzz_short.rs` checks the two agree). They are read from the directory
//! because the checkers exist only with connect-core's `fuzzing` feature, which xtask leaves off. The run
//! starts from the committed seeds (`fuzz/seeds/<target>/`, read only) and keeps what it learns in
//! `fuzz/corpus/<target>/` (not committed), so later runs go on from there. The short run over the
//! same targets is part of `cargo test` (`rust/core/tests/fuzz_short.rs`).
//!
//! cargo-fuzz needs nightly compiler flags (`-Zsanitizer`, coverage passes); this machine has
//! stable Rust only, so the build runs with `RUSTC_BOOTSTRAP=1`, which unlocks them on stable.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util;

const USAGE: &str = "\
cargo xtask fuzz [TARGET...] [--seconds N] [--sanitizer address|none]

Runs each TARGET (default: all) under libFuzzer for N seconds (default 300), starting from
fuzz/seeds/<target>/ and growing fuzz/corpus/<target>/. Installs cargo-fuzz when it is missing.
A crash leaves its input in fuzz/artifacts/<target>/ and makes the command fail; reproduce with
`RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>`. --sanitizer none builds without
AddressSanitizer (faster; the core has no unsafe code of its own).

Targets: ";

/// The cargo-fuzz targets: the file names of `fuzz/fuzz_targets/*.rs`, sorted.
fn target_names() -> Result<Vec<String>> {
    let dir = util::root().join("fuzz/fuzz_targets");
    let names: Vec<String> = util::files_with_suffix(&dir, ".rs")?
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    if names.is_empty() {
        bail!("no fuzz targets in {}", util::rel(&dir));
    }
    Ok(names)
}

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    let names = target_names()?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut targets = Vec::new();
    let mut seconds: u64 = 300;
    let mut sanitizer: Option<String> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}{}", names.join(", "));
                return Ok(ExitCode::SUCCESS);
            }
            "--seconds" => {
                let value = args.next().context("--seconds needs a number")?;
                seconds = value
                    .parse()
                    .ok()
                    .filter(|&s| s > 0)
                    .with_context(|| format!("--seconds {value:?} is not a positive number"))?;
            }
            "--sanitizer" => {
                let value = args.next().context("--sanitizer needs address or none")?;
                if !["address", "none"].contains(&value.as_str()) {
                    bail!("--sanitizer {value:?}: use address or none");
                }
                sanitizer = Some(value.clone());
            }
            name if names.contains(&name) => targets.push(name.to_owned()),
            other => bail!(
                "unknown argument {other:?}; targets are {}\n\n{USAGE}{}",
                names.join(", "),
                names.join(", ")
            ),
        }
    }
    if targets.is_empty() {
        targets = names.iter().map(|n| (*n).to_owned()).collect();
    }
    ensure_cargo_fuzz()?;

    let root = util::root();
    let mut outcomes = Vec::new();
    for target in &targets {
        outcomes.push(run_target(&root, target, seconds, sanitizer.as_deref())?);
    }
    println!(
        "\n{:<18} {:>8} {:>12} {:>10} {:>8}  result",
        "target", "seconds", "execs", "execs/s", "new"
    );
    for o in &outcomes {
        println!(
            "{:<18} {:>8} {:>12} {:>10} {:>8}  {}",
            o.target,
            o.seconds,
            o.stat("number_of_executed_units"),
            o.stat("average_exec_per_sec"),
            o.stat("new_units_added"),
            o.result
        );
    }
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("{failed} fuzz target(s) failed; inputs are in fuzz/artifacts/");
        ExitCode::FAILURE
    })
}

/// Installs cargo-fuzz unless `cargo fuzz` already works.
fn ensure_cargo_fuzz() -> Result<()> {
    let present = util::cargo()
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    util::run(util::cargo().args(["install", "cargo-fuzz", "--locked"]))
}

struct Outcome {
    target: String,
    seconds: u64,
    ok: bool,
    result: String,
    /// libFuzzer's `stat::name: value` lines (`-print_final_stats=1`).
    stats: Vec<(String, String)>,
}

impl Outcome {
    fn stat(&self, name: &str) -> &str {
        self.stats
            .iter()
            .find(|(n, _)| n == name)
            .map_or("?", |(_, v)| v.as_str())
    }
}

fn run_target(root: &Path, target: &str, seconds: u64, sanitizer: Option<&str>) -> Result<Outcome> {
    let fuzz = root.join("fuzz");
    let corpus = fuzz.join("corpus").join(target);
    std::fs::create_dir_all(&corpus).with_context(|| format!("{}", corpus.display()))?;
    let mut cmd: Command = util::cargo();
    cmd.env("RUSTC_BOOTSTRAP", "1").args(["fuzz", "run"]);
    if let Some(s) = sanitizer {
        cmd.args(["--sanitizer", s]);
    }
    cmd.arg(target)
        .arg(format!("fuzz/corpus/{target}"))
        .arg(format!("fuzz/seeds/{target}"))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        // A slow input is a finding too: nothing here should take seconds.
        .arg("-timeout=10");
    if fuzz.join("dict").join(format!("{target}.dict")).is_file() {
        cmd.arg(format!("-dict=fuzz/dict/{target}.dict"));
    }
    eprintln!("$ RUSTC_BOOTSTRAP=1 {}", util::show(&cmd));
    let started = Instant::now();
    // libFuzzer reports on stderr: echo it and keep the lines for the summary.
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .context("could not start cargo fuzz")?;
    let mut stats = Vec::new();
    let mut artifact = None;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).split(b'\n') {
            let line = String::from_utf8_lossy(&line?).into_owned();
            eprintln!("{line}");
            if let Some((name, value)) = line.strip_prefix("stat::").and_then(|s| s.split_once(':'))
            {
                stats.push((name.trim().to_owned(), value.trim().to_owned()));
            }
            if let Some(path) = line.split("Test unit written to ").nth(1) {
                artifact = Some(path.trim().to_owned());
            }
        }
    }
    let status = child.wait().context("waiting for cargo fuzz")?;
    let ok = status.success();
    let result = match (&artifact, ok) {
        (_, true) => "ok".to_owned(),
        (Some(path), false) => format!("CRASH: {path}"),
        (None, false) => format!("FAILED ({status})"),
    };
    Ok(Outcome {
        target: target.to_owned(),
        seconds: started.elapsed().as_secs(),
        ok,
        result,
        stats,
    })
}
