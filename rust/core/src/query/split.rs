//! A list page split into its documents by serde_json: the page must be one JSON array (RFC 8259,
//! as serde_json reads it), each element is borrowed as its exact bytes (`&RawValue`, never
//! re-serialised) and its top-level `id` and `status` are read from those bytes.
//!
//! One rule for every page: a body that serde_json does not read as an array of values
//! (`Vec<&RawValue>`) fails the whole page, whatever the element that breaks it. Why serde_json
//! and not a faster parser is in `docs/architecture.md`.
//!
//! Each element is read once: serde_json parses it, keeping `id` and `status` as `&RawValue` and
//! skipping the other members, and reports where it ended, which gives the element's bytes. Only
//! the array's own `[`, `,` and `]` between the elements are looked at here. A page this reading
//! refuses is read again as `Vec<&RawValue>`, which then decides: its error is the page's error,
//! and a page it accepts anyway (an element whose tracked members cannot be decoded) is split by
//! it, with each element's tracked members read separately.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::wire::{PageDocument, TrackedText};

/// The names of the tracked properties, in frame order.
pub const TRACKED: [&str; 2] = ["id", "status"];

/// Why a body is not a JSON array. Never contains page bytes, so it cannot leak a secret the body
/// echoes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The body is not UTF-8 from this byte on.
    Utf8 { at: usize },
    /// Valid JSON, but not an array.
    NotArray,
    /// Not valid JSON: serde_json's reason and position (fixed texts, no input quoted).
    Json(String),
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitError::Utf8 { at } => write!(f, "invalid UTF-8 at byte {at}"),
            SplitError::NotArray => f.write_str("a JSON value that is not an array"),
            SplitError::Json(why) => write!(f, "invalid JSON: {why}"),
        }
    }
}

impl std::error::Error for SplitError {}

impl From<serde_json::Error> for SplitError {
    fn from(e: serde_json::Error) -> Self {
        match e.classify() {
            // A data error's text may quote the body ("invalid type: string \"…\""); the type
            // of value is all that matters here.
            serde_json::error::Category::Data => SplitError::NotArray,
            _ => SplitError::Json(e.to_string()),
        }
    }
}

/// The elements of `body` when it is exactly one JSON array (whitespace around it allowed), as
/// positions in `body`, each with its tracked properties.
pub fn split(body: &[u8]) -> Result<Vec<PageDocument>, SplitError> {
    let text = std::str::from_utf8(body).map_err(|e| SplitError::Utf8 {
        at: e.valid_up_to(),
    })?;
    match split_once(text) {
        Some(documents) => Ok(documents),
        None => split_raw(text),
    }
}

