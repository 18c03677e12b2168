//! Fuzzing entry points: plain functions over `&[u8]` that drive the core's input handling with
//! arbitrary bytes, without any network, and panic only when something is wrong.
//!
//! `fuzz/fuzz_targets/<name>.rs` (cargo-fuzz / libFuzzer, the long run of `cargo xtask fuzz`) and
//! `tests/fuzz_short.rs` (seeds plus deterministic mutations inside `cargo test`) both call
//! [`TARGETS`]. A panic here is a finding: either the core itself panicked on hostile input, or one
//! of the assertions below failed. Those assertions are the invariants the rest of the connector
//! relies on, each checked against an independent reading of the output (a small RQL lexer, a
//! percent-decoder, a frame reader), not against a copy of the code under test.
//!
//! Each target documents its input layout; the committed seeds in `fuzz/seeds/<name>/` follow it.

use std::sync::OnceLock;

use bytes::Bytes;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::catalog::{self, Action, Body, HttpMethod, Output};
use crate::client::{ApiResponse, Client, RequestBody, http_error_message};
use crate::execute::{DocJson, map_response, prepare};
use crate::log::Log;
use crate::operation::{Operation, tracked};
use crate::paging::{
    ContentRange, MAX_PAGES_WITHOUT_RANGE, PageAnswer, Pager, parse_content_range, total_cap,
};
use crate::query::{SplitError, document, split_page};
use crate::rql::{self, AllowAll, FieldPolicy, Filter, Node, RqlQuery, SelectKind, SelectRule};
use crate::settings::{Properties, Settings};
use crate::sync::{ChangeTime, Keyset};
use crate::wire::{self, DocResult, Payload, Status};

/// A fuzz target: must return normally for every input.
pub type Target = fn(&[u8]);

/// Every target, by the name its cargo-fuzz binary and seed directory carry.
pub const TARGETS: &[(&str, Target)] = &[
    ("rql_filter", rql_filter),
    ("content_range", content_range),
    ("connect_page", connect_page),
    ("document_body", document_body),
    ("connect_response", connect_response),
];

/// The token of the fuzzing client. Inputs may echo it (the seeds do); no message may show it.
pub const FUZZ_TOKEN: &str = "ApiKey SU-0000-FUZZ:fuzzsecret0123456789abcdef";
const FUZZ_SECRET: &str = "fuzzsecret0123456789abcdef";
const FUZZ_ENDPOINT: &str = "https://api.fuzz.invalid/public/v1";

/// Items per page beyond which a page script is unrealistic (a page is one in-memory array);
/// keeps offsets far from `u64` overflow, which real pages cannot reach.
const MAX_PAGE_ITEMS: u64 = 1_000_000;

// ---------------------------------------------------------------------------------------------
// rql_filter

/// Input: the `filter` JSON of `queryJson`. Checks [`rql::fuzz_filter_json`] against
/// [`rql::build_query`], then every query it builds (also with select rules and the sort fields as
/// the user's selection): URL-safe, unchanged by `url::Url::set_query`, and, read back the way the
/// server reads it (percent-decode the whole string, lex RQL, strip one pair of quotes), the same
/// tree with the same values.
pub fn rql_filter(data: &[u8]) {
    let verdict = rql::fuzz_filter_json(data);
    let Ok(filter) = serde_json::from_slice::<Filter>(data) else {
        assert!(verdict.is_err(), "accepted unparsable filter: {verdict:?}");
        return;
    };
    let plain = rql::build_query(&filter, None, &AllowAll);
    assert_eq!(
        verdict,
        plain
            .as_ref()
            .map(RqlQuery::to_query_string)
            .map_err(ToString::to_string)
    );
    match &plain {
        Ok(query) => check_query(query),
        Err(e) => assert!(!e.message().is_empty(), "empty RQL error"),
    }
    let selected: Vec<String> = filter.sort.iter().map(|s| s.property.clone()).collect();
    if let Ok(query) = rql::build_query(&filter, Some(&selected), &WithSelectRules) {
        check_query(&query);
    }
}

/// Allows everything and declares hidden and excludable fields, so `select()` gets rendered.
struct WithSelectRules;

impl FieldPolicy for WithSelectRules {
    fn check_lookup(&self, _: &str, _: rql::Operator) -> Result<(), String> {
        Ok(())
    }

    fn check_sort(&self, _: &str) -> Result<(), String> {
        Ok(())
    }

    fn select_rules(&self) -> Vec<SelectRule> {
        let rule = |field: &str, kind| SelectRule {
            field: field.to_owned(),
            kind,
        };
        vec![
            rule("pending_request", SelectKind::Hidden),
            rule("asset/params", SelectKind::Hidden),
            rule("asset.configuration", SelectKind::Excludable),
            rule("template", SelectKind::Excludable),
        ]
    }
}

