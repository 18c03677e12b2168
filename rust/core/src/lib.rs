//! connect-core: the CloudBlue Connect client and the Boomi operation engine behind the connector.
//!
//! Nothing in this crate knows about JNI: the bridge crate calls [`api`] with plain bytes and
//! handles, and everything Connect- or Boomi-specific happens here. See `docs/architecture.md`.
//!
//! The public surface is small on purpose: [`api`] with its [`error`] and [`wire`] (the frames
//! `api` returns), and the List of Operations in [`catalog`] (a re-export of `connect-catalog`).
//! Everything else is `pub(crate)`. The `fuzzing` feature adds [`fuzz`] (for `fuzz/` and the
//! short fuzz test), the `testing` feature adds [`testing`] (for tests outside this crate) and
//! the `bench` feature adds `bench` (for `split_speed`); none is part of the released library.

#![forbid(unsafe_code)]

pub mod api;
/// The List of Operations (the `connect-catalog` crate, which the generators read too).
pub use connect_catalog as catalog;
pub mod error;
pub(crate) mod execute;
pub(crate) mod report;
pub(crate) mod sync;
pub(crate) mod usage;
pub(crate) mod webhook;
pub mod wire;
pub(crate) mod workflow;

pub(crate) mod browse;
pub(crate) mod client;
pub(crate) mod clients;
pub(crate) mod connection;
pub(crate) mod handles;
pub(crate) mod log;
pub(crate) mod operation;
pub(crate) mod paging;
pub(crate) mod profiles;
pub(crate) mod query;
pub(crate) mod rql;
pub(crate) mod runtime;
pub(crate) mod secret;
pub(crate) mod settings;
pub(crate) mod throttle;

#[cfg(feature = "fuzzing")]
pub mod fuzz;

/// The page split, for the `split_speed` benchmark binary; only with the `bench` feature.
#[cfg(feature = "bench")]
pub mod bench {
    pub use crate::query::split_page;
}

/// Internals that tests outside this crate check directly (the system tests' JWT minting
/// against the webhook verifier); only with the `testing` feature.
#[cfg(feature = "testing")]
pub mod testing {
    use serde_json::{Map, Value};

    pub use crate::secret::Secret;

    /// Why the verifier refused a token (its status code and message).
    #[derive(Debug, PartialEq, Eq)]
    pub struct Refusal {
        pub code: &'static str,
        pub message: String,
    }

    /// The webhook verifier of Verify Webhook Call: the claims of a valid token, or the refusal.
    pub fn verify_token(
        authorization: Option<&str>,
        secret: &Secret,
        now: i64,
    ) -> Result<Map<String, Value>, Refusal> {
        crate::webhook::verify_token(authorization, secret, now).map_err(|r| Refusal {
            code: r.code,
            message: r.message,
        })
    }
}
