//! The benchmark (`cargo xtask bench` builds what it needs and runs this): performance of the whole chain against what a pure-Java connector does,
//! on loopback and at the round trips users wait for (pages answered after 0, 50 and 250 ms),
//! the page split alone on one core, plus peak memory for 10,000 and 1,000,000 documents. A
//! benchmark, not a test: nothing here runs in `cargo xtask test`, and timings are never asserted
//! there.
//!
//! Steps (`cargo xtask bench` first builds the archive when stale and compiles `java/bench`, never
//! shipped, and names them in the environment): start the page server (`bench/src/server.rs`)
//! inside this process, run each measurement in a
//! fresh JVM (`BenchMain`, one `RESULT {json}` line each), print figures and ratios, and write
//! `target/bench/results.json`. The exit status is 1 when a target is missed.

use anyhow::{Context, Result, bail};
use bench::server::{Config, PageServer};
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use system_tests::{human_size, jdk_tool, root};

/// The class path of the measuring JVMs, set by `cargo xtask bench`.
const CLASSPATH_ENV: &str = bench::CLASSPATH_ENV;
/// The release library, whose size is reported, set by `cargo xtask bench`.
const LIBRARY_ENV: &str = bench::LIBRARY_ENV;
const BENCH_MAIN: &str = "com.cloudblue.connect.boomi.runner.BenchMain";
const FIXTURES: &[&str] = &[
    "connect-extension-mulesoft/__files/requests.json",
    "connect-haxe-sdk/unit-data/requests.json",
];
/// Distinct records the server cycles through (ids unique within the cycle).
const DISTINCT_RECORDS: usize = 10_000;
/// Records the collection reports; every query asks for fewer (Maximum Documents).
const COLLECTION: u64 = 1_000_000;
/// JVM options of the throughput, execute and cold-start runs (room for Jackson's trees).
const JVM_OPTIONS: &[&str] = &["-Xmx512m", "-XX:+UseG1GC"];
/// JVM options of the memory runs: a fixed heap, touched up front, as an Atom is configured.
/// Without that, G1 touches fresh heap pages for as long as garbage accumulates, and peak RSS of a
/// short run versus a long one measures the collector's warm-up instead of what the connector
/// keeps; what the connector keeps shows as native growth (RSS) or as live heap after a full GC.
const MEMORY_JVM_OPTIONS: &[&str] = &[
    "-Xms128m",
    "-Xmx128m",
    "-XX:+AlwaysPreTouch",
    "-XX:+UseG1GC",
];

struct Options {
    docs: u64,
    page_size: u64,
    runs: u32,
    /// Sections to run (all when empty): query, latency, split, execute, memory, cold.
    only: Vec<String>,
}

impl Options {
    fn wants(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }
}

const USAGE: &str = "usage: cargo xtask bench [--docs N] [--page-size N] [--runs N] [--no-build]
  --docs N       documents per query throughput run (default 100000)
  --page-size N  records per page for every client (default 1000, Connect's maximum)
  --runs N       timed runs per client; the median counts (default 5)
  --no-build     use the archive as it is, even when older than the sources
  --only LIST    run only these sections (comma-separated: query,latency,split,execute,memory,
                 cold); the targets of the others are reported as missed";

fn main() -> ExitCode {
    bench::main(cmd)
}

fn cmd(args: &[String]) -> Result<ExitCode> {
    let mut o = Options {
        docs: 100_000,
        page_size: 1000,
        runs: 5,
        only: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<u64> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|&v| v > 0)
                .with_context(|| format!("{name} takes a positive number\n{USAGE}"))
        };
        match a.as_str() {
            "--docs" => o.docs = num("--docs")?,
            "--page-size" => o.page_size = num("--page-size")?.min(1000),
            "--runs" => o.runs = u32::try_from(num("--runs")?)?,
            // `cargo xtask bench`'s: it builds before this runs.
            "--no-build" => {}
            "--only" => {
                let list = it
                    .next()
                    .with_context(|| format!("--only takes a list\n{USAGE}"))?;
                o.only = list.split(',').map(|s| s.trim().to_owned()).collect();
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown option `{other}`\n{USAGE}"),
        }
    }
    run(&o)
}