fn check_query(query: &RqlQuery) {
    let text = query.to_query_string();
    assert_eq!(text.is_empty(), query.is_empty(), "{text:?}");
    if text.is_empty() {
        return;
    }
    // RFC 3986 query characters. `%` may start a user's own escape inside Raw RQL, so it is not
    // checked for two hex digits; `/` and `?` only come from Raw RQL and are legal in a query.
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@%/?".contains(&b)),
        "not URL-safe: {text}"
    );
    let mut url = url::Url::parse(FUZZ_ENDPOINT).expect("the fuzz endpoint parses");
    url.set_query(Some(&text));
    assert_eq!(
        url.query(),
        Some(text.as_str()),
        "the URL changed the query"
    );

    let decoded = String::from_utf8_lossy(&percent_decode(&text)).into_owned();
    let mut raws = Vec::new();
    if let Some(node) = query.filter() {
        collect_raw(node, &mut raws);
    }
    let mut lexer = Lexer {
        text: &decoded,
        pos: 0,
        raws: raws.into_iter(),
    };
    let terms = lexer
        .query()
        .unwrap_or_else(|e| panic!("{e} at byte {} of {decoded:?} (sent {text})", lexer.pos));

    let mut expect: Vec<&dyn Fn(&Term) -> bool> = Vec::new();
    let filter_ok = |t: &Term| query.filter().is_some_and(|n| same_node(t, n));
    let ordering_ok = |t: &Term| same_signed(t, "ordering", query.ordering());
    let select_ok = |t: &Term| same_signed(t, "select", query.select());
    if query.filter().is_some() {
        expect.push(&filter_ok);
    }
    if !query.ordering().is_empty() {
        expect.push(&ordering_ok);
    }
    if !query.select().is_empty() {
        expect.push(&select_ok);
    }
    assert!(
        terms.len() == expect.len() && terms.iter().zip(&expect).all(|(t, ok)| ok(t)),
        "the server would read {terms:?} from {text}, not {query:?}"
    );
}

/// The Raw RQL nodes in rendering order (the lexer needs them to skip user text).
fn collect_raw(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::And(members) | Node::Or(members) => {
            members.iter().for_each(|m| collect_raw(m, out));
        }
        Node::Raw(raw) => out.push(String::from_utf8_lossy(&percent_decode(raw)).into_owned()),
        Node::Compare { .. } | Node::List { .. } => {}
    }
}

/// RQL as lib-rql lexes it after the server's percent-decoding.
#[derive(Debug)]
enum Term {
    Call(String, Vec<Term>),
    Tuple(Vec<Term>),
    Word(String),
    Quoted(String),
    Raw(String),
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// The decoded Raw RQL texts still to come: a Raw node is user text that need not be RQL the
    /// lexer understands, so it is matched literally.
    raws: std::vec::IntoIter<String>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            Err(format!("expected {c:?}"))
        }
    }

    /// `expr ('&' expr)*` to the end of the text.
    fn query(&mut self) -> Result<Vec<Term>, String> {
        let mut terms = vec![self.expr()?];
        while self.peek() == Some('&') {
            self.pos += 1;
            terms.push(self.expr()?);
        }
        if self.pos != self.text.len() {
            return Err("trailing text".to_owned());
        }
        Ok(terms)
    }

    /// A filter expression: `(raw)`, `and(expr,…)`, `or(expr,…)` or `name(value,…)`.
    fn expr(&mut self) -> Result<Term, String> {
        if self.peek() == Some('(') {
            let raw = self
                .raws
                .next()
                .ok_or("a group where no Raw RQL was sent")?;
            let wrapped = format!("({raw})");
            if !self.text[self.pos..].starts_with(&wrapped) {
                return Err(format!("Raw RQL {raw:?} did not arrive as written"));
            }
            self.pos += wrapped.len();
            return Ok(Term::Raw(raw));
        }
        let name = self.word()?;
        self.eat('(')?;
        let logical = name == "and" || name == "or";
        let mut args = Vec::new();
        if self.peek() != Some(')') {
            loop {
                args.push(if logical { self.expr()? } else { self.value()? });
                if self.peek() != Some(',') {
                    break;
                }
                self.pos += 1;
            }
        }
        self.eat(')')?;
        Ok(Term::Call(name, args))
    }

    /// A value: quoted text, a tuple `(v,…)`, a call such as `null()`, or a bare word.
    fn value(&mut self) -> Result<Term, String> {
        match self.peek() {
            Some(q @ ('"' | '\'')) => {
                let rest = &self.text[self.pos + 1..];
                let end = rest.find(q).ok_or("unclosed quote")?;
                let inner = rest[..end].to_owned();
                self.pos += end + 2;
                Ok(Term::Quoted(inner))
            }
            Some('(') => {
                self.pos += 1;
                let mut items = vec![self.value()?];
                while self.peek() == Some(',') {
                    self.pos += 1;
                    items.push(self.value()?);
                }
                self.eat(')')?;
                Ok(Term::Tuple(items))
            }
            _ => {
                let word = self.word()?;
                if self.peek() != Some('(') {
                    return Ok(Term::Word(word));
                }
                self.pos += 1;
                self.eat(')')?;
                Ok(Term::Call(word, Vec::new()))
            }
        }
    }

    fn word(&mut self) -> Result<String, String> {
        let rest = &self.text[self.pos..];
        let end = rest
            .find(|c: char| "(),&|\"' ".contains(c))
            .unwrap_or(rest.len());
        if end == 0 {
            return Err("expected a word".to_owned());
        }
        self.pos += end;
        Ok(rest[..end].to_owned())
    }
}

