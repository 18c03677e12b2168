//! Webhooks: checking a call Connect made to a webhook's URL, and the update body of Activate
//! and Deactivate.
//!
//! Connect signs each call with an HS256 JWT in `Authorization: Bearer <JWT>`, keyed with the
//! webhook's `jwt_secret`. [`verify_call`] accepts exactly that: the header names HS256 (`none`
//! and every other algorithm are refused before the signature is looked at), the HMAC matches
//! (compared in constant time by ring, the crypto library TLS already links), `exp` and
//! `nbf` hold when present. Only then is the body read, and the verified claims are added to it.
//! Messages never quote the token or the secret.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ring::hmac;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::secret::Secret;

pub use connect_catalog::webhook::{SECRET_SETTING, TOKEN_PROPERTY};

/// The member of the output document that holds the verified claims. A member of that name in
/// the received body is replaced: claims come from the signed token only.
pub(crate) const CLAIMS_MEMBER: &str = "verified_claims";

/// Clock difference tolerated between Connect and the Atom when `exp` and `nbf` are checked.
pub(crate) const LEEWAY_SECONDS: i64 = 60;

/// Why a call was refused: a short code (the document's status code) and what the user reads.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The JSON error document: `{"error": code, "message": ...}`.
    pub(crate) fn document(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"error": self.code, "message": self.message}))
            .unwrap_or_default()
    }
}

/// base64url as JWTs use it (RFC 7515: no padding), also accepting padded parts.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Checks the token of one call and returns its body with the verified claims added.
///
/// `authorization` is the header value (`Bearer <JWT>`, or the bare JWT), `now` the current Unix
/// time in seconds.
pub(crate) fn verify_call(
    body: &[u8],
    authorization: Option<&str>,
    secret: &Secret,
    now: i64,
) -> Result<Vec<u8>, Refusal> {
    let claims = verify_token(authorization, secret, now)?;
    with_claims(body, &claims)
}

/// The claims of a valid token, or why it is refused.
pub(crate) fn verify_token(
    authorization: Option<&str>,
    secret: &Secret,
    now: i64,
) -> Result<Map<String, Value>, Refusal> {
    let value = authorization.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(Refusal::new(
            "MISSING_TOKEN",
            format!(
                "the call carries no token: the document property \"Webhook Authorization\" \
                 ({TOKEN_PROPERTY}) is empty; set it to the request's Authorization header \
                 (Connect sends \"Bearer <JWT>\")"
            ),
        ));
    }
    let jwt = match value.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        Some((scheme, _)) => {
            return Err(Refusal::new(
                "MALFORMED_TOKEN",
                format!(
                    "the Authorization value uses the scheme {}; Connect sends \"Bearer <JWT>\"",
                    quoted(scheme)
                ),
            ));
        }
        None => value,
    };
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(Refusal::new(
            "MALFORMED_TOKEN",
            format!(
                "the token is not a JWT: it has {} dot-separated parts instead of 3",
                parts.len()
            ),
        ));
    };
    let header: Map<String, Value> = decode_json(header, "header")?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "HS256" => {}
        Some(Value::String(alg)) => {
            return Err(Refusal::new(
                "ALGORITHM",
                format!(
                    "the token declares the algorithm {}; only HS256 (Connect's) is accepted",
                    quoted(alg)
                ),
            ));
        }
        _ => {
            return Err(Refusal::new(
                "ALGORITHM",
                "the token's header names no algorithm; only HS256 (Connect's) is accepted",
            ));
        }
    }
    let signature = B64
        .decode(signature)
        .map_err(|_| Refusal::new("MALFORMED_TOKEN", "the token's signature is not base64url"))?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose().as_bytes());
    let signed = &jwt[..jwt.len() - parts[2].len() - 1];
    // Constant time: the comparison takes as long however many bytes match.
    hmac::verify(&key, signed.as_bytes(), &signature).map_err(|_| {
        Refusal::new(
            "SIGNATURE",
            "the token's signature does not match the Webhook Secret: the token was changed, or \
             it belongs to another webhook (check the secret against the webhook's jwt_secret)",
        )
    })?;
    let claims: Map<String, Value> = decode_json(payload, "claims")?;
    if let Some(exp) = time_claim(&claims, "exp")?
        && now > exp.saturating_add(LEEWAY_SECONDS)
    {
        return Err(Refusal::new(
            "EXPIRED",
            format!(
                "the token expired {} s ago (exp {exp}); a replayed or delayed call",
                now - exp
            ),
        ));
    }
    if let Some(nbf) = time_claim(&claims, "nbf")?
        && now.saturating_add(LEEWAY_SECONDS) < nbf
    {
        return Err(Refusal::new(
            "NOT_YET_VALID",
            format!(
                "the token is valid only from {nbf}, {} s from now (check the Atom's clock)",
                nbf - now
            ),
        ));
    }
    Ok(claims)
}

