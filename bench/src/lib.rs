//! The benchmark (`src/bin/bench.rs`) and the soak run (`src/bin/soak.rs`) with the page server
//! they share. `cargo xtask bench` and `cargo xtask soak` build what they measure and run them;
//! nothing here is part of `cargo xtask test`.

pub mod server;

/// The class path of the benchmark's JVMs (`java/bench`, the runner, the SDK stand-ins,
/// Jackson), set by `cargo xtask bench`.
pub const CLASSPATH_ENV: &str = "CONNECT_BOOMI_BENCH_CLASSPATH";
/// The release library whose size the benchmark reports, set by `cargo xtask bench`.
pub const LIBRARY_ENV: &str = "CONNECT_BOOMI_LIBRARY";

/// A binary's `main`: `cmd` with the command-line arguments; an error is printed and exits 1.
pub fn main(
    cmd: fn(&[String]) -> anyhow::Result<std::process::ExitCode>,
) -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cmd(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
