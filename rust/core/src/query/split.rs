//! The exact split of a list page: finds the elements of the top-level JSON array and, in the same
//! scan, the top-level `id` and `status` members of each element that is an object.
//!
//! Why hand-written: a page is ~3 MB and the query path used to walk it twice in Rust (serde's
//! `RawValue` split, then a second parse of every element for its tracked properties). This scanner
//! checks the whole page against the JSON grammar (RFC 8259: numbers of any size, nesting of any
//! depth, lone surrogate escapes are grammatical) exactly as that split did, and reads the tracked
//! properties on the way. Only the rare cases (an escaped key, an escaped or non-string `id` or
//! `status`) are handed to serde_json, on that member alone, so their text is exactly what the
//! former `tracked()` produced.
//!
//! Queries split their pages with [`PageSplitter`], which leaves the common shape (an array of
//! objects) to the faster block splitter in `blocks.rs` and everything else to this scanner; action
//! responses, which are small, use [`split`] directly.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::wire::{PageDocument, TrackedText};

use super::blocks::BlockSplitter;

/// Why a body is not a JSON array: the byte offset and what was wrong there. Never contains page
/// bytes, so it cannot leak a secret the body echoes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitError {
    pub offset: usize,
    pub what: &'static str,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

impl std::error::Error for SplitError {}

type Scan<T> = std::result::Result<T, SplitError>;

fn err<T>(offset: usize, what: &'static str) -> Scan<T> {
    Err(SplitError { offset, what })
}

/// One element of a page: its exact bytes and its tracked properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element<'a> {
    text: &'a str,
    /// `id` then `status`, as text; both `None` when the element is not an object or its tracked
    /// members are unreadable (the document goes untracked rather than half-tracked).
    tracked: [Option<Cow<'a, str>>; 2],
}

/// The names of the tracked properties, in frame order.
pub const TRACKED: [&str; 2] = ["id", "status"];

impl<'a> Element<'a> {
    /// The element's exact bytes.
    pub fn get(&self) -> &'a str {
        self.text
    }

    /// Tracked property values, in the order of [`TRACKED`].
    pub fn tracked(&self) -> &[Option<Cow<'a, str>>; 2] {
        &self.tracked
    }
}

/// The elements of `body` when it is exactly one JSON array (whitespace around it allowed).
pub fn split(body: &[u8]) -> Scan<Vec<Element<'_>>> {
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => return err(e.valid_up_to(), "invalid UTF-8"),
    };
    let mut exact = ExactSplitter::default();
    // `run` ends without an error only after the array's `]` and the whitespace after it.
    exact.run(body)?;
    // The scanner only stops at ASCII bytes (quotes among them), so positions are char boundaries.
    let text_at = |t: TrackedText| match t {
        TrackedText::At(start, end) => Cow::Borrowed(&text[start..end]),
        TrackedText::Text(t) => Cow::Owned(t),
    };
    Ok(exact
        .documents
        .into_iter()
        .map(|d| Element {
            text: &text[d.start..d.end],
            tracked: d.tracked.map(|t| t.map(text_at)),
        })
        .collect())
}

/// Where [`Scanner::step`] goes on: each position is a byte offset in the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Before the array's `[` (leading whitespace allowed).
    Open(usize),
    /// After the `[`: the first element or the `]` of an empty array (whitespace first).
    First(usize),
    /// After a `,`: an element (whitespace first).
    Element(usize),
    /// After the array's `]`: only whitespace may follow.
    Closed(usize),
}

/// A page split while it arrives: [`PageSplitter::advance`] after each piece, so splitting
/// overlaps receiving, and [`PageSplitter::finish`] once the whole body is in; the documents come
/// as positions in the page (its buffer may move while it grows).
///
/// The block splitter ([`super::blocks`]) does the work; a page it gives up on (an error, or an
/// element that is not an object or array) is scanned again by [`ExactSplitter`], whose result is
/// exactly [`split`]'s. The two agree on every page the JSON grammar accepts; the block splitter
/// also accepts a page whose only errors are inside elements (see its docs).
#[derive(Debug)]
pub struct PageSplitter {
    utf8: Utf8Progress,
    /// `None` once the block splitter gave up.
    blocks: Option<BlockSplitter>,
    exact: Option<ExactSplitter>,
}

