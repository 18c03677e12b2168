//! Connection settings (`connectionJson`) and the typed access to Boomi property maps.
//!
//! The shim passes property values with the Java types Boomi gives (`String`, `Long`, `Boolean`);
//! numbers typed into string fields arrive as strings, so numeric readers accept both.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{CoreError, Result};
use crate::secret::Secret;
use crate::sync::Environment;

pub const DEFAULT_ENDPOINT: &str = "https://api.connect.cloudblue.com/public/v1";

/// A Boomi property map (connection, operation or dynamic document properties).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Properties(pub Map<String, Value>);

impl Properties {
    /// The value as text, trimmed; `None` when absent, null or blank.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) => {
                let t = s.trim();
                (!t.is_empty()).then(|| t.to_owned())
            }
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// An integer property within `range`, `default` when absent or blank. `label` names the
    /// setting in the error message the user reads.
    pub fn int(
        &self,
        key: &str,
        label: &str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64> {
        let v = match self.0.get(key) {
            None | Some(Value::Null) => return Ok(default),
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(default),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(_) => None,
        };
        match v {
            Some(v) if range.contains(&v) => Ok(v),
            _ => Err(CoreError::invalid_request(format!(
                "\"{label}\" must be a whole number from {} to {}",
                range.start(),
                range.end()
            ))),
        }
    }

    /// A boolean property, `default` when absent.
    pub fn flag(&self, key: &str, default: bool) -> bool {
        match self.0.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
            _ => default,
        }
    }
}

/// An HTTP proxy from the Atom's proxy settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxySettings {
    /// `http://host:port`.
    pub url: String,
    pub user: Option<String>,
    pub password: Option<Secret>,
    /// Hosts that bypass the proxy, in reqwest's `NO_PROXY` syntax (converted from Java's form).
    pub no_proxy: Option<String>,
}

/// Retry policy for transient failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrySettings {
    /// Total attempts including the first (1 = no retries).
    pub max_attempts: u32,
    /// The longest single wait between attempts; a `Retry-After` above it ends the retries.
    pub max_wait: Duration,
}

/// The most bytes one answer may have after decompression (see `client::read_limited`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimits {
    /// One List Resources page ("Maximum Page Size (MB)").
    pub page: u64,
    /// One single-object answer or download ("Maximum Response Size (MB)").
    pub response: u64,
}

/// Labels of the limit settings, as the connection shows them: error messages name them.
pub const MAX_PAGE_LABEL: &str = "Maximum Page Size (MB)";
pub const MAX_RESPONSE_LABEL: &str = "Maximum Response Size (MB)";
pub const DEADLINE_LABEL: &str = "Request Deadline (seconds)";

/// Validated connection settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// API base URL without a trailing `/`.
    pub endpoint: String,
    /// The full `Authorization` header value (`ApiKey SU-…:…`).
    pub authorization: Secret,
    pub proxy: Option<ProxySettings>,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    /// The longest one attempt of a request may take, sending and receiving included, however
    /// slowly the bytes arrive (the read timeout restarts with every byte).
    pub deadline: Duration,
    pub limits: BodyLimits,
    pub retry: RetrySettings,
    /// Extra trusted CA certificates (PEM text, one or more), e.g. a corporate TLS-inspecting
    /// proxy's CA; trusted in addition to the platform store and the bundled roots.
    pub extra_ca_pem: Option<String>,
    /// Which marketplaces List Resources returns records of (see [`crate::sync`]).
    pub environment: Environment,
}

#[derive(Deserialize)]
struct RawConnection {
    #[serde(default)]
    properties: Properties,
    #[serde(default)]
    proxy: Option<Properties>,
}

