//! Turning Boomi text into RQL tokens that survive the trip to a Connect server.
//!
//! What the server does with a query string (django-rql on top of lib-rql, read from their
//! sources): it percent-decodes the *whole* query string once (`urllib.parse.unquote`, which
//! leaves `+` alone), parses the result with lib-rql's LALR grammar, and strips one pair of
//! surrounding quotes from a value. So percent-encoding only protects the URL; the decoded text
//! must still be valid RQL, which is why values with RQL delimiters are also quoted. The grammar
//! has no escape inside quotes (`"[^"]*"` or `'[^']*'`), so a value holding both kinds of quote
//! cannot be written at all.

/// Bytes left as they are in a value; everything else is percent-encoded. RFC 3986 unreserved
/// characters plus `*` (the like wildcard, kept readable) and `:` (dates and times). `+` is
/// encoded because some proxies read it as a space; quotes because the WHATWG URL parser in
/// front of many HTTP clients rewrites them, which would make our golden strings lie.
fn keep_in_value(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'*' | b':')
}

/// Bytes that may not appear raw in a URL query and so are encoded in Raw RQL. `%` is not one of
/// them: Raw RQL is written as it would appear in a URL, so `%20` there is already encoded.
/// `[` and `]` are RFC 3986 delimiters that strict HTTP servers refuse in a query (found by the
/// `rql_filter` fuzz target).
fn encode_in_raw(b: u8) -> bool {
    b <= b' ' || b >= 0x7f || b"\"#<>`{}|\\^'[]".contains(&b)
}

fn percent_encode(text: &str, keep: impl Fn(u8) -> bool, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

/// Words the grammar lexes as keywords. Most still parse as a value, but `t` (the tuple keyword)
/// does not, and quoting them all keeps the server from ever seeing an operator where a value was
/// meant.
const KEYWORDS: &[&str] = &[
    "eq", "ne", "gt", "ge", "lt", "le", "like", "ilike", "in", "out", "and", "or", "not", "t",
    "ordering", "select",
];

/// True when `value` can go unquoted: it matches lib-rql's `UNQUOTED_VAL` (restricted to ASCII,
/// so Unicode's idea of `\w` never matters) and is not a keyword.
fn is_bare(value: &str) -> bool {
    let bytes = value.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    let first_ok =
        first.is_ascii_alphanumeric() || matches!(first, b'_' | b'-' | b'*' | b'+' | b'\\');
    let rest_ok = bytes[1..].iter().all(|&b| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'.' | b'-' | b':' | b'+' | b'@' | b'*' | b'\\')
    });
    first_ok && rest_ok && !KEYWORDS.contains(&value)
}

/// Why a value cannot be written as an RQL token.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct BothQuotes;

/// Appends `value` as one RQL value token, quoted when needed and percent-encoded, so that the
/// server's decode-parse-unquote ends with exactly `value`.
pub(super) fn push_value(value: &str, out: &mut String) -> Result<(), BothQuotes> {
    if is_bare(value) {
        percent_encode(value, keep_in_value, out);
        return Ok(());
    }
    let quote = match (value.contains('"'), value.contains('\'')) {
        (false, _) => "%22",
        (true, false) => "%27",
        (true, true) => return Err(BothQuotes),
    };
    out.push_str(quote);
    percent_encode(value, keep_in_value, out);
    out.push_str(quote);
    Ok(())
}

/// Appends Raw RQL as written, encoding only what a URL query cannot hold.
pub(super) fn push_raw(raw: &str, out: &mut String) {
    percent_encode(raw, |b| !encode_in_raw(b), out);
}

/// Why a Boomi field path is not an RQL property.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum BadPath {
    Empty,
    EmptySegment,
    BadChar(char),
    NotALetterFirst,
}

impl BadPath {
    pub(super) fn explain(&self) -> String {
        match self {
            BadPath::Empty => "the field name is empty; choose a field".to_owned(),
            BadPath::EmptySegment => {
                "the field path has an empty segment (a leading, trailing or doubled '/')"
                    .to_owned()
            }
            BadPath::BadChar(c) => format!(
                "the field path contains {c:?}; Connect field names use only ASCII letters, \
                 digits, '_' and '-', with '/' or '.' between levels"
            ),
            BadPath::NotALetterFirst => "a Connect field name starts with a letter".to_owned(),
        }
    }
}

/// Boomi profile path (`asset/product/id`) to RQL property (`asset.product.id`). A dotted path is
/// accepted as it is. The result always matches lib-rql's `PROP` terminal, so it needs no quoting
/// or encoding.
pub(super) fn property(path: &str) -> Result<String, BadPath> {
    if path.is_empty() {
        return Err(BadPath::Empty);
    }
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split(['/', '.']).enumerate() {
        if segment.is_empty() {
            return Err(BadPath::EmptySegment);
        }
        if let Some(c) = segment
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            return Err(BadPath::BadChar(c));
        }
        if i == 0 && !segment.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(BadPath::NotALetterFirst);
        }
        if i > 0 {
            out.push('.');
        }
        out.push_str(segment);
    }
    Ok(out)
}