impl Default for PageSplitter {
    fn default() -> Self {
        PageSplitter {
            utf8: Utf8Progress::default(),
            blocks: Some(BlockSplitter::default()),
            exact: None,
        }
    }
}

impl PageSplitter {
    /// Splits what `body` (everything received so far; earlier bytes unchanged) adds.
    pub fn advance(&mut self, body: &[u8]) {
        if let Some(blocks) = &mut self.blocks {
            if self.utf8.advance(body) && blocks.advance(body).is_ok() {
                return;
            }
            self.blocks = None;
        }
        self.exact.get_or_insert_default().advance(body);
    }

    /// The documents of the whole `body`, or why it is not one JSON array.
    pub fn finish(self, body: &[u8]) -> Scan<Vec<PageDocument>> {
        if let Some(blocks) = self.blocks
            && self.utf8.finish(body).is_ok()
            && let Ok(documents) = blocks.finish(body)
        {
            return Ok(documents);
        }
        self.exact.unwrap_or_default().finish(body)
    }
}

/// How far a body that arrives in pieces is known to be UTF-8.
#[derive(Debug, Default)]
struct Utf8Progress {
    /// Valid up to here (a character may be cut at the end of a piece).
    valid_to: usize,
    /// Where the body is not UTF-8, once seen.
    invalid: Option<usize>,
}

impl Utf8Progress {
    /// Checks what `body` adds; false once it is not UTF-8.
    fn advance(&mut self, body: &[u8]) -> bool {
        if self.invalid.is_some() {
            return false;
        }
        match simdutf8::compat::from_utf8(&body[self.valid_to..]) {
            Ok(_) => self.valid_to = body.len(),
            Err(e) => {
                self.valid_to += e.valid_up_to();
                if e.error_len().is_some() {
                    self.invalid = Some(self.valid_to);
                    return false;
                }
            }
        }
        true
    }

    /// The whole `body` is UTF-8, or where it is not.
    fn finish(&self, body: &[u8]) -> Scan<()> {
        if let Some(at) = self.invalid {
            return err(at, "invalid UTF-8");
        }
        match simdutf8::compat::from_utf8(&body[self.valid_to..]) {
            Ok(_) => Ok(()),
            Err(e) => err(self.valid_to + e.valid_up_to(), "invalid UTF-8"),
        }
    }
}

/// [`PageSplitter`]'s exact path: the token scanner, step by step as the page arrives.
///
/// An element is taken only once the `,` or `]` after it has arrived, so a piece that ends inside
/// an element (or inside a number, where the text so far would parse) never yields a wrong one: a
/// failed scan of a body that is still arriving is simply tried again when more has arrived. To
/// keep that linear on a huge element, a retry waits until the body has grown by at least as much
/// as the failed attempt scanned.
#[derive(Debug)]
pub struct ExactSplitter {
    step: Step,
    utf8: Utf8Progress,
    /// No scan before the body has this many bytes (see the type's docs).
    retry_at: usize,
    documents: Vec<PageDocument>,
}

impl Default for ExactSplitter {
    fn default() -> Self {
        ExactSplitter {
            step: Step::Open(0),
            utf8: Utf8Progress::default(),
            retry_at: 0,
            documents: Vec::new(),
        }
    }
}

impl ExactSplitter {
    /// Scans what `body` (everything received so far; earlier bytes unchanged) adds.
    pub fn advance(&mut self, body: &[u8]) {
        if body.len() < self.retry_at || !self.utf8.advance(body) {
            return;
        }
        if let Err(e) = self.run(&body[..self.utf8.valid_to]) {
            // Most likely the end of what has arrived inside an element; `finish` tells. What the
            // failed attempt scanned of that element is scanned again, so wait for as much more.
            self.retry_at = body.len() + e.offset.saturating_sub(self.position()).max(1);
        }
    }