impl Settings {
    /// Parses and validates `connectionJson`.
    pub fn parse(json: &[u8]) -> Result<Settings> {
        let raw: RawConnection = serde_json::from_slice(json).map_err(|e| {
            CoreError::invalid_settings(format!("connection settings are not valid JSON: {e}"))
        })?;
        let p = &raw.properties;
        let authorization = authorization(p.text("apiToken"))?;
        let endpoint = endpoint(p.text("endpoint"), &authorization)?;
        let secs = |key, label, default, range| {
            p.int(key, label, default, range)
                .map(|v| Duration::from_secs(v.unsigned_abs()))
                .map_err(|e| CoreError::invalid_settings(e.message))
        };
        let connect_timeout = secs(
            "connectTimeoutSeconds",
            "Connect Timeout (seconds)",
            30,
            1..=600,
        )?;
        let read_timeout = secs(
            "readTimeoutSeconds",
            "Read Timeout (seconds)",
            120,
            1..=3600,
        )?;
        let deadline = secs("requestDeadlineSeconds", DEADLINE_LABEL, 600, 1..=86_400)?;
        let megabytes = |key, label, default, range| {
            p.int(key, label, default, range)
                .map(|v| v.unsigned_abs() * 1024 * 1024)
                .map_err(|e| CoreError::invalid_settings(e.message))
        };
        let limits = BodyLimits {
            page: megabytes("maxPageMegabytes", MAX_PAGE_LABEL, 64, 1..=1024)?,
            response: megabytes("maxResponseMegabytes", MAX_RESPONSE_LABEL, 100, 1..=2048)?,
        };
        let max_wait = secs(
            "maxRetryWaitSeconds",
            "Maximum Retry Wait (seconds)",
            60,
            0..=600,
        )?;
        let max_attempts = p
            .int("maxAttempts", "Maximum Attempts", 4, 1..=10)
            .map_err(|e| CoreError::invalid_settings(e.message))?;
        let proxy = raw.proxy.as_ref().map(proxy).transpose()?.flatten();
        let extra_ca_pem = p.text("extraCaPem");
        let environment = Environment::parse(p.text(crate::sync::ENVIRONMENT).as_deref())
            .map_err(CoreError::invalid_settings)?;
        Ok(Settings {
            endpoint,
            authorization,
            proxy,
            connect_timeout,
            read_timeout,
            deadline,
            limits,
            retry: RetrySettings {
                max_attempts: u32::try_from(max_attempts).unwrap_or(1),
                max_wait,
            },
            extra_ca_pem,
            environment,
        })
    }
}

/// Accepts `ApiKey SU-…:…` (what Connect's UI shows as "API Key/Handle") and the bare `SU-…:…`.
/// Values with another scheme word (`Bearer …`) are sent as typed.
fn authorization(token: Option<String>) -> Result<Secret> {
    let token = token.ok_or_else(|| {
        CoreError::invalid_settings(
            "no API token: set \"API Token\" in the connection to a Connect API token \
             (Integrations > Tokens in Connect), e.g. ApiKey SU-000-000-000:…",
        )
    })?;
    let value = match token.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("ApiKey") => {
            format!("ApiKey {}", rest.trim())
        }
        Some(_) => token,
        None => format!("ApiKey {token}"),
    };
    // Control characters cannot go into a header; say so without echoing the value.
    if value.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f) {
        return Err(CoreError::invalid_settings(
            "\"API Token\" contains control characters (a pasted line break?); paste the token again",
        ));
    }
    Ok(Secret::new(value))
}

/// The API base URL: an http(s) URL with a host and a path, and nothing else. Whatever is refused
/// is refused whole, never repaired: a pasted line break would be dropped by the URL parser, and
/// credentials before an `@` would replace the API token with HTTP Basic authentication.
fn endpoint(value: Option<String>, token: &Secret) -> Result<String> {
    let Some(value) = value else {
        return Ok(DEFAULT_ENDPOINT.to_owned());
    };
    let example = format!("use the API base URL only, e.g. {DEFAULT_ENDPOINT}");
    if value.chars().any(char::is_control) {
        return Err(CoreError::invalid_settings(format!(
            "the API endpoint contains a line break, tab or other control character (pasted \
             with the URL?); type it again on one line: {example}"
        )));
    }
    let trimmed = value.trim_end_matches('/');
    let parsed = url::Url::parse(trimmed);
    let credentials = match &parsed {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            !url.username().is_empty() || url.password().is_some()
        }
        // Other text with an '@' (`user:password@host` parses with the scheme "user") may hold
        // credentials too.
        _ => value.contains('@'),
    };
    if credentials {
        return Err(CoreError::invalid_settings(format!(
            "the API endpoint must not contain a user name or password (user:password@host): \
             the connector signs in with the API Token only; remove everything between :// and \
             the '@', {example}"
        )));
    }
    let bad = || {
        // Text with an '@' that is not a URL with user info may still hold a password.
        let shown = if value.contains('@') {
            String::new()
        } else {
            format!(" \"{}\"", token.redact(&value))
        };
        CoreError::invalid_settings(format!(
            "the API endpoint{shown} is not an http(s) URL; {example}"
        ))
    };
    let url = parsed.map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(CoreError::invalid_settings(format!(
            "the API endpoint must not contain '?' or '#': {example}"
        )));
    }
    Ok(trimmed.to_owned())
}

