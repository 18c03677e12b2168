//! `cargo xtask soak [--query N] [--execute M] [--parallelism P]`: a long run through the BUILT
//! archive against a local page server: a List Resources of N documents (default 5,000,000) and
//! an Approve of M documents (default 100,000), each in one runner JVM with a fixed heap, whose
//! resident memory (VmRSS) is sampled every 50 ms together with the number of results so far.
//! Prints the samples, durations, throughput and whether RSS stays within 10% after warm-up
//! (JVM start, input loading and the first quarter of the documents), and writes
//! `target/soak/results.json`. Not part of `cargo xtask test`.
//!
//! What is measured is the connector, not the harness: the runner streams each result to stdout
//! as it arrives with `--discard-payloads` (a size instead of the document) and keeps only
//! per-input state, and the server (the benchmark's page server: pre-rendered pages, keep-alive,
//! records nothing) does not slow down as the run grows.

use crate::dist;
use crate::util::root;
use anyhow::{Context, Result, bail, ensure};
// The benchmark's page server: one server for both keeps the two measurements comparable.
use crate::bench::server::{Config, PageServer};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A fixed heap, as an Atom is configured, touched in full at start. Java-side retention then
/// cannot hide in RSS growth: it ends the run with an OutOfMemoryError (the old runner, which kept
/// every result, fails that way). What RSS still shows is native memory (the Rust core, JNI,
/// threads, metaspace), and without the pre-touch RSS would instead creep up for a while as G1
/// first uses more of its regions, which says nothing about the connector. The GC log is kept in
/// `target/soak/<run>.gc.log` for diagnosis.
fn jvm_options(heap_mb: u64, work: &Path, name: &str) -> Vec<String> {
    vec![
        format!("-Xms{heap_mb}m"),
        format!("-Xmx{heap_mb}m"),
        "-XX:+UseG1GC".to_owned(),
        "-XX:+AlwaysPreTouch".to_owned(),
        format!(
            "-Xlog:gc:file={}",
            work.join(format!("{name}.gc.log")).display()
        ),
    ]
}
/// Distinct records the server cycles through (the page cache holds each page once).
const DISTINCT_RECORDS: u64 = 10_000;
/// RSS may vary this much (of the minimum) after warm-up.
const FLAT: f64 = 0.10;
/// Fewer samples after warm-up than this say nothing about growth.
const MIN_SAMPLES: usize = 20;
/// A run of a million documents takes seconds, not minutes: sample often.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);
const USAGE: &str = "usage: cargo xtask soak [--query N] [--execute M] [--parallelism P]
  --query N        documents of the List Resources run (default 5000000; 0 skips it)
  --execute M      documents of the Approve run (default 100000; 0 skips it)
  --parallelism P  the Approve's Parallel Requests setting (default 8, at most 16)
  --heap MB        the runner JVM's fixed heap (-Xms = -Xmx, default 128)";

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    // Five times the issue's minimum: a million documents take about three seconds.
    let mut query: u64 = 5_000_000;
    let mut execute: u64 = 100_000;
    let mut parallelism: u64 = 8;
    let mut heap_mb: u64 = 128;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |flag: &str| -> Result<u64> {
            it.next()
                .with_context(|| format!("{flag} needs a number\n{USAGE}"))?
                .replace('_', "")
                .parse()
                .with_context(|| format!("{flag} needs a number\n{USAGE}"))
        };
        match a.as_str() {
            "--query" => query = num("--query")?,
            "--execute" => execute = num("--execute")?,
            "--parallelism" => parallelism = num("--parallelism")?,
            "--heap" => heap_mb = num("--heap")?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown option `{other}`\n{USAGE}"),
        }
    }
    ensure!(
        query > 0 || execute > 0,
        "nothing to do with --query 0 and --execute 0"
    );
    if dist::is_stale()? {
        dist::build()?;
    }
    let car = dist::car_path();
    let work = root().join("target/soak");
    crate::util::fresh_dir(&work)?;
    let server = PageServer::start(Config {
        records: records(),
        total: query,
        gzip: false,
        delay: Duration::ZERO,
        page_delay: Duration::ZERO,
    })?;
    let common = vec![
        format!("--archive\n{}", car.display()),
        format!("--connection\nendpoint={}", server.endpoint()),
        "--connection\napiToken=SU-000-000-888:soakSecretToken000".to_owned(),
        "--discard-payloads".to_owned(),
    ];

    let mut report =
        json!({ "jvmOptions": jvm_options(heap_mb, &work, "<run>"), "flatWithin": FLAT });
    let mut flat = true;
    if query > 0 {
        let mut lines = common.clone();
        lines.push("--action\nLIST\n--object\nREQUEST\n--property\npageSize=1000".to_owned());
        let q = measure(
            "query",
            &work,
            &jvm_options(heap_mb, &work, "query"),
            &lines,
            query,
        )?;
        flat &= q.flat;
        report["query"] = q.json;
    }
    if execute > 0 {
        let doc = work.join("approve.json");
        std::fs::write(&doc, r#"{"template_id":"TL-000-000-001"}"#)?;
        let mut lines = common;
        lines.push(format!(
            "--action\nAPPROVE\n--object\nREQUEST\n--property\nparallelism={parallelism}\n--doc-property\nrequest_id=PR-1000-0000-0001-001"
        ));
        // One argument per document: the runner reads each file as one input document.
        lines.push(format!("{}\n", doc.display()).repeat(usize::try_from(execute)?));
        let e = measure(
            "execute",
            &work,
            &jvm_options(heap_mb, &work, "execute"),
            &lines,
            execute,
        )?;
        flat &= e.flat;
        report["execute"] = e.json;
    }
    report["flat"] = json!(flat);
    let out = work.join("results.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report)? + "\n")?;
    println!(
        "soak: {} ({})",
        if flat {
            "memory flat within 10% after warm-up"
        } else {
            "memory NOT flat"
        },
        crate::util::rel(&out)
    );
    Ok(if flat {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Connect-shaped request records (compact JSON, ids unique within the cycle).
fn records() -> Vec<Vec<u8>> {
    (0..DISTINCT_RECORDS)
        .map(|i| {
            format!(
                r#"{{"id":"PR-{:04}-{:04}-{:04}-001","type":"purchase","status":"approved","created":"2024-01-01T00:00:00+00:00","asset":{{"id":"AS-{:04}-{:04}","product":{{"id":"PRD-000-000-001","name":"Soak Product"}},"params":[{{"id":"p1","value":"v{i}"}}]}}}}"#,
                i / 100_000_000,
                (i / 10_000) % 10_000,
                i % 10_000,
                i / 10_000,
                i % 10_000
            )
            .into_bytes()
        })
        .collect()
}

struct Measured {
    flat: bool,
    json: Value,
}

/// One RSS reading and how many results the runner had printed by then.
#[derive(Clone, Copy)]
struct Sample {
    kb: u64,
    documents: u64,
}

/// Runs the runner with an argument file of `lines`, checking each result line on stdout (a
/// SUCCESS carrying a document) and sampling its VmRSS every `SAMPLE_EVERY`.
fn measure(
    name: &str,
    work: &Path,
    jvm: &[String],
    lines: &[String],
    expect: u64,
) -> Result<Measured> {
    let argfile = work.join(format!("{name}.args"));
    let mut file = std::fs::File::create(&argfile)?;
    for o in jvm {
        writeln!(file, "{o}")?;
    }
    let cp = crate::run::runner_classpath();
    writeln!(file, "-cp\n{cp}\n{}", crate::run::RUNNER_MAIN)?;
    for l in lines {
        writeln!(file, "{l}")?;
    }
    drop(file);
    let mut cmd = crate::util::jdk_tool("java");
    cmd.arg(format!("@{}", argfile.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(
            work.join(format!("{name}.stderr.log")),
        )?);
    let started = Instant::now();
    let mut child = cmd.spawn().context("could not start the runner")?;
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (done, progress) = (Arc::clone(&done), Arc::clone(&progress));
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !done.load(Ordering::SeqCst) {
                // 0 while the launcher is still exec-ing the JVM: not a reading.
                if let Some(kb) = rss_kb(pid).filter(|&kb| kb > 0) {
                    let documents = progress.load(Ordering::SeqCst);
                    samples.push(Sample { kb, documents });
                }
                std::thread::sleep(SAMPLE_EVERY);
            }
            samples
        })
    };
    let stdout = child.stdout.take().context("no stdout")?;
    let mut results = 0u64;
    let mut good = 0u64;
    let mut first_bad = None;
    let (mut first_at, mut last_at) = (None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let now = Instant::now();
        first_at.get_or_insert(now);
        last_at = Some(now);
        results += 1;
        progress.store(results, Ordering::SeqCst);
        if line.contains(r#""status":"SUCCESS""#) && line.contains(r#""payloadBytes":"#) {
            good += 1;
        } else if first_bad.is_none() {
            first_bad = Some(line);
        }
    }
    let status = child.wait()?;
    let secs = started.elapsed().as_secs_f64();
    done.store(true, Ordering::SeqCst);
    let samples = sampler
        .join()
        .map_err(|_| anyhow::anyhow!("sampler panicked"))?;
    let mb = |kb: u64| kb as f64 / 1024.0;
    // From the first result to the last: the connector's pace, without JVM start and input loading.
    let busy = match (first_at, last_at) {
        (Some(a), Some(b)) if b > a => (b - a).as_secs_f64(),
        _ => secs,
    };
    println!(
        "soak {name}: {results} results ({good} SUCCESS with a document) of {expect} expected in {secs:.1} s \
         ({:.0} documents/s over the whole JVM run, {:.0}/s from first to last result), {status}",
        results as f64 / secs,
        results as f64 / busy
    );
    ensure!(
        status.success() && results == expect && good == expect,
        "soak {name}: expected {expect} successful results, got {good} of {results} ({status}); \
         first other line: {}; see target/soak/{name}.stderr.log",
        first_bad.as_deref().unwrap_or("none")
    );
    // Warm-up: JVM start, input loading and the first quarter of the documents (class loading,
    // JIT, the heap's young generation being touched for the first time).
    let warm: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.documents >= expect / 4)
        .collect();
    ensure!(
        warm.len() >= MIN_SAMPLES,
        "soak {name}: {} RSS samples after warm-up are too few to judge; raise the document count",
        warm.len()
    );
    let min = warm.iter().map(|s| s.kb).min().unwrap_or(0);
    let max = warm.iter().map(|s| s.kb).max().unwrap_or(0);
    let spread = (max - min) as f64 / min as f64;
    let flat = spread <= FLAT;
    println!(
        "soak {name}: RSS (MB) by documents done: {}",
        summary(&samples, 20)
    );
    println!(
        "soak {name}: after warm-up ({} of {} samples, {} ms apart) RSS {:.0}..{:.0} MB, spread {:.1}% ({}); \
         peak {:.0} MB",
        warm.len(),
        samples.len(),
        SAMPLE_EVERY.as_millis(),
        mb(min),
        mb(max),
        spread * 100.0,
        if flat {
            "flat within 10%"
        } else {
            "NOT flat within 10%"
        },
        mb(samples.iter().map(|s| s.kb).max().unwrap_or(0))
    );
    Ok(Measured {
        flat,
        json: json!({
            "documents": results,
            "seconds": secs,
            "documentsPerSecond": results as f64 / secs,
            "secondsFirstToLastResult": busy,
            "sampleEveryMs": SAMPLE_EVERY.as_millis() as u64,
            "samples": samples.iter().map(|s| json!([s.documents, (mb(s.kb) * 10.0).round() / 10.0])).collect::<Vec<_>>(),
            "warmSamples": warm.len(),
            "rssMinMb": mb(min),
            "rssMaxMb": mb(max),
            "spread": spread,
            "flat": flat,
        }),
    })
}

/// About `n` samples spread evenly over the run, as `documents:MB`.
fn summary(samples: &[Sample], n: usize) -> String {
    let step = samples.len().div_ceil(n).max(1);
    let mut picked: Vec<&Sample> = samples.iter().step_by(step).collect();
    if let Some(last) = samples.last()
        && picked.last().is_none_or(|p| !std::ptr::eq(*p, last))
    {
        picked.push(last);
    }
    picked
        .iter()
        .map(|s| format!("{}:{:.0}", s.documents, s.kb as f64 / 1024.0))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}