/// Splits the single `in`/`out` argument into its items.
///
/// Items are separated by `,`; `\,` is a literal comma and `\\` a literal backslash; any other
/// backslash is kept as typed. Whitespace around an item is dropped, because `a, b, c` is how
/// people type lists. An empty item is an error (usually a stray comma): its 1-based position is
/// returned.
pub(super) fn split_list(arg: &str) -> Result<Vec<String>, usize> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = arg.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(',') => current.push(','),
                Some('\\') => current.push('\\'),
                Some(other) => {
                    current.push('\\');
                    current.push(other);
                }
                None => current.push('\\'),
            },
            ',' => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let trimmed = item.trim();
            if trimmed.is_empty() {
                Err(i + 1)
            } else {
                Ok(trimmed.to_owned())
            }
        })
        .collect()
}

/// Normalises a like/ilike pattern. The server reads `*` as the wildcard, `\*` as a literal
/// asterisk and `\\` as a literal backslash, and rejects two wildcards in a row; a run of
/// wildcards matches the same as one, so runs are collapsed instead of failing the query.
pub(super) fn like_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut after_wildcard = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push('\\');
                if let Some(next) = chars.next() {
                    out.push(next);
                }
                after_wildcard = false;
            }
            '*' if after_wildcard => {}
            '*' => {
                out.push('*');
                after_wildcard = true;
            }
            _ => {
                out.push(c);
                after_wildcard = false;
            }
        }
    }
    out
}

/// Checks that Raw RQL is non-empty and that its parentheses balance outside quoted values, so
/// a typo is reported here, with the row it came from, instead of as a server 400.
pub(super) fn check_raw(raw: &str) -> Result<(), &'static str> {
    if raw.is_empty() {
        return Err("the Raw RQL text is empty");
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for c in raw.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth
                    .checked_sub(1)
                    .ok_or("the Raw RQL text closes a parenthesis it never opened")?;
            }
            (None, _) => {}
        }
    }
    if quote.is_some() {
        return Err("the Raw RQL text has an unclosed quote");
    }
    if depth != 0 {
        return Err("the Raw RQL text leaves a parenthesis open");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(v: &str) -> String {
        let mut out = String::new();
        push_value(v, &mut out).unwrap();
        out
    }

    #[test]
    fn bare_values_stay_readable() {
        assert_eq!(value("PRD-123-456-789"), "PRD-123-456-789");
        assert_eq!(
            value("2019-02-12T10:02:00+03:00"),
            "2019-02-12T10:02:00%2B03:00"
        );
        assert_eq!(value("*abc*"), "*abc*");
        assert_eq!(value("a@b.c"), "a%40b.c");
        assert_eq!(value("-5"), "-5");
    }

    #[test]
    fn delimiters_and_keywords_are_quoted() {
        assert_eq!(value("a b"), "%22a%20b%22");
        assert_eq!(value("a,b"), "%22a%2Cb%22");
        assert_eq!(value("t"), "%22t%22");
        assert_eq!(value("and"), "%22and%22");
        assert_eq!(value(""), "%22%22");
        assert_eq!(value("@x"), "%22%40x%22");
        assert_eq!(value("say \"hi\""), "%27say%20%22hi%22%27");
        assert_eq!(value("ü"), "%22%C3%BC%22");
        let mut out = String::new();
        assert_eq!(push_value("it's \"x\"", &mut out), Err(BothQuotes));
    }

    #[test]
    fn paths() {
        assert_eq!(property("asset/product/id").unwrap(), "asset.product.id");
        assert_eq!(property("asset.product.id").unwrap(), "asset.product.id");
        assert_eq!(property("events/created/at").unwrap(), "events.created.at");
        assert_eq!(property(""), Err(BadPath::Empty));
        assert_eq!(property("a//b"), Err(BadPath::EmptySegment));
        assert_eq!(property("/a"), Err(BadPath::EmptySegment));
        assert_eq!(property("a b"), Err(BadPath::BadChar(' ')));
        assert_eq!(property("1a"), Err(BadPath::NotALetterFirst));
        assert_eq!(property("a/1b").unwrap(), "a.1b");
    }

    #[test]
    fn lists() {
        assert_eq!(split_list("a,b").unwrap(), ["a", "b"]);
        assert_eq!(split_list(" a , b ").unwrap(), ["a", "b"]);
        assert_eq!(split_list(r"a\,b,c").unwrap(), ["a,b", "c"]);
        assert_eq!(split_list(r"a\\,b").unwrap(), [r"a\", "b"]);
        assert_eq!(split_list(r"a\b").unwrap(), [r"a\b"]);
        assert_eq!(split_list(r"a\").unwrap(), [r"a\"]);
        assert_eq!(split_list("a,,b"), Err(2));
        assert_eq!(split_list("a,"), Err(2));
        assert_eq!(split_list(""), Err(1));
    }

    #[test]
    fn like_patterns() {
        assert_eq!(like_pattern("**a***b*"), "*a*b*");
        assert_eq!(like_pattern(r"\**"), r"\**");
        assert_eq!(like_pattern(r"*\*"), r"*\*");
        assert_eq!(like_pattern(r"a\\**"), r"a\\*");
        assert_eq!(like_pattern("a\\"), "a\\");
    }

    #[test]
    fn raw_checks() {
        assert!(check_raw("eq(a,1)").is_ok());
        assert!(check_raw("eq(a,\")\")").is_ok());
        assert!(check_raw("").is_err());
        assert!(check_raw("eq(a,1").is_err());
        assert!(check_raw("eq(a,1))").is_err());
        assert!(check_raw("eq(a,\"1)").is_err());
    }
}
