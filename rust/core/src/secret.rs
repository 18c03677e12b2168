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
    /// part that is long enough to be meaningful are redacted. Any run of [`MIN_FRAGMENT`] or more
    /// characters of such a part is redacted too: text that was cut somewhere (an excerpt of a
    /// response body, a header value split over two lines) may hold only a piece of the secret,
    /// and a piece is still a leak.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        // A very short value (a one-letter proxy password) would mangle every message and the
        // whole-value replacement would tell a reader where it was anyway.
        if self.0.chars().count() < MIN_WHOLE {
            return out;
        }
        out = out.replace(&self.0, "***");
        for part in self.secret_parts() {
            out = out.replace(part, "***");
        }
        for part in self.secret_parts() {
            out = redact_fragments(&out, part);
        }
        out
    }

    /// The parts that are secret: colon- or space-separated pieces of at least [`MIN_FRAGMENT`]
    /// characters that are not the public `SU-…` handle (short parts such as `ApiKey` are not
    /// secret and replacing them would mangle text). A value without separators is one part.
    fn secret_parts(&self) -> impl Iterator<Item = &str> {
        self.0
            .split([':', ' '])
            .filter(|part| part.chars().count() >= MIN_FRAGMENT && !part.starts_with("SU-"))
    }
}

/// Values shorter than this are not redacted at all (see [`Secret::redact`]).
const MIN_WHOLE: usize = 4;

/// The shortest piece of a secret that counts as a leak.
pub const MIN_FRAGMENT: usize = 8;

/// `text` with every run of at least [`MIN_FRAGMENT`] bytes that also occurs in `secret`
/// replaced by `***` (adjacent runs merge into one `***`).
fn redact_fragments(text: &str, secret: &str) -> String {
    let t = text.as_bytes();
    let s = secret.as_bytes();
    if t.len() < MIN_FRAGMENT {
        return text.to_owned();
    }
    let mut in_secret = [false; 256];
    for &b in s {
        in_secret[usize::from(b)] = true;
    }
    // Byte ranges to hide, as (start, end), in increasing start order.
    let mut hide: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i + MIN_FRAGMENT <= t.len() {
        if !in_secret[usize::from(t[i])] {
            i += 1;
            continue;
        }
        let longest = (0..s.len())
            .map(|j| {
                t[i..]
                    .iter()
                    .zip(&s[j..])
                    .take_while(|(a, b)| a == b)
                    .count()
            })
            .max()
            .unwrap_or(0);
        if longest >= MIN_FRAGMENT {
            let (start, end) = (floor_char(text, i), ceil_char(text, i + longest));
            match hide.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => hide.push((start, end)),
            }
            i += longest;
        } else {
            i += 1;
        }
    }
    if hide.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in hide {
        out.push_str(&text[at..start]);
        out.push_str("***");
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The nearest char boundary at or before `i` (a non-ASCII secret may match inside a character).
fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The nearest char boundary at or after `i`.
fn ceil_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
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

    /// A Connect token: the public `SU-…` handle and the secret after the colon.
    const TOKEN: &str = "ApiKey SU-123-456:abcdef0123456789";

    #[test]
    fn never_prints_itself() {
        let s = Secret::new(TOKEN);
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(s.expose(), "ApiKey SU-123-456:abcdef0123456789");
    }

    #[test]
    fn redacts_whole_value_and_secret_part() {
        let s = Secret::new(TOKEN);
        assert_eq!(
            s.redact("header ApiKey SU-123-456:abcdef0123456789 and abcdef0123456789 alone"),
            "header *** and *** alone"
        );
        assert_eq!(s.redact("nothing here"), "nothing here");
    }

    #[test]
    fn redacts_pieces_of_the_secret() {
        let s = Secret::new(TOKEN);
        // A cut excerpt ("…abcdef01") and a piece in the middle of other text.
        assert_eq!(
            s.redact("body: ApiKey SU-123-456:abcdef01…"),
            "body: ApiKey SU-123-456:***…"
        );
        assert_eq!(s.redact("x=ef012345y"), "x=***y");
        // Seven characters are not enough to count (and are common in ordinary text).
        assert_eq!(s.redact("abcdef0 is fine"), "abcdef0 is fine");
        // The public handle stays readable.
        assert_eq!(s.redact("token SU-123-456"), "token SU-123-456");
        // Multi-byte text around a match keeps valid UTF-8.
        assert_eq!(s.redact("é0123456789é"), "é***é");
    }

    #[test]
    fn short_values_do_not_mangle_text() {
        let s = Secret::new("p");
        assert_eq!(s.redact("proxy password"), "proxy password");
        let s = Secret::new("pass");
        assert_eq!(s.redact("a pass b"), "a *** b");
    }
}