/// The page in one reading of each element (see the module docs); `None` when that reading
/// refuses it.
fn split_once(text: &str) -> Option<Vec<PageDocument>> {
    let ws = |at: usize| {
        text.get(at..).map_or(at, |rest| {
            at + rest.len() - rest.trim_start_matches(JSON_WS).len()
        })
    };
    let byte = |at: usize| text.as_bytes().get(at).copied();
    let mut at = ws(0);
    (byte(at) == Some(b'[')).then_some(())?;
    at = ws(at + 1);
    let mut documents = Vec::new();
    if byte(at) == Some(b']') {
        at += 1;
    } else {
        loop {
            let mut stream =
                serde_json::Deserializer::from_str(text.get(at..)?).into_iter::<Element<'_>>();
            let element = stream.next()?.ok()?;
            let end = at + stream.byte_offset();
            documents.push(PageDocument {
                start: at,
                end,
                tracked: element.tracked(text),
            });
            at = ws(end);
            match byte(at)? {
                b',' => at = ws(at + 1),
                b']' => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (ws(at) == text.len()).then_some(documents)
}

/// JSON's whitespace.
const JSON_WS: [char; 4] = [' ', '\t', '\n', '\r'];

/// The page as serde_json's `Vec<&RawValue>` reads it, each element's tracked members read
/// separately (untracked when they cannot be).
fn split_raw(text: &str) -> Result<Vec<PageDocument>, SplitError> {
    let elements: Vec<&RawValue> = serde_json::from_str(text)?;
    Ok(elements
        .into_iter()
        .map(|raw| {
            let start = offset_in(text, raw.get());
            PageDocument {
                start,
                end: start + raw.get().len(),
                tracked: serde_json::from_str::<Element<'_>>(raw.get())
                    .map_or([None, None], |e| e.tracked(text)),
            }
        })
        .collect())
}

/// Where `inner`, a slice of `outer`, starts in it.
fn offset_in(outer: &str, inner: &str) -> usize {
    inner.as_ptr() as usize - outer.as_ptr() as usize
}

/// One element as serde_json reads it: any JSON value, of which only an object's top-level `id`
/// and `status` are kept (as their JSON text); everything else is skipped unread.
#[derive(Default)]
struct Element<'a> {
    id: Option<&'a RawValue>,
    status: Option<&'a RawValue>,
    /// A tracked member came twice: which one counts is ambiguous.
    repeated: bool,
}

impl<'a> Element<'a> {
    /// `id` and `status` as text: strings and numbers; other values none. The element goes
    /// untracked rather than half-tracked when a tracked member is repeated or its value cannot
    /// be decoded (a lone surrogate escape, a number beyond `f64`). Unescaped strings are
    /// positions in `page`, which the members are slices of.
    fn tracked(&self, page: &str) -> [Option<TrackedText>; 2] {
        if self.repeated {
            return [None, None];
        }
        let text = |raw: Option<&RawValue>| -> Result<Option<TrackedText>, ()> {
            let Some(raw) = raw else { return Ok(None) };
            let json = raw.get();
            if let Some(inner) = json.strip_prefix('"').and_then(|s| s.strip_suffix('"'))
                && !inner.contains('\\')
            {
                let at = offset_in(page, inner);
                return Ok(Some(TrackedText::At(at, at + inner.len())));
            }
            match serde_json::from_str::<Value>(json).map_err(|_| ())? {
                Value::String(s) => Ok(Some(TrackedText::Text(s))),
                Value::Number(n) => Ok(Some(TrackedText::Text(n.to_string()))),
                _ => Ok(None),
            }
        };
        match (text(self.id), text(self.status)) {
            (Ok(id), Ok(status)) => [id, status],
            _ => [None, None],
        }
    }
}

impl<'de> Deserialize<'de> for Element<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

/// Anything but an object: an untracked element.
fn untracked<'a, E>() -> Result<Element<'a>, E> {
    Ok(Element::default())
}

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element<'de>, A::Error> {
        let mut element = Element::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Id => &mut element.id,
                Key::Status => &mut element.status,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if slot.replace(map.next_value()?).is_some() {
                element.repeated = true;
            }
        }
        Ok(element)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        untracked()
    }

    fn visit_bool<E>(self, _: bool) -> Result<Element<'de>, E> {
        untracked()
    }

    fn visit_i64<E>(self, _: i64) -> Result<Element<'de>, E> {
        untracked()
    }

    fn visit_u64<E>(self, _: u64) -> Result<Element<'de>, E> {
        untracked()
    }

    fn visit_f64<E>(self, _: f64) -> Result<Element<'de>, E> {
        untracked()
    }

    fn visit_str<E>(self, _: &str) -> Result<Element<'de>, E> {
        untracked()
    }

    fn visit_unit<E>(self) -> Result<Element<'de>, E> {
        untracked()
    }
}