fn proxy(p: &Properties) -> Result<Option<ProxySettings>> {
    let Some(host) = p.text("host") else {
        return Ok(None);
    };
    let port = p
        .int("port", "proxy port", 80, 1..=65535)
        .map_err(|e| CoreError::invalid_settings(e.message))?;
    // A host given with a scheme (`http://proxy`) is accepted as well as a bare host name.
    let host = host
        .strip_prefix("http://")
        .or_else(|| host.strip_prefix("https://"))
        .unwrap_or(&host)
        .trim_end_matches('/');
    let url = format!("http://{host}:{port}");
    if url::Url::parse(&url).is_err() {
        return Err(CoreError::invalid_settings(format!(
            "the Atom's proxy host \"{host}\" is not a valid host name"
        )));
    }
    Ok(Some(ProxySettings {
        url,
        user: p.text("user"),
        password: p.text("password").map(Secret::new),
        no_proxy: p.text("nonProxyHosts").and_then(|h| no_proxy(&h)),
    }))
}

/// Java's `http.nonProxyHosts` (`a|b|*.c|10.0.*`) in reqwest's `NO_PROXY` form (`a,b,.c,10.0.0.0/16`).
/// Entries reqwest cannot express (a wildcard in the middle of a name) are dropped.
pub fn no_proxy(java: &str) -> Option<String> {
    let entries: Vec<String> = java
        .split('|')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            if e == "*" {
                return Some("*".to_owned());
            }
            if let Some(domain) = e.strip_prefix("*.") {
                return (!domain.contains('*')).then(|| format!(".{domain}"));
            }
            if let Some(prefix) = e.strip_suffix(".*") {
                return ipv4_prefix_cidr(prefix);
            }
            (!e.contains('*')).then(|| e.to_owned())
        })
        .collect();
    (!entries.is_empty()).then(|| entries.join(","))
}