fn same_node(term: &Term, node: &Node) -> bool {
    match (node, term) {
        (Node::And(members), Term::Call(name, args)) if name == "and" => same_all(args, members),
        (Node::Or(members), Term::Call(name, args)) if name == "or" => same_all(args, members),
        (Node::Compare { op, field, value }, Term::Call(name, args)) => {
            let value_ok = |t: &Term| match value {
                rql::Value::Text(text) => same_value(t, text),
                rql::Value::Null => matches!(t, Term::Call(n, a) if n == "null" && a.is_empty()),
                rql::Value::Empty => matches!(t, Term::Call(n, a) if n == "empty" && a.is_empty()),
            };
            name == op && matches!(&args[..], [Term::Word(f), v] if f == field && value_ok(v))
        }
        (Node::List { op, field, values }, Term::Call(name, args)) => {
            name == op
                && matches!(&args[..], [Term::Word(f), Term::Tuple(items)]
                    if f == field
                        && items.len() == values.len()
                        && items.iter().zip(values).all(|(t, v)| same_value(t, v)))
        }
        (Node::Raw(raw), Term::Raw(seen)) => *seen == String::from_utf8_lossy(&percent_decode(raw)),
        _ => false,
    }
}

fn same_all(terms: &[Term], nodes: &[Node]) -> bool {
    terms.len() == nodes.len() && terms.iter().zip(nodes).all(|(t, n)| same_node(t, n))
}

fn same_signed(term: &Term, call: &str, entries: &[rql::Signed]) -> bool {
    matches!(term, Term::Call(name, args)
        if name == call
            && args.len() == entries.len()
            && args.iter().zip(entries).all(|(a, e)| matches!(a, Term::Word(w)
                if *w == format!("{}{}", if e.minus { "-" } else { "" }, e.field))))
}

/// What the server ends up with is `text`: quoted (one pair stripped), or a bare word that
/// lib-rql's `UNQUOTED_VAL` takes whole and that is not one of its keywords.
fn same_value(term: &Term, text: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "eq", "ne", "gt", "ge", "lt", "le", "like", "ilike", "in", "out", "and", "or", "not", "t",
        "ordering", "select",
    ];
    match term {
        Term::Quoted(inner) => inner == text,
        Term::Word(word) => {
            let bare_char = |b: u8| b.is_ascii_alphanumeric() || b"_-*+\\".contains(&b);
            word == text
                && !KEYWORDS.contains(&word.as_str())
                && word.bytes().next().is_some_and(bare_char)
                && word.bytes().all(|b| bare_char(b) || b".:@".contains(&b))
        }
        _ => false,
    }
}