/// A part of the token decoded as a JSON object.
fn decode_json(part: &str, what: &str) -> Result<Map<String, Value>, Refusal> {
    let bytes = B64.decode(part).map_err(|_| {
        Refusal::new(
            "MALFORMED_TOKEN",
            format!("the token's {what} is not base64url"),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|_| {
        Refusal::new(
            "MALFORMED_TOKEN",
            format!("the token's {what} is not a JSON object"),
        )
    })
}

/// A NumericDate claim (seconds since the epoch), when present.
fn time_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, Refusal> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            // Fractions are allowed; the whole second before is what counts.
            .or_else(|| n.as_f64().map(|f| f.floor() as i64))
            .map(Some)
            .ok_or_else(|| bad_time(name)),
        Some(_) => Err(bad_time(name)),
    }
}

fn bad_time(name: &str) -> Refusal {
    Refusal::new(
        "MALFORMED_TOKEN",
        format!("the token's \"{name}\" claim is not a number of seconds"),
    )
}

/// A value from the token quoted for a message, cut short: it comes from the caller.
fn quoted(value: &str) -> String {
    let short: String = value.chars().take(24).collect();
    format!("{short:?}")
}

/// The body (a JSON object, or nothing: a webhook may be called with GET) with the claims in
/// [`CLAIMS_MEMBER`], its other members kept in their order and bytes.
fn with_claims(body: &[u8], claims: &Map<String, Value>) -> Result<Vec<u8>, Refusal> {
    let members = if body.iter().all(u8::is_ascii_whitespace) {
        Vec::new()
    } else {
        serde_json::from_slice::<OrderedObject>(body)
            .map_err(|e| {
                Refusal::new(
                    "BAD_BODY",
                    format!(
                        "the document is not a JSON object ({e}); send the body Connect sent to \
                         the webhook's URL"
                    ),
                )
            })?
            .0
    };
    let mut out = String::with_capacity(body.len() + 256);
    out.push('{');
    for (name, value) in members.iter().filter(|(n, _)| n != CLAIMS_MEMBER) {
        let _ = write!(out, "{}:{},", Value::from(name.as_str()), value.get());
    }
    let claims = serde_json::to_string(claims).unwrap_or_else(|_| "{}".into());
    let _ = write!(out, "\"{CLAIMS_MEMBER}\":{claims}}}");
    Ok(out.into_bytes())
}

/// A JSON object's members in document order, each value as its original text.
struct OrderedObject(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push(entry);
                }
                Ok(OrderedObject(out))
            }
        }
        d.deserialize_map(Members)
    }
}

