//! The short fuzz run inside `cargo test` (no nightly, no cargo-fuzz): every target of
//! `connect_core::fuzz` gets its committed seeds (`fuzz/seeds/<target>/`) and then deterministic
//! mutations of them: bit flips, interesting bytes, truncations, splices of two seeds, inserted
//! dictionary tokens (`fuzz/dict/<target>.dict`), repeated and deleted chunks. A tiny xorshift
//! generator with a fixed seed makes every run the same, so a failure reproduces; the failing input
//! is written to `target/fuzz-short/` for `cargo fuzz run <target> <file>`.
//!
//! The long run is `cargo xtask fuzz` (libFuzzer, coverage-guided).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use connect_core::fuzz::{TARGETS, Target};

/// Mutated inputs per target: about a second in all for the five targets in a debug build.
const MUTATIONS: usize = 30_000;
/// A guard against a slow machine, not the normal bound: the count above is.
const TIME_BUDGET: Duration = Duration::from_secs(6);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[u8] = b"\x00\xff\x7f\x80\x01\"\\%./?#{}[],:()&*'\n\t -0 9";

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>], dict: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let at = rng.below(len);
                input[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                input[at] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => input.truncate(rng.below(len + 1)),
            3 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                input.truncate(rng.below(len + 1));
                input.extend_from_slice(&other[from..]);
            }
            4 if !dict.is_empty() => {
                let token = &dict[rng.below(dict.len())];
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
            5 if len > 0 => {
                let start = rng.below(len);
                let end = start + rng.below((len - start).min(16)) + 1;
                let chunk = input[start..end].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            6 if len > 0 => {
                let start = rng.below(len);
                let end = start + rng.below((len - start).min(16)) + 1;
                input.drain(start..end);
            }
            _ => {
                let at = rng.below(len + 1);
                input.insert(at, INTERESTING[rng.below(INTERESTING.len())]);
            }
        }
    }
}

/// The files of a directory, sorted by name so the run does not depend on directory order.
fn read_seeds(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("seed directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect()
}

/// Tokens of a libFuzzer dictionary: `"…"` per line, with `\\`, `\"` and `\xNN` escapes.
fn read_dict(path: &Path) -> Vec<Vec<u8>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut tokens = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let quoted = line
            .find('"')
            .and_then(|start| {
                line.rfind('"')
                    .filter(|&end| end > start)
                    .map(|end| &line[start + 1..end])
            })
            .unwrap_or_else(|| panic!("{}: bad dictionary line {line:?}", path.display()));
        let bytes = quoted.as_bytes();
        let mut token = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match (bytes[i], bytes.get(i + 1)) {
                (b'\\', Some(b'x')) => {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).expect("ASCII escape");
                    token.push(u8::from_str_radix(hex, 16).expect("\\xNN escape"));
                    i += 4;
                }
                (b'\\', Some(&c)) => {
                    token.push(c);
                    i += 2;
                }
                (b, _) => {
                    token.push(b);
                    i += 1;
                }
            }
        }
        tokens.push(token);
    }
    tokens
}

/// Runs one input; on a panic, saves it and fails with a readable rendering of it.
fn run_one(name: &str, target: Target, input: &[u8], what: &str) {
    if catch_unwind(AssertUnwindSafe(|| target(input))).is_ok() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-short");
    let file = dir.join(format!("{name}-crash"));
    let saved = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, input))
        .map_or_else(
            |e| format!("(not saved: {e})"),
            |()| file.display().to_string(),
        );
    panic!(
        "fuzz target {name} failed on {what}: {:?}\ninput saved to {saved}",
        String::from_utf8_lossy(input)
    );
}

#[test]
fn short_fuzz_run_over_every_target() {
    let started = Instant::now();
    let mut report = Vec::new();
    for (i, &(name, target)) in TARGETS.iter().enumerate() {
        let seeds = read_seeds(&fuzz_dir().join("seeds").join(name));
        assert!(!seeds.is_empty(), "no seeds for {name}");
        let dict = read_dict(&fuzz_dir().join("dict").join(format!("{name}.dict")));
        for (n, seed) in seeds.iter().enumerate() {
            run_one(name, target, seed, &format!("seed {n}"));
        }
        let target_start = Instant::now();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1));
        let mut runs = 0;
        while runs < MUTATIONS && target_start.elapsed() < TIME_BUDGET / TARGETS.len() as u32 {
            let mut input = seeds[rng.below(seeds.len())].clone();
            mutate(&mut rng, &mut input, &seeds, &dict);
            run_one(name, target, &input, &format!("mutation {runs}"));
            runs += 1;
        }
        report.push(format!(
            "{name}: {} seeds + {runs} mutations in {:.2} s",
            seeds.len(),
            target_start.elapsed().as_secs_f64()
        ));
    }
    eprintln!("{}", report.join("\n"));
    eprintln!("total {:.2} s", started.elapsed().as_secs_f64());
}

/// The cargo-fuzz crate has one binary per target, each calling the function of the same name,
/// and the seed directories match: adding a target means adding all three.
#[test]
fn fuzz_crate_matches_the_targets() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let mut files: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .expect("fuzz/fuzz_targets")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut want: Vec<String> = TARGETS.iter().map(|(n, _)| format!("{n}.rs")).collect();
    want.sort();
    assert_eq!(
        files, want,
        "fuzz/fuzz_targets/ against connect_core::fuzz::TARGETS"
    );
    for (name, _) in TARGETS {
        let source =
            std::fs::read_to_string(fuzz_dir().join("fuzz_targets").join(format!("{name}.rs")))
                .expect("target source");
        assert!(
            source.contains(&format!("connect_core::fuzz::{name}(")),
            "{name}.rs does not call connect_core::fuzz::{name}"
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\""))
                && manifest.contains(&format!("path = \"fuzz_targets/{name}.rs\"")),
            "fuzz/Cargo.toml has no [[bin]] for {name}"
        );
        assert!(
            fuzz_dir().join("seeds").join(name).is_dir(),
            "no fuzz/seeds/{name}/"
        );
    }
}
