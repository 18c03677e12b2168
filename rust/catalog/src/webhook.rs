//! The names of "Verify Webhook Call" (connect-core's `webhook` checks the call).

/// The operation setting (a password field) that holds the webhook's `jwt_secret`.
pub const SECRET_SETTING: &str = "webhook_secret";

/// The document property that holds the received `Authorization` header value.
pub const TOKEN_PROPERTY: &str = "webhook_authorization";