/// Python's `urllib.parse.unquote` on bytes: `%XX` becomes the byte; anything else stays.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = match bytes.get(i..i + 3) {
            Some([b'%', h, l]) => hex(*h).zip(hex(*l)),
            _ => None,
        };
        match escape {
            // Two hex digits make at most 0xFF.
            Some((h, l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(u8::MAX));
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// content_range

/// Input: text. Every line (and the whole input) goes through [`parse_content_range`]; then the
/// text is a paging script: the first line is `page_size max_documents` (and `keyset` for the
/// keyset paging of Changed Since, where record number `n` of the whole result changed at second
/// `n / 3`), each further line `count content-range` (a missing count means a full page, a
/// missing range no header; with `keyset` the range counts from the request's offset). Checks
/// the parser's documented guarantees and the [`Pager`] rules of `paging.rs` page by page.
pub fn content_range(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_content_range(&text);
    text.lines().for_each(check_content_range);

    let mut lines = text.lines();
    let mut head = lines.next().unwrap_or("").split_whitespace();
    let page_size = head
        .next()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let max_documents = head.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let keyset = head.next() == Some("keyset");
    let mut pager = if keyset {
        Pager::keyset(page_size, max_documents, Keyset::new(&changed_at(0)))
    } else {
        Pager::new(page_size, max_documents)
    };
    let mut log = Log::new();
    let (mut offset, mut received) = (0u64, 0u64);
    // Rule 8: the first total reported caps the totals after it; pages without a range count.
    let (mut cap, mut pages_without_range) = (None, 0u64);
    for line in lines {
        let Some(req) = pager.next_request() else {
            break;
        };
        assert!(!pager.is_done());
        assert!(req.limit >= 1 && req.limit <= page_size, "{req:?}");
        // Rule 9: from the last change time received, past the records received with it.
        let (want_offset, want_since) = match offset {
            _ if !keyset => (offset, None),
            0 => (0, Some(changed_at(0))),
            _ => (offset - (offset - 1) / 3 * 3, Some(changed_at(offset - 1))),
        };
        assert_eq!(
            req.offset, want_offset,
            "the next offset is the items received so far"
        );
        assert_eq!(pager.since(), want_since.as_deref());
        let shift = offset - req.offset;
        if max_documents > 0 {
            assert!(
                req.limit <= max_documents - received,
                "asked past maxDocuments"
            );
        }
        let (count, range) = match line.split_once(' ') {
            Some((count, range)) => (count, Some(range)),
            None => (line, None),
        };
        let count = count.parse::<u64>().unwrap_or(req.limit).min(if keyset {
            2 * page_size
        } else {
            MAX_PAGE_ITEMS
        });
        let planned = pager.planned(16);
        assert_eq!(planned.first(), Some(&req));
        if keyset {
            assert_eq!(planned.len(), 1, "keyset pages are requested one at a time");
        }
        let first_page = offset == 0 && received == 0;
        let answer = PageAnswer::new(count, range);
        let keep = if keyset {
            let times: Vec<String> = (offset..offset + count).map(changed_at).collect();
            let times: Vec<_> = times.iter().map(|t| Some(ChangeTime::new(t))).collect();
            pager.on_keyset_page(req, answer, &times, &mut log)
        } else {
            pager.on_page(req, answer, &mut log)
        };
        assert!(keep <= count);
        let parsed = range.and_then(parse_content_range);
        // Rule 6: an endpoint that does not page ends the query; its page counts only when it is
        // the first.
        let not_paging =
            count > req.limit || parsed.is_some_and(|r| count > 0 && r.first != req.offset);
        if not_paging {
            assert!(pager.is_done(), "paging went on after {line:?}");
            if !first_page {
                assert_eq!(keep, 0, "a page of an endpoint that does not page was kept");
            }
            received += keep;
            assert_eq!(pager.received(), received);
            break;
        }
        offset += count;
        received += keep;
        assert_eq!(pager.received(), received);
        let capped = max_documents > 0 && received >= max_documents;
        if max_documents > 0 {
            assert!(received <= max_documents);
        }
        if keep < count {
            assert!(capped, "items dropped below maxDocuments");
        }
        // The stopping rules of the module documentation, rule by rule, over the whole result.
        let parsed = parsed.map(|r| ContentRange {
            first: r.first + shift,
            last: r.last + shift,
            total: r.total.saturating_add(shift),
        });
        let want_done = count == 0
            || capped
            || match parsed {
                Some(r) => {
                    let total = r.total.min(*cap.get_or_insert_with(|| total_cap(r.total)));
                    r.last + 1 >= total || offset >= total
                }
                None => {
                    pages_without_range += 1;
                    count < req.limit || pages_without_range >= MAX_PAGES_WITHOUT_RANGE
                }
            };
        assert_eq!(pager.is_done(), want_done, "after {line:?}");
        // Rule 7: pages planned ahead are where the pager goes next, never past the total.
        let planned = pager.planned(16);
        if let Some(next) = pager.next_request() {
            assert_eq!(planned.first(), Some(&next));
            for pair in planned.windows(2) {
                assert_eq!(pair[1].offset, pair[0].offset + page_size);
            }
            if let (Some(r), Some(last)) = (parsed, planned.last()) {
                assert!(planned.len() == 1 || last.offset < r.total, "{planned:?}");
            }
            if max_documents > 0 {
                let asked: u64 = planned.iter().map(|p| p.limit).sum();
                assert!(asked <= max_documents - received, "{planned:?}");
            }
        } else {
            assert!(planned.is_empty());
        }
    }
    assert_eq!(pager.next_request().is_none(), pager.is_done());
    assert!(
        log.entries().iter().all(|(_, m)| !m.is_empty()),
        "empty log line"
    );
}

/// The change time of record number `n` of a keyset script: three records a second.
fn changed_at(n: u64) -> String {
    let at = time::OffsetDateTime::UNIX_EPOCH + time::Duration::seconds((n / 3) as i64);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn check_content_range(value: &str) {
    let Some(r) = parse_content_range(value) else {
        return;
    };
    assert!(r.first <= r.last, "{value:?} gave {r:?}");
    assert!(
        r.last < r.total || (r.first, r.last, r.total) == (0, 0, 0),
        "{value:?} gave {r:?}"
    );
    let canonical = format!("items {}-{}/{}", r.first, r.last, r.total);
    assert_eq!(parse_content_range(&canonical), Some(r));
    let numbers = value.trim().strip_prefix("items ");
    assert!(
        numbers.is_some_and(|n| n
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'/')),
        "{value:?} is not `items first-last/total`"
    );
}

// ---------------------------------------------------------------------------------------------
// connect_page

/// Input: one byte (`maxDocuments` = byte % 8, 0 = unlimited), then a page body as Connect would
/// answer a list call. Checks what `queryNext` does with it against serde_json's own parse: the
/// page is split exactly when it is UTF-8 and serde_json reads it as an array of values, and then
/// each document is exactly its element's bytes (`&RawValue`), in order, inside the page buffer;
/// a refused page is reported as a UTF-8 error exactly when it is not UTF-8; the tracked
/// properties are the element's `id` and `status`; and the PAGE frame reads back the same.
pub fn connect_page(data: &[u8]) {
    let (max_documents, body) = match data.split_first() {
        Some((first, rest)) => (u64::from(first % 8), rest),
        None => (0, data),
    };
    let page = Bytes::copy_from_slice(body);
    let text = std::str::from_utf8(&page);
    let items = match (split_page(&page), serde_spans(&page)) {
        (Ok(items), Some(spans)) => {
            let got: Vec<(usize, usize)> = items.iter().map(|d| (d.start, d.end)).collect();
            assert_eq!(got, spans, "documents are not the elements' bytes");
            items
        }
        (Err(e), None) => {
            assert_eq!(
                matches!(e, SplitError::Utf8 { .. }),
                text.is_err(),
                "{e} for a body whose UTF-8 check says {:?}",
                text.map(|_| ())
            );
            assert!(!e.to_string().is_empty());
            return;
        }
        (Ok(items), None) => panic!("split a body serde_json refuses into {items:?}"),
        (Err(e), Some(_)) => panic!("refused a JSON array serde_json reads: {e}"),
    };
    // Where serde_json can also build values (numbers within f64, surrogates paired, nesting
    // within its limit), each element alone reads as the same value as inside the page.
    if let Ok(Value::Array(values)) = serde_json::from_slice::<Value>(&page) {
        for (item, value) in items.iter().zip(&values) {
            let alone: Value =
                serde_json::from_slice(&page[item.start..item.end]).expect("an element alone");
            assert_eq!(&alone, value);
        }
    }

    let mut pager = Pager::new(1000, max_documents);
    let req = pager.next_request().expect("a new pager asks for a page");
    let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
    let range = (count > 0).then(|| format!("items 0-{}/{count}", count - 1));
    let mut log = Log::new();
    let keep = pager.on_page(req, PageAnswer::new(count, range.as_deref()), &mut log);
    let payloads: Vec<Payload> = items
        .iter()
        .take(usize::try_from(keep).unwrap_or(usize::MAX))
        .map(|d| document(&page, d))
        .collect();
    if max_documents == 0 {
        assert_eq!(payloads.len(), items.len());
    }
    for (payload, item) in payloads.iter().zip(&items) {
        assert_eq!(&payload.data[..], &page[item.start..item.end]);
        check_tracked(&payload.tracked, &page[item.start..item.end]);
    }
    let frame = wire::page(&log, pager.is_done(), "200", &payloads);
    let read = read_page(&frame).expect("the PAGE frame reads back");
    assert_eq!(
        read,
        (
            log_entries(&log),
            pager.is_done(),
            "200".to_owned(),
            payloads
        )
    );
}

/// The spans of the elements when `json` is UTF-8 and serde_json reads it as an array of values
/// (`Vec<&RawValue>`), else `None`.
fn serde_spans(json: &[u8]) -> Option<Vec<(usize, usize)>> {
    let text = std::str::from_utf8(json).ok()?;
    let elements: Vec<&RawValue> = serde_json::from_str(text).ok()?;
    let base = text.as_ptr() as usize;
    Some(
        elements
            .iter()
            .map(|raw| {
                let start = raw.get().as_ptr() as usize - base;
                (start, start + raw.get().len())
            })
            .collect(),
    )
}

/// Tracked properties: a JSON object's top-level `id` and `status` (strings and numbers), as text.
///
/// Other members are only skipped, so an odd value there (a lone surrogate, a number beyond
/// `f64`) does not matter; when `id` or `status` itself has no text form, or a key is unreadable,
/// the document goes untracked rather than half-tracked.
fn check_tracked(tracked: &[(String, String)], json: &[u8]) {
    let members = serde_json::from_slice::<std::collections::BTreeMap<String, Box<RawValue>>>(json);
    let want: Option<Vec<(String, String)>> = members.ok().and_then(|map| {
        let mut want = Vec::new();
        for name in ["id", "status"] {
            let Some(raw) = map.get(name) else { continue };
            match serde_json::from_str::<Value>(raw.get()).ok()? {
                Value::String(s) => want.push((name.to_owned(), s)),
                Value::Number(n) => want.push((name.to_owned(), n.to_string())),
                _ => {}
            }
        }
        Some(want)
    });
    let not_object = json.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{');
    // A repeated `id` or `status` is ambiguous: either value, or none, but nothing else.
    let repeated = top_level_keys(json).is_some_and(|keys| {
        ["id", "status"]
            .iter()
            .any(|k| keys.iter().filter(|key| key == k).count() > 1)
    });
    match want {
        _ if not_object => assert!(tracked.is_empty(), "{tracked:?}"),
        Some(want) if repeated => {
            assert!(tracked.iter().all(|t| want.contains(t)), "{tracked:?}");
        }
        Some(want) => assert_eq!(tracked, want),
        None => assert!(tracked.is_empty(), "{tracked:?}"),
    }
}

/// The keys of a JSON object in order, repeats included; `None` for anything else.
fn top_level_keys(json: &[u8]) -> Option<Vec<String>> {
    struct Keys;
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                keys.push(key);
            }
            Ok(keys)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    serde::Deserializer::deserialize_map(&mut de, Keys).ok()
}

// ---------------------------------------------------------------------------------------------
// document_body

/// Input: one byte choosing an operation (every catalog action except List and the ones that call
/// nothing), then the document:
/// its JSON (`{"objectId": …, "dynamicProperties": {…}}`) or, when that does not parse, text used
/// as the object id and as every parameter of the action; then, after a `0xFF` byte, the document
/// body (no `0xFF`: no body). Checks `execute`'s request preparation: every value lands in exactly
/// one path segment (percent-encoded, never a `..` step, never a `?` or `#`), the query string is
/// the encoded parameters, and the body is sent exactly when its kind allows it.
pub fn document_body(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let op = operation(selector);
    let (doc_part, body) = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) => (&rest[..i], Some(rest[i + 1..].to_vec())),
        None => (rest, None),
    };
    let (json, doc) = document_json(&op, doc_part);
    let object_id = json.get("objectId").and_then(Value::as_str);
    let dynamic: Properties = match json.get("dynamicProperties") {
        Some(v) => serde_json::from_value(v.clone()).expect("DocJson accepted these properties"),
        None => Properties::default(),
    };
    let segments = op.path_segments(&dynamic, object_id);
    let client = client();
    let multipart = matches!(op.spec.body, Body::Multipart { .. });
    let legacy_error = doc.legacy_file.as_ref().is_some_and(|f| f.error.is_some());
    let sent_body = body.clone();
    // The shim's legacy file is an upload's body; other actions ignore it and the body with it.
    let body = body.filter(|_| multipart || doc.legacy_file.is_none());
    match prepare(client, &op, &doc, sent_body) {
        Ok(req) => {
            let segments = segments.expect("a request was built where the path has no value");
            assert_eq!(req.method, op.spec.method);
            check_url(&req.url, &segments, &op.query_params(&dynamic));
            check_body(&op, &dynamic, body.as_deref(), &req.body);
        }
        Err(message) => {
            assert!(!message.trim().is_empty(), "empty error");
            match segments {
                Err(path) => assert_eq!(message, path),
                Ok(_) => {
                    let data = body.as_deref().filter(|b| !b.is_empty());
                    let refused = match (op.spec.body, data) {
                        (Body::Json { schema }, Some(d)) => {
                            match serde_json::from_slice::<Value>(d) {
                                Err(_) => true,
                                // The profile names the JSON type the action takes.
                                Ok(v) => profile(schema)["type"]
                                    .as_str()
                                    .is_some_and(|kind| kind != json_type(&v)),
                            }
                        }
                        // An empty document is refused when the profile requires members.
                        (Body::Json { schema }, None) => profile(schema)["required"]
                            .as_array()
                            .is_some_and(|r| !r.is_empty()),
                        (Body::Multipart { .. }, _) if legacy_error => true,
                        (Body::Multipart { .. }, None) => true,
                        _ => false,
                    };
                    assert!(refused, "refused a good document: {message}");
                }
            }
        }
    }
}