fn run(o: &Options) -> Result<ExitCode> {
    let car = system_tests::archive();
    let classpath = std::env::var(CLASSPATH_ENV).with_context(|| {
        format!("{CLASSPATH_ENV} is not set: run the benchmark with `cargo xtask bench`")
    })?;
    let out_dir = root().join("target/bench");
    std::fs::create_dir_all(&out_dir)?;

    let server = PageServer::start(Config {
        records: records()?,
        total: COLLECTION,
        gzip: false,
        delay: Duration::from_millis(50),
        page_delay: Duration::ZERO,
    })?;
    let endpoint = server.endpoint();
    let bench = Bench { classpath };
    println!("page server on {endpoint}");

    // gzip: the same page both ways, at the connector's default page size and at the maximum.
    let mut gzip_pages = Vec::new();
    for limit in [100, 1000] {
        let (plain, _) = server.page_body(0, limit, false)?;
        let (packed, _) = server.page_body(0, limit, true)?;
        gzip_pages.push(json!({
            "records": limit,
            "identityBytes": plain.len(),
            "gzipBytes": packed.len(),
            "ratio": plain.len() as f64 / packed.len() as f64,
        }));
    }

    // Query throughput: the three clients on identical pages, identity and gzip.
    let mut query = serde_json::Map::new();
    for gzip in [false, true].into_iter().filter(|_| o.wants("query")) {
        server.reconfigure(|c| c.gzip = gzip);
        let mut by_impl = serde_json::Map::new();
        for imp in ["java", "connector"] {
            let r = bench.java(&[
                "query",
                imp,
                &endpoint,
                &o.docs.to_string(),
                &o.page_size.to_string(),
                &o.runs.to_string(),
                &gzip.to_string(),
                &car.display().to_string(),
            ])?;
            println!(
                "query {:<9} gzip={gzip:<5} {:>10.0} docs/s {:>8.1} MB/s",
                imp,
                num(&r, "docsPerSecond"),
                num(&r, "mbPerSecond")
            );
            by_impl.insert(imp.to_owned(), r);
        }
        query.insert(
            if gzip { "gzip" } else { "identity" }.to_owned(),
            Value::Object(by_impl),
        );
    }

    // What users wait for: List Resources at Connect-like round trips, default settings.
    let mut latency = serde_json::Map::new();
    for ms in LATENCIES_MS.iter().filter(|_| o.wants("latency")) {
        server.reconfigure(|c| {
            c.gzip = false;
            c.page_delay = Duration::from_millis(*ms);
        });
        let docs = LATENCY_DOCS.to_string();
        let page_size = LATENCY_PAGE_SIZE.to_string();
        let mut row = serde_json::Map::new();
        for (label, imp, parallel) in [
            ("connector", "connector", "0"),
            ("oneAfterAnother", "connector", "1"),
            ("java", "java", "0"),
        ] {
            let r = bench.java(&[
                "latency",
                imp,
                &endpoint,
                &docs,
                &page_size,
                parallel,
                &car.display().to_string(),
            ])?;
            println!(
                "latency {ms:>3} ms {label:<16} {:>7.2} s {:>9.0} docs/s",
                num(&r, "seconds"),
                num(&r, "docsPerSecond")
            );
            row.insert(label.to_owned(), r);
        }
        let pages = LATENCY_DOCS.div_ceil(LATENCY_PAGE_SIZE);
        let ideal = pages as f64 * *ms as f64 / 1000.0 / f64::from(DEFAULT_PARALLEL_PAGES);
        row.insert("idealSeconds".to_owned(), json!(ideal));
        println!(
            "latency {ms:>3} ms ideal            {ideal:>7.2} s ({pages} pages x {ms} ms / {DEFAULT_PARALLEL_PAGES})"
        );
        latency.insert(ms.to_string(), Value::Object(row));
    }
    server.reconfigure(|c| {
        c.gzip = true;
        c.page_delay = Duration::ZERO;
    });

    // The page split alone, on one core (release build of the core's `split_speed`).
    let split = if o.wants("split") {
        let (page, _) = server.page_body(0, 1000, false)?;
        let file = out_dir.join("page-1000.json");
        std::fs::write(&file, page.as_slice())?;
        let r = split_speed(&file)?;
        println!(
            "split: a page of {} documents ({:.1} MB) in {:.2} ms: {:.2} GB/s on one core",
            num(&r, "documents"),
            num(&r, "bytes") / 1e6,
            num(&r, "seconds") * 1e3,
            num(&r, "gbPerSecond")
        );
        r
    } else {
        Value::Null
    };

    // Execute: 1,000 approvals against a server that answers after 50 ms.
    let mut execute = serde_json::Map::new();
    for (label, parallelism) in [("sequential", "1"), ("parallel", "0")]
        .into_iter()
        .filter(|_| o.wants("execute"))
    {
        server.take_post_stats();
        let mut r = bench.java(&[
            "execute",
            &car.display().to_string(),
            &endpoint,
            "1000",
            parallelism,
        ])?;
        let (posts, max_in_flight) = server.take_post_stats();
        r["serverRequests"] = json!(posts);
        r["serverMaxInFlight"] = json!(max_in_flight);
        println!(
            "execute {label:<10} {:>7.1} docs/s ({:.1} s, at most {max_in_flight} requests at once)",
            num(&r, "docsPerSecond"),
            num(&r, "seconds")
        );
        execute.insert(label.to_owned(), r);
    }

    // Peak memory: a fresh JVM per size.
    let mut memory = serde_json::Map::new();
    for docs in [10_000u64, 1_000_000]
        .into_iter()
        .filter(|_| o.wants("memory"))
    {
        let r = bench.java(&[
            "memory",
            &car.display().to_string(),
            &endpoint,
            &docs.to_string(),
            &o.page_size.to_string(),
        ])?;
        println!(
            "memory {docs:>9} docs: VmHWM {:.1} MB, Java heap peak {:.1} MB, live after GC {:.1} MB ({:.1} s)",
            num(&r, "vmHwmKb") / 1024.0,
            num(&r, "heapPeakUsedKb") / 1024.0,
            num(&r, "heapLiveAfterGcKb") / 1024.0,
            num(&r, "seconds")
        );
        memory.insert(docs.to_string(), r);
    }

    // Cold start: fresh JVMs; the median of three counts.
    let mut colds = Vec::new();
    for _ in 0..3 {
        if o.wants("cold") {
            colds.push(bench.java(&["cold", &car.display().to_string(), &endpoint])?);
        }
    }
    colds.sort_by(|a, b| num(a, "coldStartMs").total_cmp(&num(b, "coldStartMs")));
    let cold = colds.get(1).cloned().unwrap_or(Value::Null);
    println!(
        "cold start {:.0} ms (first query; the runner's archive unpacking before it: {:.0} ms)",
        num(&cold, "coldStartMs"),
        num(&cold, "archiveLoadMs")
    );

    let library = file_size(Path::new(&std::env::var_os(LIBRARY_ENV).with_context(
        || format!("{LIBRARY_ENV} is not set: run the benchmark with `cargo xtask bench`"),
    )?))?;
    let archive = file_size(&car)?;

    let results = json!({
        "machine": machine(),
        "settings": {"documents": o.docs, "pageSize": o.page_size, "runs": o.runs,
                     "jvmOptions": JVM_OPTIONS, "memoryJvmOptions": MEMORY_JVM_OPTIONS, "distinctRecords": DISTINCT_RECORDS},
        "gzipPages": gzip_pages,
        "query": query,
        "latency": latency,
        "split": split,
        "execute": execute,
        "memory": memory,
        "coldStart": cold,
        "sizes": {"libraryBytes": library, "archiveBytes": archive},
    });
    let checks = targets(&results);
    let mut results = results;
    results["targets"] = Value::Array(checks.iter().map(Check::to_json).collect());
    let path = out_dir.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&results)?)?;

    println!(
        "\nsizes: library {}, archive {}",
        human_size(library),
        human_size(archive)
    );
    println!("\ntargets:");
    for c in &checks {
        println!(
            "  [{}] {}: {}",
            if c.met { "met" } else { "MISSED" },
            c.name,
            c.detail
        );
    }
    println!("\nwrote {}", path.display());
    Ok(if checks.iter().all(|c| c.met) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

struct Bench {
    /// `java/bench`'s classes, the runner, the SDK stand-ins and Jackson.
    classpath: String,
}

/// Round trips the latency section adds to every page request (0: loopback only).
const LATENCIES_MS: &[u64] = &[0, 50, 250];
/// Documents of each latency run, at List Resources' default page size.
const LATENCY_DOCS: u64 = 10_000;
const LATENCY_PAGE_SIZE: u64 = 100;
/// "Parallel Page Requests" by default (the ideal time divides by it).
const DEFAULT_PARALLEL_PAGES: u32 = 4;

/// Runs the core's `split_speed` benchmark (release build) over `page`; its RESULT object.
fn split_speed(page: &Path) -> Result<Value> {
    let mut cmd =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root()).args([
        "run",
        "--quiet",
        "--release",
        "--package",
        "connect-core",
        "--features",
        "bench",
        "--bin",
        "split_speed",
        "--",
    ]);
    cmd.arg(page);
    result_of(&mut cmd, false)
}