    /// The documents of the whole `body`, or why it is not one JSON array.
    pub fn finish(mut self, body: &[u8]) -> Scan<Vec<PageDocument>> {
        self.utf8.finish(body)?;
        // `run` ends without an error only after the array's `]` and the whitespace after it.
        self.run(body)?;
        Ok(self.documents)
    }

    fn position(&self) -> usize {
        match self.step {
            Step::Open(i) | Step::First(i) | Step::Element(i) | Step::Closed(i) => i,
        }
    }

    /// Takes steps over `body` until the page ends or a step fails; `self.step` is where to go on.
    fn run(&mut self, body: &[u8]) -> Scan<()> {
        let mut s = Scanner {
            b: body,
            stack: Vec::new(),
        };
        let documents = &mut self.documents;
        loop {
            match s.step(self.step, &mut |d| documents.push(d))? {
                Some(next) => self.step = next,
                None => return Ok(()),
            }
        }
    }
}

/// [`PageSplitter`] over `body` arriving `piece` bytes at a time (tests and fuzzing compare it
/// with [`split`]).
pub fn split_in_pieces(body: &[u8], piece: usize) -> Scan<Vec<PageDocument>> {
    let mut splitter = PageSplitter::default();
    let mut arrived = 0;
    while arrived < body.len() {
        arrived = (arrived + piece.max(1)).min(body.len());
        splitter.advance(&body[..arrived]);
    }
    splitter.finish(body)
}

/// [`split`]'s result in [`PageSplitter`]'s terms.
pub fn as_documents(body: &[u8], elements: &[Element<'_>]) -> Vec<PageDocument> {
    let base = body.as_ptr() as usize;
    elements
        .iter()
        .map(|e| {
            let start = e.get().as_ptr() as usize - base;
            PageDocument {
                start,
                end: start + e.get().len(),
                tracked: e.tracked().clone().map(|t| {
                    Some(match t? {
                        Cow::Borrowed(s) => {
                            let at = s.as_ptr() as usize - base;
                            TrackedText::At(at, at + s.len())
                        }
                        Cow::Owned(s) => TrackedText::Text(s),
                    })
                }),
            }
        })
        .collect()
}

const IN_OBJECT: u8 = 0;
const IN_ARRAY: u8 = 1;

struct Scanner<'a> {
    /// The page, or as much of it as has arrived. Positions in it are what the scanner reports.
    b: &'a [u8],
    /// Open containers of the value being skipped: iterative, so any depth is fine.
    stack: Vec<u8>,
}

impl<'a> Scanner<'a> {
    /// One step of the array: its `[`, one element with the `,` or `]` after it (`found` gets the
    /// element), or the end. `None` once the text ends after the array's `]` and whitespace.
    /// Each step decides only on bytes it has seen, so a step that fails at the end of what has
    /// arrived can be taken again from the same place once more is there.
    fn step(&mut self, step: Step, found: &mut dyn FnMut(PageDocument)) -> Scan<Option<Step>> {
        match step {
            Step::Open(i) => {
                let i = self.ws(i);
                if self.b.get(i) != Some(&b'[') {
                    return err(i, "expected a JSON array");
                }
                Ok(Some(Step::First(i + 1)))
            }
            Step::First(i) => {
                let i = self.ws(i);
                Ok(Some(match self.b.get(i) {
                    Some(b']') => Step::Closed(i + 1),
                    Some(_) => Step::Element(i),
                    None => return err(i, "expected an array element or ]"),
                }))
            }
            Step::Element(start) => {
                let start = self.ws(start);
                let (end, tracked) = if self.b.get(start) == Some(&b'{') {
                    self.object(start)?
                } else {
                    (self.value(start)?, [None, None])
                };
                let i = self.ws(end);
                let next = match self.b.get(i) {
                    Some(b',') => Step::Element(i + 1),
                    Some(b']') => Step::Closed(i + 1),
                    _ => return err(i, "expected , or ] after an array element"),
                };
                found(PageDocument {
                    start,
                    end,
                    tracked,
                });
                Ok(Some(next))
            }
            Step::Closed(i) => {
                let end = self.ws(i);
                if end != i {
                    Ok(Some(Step::Closed(end)))
                } else if end == self.b.len() {
                    Ok(None)
                } else {
                    err(i, "trailing characters after the array")
                }
            }
        }
    }

