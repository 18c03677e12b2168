//! A list page split into its documents by serde_json: the page must be one JSON array (RFC 8259,
//! as serde_json reads it), each element is borrowed as its exact bytes (`&RawValue`, never
//! re-serialised) and its top-level `id` and `status` are read from those bytes.
//!
//! One rule for every page: a body that serde_json does not read as an array of values fails the
//! whole page, whatever the element that breaks it. Why serde_json and not a faster parser is in
//! `docs/architecture.md` (it splits several times faster than any network delivers a page).

use std::fmt;

use serde::Deserialize;
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
    let elements: Vec<&RawValue> = serde_json::from_str(text)?;
    Ok(elements
        .into_iter()
        .map(|raw| {
            let start = offset_in(text, raw.get());
            PageDocument {
                start,
                end: start + raw.get().len(),
                tracked: tracked(raw.get(), start),
            }
        })
        .collect())
}

/// Where `inner`, a slice of `outer`, starts in it.
fn offset_in(outer: &str, inner: &str) -> usize {
    inner.as_ptr() as usize - outer.as_ptr() as usize
}

/// The top-level members of an element that are tracked; the rest are skipped unread.
#[derive(Deserialize)]
struct Members<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    status: Option<&'a RawValue>,
}

/// `id` and `status` of `element` (starting at `start` in the page) as text: strings and
/// numbers; other values none. The element goes untracked rather than half-tracked when it is not
/// an object, a tracked member is repeated, or a name or tracked value cannot be decoded (a lone
/// surrogate escape, a number beyond `f64`).
fn tracked(element: &str, start: usize) -> [Option<TrackedText>; 2] {
    // Only objects: serde would also read a JSON array positionally into the struct.
    if !element.starts_with('{') {
        return [None, None];
    }
    let Ok(members) = serde_json::from_str::<Members<'_>>(element) else {
        return [None, None];
    };
    let text = |raw: Option<&RawValue>| -> Result<Option<TrackedText>, ()> {
        let Some(raw) = raw else { return Ok(None) };
        let json = raw.get();
        if let Some(inner) = json.strip_prefix('"').and_then(|s| s.strip_suffix('"'))
            && !inner.contains('\\')
        {
            let at = start + offset_in(element, inner);
            return Ok(Some(TrackedText::At(at, at + inner.len())));
        }
        match serde_json::from_str::<Value>(json).map_err(|_| ())? {
            Value::String(s) => Ok(Some(TrackedText::Text(s))),
            Value::Number(n) => Ok(Some(TrackedText::Text(n.to_string()))),
            _ => Ok(None),
        }
    };
    match (text(members.id), text(members.status)) {
        (Ok(id), Ok(status)) => [id, status],
        _ => [None, None],
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
