//! `cargo xtask`: build, package, test and run the connector.
//!
//! One module per command. Commands take the remaining arguments and return
//! `anyhow::Result<ExitCode>`; `main` only dispatches, so adding a command is one `mod` line
//! plus one match arm below (a command returning `Result<()>` fits with
//! `.map(|()| ExitCode::SUCCESS)`).

mod bench;
mod dist;
mod emulated;
mod fuzz;
mod java;
mod run;
mod test;
mod tidy;
mod util;

use codegen::{descriptor, operations, profiles};
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command> [args]

Commands:
  dist [options]    build the release library, the Java classes and the connector archive
                    target/dist/cloudblue-connect-boomi-<version>--car.zip (+ connector-descriptor.xml);
                    the Linux library needs glibc 2.17+ (cargo-zigbuild); --native uses the host
                    linker, --glibc V another floor, --all-targets adds linux-aarch64, windows-x86_64
  test [options]    install missing test tools, then run every test stage; ends with `N passed, N failed`
                    (`cargo xtask test --help` lists the stages and options)
  run [args]        build the archive if it is missing or stale, then run the local runner on it:
                    cargo xtask run --test-connection --connection endpoint=... --connection apiToken=...
  descriptor [--check]  write descriptors/connector-descriptor.xml from the catalog (--check: fail if stale)
  operations --json | --docs | --check  print the List of Operations as JSON, or write/check docs/operations.md
  profiles [--check]  generate rust/core/profiles/ (JSON Schemas, field specs) from the Connect spec
  emulated [--only P]  the --all-targets archive's linux-aarch64 library under qemu-user and its
                    windows-x86_64 library under Wine (installs both, ~400 MB); not part of `test`
  bench [options]   performance: List Resources at 0/50/250 ms per page vs one page after another,
                    pure Java and the ideal, the page split alone, parallel execute, peak memory,
                    cold start, sizes; writes target/bench/results.json
  fuzz [TARGET...] [--seconds N] [--sanitizer address|none]  coverage-guided fuzzing (cargo-fuzz,
                    libFuzzer) of the core's input handling from fuzz/seeds/; not part of `test`
  soak [--query N] [--execute M] [--parallelism P]  long run through the archive (5,000,000
                    queried, 100,000 executed by default) sampling the JVM's resident memory;
                    not part of `test`
  help              this text
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let result = match command.as_str() {
        "bench" => bench::bench(&rest),
        "descriptor" => descriptor::cmd(&rest),
        "dist" => dist::cmd(&rest),
        "emulated" => emulated::cmd(&rest),
        "fuzz" => fuzz::cmd(&rest),
        "operations" => operations::cmd(&rest),
        "profiles" => profiles::cmd(&rest),
        "test" => test::cmd(&rest),
        "run" => run::cmd(&rest),
        "soak" => bench::soak(&rest),
        "" | "help" | "-h" | "--help" => {
            print!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprint!("unknown command `{other}`\n\n{HELP}");
            Ok(ExitCode::from(2))
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