    fn ws(&self, i: usize) -> usize {
        skip_ws(self.b, i)
    }

    /// A top-level element that is an object, starting at `{`: its end, and its `id`/`status`.
    fn object(&mut self, open: usize) -> Scan<(usize, [Option<TrackedText>; 2])> {
        let mut tracked: [Option<TrackedText>; 2] = [None, None];
        let mut seen = [false; 2];
        let mut readable = true;
        let mut i = self.ws(open + 1);
        if self.b.get(i) == Some(&b'}') {
            return Ok((i + 1, tracked));
        }
        loop {
            if self.b.get(i) != Some(&b'"') {
                return err(i, "expected a member name");
            }
            let (key_end, key_escaped) = self.string(i)?;
            let slot = tracked_slot(&self.b[i..key_end], key_escaped).unwrap_or_else(|()| {
                readable = false;
                None
            });
            i = self.ws(key_end);
            if self.b.get(i) != Some(&b':') {
                return err(i, "expected : after a member name");
            }
            let v = self.ws(i + 1);
            let (end, escaped) = if self.b.get(v) == Some(&b'"') {
                self.string(v)?
            } else {
                (self.value(v)?, true)
            };
            if let Some(n) = slot {
                if seen[n] {
                    // A repeated id/status is ambiguous: the former typed parse refused it.
                    readable = false;
                }
                seen[n] = true;
                tracked[n] = if escaped {
                    match tracked_text(&self.b[v..end]) {
                        Ok(t) => t.map(TrackedText::Text),
                        Err(()) => {
                            readable = false;
                            None
                        }
                    }
                } else {
                    // A string without escapes: the text is the bytes between the quotes.
                    Some(TrackedText::At(v + 1, end - 1))
                };
            }
            i = self.ws(end);
            match self.b.get(i) {
                Some(b',') => i = self.ws(i + 1),
                Some(b'}') => {
                    if !readable {
                        tracked = [None, None];
                    }
                    return Ok((i + 1, tracked));
                }
                _ => return err(i, "expected , or } after an object member"),
            }
        }
    }

    /// Skips one value starting at `i` (no leading whitespace); returns where it ends.
    fn value(&mut self, mut i: usize) -> Scan<usize> {
        self.stack.clear();
        loop {
            // `i` is at the start of a value.
            match self.b.get(i) {
                Some(b'{') => {
                    i = self.ws(i + 1);
                    if self.b.get(i) == Some(&b'}') {
                        i += 1;
                    } else {
                        self.stack.push(IN_OBJECT);
                        i = self.member_value(i)?;
                        continue;
                    }
                }
                Some(b'[') => {
                    i = self.ws(i + 1);
                    if self.b.get(i) == Some(&b']') {
                        i += 1;
                    } else {
                        self.stack.push(IN_ARRAY);
                        continue;
                    }
                }
                Some(b'"') => i = self.string(i)?.0,
                Some(b't') => i = self.literal(i, b"true")?,
                Some(b'f') => i = self.literal(i, b"false")?,
                Some(b'n') => i = self.literal(i, b"null")?,
                Some(b'-' | b'0'..=b'9') => i = self.number(i)?,
                _ => return err(i, "expected a value"),
            }
            // After a value: close finished containers, or move to the next value.
            loop {
                let Some(&top) = self.stack.last() else {
                    return Ok(i);
                };
                i = self.ws(i);
                match (self.b.get(i), top) {
                    (Some(b','), IN_OBJECT) => {
                        i = self.member_value(self.ws(i + 1))?;
                        break;
                    }
                    (Some(b','), _) => {
                        i = self.ws(i + 1);
                        break;
                    }
                    (Some(b'}'), IN_OBJECT) | (Some(b']'), IN_ARRAY) => {
                        self.stack.pop();
                        i += 1;
                    }
                    _ => return err(i, "expected , or the end of a container"),
                }
            }
        }
    }