/// A named input profile as JSON (`Null` when there is none).
fn profile(schema: &str) -> Value {
    crate::profiles::schema(schema)
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

/// The JSON Schema type name of a value.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
    }
}

/// The document's JSON as given when `DocJson` reads it, else the text-as-every-value document.
fn document_json(op: &Operation, part: &[u8]) -> (Value, DocJson) {
    if let Ok(json @ Value::Object(_)) = serde_json::from_slice::<Value>(part)
        && let Ok(doc) = serde_json::from_value::<DocJson>(json.clone())
    {
        return (json, doc);
    }
    let text = String::from_utf8_lossy(part).into_owned();
    let mut props = serde_json::Map::new();
    let names = op.spec.path_params().chain(op.spec.query.iter().copied());
    for name in names.chain(note_part(op)) {
        props.insert(name.to_owned(), Value::String(text.clone()));
    }
    let json = serde_json::json!({"objectId": text, "dynamicProperties": props});
    let doc = serde_json::from_value(json.clone()).expect("a DocJson of strings");
    (json, doc)
}

fn note_part(op: &Operation) -> Option<&'static str> {
    match op.spec.body {
        Body::Multipart { note_part, .. } => note_part,
        _ => None,
    }
}

fn check_url(url: &url::Url, segments: &[String], query: &str) {
    let endpoint = url::Url::parse(FUZZ_ENDPOINT).expect("the fuzz endpoint parses");
    assert_eq!(url.origin(), endpoint.origin(), "{url}");
    assert_eq!(url.fragment(), None, "{url}");
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{url}"
    );
    assert_eq!(url.query(), (!query.is_empty()).then_some(query), "{url}");
    let got: Vec<String> = url
        .path_segments()
        .expect("an https URL has a path")
        .map(|s| String::from_utf8_lossy(&percent_decode(s)).into_owned())
        .collect();
    let want: Vec<&str> = ["public", "v1"]
        .into_iter()
        .chain(segments.iter().map(String::as_str))
        .collect();
    assert_eq!(got, want, "{url} does not name the path segments");
    let reparsed = url::Url::parse(url.as_str()).expect("a built URL parses");
    assert_eq!(&reparsed, url, "the URL changes when sent");
}

