//! Webhook tokens as Connect makes them (a JWT signed HS256 with the webhook's `jwt_secret`), for
//! the stages that run Verify Webhook Call through the archive.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;

/// `header.claims.signature`, the signature an HMAC-SHA256 of the first two parts with `secret`.
pub fn sign(header: &str, claims: &str, secret: &str) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// The current Unix time in seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unsigned `alg: none` token, as an attacker would send one.
    fn unsigned(claims: &str) -> String {
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn a_signed_token_passes_the_connectors_check_and_an_unsigned_one_does_not() {
        let secret = connect_core::testing::Secret::new("contract-secret");
        let t = sign(
            r#"{"alg":"HS256"}"#,
            r#"{"webhook_id":"WB-1"}"#,
            "contract-secret",
        );
        let claims = connect_core::testing::verify_token(Some(&t), &secret, now()).unwrap();
        assert_eq!(claims["webhook_id"], "WB-1");
        let none = unsigned(r#"{"webhook_id":"WB-1"}"#);
        let refusal = connect_core::testing::verify_token(Some(&none), &secret, now());
        assert_eq!(refusal.unwrap_err().code, "ALGORITHM");
    }
}