    /// `"name" :` at `i`; returns the start of the member's value.
    fn member_value(&self, i: usize) -> Scan<usize> {
        if self.b.get(i) != Some(&b'"') {
            return err(i, "expected a member name");
        }
        let i = self.ws(self.string(i)?.0);
        if self.b.get(i) != Some(&b':') {
            return err(i, "expected : after a member name");
        }
        Ok(self.ws(i + 1))
    }

    fn literal(&self, i: usize, word: &[u8]) -> Scan<usize> {
        match self.b.get(i..i + word.len()) {
            Some(w) if w == word => Ok(i + word.len()),
            _ => err(i, "invalid literal"),
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` at `i`; returns its end.
    fn number(&self, mut i: usize) -> Scan<usize> {
        if self.b.get(i) == Some(&b'-') {
            i += 1;
        }
        match self.b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = self.digits(i + 1),
            _ => return err(i, "invalid number"),
        }
        if self.b.get(i) == Some(&b'.') {
            i = self.some_digits(i + 1)?;
        }
        if let Some(b'e' | b'E') = self.b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = self.b.get(i) {
                i += 1;
            }
            i = self.some_digits(i)?;
        }
        Ok(i)
    }

    fn digits(&self, mut i: usize) -> usize {
        while let Some(b'0'..=b'9') = self.b.get(i) {
            i += 1;
        }
        i
    }

    fn some_digits(&self, i: usize) -> Scan<usize> {
        let end = self.digits(i);
        if end == i {
            return err(i, "invalid number");
        }
        Ok(end)
    }

    /// A string starting at its `"`: where it ends (after the closing quote) and whether it has
    /// escapes. The body is valid UTF-8 already; the grammar forbids raw control characters.
    #[inline]
    fn string(&self, open: usize) -> Scan<(usize, bool)> {
        let b = self.b;
        let mut i = open + 1;
        let mut escaped = false;
        loop {
            i = next_special(b, i);
            match b.get(i) {
                Some(b'"') => return Ok((i + 1, escaped)),
                Some(b'\\') => {
                    escaped = true;
                    i = self.escape(i + 1)?;
                }
                Some(0..=0x1f) => return err(i, "control character in a string"),
                Some(_) => i += 1,
                None => return err(i, "unterminated string"),
            }
        }
    }

    /// The escape after a backslash at `i`; returns where it ends. Any `\uXXXX` is grammatical,
    /// a lone surrogate included.
    fn escape(&self, i: usize) -> Scan<usize> {
        match self.b.get(i) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 1),
            Some(b'u') => match self.b.get(i + 1..i + 5) {
                Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(i + 5),
                _ => err(i, "invalid \\u escape"),
            },
            _ => err(i, "invalid escape"),
        }
    }
}

