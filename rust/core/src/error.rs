//! The one error type of the core: a whole-call failure the bridge throws as
//! `NativeException(code, message)`. Per-document problems are never errors; they are results.

use std::fmt;

/// The exception codes of the JNI contract (`docs/architecture.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidSettings,
    InvalidRequest,
    HandleClosed,
    Panic,
    Internal,
    /// 401/403 (Test Connection and List Resources).
    Auth,
    /// DNS, refused, timeout (Test Connection and List Resources).
    Unreachable,
    /// TLS handshake or certificate problem (Test Connection and List Resources).
    Tls,
    /// Test Connection only: 404, a redirect or an answer that is not Connect's.
    WrongEndpoint,
    /// Any other failed answer (Test Connection and List Resources).
    Http,
}

impl ErrorCode {
    /// The code string the Java side receives.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidSettings => "INVALID_SETTINGS",
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
            ErrorCode::HandleClosed => "HANDLE_CLOSED",
            ErrorCode::Panic => "PANIC",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::Auth => "AUTH",
            ErrorCode::Unreachable => "UNREACHABLE",
            ErrorCode::Tls => "TLS",
            ErrorCode::WrongEndpoint => "WRONG_ENDPOINT",
            ErrorCode::Http => "HTTP",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whole-call failure: a code from the contract plus a message a Boomi user can act on.
/// Messages never contain the API token (see [`crate::secret`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CoreError {
    pub code: ErrorCode,
    pub message: String,
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl CoreError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid_settings(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidSettings, message)
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}