/// Runs `cmd` and parses the JSON after `RESULT ` on its output; its standard error goes with the
/// error when it fails, and is echoed when `echo_stderr` and it succeeds.
fn result_of(cmd: &mut std::process::Command, echo_stderr: bool) -> Result<Value> {
    let out = cmd
        .output()
        .with_context(|| format!("could not run {cmd:?}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("{cmd:?} failed ({}):\n{stderr}", out.status);
    }
    if echo_stderr && !stderr.trim().is_empty() {
        eprint!("{stderr}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .with_context(|| format!("{cmd:?} printed no RESULT line:\n{stdout}"))?;
    Ok(serde_json::from_str(line)?)
}

impl Bench {
    /// Runs `BenchMain` with `args` in a fresh JVM and returns its RESULT object.
    fn java(&self, args: &[&str]) -> Result<Value> {
        let options = if args.first() == Some(&"memory") {
            MEMORY_JVM_OPTIONS
        } else {
            JVM_OPTIONS
        };
        let mut cmd = jdk_tool("java");
        cmd.args(options)
            .arg("-cp")
            .arg(&self.classpath)
            .arg(BENCH_MAIN)
            .args(args);
        result_of(&mut cmd, true)
    }
}

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

struct Check {
    name: &'static str,
    met: bool,
    detail: String,
}

impl Check {
    fn to_json(&self) -> Value {
        json!({"target": self.name, "met": self.met, "detail": self.detail})
    }
}

/// The targets against the measured figures.
fn targets(r: &Value) -> Vec<Check> {
    let mut out = Vec::new();
    for enc in ["identity", "gzip"] {
        let q = &r["query"][enc];
        let rate = |imp: &str| num(&q[imp], "docsPerSecond");
        let vs_java = rate("connector") / rate("java");
        out.push(Check {
            name: if enc == "gzip" {
                "query >= 1.5x pure Java (gzip, 0 ms)"
            } else {
                "query >= 1.5x pure Java (identity, 0 ms)"
            },
            met: vs_java >= 1.5,
            detail: format!("{vs_java:.2}x"),
        });
    }
    for (ms, name, least) in [
        (
            "250",
            "List Resources at 250 ms >= 3x one page after another",
            3.0,
        ),
        (
            "50",
            "List Resources at 50 ms >= 2.5x one page after another",
            2.5,
        ),
    ] {
        let row = &r["latency"][ms];
        let speedup = num(&row["oneAfterAnother"], "seconds") / num(&row["connector"], "seconds");
        out.push(Check {
            name,
            met: speedup >= least,
            detail: format!(
                "{speedup:.2}x ({:.2} s vs {:.2} s; pure Java {:.2} s)",
                num(&row["connector"], "seconds"),
                num(&row["oneAfterAnother"], "seconds"),
                num(&row["java"], "seconds")
            ),
        });
    }
    let row = &r["latency"]["250"];
    let vs_ideal = num(&row["connector"], "seconds") / num(row, "idealSeconds");
    out.push(Check {
        name: "List Resources at 250 ms within 1.3x of the ideal",
        met: vs_ideal <= 1.3,
        detail: format!(
            "{vs_ideal:.2}x ({:.2} s vs ideal {:.2} s)",
            num(&row["connector"], "seconds"),
            num(row, "idealSeconds")
        ),
    });
    let split = num(&r["split"], "gbPerSecond");
    out.push(Check {
        name: "page split >= 0.5 GB/s on one core",
        met: split >= 0.5,
        detail: format!("{split:.2} GB/s"),
    });
    let speedup = num(&r["execute"]["parallel"], "docsPerSecond")
        / num(&r["execute"]["sequential"], "docsPerSecond");
    out.push(Check {
        name: "parallel execute >= 3x sequential (50 ms server)",
        met: speedup >= 3.0,
        detail: format!("{speedup:.2}x, one result per document in input order"),
    });
    let gzip = r["gzipPages"]
        .as_array()
        .map(|pages| {
            pages
                .iter()
                .map(|p| num(p, "ratio"))
                .fold(f64::INFINITY, f64::min)
        })
        .unwrap_or(f64::NAN);
    out.push(Check {
        name: "gzip page >= 5x smaller",
        met: gzip >= 5.0,
        detail: format!("{gzip:.1}x smaller (worst of 100 and 1000 records)"),
    });
    let small = num(&r["memory"]["10000"], "vmHwmKb");
    let large = num(&r["memory"]["1000000"], "vmHwmKb");
    let growth = large / small - 1.0;
    out.push(Check {
        name: "peak RSS 1,000,000 vs 10,000 documents within 10%",
        met: growth.abs() <= 0.10,
        detail: format!(
            "{:.1} MB vs {:.1} MB ({:+.1}%)",
            large / 1024.0,
            small / 1024.0,
            growth * 100.0
        ),
    });
    let library = num(&r["sizes"], "libraryBytes");
    let archive = num(&r["sizes"], "archiveBytes");
    let mb = 1024.0 * 1024.0;
    let max_library = system_tests::platforms::MAX_LIBRARY_BYTES as f64;
    out.push(Check {
        name: "native library <= 6 MiB",
        met: library <= max_library,
        detail: format!("{:.2} MiB", library / mb),
    });
    out.push(Check {
        name: "archive <= 8 MiB",
        met: archive <= 8.0 * mb,
        detail: format!("{:.2} MiB", archive / mb),
    });
    let cold = num(&r["coldStart"], "coldStartMs");
    out.push(Check {
        name: "cold start < 200 ms",
        met: cold < 200.0,
        detail: format!("{cold:.0} ms"),
    });
    out
}

/// 10,000 Connect-shaped request records: the fixtures' requests in turn, each with its own id
/// and its own digits in every other id-like value (asset, tier and parameter ids, uids, external
/// ids), so pages compress the way a page of different requests does and not like 4 records
/// repeated. Dates are kept: requests of one day share them in real pages too.
fn records() -> Result<Vec<Vec<u8>>> {
    let dir = Path::new("/work/shared/fixtures");
    let mut templates = Vec::new();
    for f in FIXTURES {
        let path = dir.join(f);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading fixture {}", path.display()))?;
        match serde_json::from_str::<Value>(&text)? {
            Value::Array(items) => templates.extend(items),
            _ => bail!("{} is not a JSON array", path.display()),
        }
    }
    if templates.is_empty() {
        bail!("no request records in the fixtures");
    }
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    (0..DISTINCT_RECORDS)
        .map(|i| {
            let mut r = templates[i % templates.len()].clone();
            vary_digits(&mut r, &mut rng);
            // The same ids BenchMain approves: PR-0000-<i / 10000>-<i % 10000>-001.
            r["id"] = json!(format!("PR-0000-{:04}-{:04}-001", i / 10_000, i % 10_000));
            Ok(serde_json::to_vec(&r)?)
        })
        .collect()
}

/// Replaces every digit of every string value that is not a date with a pseudo-random digit.
fn vary_digits(v: &mut Value, rng: &mut u64) {
    match v {
        Value::String(s) => {
            let b = s.as_bytes();
            let date = b.len() >= 10 && b[4] == b'-' && b[7] == b'-';
            if !date {
                *s = s
                    .chars()
                    .map(|c| {
                        if c.is_ascii_digit() {
                            // xorshift64: deterministic, so every run serves the same pages.
                            *rng ^= *rng << 13;
                            *rng ^= *rng >> 7;
                            *rng ^= *rng << 17;
                            char::from(b'0' + (*rng % 10) as u8)
                        } else {
                            c
                        }
                    })
                    .collect();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| vary_digits(i, rng)),
        Value::Object(map) => map.values_mut().for_each(|i| vary_digits(i, rng)),
        _ => {}
    }
}

fn file_size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("{} is missing", path.display()))?
        .len())
}

/// What the figures were measured on.
fn machine() -> Value {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_default();
    let java = jdk_tool("java")
        .arg("-version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_default();
    json!({"cpus": cpus, "cpuModel": model, "java": java, "os": std::env::consts::OS})
}
