//! connect-core: the CloudBlue Connect client and the Boomi operation engine behind the connector.
//!
//! Nothing in this crate knows about JNI: the bridge crate calls [`api`] with plain bytes and
//! handles, and everything Connect- or Boomi-specific happens here. See `docs/architecture.md`.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod profiles;
pub mod rql;

pub mod api;
pub mod browse;
pub mod client;
pub mod clients;
pub mod connection;
pub mod error;
pub mod execute;
pub mod fuzz;
pub mod handles;
pub mod log;
pub mod operation;
pub mod paging;
pub mod query;
pub mod report;
pub mod runtime;
pub mod secret;
pub mod settings;
pub mod sync;
pub mod usage;
pub mod webhook;
pub mod wire;
pub mod workflow;
