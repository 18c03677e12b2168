//! JSON Schema profiles generated from the official Connect OpenAPI spec by `cargo xtask profiles`.
//! (Being written: the generator fills `rust/core/profiles/`.)

/// The JSON Schema (as text) of a named profile, such as `Request` or `ApproveRequest`.
pub fn schema(_name: &str) -> Option<&'static str> {
    None
}