/// The first position at or after `i` whose byte is `"`, `\` or below 0x20, or `b.len()`: where a
/// string needs a look. Most of a page is string content in short strings, so this jumps straight
/// to the next such byte, sixteen bytes a step, instead of walking to it byte by byte.
#[inline]
pub(super) fn next_special(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 16) {
        let (lo, hi) = chunk.split_at(8);
        let lo = look_mask(u64::from_le_bytes(lo.try_into().unwrap_or([0; 8])));
        if lo != 0 {
            return i + (lo.trailing_zeros() / 8) as usize;
        }
        let hi = look_mask(u64::from_le_bytes(hi.try_into().unwrap_or([0; 8])));
        if hi != 0 {
            return i + 8 + (hi.trailing_zeros() / 8) as usize;
        }
        i += 16;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// The first position at or after `i` that is not JSON whitespace.
pub(super) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// Which of [`TRACKED`] the member name `name` (a JSON string, quotes included, with escapes when
/// `escaped`) is. `"i\u0064"` is `id` too; a name serde cannot decode (a lone surrogate) made the
/// former typed parse fail, so it is `Err` and the document goes untracked.
pub(super) fn tracked_slot(name: &[u8], escaped: bool) -> std::result::Result<Option<usize>, ()> {
    if escaped {
        let name = serde_json::from_slice::<String>(name).map_err(|_| ())?;
        Ok(TRACKED.iter().position(|t| *t == name))
    } else {
        let name = &name[1..name.len() - 1];
        Ok(TRACKED.iter().position(|t| t.as_bytes() == name))
    }
}

/// The bytes of `word` (little-endian) that are `"`, `\` or below 0x20, each as its high bit set.
/// A byte above a match may be flagged too (borrow propagation), but the lowest flagged byte is
/// always a real match, which is all [`next_special`] uses.
#[inline]
fn look_mask(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    (zero_in(quote) | zero_in(backslash) | below_space) & HIGHS
}

/// The text of a tracked member's value (an escaped string, a number, anything else) exactly as
/// the former typed parse gave it: strings and numbers as text, other values none; `Err` when
/// serde cannot build the value (lone surrogate, number beyond `f64`, nesting beyond its limit),
/// which made the whole document untracked.
pub(super) fn tracked_text(json: &[u8]) -> std::result::Result<Option<String>, ()> {
    match serde_json::from_slice::<Value>(json) {
        Ok(Value::String(s)) => Ok(Some(s)),
        Ok(Value::Number(n)) => Ok(Some(n.to_string())),
        Ok(_) => Ok(None),
        Err(_) => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(body: &str) -> Vec<&str> {
        split(body.as_bytes())
            .unwrap()
            .iter()
            .map(Element::get)
            .collect()
    }

    fn tracked_of(element: &str) -> Vec<Option<String>> {
        let page = format!("[{element}]");
        let items = split(page.as_bytes()).unwrap();
        items[0]
            .tracked()
            .iter()
            .map(|t| t.as_ref().map(|c| c.to_string()))
            .collect()
    }

    #[test]
    fn splits_exact_element_bytes() {
        assert_eq!(spans(" [ ] "), Vec::<&str>::new());
        assert_eq!(
            spans("\n[ 1 , \"a\\\"]\" ,{\"x\" : [ {} , [] ]} ,true,null,-0.5e+3 ]\r\n"),
            [
                "1",
                "\"a\\\"]\"",
                "{\"x\" : [ {} , [] ]}",
                "true",
                "null",
                "-0.5e+3"
            ]
        );
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(split(deep.as_bytes()).unwrap().len(), 1);
        assert_eq!(spans("[\"\\ud800\", 1e999999]").len(), 2);
    }

    #[test]
    fn refuses_what_is_not_one_array() {
        for bad in [
            "",
            "{}",
            "[",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[01]",
            "[1.]",
            "[.5]",
            "[-]",
            "[1e]",
            "[tru]",
            "[\"a]",
            "[\"\u{1}\"]",
            "[\"\\x\"]",
            "[\"\\u12g4\"]",
            "[{\"a\"}]",
            "[{\"a\":1,}]",
            "[{1:2}]",
            "[] []",
            "[]x",
            "[[1}]",
            "[{\"a\":1]}",
        ] {
            assert!(split(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(split(b"[\"\xff\"]").is_err());
    }

    #[test]
    fn tracks_top_level_id_and_status_like_the_typed_parse() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            tracked_of(r#"{"x":{"id":"no"},"status":"pending","id":"PR-1"}"#),
            [s("PR-1"), s("pending")]
        );
        assert_eq!(
            tracked_of(r#"{"i\u0064":"a\nb","status":12}"#),
            [s("a\nb"), s("12")]
        );
        assert_eq!(
            tracked_of(r#"{"id":1.5e2,"status":null}"#),
            [s("150.0"), None]
        );
        assert_eq!(tracked_of(r#"{"id":[1],"status":{"a":"b"}}"#), [None, None]);
        // Unreadable or ambiguous: untracked, not half-tracked.
        for untracked in [
            r#"{"id":"a","status":"\ud800"}"#,
            r#"{"id":"a","status":1e999}"#,
            r#"{"id":"a","\udc00":1}"#,
            r#"{"id":"a","id":"b"}"#,
        ] {
            assert_eq!(tracked_of(untracked), [None, None], "{untracked}");
        }
        // Lone surrogates elsewhere do not matter.
        assert_eq!(tracked_of(r#"{"id":"a","x":"\ud800"}"#), [s("a"), None]);
        assert_eq!(tracked_of(r#"["id","status"]"#), [None, None]);
    }

    #[test]
    fn splitting_while_arriving_gives_what_splitting_at_once_gives() {
        let mut big = String::from(" [ ");
        for i in 0..300 {
            big.push_str(&format!(
                "{{\"id\":\"PR-{i}\",\"note\":\"grüße € 𝄞 \\\" \\u00e9\",\"n\":[{i}.5e3,-0,true,null,{{}}],\"status\":\"s\"}} ,\n"
            ));
        }
        // One element far larger than a look-ahead step, then the end.
        big.push_str(&format!("[{}1]\n] \n", "[\"x\",".repeat(40_000)));
        let mut bodies: Vec<Vec<u8>> = vec![big.into_bytes()];
        for text in [
            "[]",
            " [ ] ",
            "[1]",
            "[12345,-0.5e+3,\"a\\\"]\",{\"id\":\"é\"}]",
            "[",
            "[1",
            "[1,",
            "[1]x",
            "[1] ]",
            "[tru]",
            "[\"\u{1}\"]",
            "[{\"id\":\"a\",\"id\":\"b\"}]",
            "[\"é\"",
            "",
        ] {
            bodies.push(text.as_bytes().to_vec());
        }
        bodies.push(b"[\"\xc3\"]".to_vec());
        bodies.push(b"[\"\xc3\xa9\xff\"]".to_vec());
        for body in &bodies {
            let whole = split(body).map(|e| as_documents(body, &e));
            for piece in [1, 2, 3, 7, 64, 4096, body.len()] {
                let pieces = split_in_pieces(body, piece);
                assert_eq!(
                    pieces.as_ref().map_err(|_| ()),
                    whole.as_ref().map_err(|_| ()),
                    "piece {piece} of {:?}",
                    String::from_utf8_lossy(&body[..body.len().min(60)])
                );
            }
        }
    }

    #[test]
    fn agrees_with_serde_on_real_records() {
        // The fuzz target `connect_page` checks agreement with a grammar checker broadly; this is
        // a quick check on a page of typical records.
        let mut body = String::from("[");
        for i in 0..50 {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&format!(
                r#"{{"asset":{{"id":"AS-{i}","params":[{{"id":"p","value":"v\"{i}"}}]}},"id":"PR-{i}","status":"approved","n":{i}.25}}"#
            ));
        }
        body.push(']');
        let ours = split(body.as_bytes()).unwrap();
        let theirs: Vec<&serde_json::value::RawValue> = serde_json::from_str(&body).unwrap();
        assert_eq!(ours.len(), theirs.len());
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!(a.get(), b.get());
            assert_eq!(a.tracked()[0].as_deref(), Some(format!("PR-{i}").as_str()));
            assert_eq!(a.tracked()[1].as_deref(), Some("approved"));
        }
    }
}
