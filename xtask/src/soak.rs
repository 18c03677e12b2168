//! `cargo xtask soak [--query N] [--execute M]`: a long run through the BUILT archive against the
//! fault server of `faults.rs` (here serving only good answers): a List Resources of N documents
//! (default 1,000,000) and an Approve of M documents (default 100,000), each in one runner JVM,
//! whose resident memory (VmRSS) is sampled every second. Prints the samples and whether they stay
//! within 10% after warm-up (the first quarter of the samples). Not part of `cargo xtask test`.

use crate::dist;
use crate::faults::{FaultServer, Reply, Seen};
use crate::util::root;
use anyhow::{Context, Result, bail, ensure};
use std::io::{BufRead, BufReader, Write};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const PAGE: u64 = 1000;

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    let mut query: u64 = 1_000_000;
    let mut execute: u64 = 100_000;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |flag: &str| -> Result<u64> {
            it.next()
                .with_context(|| format!("{flag} needs a number"))?
                .replace('_', "")
                .parse()
                .with_context(|| format!("{flag} needs a number"))
        };
        match a.as_str() {
            "--query" => query = num("--query")?,
            "--execute" => execute = num("--execute")?,
            other => {
                bail!("unknown option `{other}`; usage: cargo xtask soak [--query N] [--execute M]")
            }
        }
    }
    if dist::is_stale()? {
        dist::build()?;
    }
    let car = dist::car_path();
    let work = root().join("target/soak");
    crate::util::fresh_dir(&work)?;
    let server = FaultServer::start()?;
    server.reset(Box::new(move |seen: &Seen, _| page(seen, query)));
    let endpoint = format!("http://127.0.0.1:{}/public/v1", server.port);

    let mut flat = true;
    let mut lines = vec![
        format!("--archive\n{}", car.display()),
        format!("--connection\nendpoint={endpoint}"),
        "--connection\napiToken=SU-000-000-888:soakSecretToken000".to_owned(),
        "--action\nLIST\n--object\nREQUEST\n--property\npageSize=1000".to_owned(),
    ];
    let q = measure("query", &work.join("query.args"), &lines, query)?;
    flat &= q;

    let doc = work.join("approve.json");
    std::fs::write(&doc, r#"{"template_id":"TL-000-000-001"}"#)?;
    lines.truncate(3);
    lines.push(
        "--action\nAPPROVE\n--object\nREQUEST\n--property\nrequest_id=PR-1000-0000-0001-001"
            .to_owned(),
    );
    // One argument per document: the runner reads each file as one input document.
    let docs = format!("{}\n", doc.display()).repeat(usize::try_from(execute)?);
    lines.push(docs);
    let e = measure("execute", &work.join("execute.args"), &lines, execute)?;
    flat &= e;
    println!(
        "soak: {}",
        if flat {
            "memory flat within 10% after warm-up"
        } else {
            "memory NOT flat"
        }
    );
    Ok(if flat {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A page of Connect-shaped request records for `GET .../requests?limit=&offset=`, or an
/// approve answer for a POST.
fn page(seen: &Seen, total: u64) -> Reply {
    if seen.method == "POST" {
        return Reply::ok();
    }
    let param = |name: &str| -> u64 {
        seen.target
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let limit = param("limit").min(PAGE);
    let offset = param("offset");
    let end = (offset + limit).min(total);
    let mut body = String::from("[");
    for i in offset..end {
        if i > offset {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"id":"PR-{:04}-{:04}-{:04}-001","type":"purchase","status":"approved","created":"2024-01-01T00:00:00+00:00","asset":{{"id":"AS-{:04}-{:04}","product":{{"id":"PRD-000-000-001","name":"Soak Product"}},"params":[{{"id":"p1","value":"v{i}"}}]}}}}"#,
            i / 100_000_000,
            (i / 10_000) % 10_000,
            i % 10_000,
            i / 10_000,
            i % 10_000
        ));
    }
    body.push(']');
    let range = if end > offset {
        format!("items {offset}-{}/{total}", end - 1)
    } else {
        format!("items 0-0/{total}")
    };
    Reply::Answer(200, vec![("Content-Range".into(), range)], body)
}

/// Runs the runner with the argument file `lines`, counting result lines on stdout and sampling
/// its VmRSS every second. Returns whether memory was flat.
fn measure(name: &str, argfile: &std::path::Path, lines: &[String], expect: u64) -> Result<bool> {
    let mut file = std::fs::File::create(argfile)?;
    file.write_all(format!("-cp\n{}\n{}\n", runner_cp(), crate::run::RUNNER_MAIN).as_bytes())?;
    for l in lines {
        writeln!(file, "{l}")?;
    }
    drop(file);
    let mut cmd = crate::util::jdk_tool("java");
    cmd.arg(format!("@{}", argfile.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(argfile.with_extension("stderr.log"))?);
    let started = Instant::now();
    let mut child = cmd.spawn().context("could not start the runner")?;
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !done.load(Ordering::SeqCst) {
                if let Some(kb) = rss_kb(pid) {
                    samples.push(kb);
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            samples
        })
    };
    let stdout = child.stdout.take().context("no stdout")?;
    let mut results = 0u64;
    let mut successes = 0u64;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if line.contains("\"status\":") {
            results += 1;
            if line.contains("\"status\":\"SUCCESS\"") {
                successes += 1;
            }
        }
    }
    let status = child.wait()?;
    done.store(true, Ordering::SeqCst);
    let samples = sampler
        .join()
        .map_err(|_| anyhow::anyhow!("sampler panicked"))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "soak {name}: {results} results ({successes} SUCCESS) of {expect} expected in {secs:.0} s, exit {status}"
    );
    let mb: Vec<String> = samples
        .iter()
        .map(|kb| format!("{:.0}", *kb as f64 / 1024.0))
        .collect();
    println!("soak {name}: RSS samples (MB, 1 s apart): {}", mb.join(" "));
    ensure!(
        results == expect,
        "soak {name}: expected {expect} results, got {results}"
    );
    let warm = &samples[samples.len() / 4..];
    let (Some(min), Some(max)) = (warm.iter().min(), warm.iter().max()) else {
        bail!("soak {name}: no RSS samples");
    };
    let spread = (*max - *min) as f64 / *min as f64;
    let flat = spread <= 0.10;
    println!(
        "soak {name}: after warm-up ({} samples) RSS {:.0}..{:.0} MB, spread {:.1}% ({})",
        warm.len(),
        *min as f64 / 1024.0,
        *max as f64 / 1024.0,
        spread * 100.0,
        if flat {
            "flat within 10%"
        } else {
            "NOT flat within 10%"
        }
    );
    Ok(flat)
}

fn runner_cp() -> String {
    crate::java::classpath(&[dist::runner_jar(), dist::stubs_dir()])
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}
