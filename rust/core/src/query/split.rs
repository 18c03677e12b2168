//! A list page split into its documents by serde_json: the page must be one JSON array (RFC 8259,
//! as serde_json reads it), each element is borrowed as its exact bytes (`&RawValue`, never
//! re-serialised) and its top-level `id` and `status`, with Changed Since also its change time,
//! are read from those bytes.
//!
//! One rule for every page: a body that serde_json does not read as an array of values
//! (`Vec<&RawValue>`) fails the whole page, whatever the element that breaks it. Why serde_json
//! and not a faster parser is in `docs/architecture.md`.
//!
//! Each element is read once: serde_json parses it, keeping `id`, `status` and the first member of
//! the change time's path as `&RawValue` and skipping the other members, and reports where it
//! ended, which gives the element's bytes; the change time is then looked up inside its small
//! member. Only
//! the array's own `[`, `,` and `]` between the elements are looked at here. A page this reading
//! refuses is read again as `Vec<&RawValue>`, which then decides: its error is the page's error,
//! and a page it accepts anyway (an element whose tracked members cannot be decoded) is split by
//! it, with each element's tracked members read separately.

use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::sync::CHANGED_AT;
use crate::wire::{PageDocument, TrackedText};

/// The names of the tracked properties, in frame order.
pub const TRACKED: [&str; 3] = ["id", "status", CHANGED_AT];

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
/// positions in `body`, each with its tracked properties; `change` is the dotted path of the
/// change time inside a document (`events.updated.at`), with Changed Since.
pub fn split(body: &[u8], change: Option<&str>) -> Result<Vec<PageDocument>, SplitError> {
    let text = std::str::from_utf8(body).map_err(|e| SplitError::Utf8 {
        at: e.valid_up_to(),
    })?;
    let change = change.map(|path| path.split_once('.').unwrap_or((path, "")));
    match split_once(text, change) {
        Some(documents) => Ok(documents),
        None => split_raw(text, change),
    }
}

/// The change time's path: the first member's name and the dotted rest (empty when none).
type ChangePath<'c> = Option<(&'c str, &'c str)>;

/// The page in one reading of each element (see the module docs); `None` when that reading
/// refuses it.
fn split_once(text: &str, change: ChangePath<'_>) -> Option<Vec<PageDocument>> {
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
            let mut de = serde_json::Deserializer::from_str(text.get(at..)?);
            let element = ElementVisitor(change).deserialize(&mut de).ok()?;
            let end = at + de.into_iter::<IgnoredAny>().byte_offset();
            documents.push(PageDocument {
                start: at,
                end,
                tracked: element.tracked(text, change),
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
fn split_raw(text: &str, change: ChangePath<'_>) -> Result<Vec<PageDocument>, SplitError> {
    let elements: Vec<&RawValue> = serde_json::from_str(text)?;
    Ok(elements
        .into_iter()
        .map(|raw| {
            let start = offset_in(text, raw.get());
            PageDocument {
                start,
                end: start + raw.get().len(),
                tracked: ElementVisitor(change)
                    .deserialize(&mut serde_json::Deserializer::from_str(raw.get()))
                    .map_or([None, None, None], |e| e.tracked(text, change)),
            }
        })
        .collect())
}

/// Where `inner`, a slice of `outer`, starts in it.
fn offset_in(outer: &str, inner: &str) -> usize {
    inner.as_ptr() as usize - outer.as_ptr() as usize
}

/// One element as serde_json reads it: any JSON value, of which only an object's top-level `id`,
/// `status` and change time member are kept (as their JSON text); everything else is skipped
/// unread.
#[derive(Default)]
struct Element<'a> {
    id: Option<&'a RawValue>,
    status: Option<&'a RawValue>,
    /// The first member named plainly as the change time path's first name.
    changed: Option<&'a RawValue>,
    /// `id` or `status` came twice: which one counts is ambiguous.
    repeated: bool,
}

impl<'a> Element<'a> {
    /// `id` and `status` as text: strings and numbers; other values none. Both go untracked
    /// rather than half-tracked when one is repeated or its value cannot be decoded (a lone
    /// surrogate escape, a number beyond `f64`). Then the change time (see [`changed_at`]).
    /// Unescaped strings are positions in `page`, which the members are slices of.
    fn tracked(&self, page: &str, change: ChangePath<'_>) -> [Option<TrackedText>; 3] {
        let changed = self
            .changed
            .zip(change)
            .and_then(|(raw, (_, rest))| changed_at(page, raw.get(), rest));
        if self.repeated {
            return [None, None, changed];
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
            (Ok(id), Ok(status)) => [id, status, changed],
            _ => [None, None, changed],
        }
    }
}

/// The string at the dotted path `rest` inside `raw`, the JSON text of a member (a slice of
/// `page`; `rest` empty: `raw` itself): without escapes as its position in `page`, with escapes
/// decoded; `None` when a member is missing or the value is not a string. Each level is read by
/// serde_json, keeping only the member on the path (as a raw slice) and skipping the rest.
fn changed_at(page: &str, raw: &str, rest: &str) -> Option<TrackedText> {
    let mut value = raw;
    for name in rest.split('.').filter(|_| !rest.is_empty()) {
        value = member(value, name)?;
    }
    let text = value.strip_prefix('"')?.strip_suffix('"')?;
    if text.contains('\\') {
        return serde_json::from_str::<String>(value)
            .ok()
            .map(TrackedText::Text);
    }
    let at = offset_in(page, text);
    Some(TrackedText::At(at, at + text.len()))
}

/// The raw value of member `name` of the JSON object `object` (the first one of that name;
/// names written with escapes never match, as Connect writes its names plainly).
fn member<'a>(object: &'a str, name: &str) -> Option<&'a str> {
    let mut de = serde_json::Deserializer::from_str(object);
    let found = Member(name).deserialize(&mut de).ok()?;
    de.end().ok()?;
    found.map(RawValue::get)
}

