//! The generated files' generators, read by `cargo xtask descriptor|operations|profiles`: the
//! connector descriptor, the List of Operations (docs/operations.md) and the profiles from the
//! Connect spec. The system tests read the List of Operations and the spec's schemas from here.

pub mod descriptor;
pub mod operations;
pub mod profiles;
#[cfg(test)]
mod sync_spec;

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The workspace root (this crate lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits inside the workspace")
        .to_path_buf()
}

/// Writes a generated file, or with `check` compares it with the committed one (a missing file is
/// stale) and says how to regenerate it (`regenerate`, a command) when they differ.
pub fn write_or_check(path: &Path, text: &str, check: bool, regenerate: &str) -> Result<ExitCode> {
    if check {
        if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
            eprintln!("{} is stale: run `{regenerate}`", path.display());
            return Ok(ExitCode::FAILURE);
        }
        println!("{} is up to date", path.display());
    } else {
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
