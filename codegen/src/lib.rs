//! The generated files' generators, read by `cargo xtask descriptor|operations|profiles`: the
//! connector descriptor, the List of Operations (docs/operations.md) and the profiles from the
//! Connect spec. The system tests read the List of Operations and the spec's schemas from here.

pub mod descriptor;
pub mod operations;
pub mod profiles;
#[cfg(test)]
mod sync_spec;

use std::path::{Path, PathBuf};

/// The workspace root (this crate lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits inside the workspace")
        .to_path_buf()
}