fn check_body(op: &Operation, dynamic: &Properties, body: Option<&[u8]>, sent: &RequestBody) {
    let data = body.filter(|b| !b.is_empty());
    match (op.spec.body, data, sent) {
        (Body::None | Body::SetFlag { .. }, _, RequestBody::None)
        | (Body::Json { .. }, None, RequestBody::None) => {}
        (Body::Json { .. }, Some(d), RequestBody::Json(json)) => {
            assert_eq!(&json[..], d);
            assert!(serde_json::from_slice::<serde::de::IgnoredAny>(d).is_ok());
        }
        (
            Body::Multipart {
                file_part,
                note_part,
            },
            Some(d),
            RequestBody::Multipart {
                file_part: part,
                data,
                note,
            },
        ) => {
            assert_eq!((*part, &data[..]), (file_part, d));
            let want = note_part.and_then(|n| op.param(dynamic, n).map(|v| (n, v)));
            assert_eq!(note, &want);
        }
        (kind, data, sent) => panic!("{kind:?} with {data:?} was sent as {sent:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// connect_response

/// Input: one byte choosing an operation (as in [`document_body`]), two bytes for the HTTP status
/// (100..=599; the low bit of the second also says whether it took a retry), then the response
/// body. Checks what `execute` makes of Connect's answer: a SUCCESS exactly for 2xx (and the 404
/// of a GET) except a FAILURE `NOT_JSON` for a JSON action's answer that is not JSON, the body as the one payload when the action returns something (one per element
/// when a JSON action is answered with an array, as Bulk Close is), Connect's
/// `{"error_code", "errors"}` in the message, never the token, and a RESULTS frame that reads back.
pub fn connect_response(data: &[u8]) {
    let [selector, high, low, body @ ..] = data else {
        return;
    };
    let op = operation(*selector);
    let status = 100 + u16::from_be_bytes([*high, *low]) % 500;
    let attempts = 1 + u32::from(low & 1);
    let body = Bytes::copy_from_slice(body);
    let what = format!("{} /fuzz", op.spec.method.as_str());
    let resp = ApiResponse {
        status,
        headers: reqwest::header::HeaderMap::new(),
        body: body.clone(),
        attempts,
    };
    let result = map_response(client(), op.spec, &what, resp);
    assert_no_secret_piece(&result.message, "a message");
    assert!(!result.message.is_empty());
    // A JSON action answered 2xx with something that is not JSON (a captive portal's page).
    let not_json = matches!(op.spec.output, Output::Json { .. })
        && !body.is_empty()
        && (std::str::from_utf8(&body).is_err()
            || serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err());
    if (200..300).contains(&status) && not_json {
        assert_eq!(
            (result.status, result.status_code.as_str()),
            (Status::Failure, "NOT_JSON")
        );
        assert!(result.payloads.is_empty());
        assert!(result.message.starts_with(&what), "{}", result.message);
    } else if (200..300).contains(&status) {
        assert_eq!(result.status_code, status.to_string());
        assert_eq!(result.status, Status::Success);
        // A JSON action answered with an array (Bulk Close) gives one document per element.
        let elements = match op.spec.output {
            Output::Json { .. }
                if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') =>
            {
                serde_spans(&body)
            }
            _ => None,
        };
        let want: Vec<&[u8]> = match (op.spec.output, elements) {
            _ if body.is_empty() => Vec::new(),
            (Output::Empty, _) => Vec::new(),
            (_, Some(spans)) => spans
                .iter()
                .map(|&(start, end)| &body[start..end])
                .collect(),
            (Output::Binary | Output::Json { .. }, None) => vec![&body[..]],
        };
        assert_eq!(result.payloads.len(), want.len());
        for (p, data) in result.payloads.iter().zip(want) {
            assert_eq!(p.data, data);
            if matches!(op.spec.output, Output::Json { .. }) {
                assert_eq!(p.tracked, tracked(data));
            }
        }
    } else {
        assert_eq!(result.status_code, status.to_string());
        let missing_get =
            status == 404 && op.spec.method == HttpMethod::Get && op.spec.action == Action::Get;
        let want = if missing_get {
            Status::Success
        } else {
            Status::ApplicationError
        };
        assert_eq!(result.status, want);
        if missing_get {
            assert!(result.payloads.is_empty());
        } else {
            // The error document: Connect's body when it is JSON, else one built from the message.
            assert_eq!(result.payloads.len(), 1);
            let doc = &result.payloads[0].data;
            let parsed: Value = serde_json::from_slice(doc).expect("the error document is JSON");
            if serde_json::from_slice::<Value>(&body).is_err() {
                assert_eq!(parsed["status"], status);
            }
            let text = std::str::from_utf8(doc).expect("the error document is UTF-8");
            assert_no_secret_piece(text, "an error document");
        }
        assert!(result.message.starts_with(&what), "{}", result.message);
        check_error_message(status, &body);
    }
    let frame = wire::results(&Log::new(), std::slice::from_ref(&result));
    let read = read_results(&frame).expect("the RESULTS frame reads back");
    assert_eq!(read, (Vec::new(), vec![result]));
}

/// Any piece of the secret is a leak, not just the whole of it: a cut excerpt can split it.
fn assert_no_secret_piece(text: &str, what: &str) {
    for len in crate::secret::MIN_FRAGMENT..=FUZZ_SECRET.len() {
        for piece in FUZZ_SECRET.as_bytes().windows(len) {
            let piece = std::str::from_utf8(piece).expect("the fuzz secret is ASCII");
            assert!(
                !text.contains(piece),
                "a piece of the token ({len} characters) reached {what}"
            );
        }
    }
}

fn check_error_message(status: u16, body: &[u8]) {
    let message = http_error_message(status, body);
    assert!(message.starts_with(&status.to_string()), "{message}");
    let connect_error = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => match (map.get("error_code"), map.get("errors")) {
            (Some(Value::String(code)), None | Some(Value::Array(_))) => Some((code.clone(), map)),
            _ => None,
        },
        _ => None,
    };
    let unique_keys = top_level_keys(body)
        .is_some_and(|keys| keys.iter().enumerate().all(|(i, k)| !keys[..i].contains(k)));
    match connect_error {
        Some((code, map)) if unique_keys => {
            assert!(message.contains(&code), "{message} lost {code}");
            for e in map
                .get("errors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Value::String(text) = e {
                    assert!(message.contains(text.as_str()), "{message} lost {text}");
                }
            }
        }
        Some(_) => {}
        // A JSON array may read as the error struct positionally; not worth an oracle of its own.
        None if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') => {}
        None => {
            // An excerpt: whitespace collapsed, at most 200 characters plus an ellipsis.
            assert!(!message.contains(['\n', '\r', '\t']), "{message:?}");
            let excerpt_chars = message.chars().count();
            assert!(excerpt_chars <= 200 + 1 + 40, "{excerpt_chars} characters");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/// The catalog's actions other than List (those run as queries), in catalog order.
fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| {
        catalog::objects()
            .iter()
            .flat_map(|object| object.actions.iter().map(move |spec| (object, spec)))
            // Verify Webhook Call builds no request.
            .filter(|(_, spec)| spec.action != Action::List && !spec.is_local())
            .map(|(object, spec)| Operation {
                object,
                spec,
                properties: Properties::default(),
                selected_fields: None,
            })
            .collect()
    })
}

fn operation(selector: u8) -> Operation {
    let ops = operations();
    ops[usize::from(selector) % ops.len()].clone()
}

/// One client for every input: building it is costly, and nothing here sends a request.
fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let json =
            serde_json::json!({"properties": {"endpoint": FUZZ_ENDPOINT, "apiToken": FUZZ_TOKEN}});
        let settings = Settings::parse(json.to_string().as_bytes()).expect("fuzz settings");
        Client::new(settings).expect("fuzz client")
    })
}