/// `10.0` → `10.0.0.0/16` (a Java `10.0.*` pattern).
fn ipv4_prefix_cidr(prefix: &str) -> Option<String> {
    let octets: Vec<&str> = prefix.split('.').collect();
    if octets.is_empty() || octets.len() > 3 || octets.iter().any(|o| o.parse::<u8>().is_err()) {
        return None;
    }
    let mut full: Vec<&str> = octets.clone();
    full.resize(4, "0");
    Some(format!("{}/{}", full.join("."), octets.len() * 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Settings> {
        Settings::parse(json.as_bytes())
    }

    #[test]
    fn defaults_and_token_forms() {
        let s = parse(r#"{"properties":{"apiToken":"SU-1-2:abcdefghijkl"}}"#).unwrap();
        assert_eq!(s.endpoint, DEFAULT_ENDPOINT);
        assert_eq!(s.authorization.expose(), "ApiKey SU-1-2:abcdefghijkl");
        assert_eq!(s.connect_timeout, Duration::from_secs(30));
        assert_eq!(s.read_timeout, Duration::from_secs(120));
        assert_eq!(s.retry.max_attempts, 4);
        assert_eq!(s.retry.max_wait, Duration::from_secs(60));
        assert!(s.proxy.is_none());
        assert!(s.extra_ca_pem.is_none());
        let s = parse(r#"{"properties":{"apiToken":"  apikey   SU-1-2:x ","endpoint":"http://127.0.0.1:9/v1/"}}"#).unwrap();
        assert_eq!(s.authorization.expose(), "ApiKey SU-1-2:x");
        assert_eq!(s.endpoint, "http://127.0.0.1:9/v1");
    }

    #[test]
    fn missing_token_names_the_field() {
        for j in [
            r#"{}"#,
            r#"{"properties":{"apiToken":"  "}}"#,
            r#"{"properties":{"apiToken":null}}"#,
        ] {
            let e = parse(j).unwrap_err();
            assert_eq!(e.code, crate::error::ErrorCode::InvalidSettings);
            assert!(e.message.contains("\"API Token\""), "{}", e.message);
        }
    }

    #[test]
    fn bad_endpoint_is_clear_and_redacted() {
        for ep in ["ftp://x/y", "not a url", "https://", "https://h/v1?x=1"] {
            let j =
                format!(r#"{{"properties":{{"apiToken":"SU-1:secretsecret","endpoint":"{ep}"}}}}"#);
            let e = parse(&j).unwrap_err();
            assert_eq!(e.code, crate::error::ErrorCode::InvalidSettings, "{ep}");
        }
        let e = parse(
            r#"{"properties":{"apiToken":"SU-1:secretsecret","endpoint":"x SU-1:secretsecret"}}"#,
        )
        .unwrap_err();
        assert!(!e.message.contains("secretsecret"), "{}", e.message);
    }

    /// An endpoint is a base URL and nothing else; a refused one never shows credentials.
    #[test]
    fn endpoint_with_credentials_control_characters_query_or_fragment_is_refused() {
        let cases = [
            (
                "https://user:pa55word-canary@api.example/public/v1",
                "user name or password",
            ),
            (
                "https://pa55word-canary@api.example/public/v1",
                "user name or password",
            ),
            (
                "https://:pa55word-canary@api.example/public/v1",
                "user name or password",
            ),
            (
                "user:pa55word-canary@api.example/v1",
                "user name or password",
            ),
            (
                "https://u:pa55word-canary@bad host/v1",
                "user name or password",
            ),
            ("https://api.example/pub\nlic/v1", "control character"),
            ("https://api.exa\tmple/public/v1", "control character"),
            ("https://api.example/public/v1\u{7f}x", "control character"),
            ("https://api.example/public/v1?", "'?' or '#'"),
            (
                "https://api.example/public/v1?token=pa55word-canary",
                "'?' or '#'",
            ),
            ("https://api.example/public/v1#frag", "'?' or '#'"),
        ];
        for (ep, why) in cases {
            let j = serde_json::json!({"properties": {"apiToken": "SU-1:secretsecret", "endpoint": ep}});
            let e = Settings::parse(j.to_string().as_bytes()).unwrap_err();
            assert_eq!(e.code, crate::error::ErrorCode::InvalidSettings, "{ep}");
            assert!(e.message.contains(why), "{ep}: {}", e.message);
            assert!(!e.message.contains("pa55word"), "{ep}: {}", e.message);
        }
        // A line break at either end is whitespace around the value, which is ignored.
        let j =
            r#"{"properties":{"apiToken":"SU-1:x","endpoint":"\nhttps://api.example/v1/\r\n"}}"#;
        assert_eq!(parse(j).unwrap().endpoint, "https://api.example/v1");
        // An '@' in the path is not a user name.
        let j = r#"{"properties":{"apiToken":"SU-1:x","endpoint":"https://api.example/v1/@x"}}"#;
        assert_eq!(parse(j).unwrap().endpoint, "https://api.example/v1/@x");
    }

    #[test]
    fn limits_and_deadline() {
        let s = parse(r#"{"properties":{"apiToken":"SU-1:x"}}"#).unwrap();
        assert_eq!(s.deadline, Duration::from_secs(600));
        assert_eq!(s.limits.page, 64 << 20);
        assert_eq!(s.limits.response, 100 << 20);
        let s = parse(r#"{"properties":{"apiToken":"SU-1:x","requestDeadlineSeconds":"5","maxPageMegabytes":2,"maxResponseMegabytes":"3"}}"#).unwrap();
        assert_eq!(s.deadline, Duration::from_secs(5));
        assert_eq!(s.limits.page, 2 << 20);
        assert_eq!(s.limits.response, 3 << 20);
        for (key, label) in [
            ("requestDeadlineSeconds", DEADLINE_LABEL),
            ("maxPageMegabytes", MAX_PAGE_LABEL),
            ("maxResponseMegabytes", MAX_RESPONSE_LABEL),
        ] {
            let j = format!(r#"{{"properties":{{"apiToken":"SU-1:x","{key}":0}}}}"#);
            let e = parse(&j).unwrap_err();
            assert_eq!(e.code, crate::error::ErrorCode::InvalidSettings);
            assert!(e.message.contains(label), "{}", e.message);
        }
    }

    #[test]
    fn numbers_as_strings_or_longs() {
        let s = parse(r#"{"properties":{"apiToken":"SU-1:x","connectTimeoutSeconds":"5","readTimeoutSeconds":7,"maxAttempts":1,"maxRetryWaitSeconds":0}}"#).unwrap();
        assert_eq!(s.connect_timeout, Duration::from_secs(5));
        assert_eq!(s.read_timeout, Duration::from_secs(7));
        assert_eq!(s.retry.max_attempts, 1);
        assert_eq!(s.retry.max_wait, Duration::ZERO);
        let e = parse(r#"{"properties":{"apiToken":"SU-1:x","maxAttempts":"lots"}}"#).unwrap_err();
        assert!(e.message.contains("Maximum Attempts"), "{}", e.message);
    }

    #[test]
    fn proxy_settings() {
        let s = parse(r#"{"properties":{"apiToken":"SU-1:x"},"proxy":{"host":"proxy.local","port":8080,"user":"u","password":"p","nonProxyHosts":"localhost|*.corp|10.1.*|a*b"}}"#).unwrap();
        let p = s.proxy.unwrap();
        assert_eq!(p.url, "http://proxy.local:8080");
        assert_eq!(p.user.as_deref(), Some("u"));
        assert_eq!(p.password.unwrap().expose(), "p");
        assert_eq!(p.no_proxy.as_deref(), Some("localhost,.corp,10.1.0.0/16"));
        let s = parse(r#"{"properties":{"apiToken":"SU-1:x"},"proxy":null}"#).unwrap();
        assert!(s.proxy.is_none());
        let s = parse(r#"{"properties":{"apiToken":"SU-1:x"},"proxy":{"host":""}}"#).unwrap();
        assert!(s.proxy.is_none());
    }
}