/// The update body of Activate and Deactivate: the members the update profile `schema` declares,
/// taken from the object as Connect returned it, with `member` set to `value`. A member the
/// object nests as a reference (`product: {id}` where the update takes `product_id`) is taken
/// from that reference's `id`.
pub(crate) fn set_flag_body(
    current: &[u8],
    schema: &str,
    member: &str,
    value: bool,
) -> Result<Vec<u8>, String> {
    let current: Map<String, Value> = serde_json::from_slice(current)
        .map_err(|e| format!("Connect's answer is not a JSON object ({e})"))?;
    if crate::profiles::schema(schema).is_none() {
        return Err(format!("no profile {schema}"));
    }
    let mut body = Map::new();
    let fields = crate::profiles::profile_fields(schema);
    for name in fields.iter().map(|f| &f.path).filter(|p| !p.contains('/')) {
        let found = current.get(name).cloned().or_else(|| {
            let base = name.strip_suffix("_id")?;
            current.get(base)?.get("id").cloned()
        });
        if let Some(v) = found.filter(|v| !v.is_null()) {
            body.insert(name.clone(), v);
        }
    }
    body.insert(member.to_owned(), Value::Bool(value));
    serde_json::to_vec(&body).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Test-token-key-for-webhook-based-authentication";
    const NOW: i64 = 1_700_000_000;

    fn b64(data: &[u8]) -> String {
        B64.encode(data)
    }

    /// A token with this header and claims, signed HS256 with `secret`.
    fn token(header: &str, claims: &str, secret: &str) -> String {
        let signed = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let tag = hmac::sign(&key, signed.as_bytes());
        format!("{signed}.{}", b64(tag.as_ref()))
    }

    fn valid() -> String {
        token(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            &format!(r#"{{"webhook_id":"WB-1","exp":{}}}"#, NOW + 300),
            SECRET,
        )
    }

    fn check(authorization: Option<&str>) -> Result<Map<String, Value>, Refusal> {
        verify_token(authorization, &Secret::new(SECRET), NOW)
    }

    fn code(authorization: Option<&str>) -> &'static str {
        check(authorization).unwrap_err().code
    }

    #[test]
    fn a_valid_token_gives_its_claims_with_or_without_bearer() {
        let t = valid();
        for auth in [format!("Bearer {t}"), format!("bearer  {t} "), t.clone()] {
            let claims = check(Some(&auth)).unwrap();
            assert_eq!(claims["webhook_id"], "WB-1");
        }
        // No exp at all: nothing to check (Connect's own verifier in the MuleSoft connector
        // does the same).
        let no_exp = token(r#"{"alg":"HS256"}"#, r#"{"webhook_id":"WB-1"}"#, SECRET);
        assert!(check(Some(&no_exp)).is_ok());
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let t = valid();
        let (signed, sig) = t.rsplit_once('.').unwrap();
        let (header, _) = signed.split_once('.').unwrap();
        let other_claims =
            b64(format!(r#"{{"webhook_id":"WB-2","exp":{}}}"#, NOW + 300).as_bytes());
        assert_eq!(
            code(Some(&format!("{header}.{other_claims}.{sig}"))),
            "SIGNATURE"
        );
        // One flipped character of the signature.
        let mut flipped = t.clone().into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            code(Some(std::str::from_utf8(&flipped).unwrap())),
            "SIGNATURE"
        );
        // Signed with another webhook's secret.
        let other = token(
            r#"{"alg":"HS256"}"#,
            r#"{"webhook_id":"WB-1"}"#,
            "another-secret",
        );
        assert_eq!(code(Some(&other)), "SIGNATURE");
    }

    #[test]
    fn expired_and_early_tokens_are_refused_outside_the_leeway() {
        let at = |claims: String| token(r#"{"alg":"HS256"}"#, &claims, SECRET);
        let expired = at(format!(r#"{{"exp":{}}}"#, NOW - LEEWAY_SECONDS - 1));
        let e = check(Some(&expired)).unwrap_err();
        assert_eq!(e.code, "EXPIRED");
        assert!(e.message.contains("61 s ago"), "{}", e.message);
        assert!(check(Some(&at(format!(r#"{{"exp":{}}}"#, NOW - LEEWAY_SECONDS)))).is_ok());
        let early = at(format!(r#"{{"nbf":{}}}"#, NOW + LEEWAY_SECONDS + 1));
        assert_eq!(code(Some(&early)), "NOT_YET_VALID");
        assert_eq!(
            code(Some(&at(r#"{"exp":"soon"}"#.into()))),
            "MALFORMED_TOKEN"
        );
    }

    #[test]
    fn alg_none_and_other_algorithms_are_refused() {
        let claims = b64(br#"{"webhook_id":"WB-1"}"#);
        // `alg: none` with an empty signature, as an attacker would send it.
        for alg in ["none", "None", "NONE"] {
            let header = b64(format!(r#"{{"alg":"{alg}"}}"#).as_bytes());
            assert_eq!(
                code(Some(&format!("{header}.{claims}."))),
                "ALGORITHM",
                "{alg}"
            );
        }
        // RS256 declared, signed with the secret as if it were an HMAC key: refused anyway.
        let rs = token(r#"{"alg":"RS256"}"#, r#"{"webhook_id":"WB-1"}"#, SECRET);
        let e = check(Some(&rs)).unwrap_err();
        assert_eq!(e.code, "ALGORITHM");
        assert!(e.message.contains("\"RS256\""), "{}", e.message);
        for header in [r#"{"alg":"HS512"}"#, r#"{"typ":"JWT"}"#, r#"{"alg":256}"#] {
            let t = token(header, r#"{}"#, SECRET);
            assert_eq!(code(Some(&t)), "ALGORITHM", "{header}");
        }
    }

    #[test]
    fn missing_and_malformed_tokens_are_refused() {
        assert_eq!(code(None), "MISSING_TOKEN");
        assert_eq!(code(Some("  ")), "MISSING_TOKEN");
        assert!(check(None).unwrap_err().message.contains(TOKEN_PROPERTY));
        assert_eq!(code(Some("Bearer abc")), "MALFORMED_TOKEN");
        assert_eq!(code(Some("Basic dXNlcjpwYXNz")), "MALFORMED_TOKEN");
        assert_eq!(code(Some("a.b.c.d")), "MALFORMED_TOKEN");
        assert_eq!(code(Some("!!.e30.x")), "MALFORMED_TOKEN");
    }

    #[test]
    fn no_message_quotes_the_token_or_the_secret() {
        let secret_piece = &SECRET[..8];
        let t = valid();
        let (signed, _) = t.rsplit_once('.').unwrap();
        let cases = [
            format!("{signed}.AAAA"),
            format!("Basic {t}"),
            format!("{t}.x"),
            token(
                r#"{"alg":"HS256"}"#,
                &format!(r#"{{"exp":{}}}"#, NOW - 999),
                SECRET,
            ),
        ];
        for case in cases {
            let e = check(Some(&case)).unwrap_err();
            assert!(!e.message.contains(secret_piece), "{}", e.message);
            assert!(!e.message.contains(&t[..12]), "{}", e.message);
        }
    }

    #[test]
    fn the_output_is_the_body_with_the_claims_and_only_signed_claims() {
        let secret = Secret::new(SECRET);
        let auth = format!("Bearer {}", valid());
        let body =
            br#"{"object_class":"fulfillment_request","verified_claims":{"forged":true},"n":1.50}"#;
        let out = verify_call(body, Some(&auth), &secret, NOW).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(
                r#"{"object_class":"fulfillment_request","n":1.50,"verified_claims":{"#
            ),
            "{text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["verified_claims"]["webhook_id"], "WB-1");
        assert!(v["verified_claims"].get("forged").is_none());
        // A GET webhook has no body: the claims alone.
        let v: Value =
            serde_json::from_slice(&verify_call(b"", Some(&auth), &secret, NOW).unwrap()).unwrap();
        assert_eq!(v["verified_claims"]["webhook_id"], "WB-1");
        for bad in [&b"[1]"[..], b"{not json", b"\"x\""] {
            let e = verify_call(bad, Some(&auth), &secret, NOW).unwrap_err();
            assert_eq!(e.code, "BAD_BODY");
        }
        // The token is checked before the body is read.
        let e = verify_call(b"{not json", None, &secret, NOW).unwrap_err();
        assert_eq!(e.code, "MISSING_TOKEN");
        let doc: Value = serde_json::from_slice(&e.document()).unwrap();
        assert_eq!(doc["error"], "MISSING_TOKEN");
    }

    #[test]
    fn set_flag_copies_the_update_members_from_the_current_object() {
        let current = br#"{"id":"WB-1","label":"L","active":false,"external_url":"https://x",
            "jwt_secret":"s","description":null,"http_method":"POST","object_class":"usage_file",
            "product":{"id":"PRD-1","name":"P"},"data":{},"headers":{},"stats":{"x":1}}"#;
        let body = set_flag_body(current, "UpdateWebhook", "active", true).unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["active"], true);
        assert_eq!(v["product_id"], "PRD-1");
        assert_eq!(v["label"], "L");
        assert_eq!(v["jwt_secret"], "s");
        assert!(v.get("stats").is_none() && v.get("id").is_none());
        assert!(v.get("description").is_none(), "null is not sent");
        assert!(set_flag_body(b"[]", "UpdateWebhook", "active", true).is_err());
    }
}
