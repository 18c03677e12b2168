//! The one tokio runtime of this library copy.
//!
//! Built lazily on first use with two named worker threads (they drive sockets and timers); the
//! calling Java thread runs the request futures itself via `block_on`, so a panic in our code stays
//! on that thread where the bridge catches it. Each connector version's class loader loads its own
//! copy of the library and therefore gets its own runtime.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

use crate::error::{CoreError, Result};

static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();

pub fn runtime() -> Result<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("cloudblue-connect-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| CoreError::internal(format!("could not start the I/O runtime: {e}")))
}

/// Runs `future` to completion on the calling thread.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    Ok(runtime()?.block_on(future))
}