/// A member name: tracked or not (escapes decoded, so `"i\u0064"` is `id` too).
enum Key {
    Id,
    Status,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E>(self, name: &str) -> Result<Key, E> {
                Ok(match name {
                    "id" => Key::Id,
                    "status" => Key::Status,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(body: &str) -> Vec<&str> {
        split(body.as_bytes())
            .unwrap()
            .iter()
            .map(|d| &body[d.start..d.end])
            .collect()
    }

    fn tracked_of(element: &str) -> Vec<Option<String>> {
        let page = format!("[{element}]");
        let docs = split(page.as_bytes()).unwrap();
        docs[0]
            .tracked
            .iter()
            .map(|t| {
                t.as_ref().map(|t| match t {
                    TrackedText::At(a, b) => page[*a..*b].to_owned(),
                    TrackedText::Text(s) => s.clone(),
                })
            })
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
    }

    #[test]
    fn refuses_what_is_not_one_array_the_same_way_whatever_the_element() {
        for bad in [
            "",
            "[",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[01]",
            "[{\"a\":01}]",
            "[{\"a\":01},\"x\"]",
            "[1.]",
            "[tru]",
            "[\"a]",
            "[\"\u{1}\"]",
            "[\"\\x\"]",
            "[{\"a\"}]",
            "[{\"a\":1,}]",
            "[{1:2}]",
            "[] []",
            "[]x",
            "[[1}]",
            "[{\"a\":1]}",
        ] {
            assert!(
                matches!(split(bad.as_bytes()), Err(SplitError::Json(_))),
                "{bad:?}"
            );
        }
        for not_array in ["{}", "\"ApiKey secret\"", "1", "null"] {
            assert_eq!(split(not_array.as_bytes()), Err(SplitError::NotArray));
        }
        assert_eq!(split(b"[\"ok\",\"\xff\"]"), Err(SplitError::Utf8 { at: 7 }));
        assert_eq!(
            SplitError::Utf8 { at: 7 }.to_string(),
            "invalid UTF-8 at byte 7"
        );
    }

    #[test]
    fn tracks_top_level_id_and_status() {
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
            r#"{"id":"a","id":"b"}"#,
        ] {
            assert_eq!(tracked_of(untracked), [None, None], "{untracked}");
        }
        assert_eq!(tracked_of(r#"["id","status"]"#), [None, None]);
        assert_eq!(tracked_of(r#""id""#), [None, None]);
    }

    #[test]
    fn what_the_single_reading_refuses_is_decided_by_raw_value() {
        // A number beyond f64 and a name with a lone surrogate: the single reading refuses them
        // (serde_json builds numbers and names), RawValue accepts them; the page splits the same.
        let page = r#"[1e999, {"\udc00":1,"id":"a"}, "x"]"#;
        assert!(split_once(page).is_none());
        let docs = split(page.as_bytes()).unwrap();
        let texts: Vec<&str> = docs.iter().map(|d| &page[d.start..d.end]).collect();
        assert_eq!(texts, ["1e999", r#"{"\udc00":1,"id":"a"}"#, "\"x\""]);
        assert!(docs.iter().all(|d| d.tracked == [None, None]));
        // Where both read a page, they agree.
        let page = r#" [ {"id":"a","status":"s","x":[1,{"id":"no"}]} , 2 ,"i\u0064"] "#;
        assert_eq!(split_once(page), split_raw(page).ok());
    }

    #[test]
    fn agrees_with_serde_on_real_records() {
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
        let docs = split(body.as_bytes()).unwrap();
        let theirs: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(docs.len(), theirs.len());
        for (d, v) in docs.iter().zip(&theirs) {
            let alone: Value = serde_json::from_str(&body[d.start..d.end]).unwrap();
            assert_eq!(&alone, v);
            let text = |t: &Option<TrackedText>| match t {
                Some(TrackedText::At(a, b)) => Some(body[*a..*b].to_owned()),
                Some(TrackedText::Text(s)) => Some(s.clone()),
                None => None,
            };
            assert_eq!(text(&d.tracked[0]).as_deref(), v["id"].as_str());
            assert_eq!(text(&d.tracked[1]).as_deref(), v["status"].as_str());
        }
    }
}