/// Finds one member of an object, skipping the others without building them.
struct Member<'n>(&'n str);

impl<'de> DeserializeSeed<'de> for Member<'_> {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Member<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if found.is_none() && matches!(key, Key::Plain(name) if name == self.0) {
                found = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Reads one element, keeping the members named by the change time path's first name.
struct ElementVisitor<'c>(ChangePath<'c>);

impl<'de> DeserializeSeed<'de> for ElementVisitor<'_> {
    type Value = Element<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Element<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Anything but an object: an untracked element.
fn untracked<'a, E>() -> Result<Element<'a>, E> {
    Ok(Element::default())
}

impl<'de> Visitor<'de> for ElementVisitor<'_> {
    type Value = Element<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element<'de>, A::Error> {
        let mut element = Element::default();
        let change = self.0.map(|(first, _)| first);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let slot = match key {
                Key::Id | Key::Plain("id") => &mut element.id,
                Key::Status | Key::Plain("status") => &mut element.status,
                Key::Plain(name) if element.changed.is_none() && Some(name) == change => {
                    element.changed = Some(map.next_value()?);
                    continue;
                }
                Key::Plain(_) | Key::Other => {
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

/// A member name as written when it holds no escapes; one with escapes (serde_json hands those
/// over decoded, not borrowed from the input) is only `id` or `status` (so `"i\u0064"` is `id`
/// too), never the change time's, as Connect writes its names plainly.
enum Key<'de> {
    Plain(&'de str),
    Id,
    Status,
    Other,
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Plain(name))
            }
            fn visit_str<E>(self, name: &str) -> Result<Key<'de>, E> {
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
        split(body.as_bytes(), None)
            .unwrap()
            .iter()
            .map(|d| &body[d.start..d.end])
            .collect()
    }

    fn tracked_of(element: &str) -> Vec<Option<String>> {
        let page = format!("[{element}]");
        let docs = split(page.as_bytes(), None).unwrap();
        docs[0].tracked[..2]
            .iter()
            .map(|t| {
                t.as_ref()
                    .map(|t| String::from_utf8_lossy(t.bytes(page.as_bytes())).into_owned())
            })
            .collect()
    }

    /// The change time at `path` in the document `doc`, as the split of a page of it reads it.
    fn at(doc: &str, path: &str) -> Option<String> {
        let page = format!("[{doc}]");
        let docs = split(page.as_bytes(), Some(path)).ok()?;
        let [d] = &docs[..] else { return None };
        d.tracked[2].as_ref().map(|t| match t {
            TrackedText::At(s, e) => page[*s..*e].to_owned(),
            TrackedText::Text(t) => format!("decoded:{t}"),
        })
    }

    #[test]
    fn reads_top_level_and_nested_strings_past_other_members() {
        let doc = r#"{"id":"PR-1","asset":{"updated":"no","x":[1,{"y":"}]"},"\"{"]},
            "n": -1.5e3, "t": true, "events" : {"created":{"at":"C"}, "updated" : {"at":"2024-01-02T03:04:05+00:00","by":null}},
            "updated":"2024-05-06T07:08:09+00:00"}"#;
        assert_eq!(
            at(doc, "updated").as_deref(),
            Some("2024-05-06T07:08:09+00:00")
        );
        assert_eq!(
            at(doc, "events.updated.at").as_deref(),
            Some("2024-01-02T03:04:05+00:00")
        );
        assert_eq!(at(doc, "events.created.at").as_deref(), Some("C"));
        assert_eq!(at(r#"{"a":"x\"y"}"#, "a").as_deref(), Some("decoded:x\"y"));
        for missing in [
            "nope",
            "events.updated.by",
            "events.deleted.at",
            "n",
            "id.x",
        ] {
            assert_eq!(at(doc, missing), None, "{missing}");
        }
        assert_eq!(at(r#"{"a\u0062":"x"}"#, "ab"), None);
        assert_eq!(at(r#"[{"a":"x"}]"#, "a"), None);
    }

    #[test]
    fn malformed_documents_give_nothing_and_never_panic() {
        let doc = r#"{"a":{"b":[1,"\\",{"c":"d"}],"e":"f\"g"},"updated":"2024-01-01T00:00:00Z"}"#;
        for end in 0..doc.len() {
            let _ = at(&doc[..end], "updated");
            let _ = at(&doc[end..], "a.e");
        }
        assert_eq!(at(r#"{"a":1 "updated":"x"}"#, "updated"), None);
        assert_eq!(at(r#"{"a":]]]],"updated":"x"}"#, "updated"), None);
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
                matches!(split(bad.as_bytes(), None), Err(SplitError::Json(_))),
                "{bad:?}"
            );
        }
        for not_array in ["{}", "\"ApiKey secret\"", "1", "null"] {
            assert_eq!(split(not_array.as_bytes(), None), Err(SplitError::NotArray));
        }
        assert_eq!(
            split(b"[\"ok\",\"\xff\"]", None),
            Err(SplitError::Utf8 { at: 7 })
        );
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
        assert!(split_once(page, None).is_none());
        let docs = split(page.as_bytes(), None).unwrap();
        let texts: Vec<&str> = docs.iter().map(|d| &page[d.start..d.end]).collect();
        assert_eq!(texts, ["1e999", r#"{"\udc00":1,"id":"a"}"#, "\"x\""]);
        assert!(docs.iter().all(|d| d.tracked == [None, None, None]));
        // Where both read a page, they agree.
        let page = r#" [ {"id":"a","status":"s","x":[1,{"id":"no"}]} , 2 ,"i\u0064"] "#;
        assert_eq!(split_once(page, None), split_raw(page, None).ok());
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
        let docs = split(body.as_bytes(), None).unwrap();
        let theirs: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(docs.len(), theirs.len());
        for (d, v) in docs.iter().zip(&theirs) {
            let alone: Value = serde_json::from_str(&body[d.start..d.end]).unwrap();
            assert_eq!(&alone, v);
            let text = |t: &Option<TrackedText>| {
                t.as_ref()
                    .map(|t| String::from_utf8_lossy(t.bytes(body.as_bytes())).into_owned())
            };
            assert_eq!(text(&d.tracked[0]).as_deref(), v["id"].as_str());
            assert_eq!(text(&d.tracked[1]).as_deref(), v["status"].as_str());
        }
    }
}