fn log_entries(log: &Log) -> Logs {
    log.entries()
        .iter()
        .map(|(level, message)| (*level as u8, message.clone()))
        .collect()
}

/// A frame reader that fails instead of panicking (the Java `Wire` reader's rules).
struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.buf.len() {
            return None;
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn len(&mut self) -> Option<usize> {
        let b: [u8; 4] = self.take(4)?.try_into().ok()?;
        usize::try_from(u32::from_be_bytes(b)).ok()
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }

    fn str(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }

    /// `count × item`, without trusting the count for an allocation.
    fn many<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n.min(self.buf.len()));
        for _ in 0..n {
            out.push(item(self)?);
        }
        Some(out)
    }

    fn payload(&mut self) -> Option<Payload> {
        let tracked = self.many(|r| Some((r.str()?, r.str()?)))?;
        let data = Bytes::copy_from_slice(self.bytes()?);
        Some(Payload { tracked, data })
    }

    /// Version, logs and kind; the body is left to read.
    fn header(&mut self, kind: u8) -> Option<Logs> {
        (self.u8()? == wire::VERSION).then_some(())?;
        let logs = self.many(|r| Some((r.u8()?, r.str()?)))?;
        (self.u8()? == kind).then_some(logs)
    }
}

/// Log lines of a frame as the wire carries them: level number and text.
type Logs = Vec<(u8, String)>;

