//! The API token: a newtype that never prints itself, plus redaction for any text that might
//! carry it (reqwest errors can embed URLs and header values).

use std::fmt;

/// A secret string. `Debug` and `Display` print `***`; only [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the one place that needs it: the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the secret (and of its parts, see below) replaced by `***`.
    ///
    /// A Connect token is `SU-…:…`; the part after the colon is the actual secret and may show up
    /// on its own (e.g. URL-encoded user info), so both the whole value and each colon-separated
    /// part that is long enough to be meaningful are redacted.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        if self.0.is_empty() {
            return out;
        }
        out = out.replace(&self.0, "***");
        for part in self.0.split([':', ' ']) {
            // Short parts ("ApiKey", "SU") are not secret and replacing them would mangle text.
            if part.len() >= 8 && !part.starts_with("SU-") {
                out = out.replace(part, "***");
            }
        }
        out
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_itself() {
        let s = Secret::new("ApiKey SU-123-456:abcdef0123456789");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(s.expose(), "ApiKey SU-123-456:abcdef0123456789");
    }

    #[test]
    fn redacts_whole_value_and_secret_part() {
        let s = Secret::new("ApiKey SU-123-456:abcdef0123456789");
        assert_eq!(
            s.redact("header ApiKey SU-123-456:abcdef0123456789 and abcdef0123456789 alone"),
            "header *** and *** alone"
        );
        assert_eq!(s.redact("nothing here"), "nothing here");
    }
}