type PageRead = (Logs, bool, String, Vec<Payload>);

fn read_page(frame: &[u8]) -> Option<PageRead> {
    let mut r = Reader { buf: frame };
    let logs = r.header(2)?;
    let done = match r.u8()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let status = r.str()?;
    let payloads = r.many(Reader::payload)?;
    r.buf.is_empty().then_some((logs, done, status, payloads))
}

fn read_results(frame: &[u8]) -> Option<(Logs, Vec<DocResult>)> {
    let mut r = Reader { buf: frame };
    let logs = r.header(1)?;
    let results = r.many(|r| {
        let status = match r.u8()? {
            0 => Status::Success,
            1 => Status::ApplicationError,
            2 => Status::Failure,
            _ => return None,
        };
        Some(DocResult {
            status,
            status_code: r.str()?,
            message: r.str()?,
            payloads: r.many(Reader::payload)?,
        })
    })?;
    r.buf.is_empty().then_some((logs, results))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_is_pythons() {
        assert_eq!(percent_decode("a%20b%2c%zz%4"), b"a b,%zz%4");
        assert_eq!(percent_decode("%C3%BC"), "ü".as_bytes());
    }

    #[test]
    fn lexer_reads_what_the_server_reads() {
        let raws = vec!["x=y&ne(c,\"d e\")".to_owned()];
        let mut lexer = Lexer {
            text: "and(eq(a,\"b,c)\"),(x=y&ne(c,\"d e\")),in(s,(p,'q\"')))&ordering(-created)",
            pos: 0,
            raws: raws.into_iter(),
        };
        let terms = lexer.query().unwrap();
        assert_eq!(terms.len(), 2);
        let text = format!("{terms:?}");
        assert!(
            text.contains("Quoted(\"b,c)\")") && text.contains("Quoted(\"q\\\"\")"),
            "{text}"
        );
    }

    #[test]
    fn every_target_accepts_empty_input() {
        for (_, target) in TARGETS {
            target(b"");
        }
    }
}
