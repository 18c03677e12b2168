//! The `operation` object of `queryJson`/`batchJson`, resolved against the catalog, and the
//! request pieces every action shares: path parameters, query parameters, tracked properties.

use serde::Deserialize;
use serde_json::Value;

use crate::catalog::{self, Action, ActionSpec, ObjectSpec, Output, RESOURCE_PATH_PARAM};
use crate::error::{CoreError, Result};
use crate::log::Log;
use crate::settings::Properties;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationJson {
    pub operation_type: String,
    #[serde(default)]
    pub custom_operation_type: Option<String>,
    pub object_type: String,
    #[serde(default)]
    pub properties: Properties,
    #[serde(default)]
    pub selected_fields: Option<Vec<String>>,
}

/// An operation resolved against the catalog.
#[derive(Clone, Debug)]
pub struct Operation {
    pub object: &'static ObjectSpec,
    pub spec: &'static ActionSpec,
    pub properties: Properties,
    pub selected_fields: Option<Vec<String>>,
}

/// The action a Boomi operation (type + custom type) stands for, or a message saying why not.
pub fn action_of(operation_type: &str, custom: Option<&str>) -> Result<Action> {
    Action::from_boomi(operation_type, custom).ok_or_else(|| {
        CoreError::invalid_request(format!(
            "operation type {operation_type}{} is not an action of this connector; re-create the operation",
            custom.map(|c| format!("/{c}")).unwrap_or_default()
        ))
    })
}

/// The catalog entry of an object type and action, or a message saying what to change.
pub fn object_action(
    object_type: &str,
    action: Action,
) -> Result<(&'static ObjectSpec, &'static ActionSpec)> {
    let object = catalog::object(object_type).ok_or_else(|| {
        CoreError::invalid_request(format!(
            "object type \"{object_type}\" is not offered by this connector version; re-import the operation's object"
        ))
    })?;
    let spec = object.action(action).ok_or_else(|| {
        CoreError::invalid_request(format!(
            "{} does not support the action \"{}\"; pick another object or action",
            object.label,
            action.label()
        ))
    })?;
    Ok((object, spec))
}

impl OperationJson {
    pub fn resolve(self) -> Result<Operation> {
        let action = action_of(&self.operation_type, self.custom_operation_type.as_deref())?;
        let (object, spec) = object_action(&self.object_type, action)?;
        Ok(Operation {
            object,
            spec,
            properties: self.properties,
            selected_fields: self.selected_fields,
        })
    }
}

impl Operation {
    /// A parameter's value: the document property of the same id wins over the operation setting.
    pub fn param(&self, dynamic: &Properties, name: &str) -> Option<String> {
        dynamic.text(name).or_else(|| self.properties.text(name))
    }

    /// The unencoded path segments of this action for one document (or query).
    ///
    /// Parameters come from [`Operation::param`]; Boomi's object id (GET and DELETE) fills the
    /// parameter the catalog names in `object_id_param`. The Generic Resource's path parameter
    /// is a whole path whose own `{name}` placeholders are filled the same way, `{id}` by the
    /// object id; without an `{id}` placeholder, a given object id is appended as the last segment.
    pub fn path_segments(
        &self,
        dynamic: &Properties,
        object_id: Option<&str>,
    ) -> Result<Vec<String>, String> {
        let object_id = object_id.map(str::trim).filter(|s| !s.is_empty());
        if let Some(id) = object_id {
            path_value("the document's object ID", id)?;
        }
        let id_param = self.spec.object_id_param();
        let required = |name: &str| -> Result<String, String> {
            let value = self.param(dynamic, name).ok_or_else(|| missing(name))?;
            path_value(&labelled(name), &value)?;
            Ok(value)
        };
        let mut out = Vec::new();
        for seg in self.spec.path.split('/').filter(|s| !s.is_empty()) {
            let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                out.push(seg.to_owned());
                continue;
            };
            if name == RESOURCE_PATH_PARAM {
                let path = required(name)?;
                if path.contains(['?', '#']) {
                    return Err(format!(
                        "{} must be a path only, without '?' or '#'",
                        labelled(name)
                    ));
                }
                let mut used_id = false;
                for sub in path.split('/').filter(|s| !s.is_empty()) {
                    match (
                        sub.strip_prefix('{').and_then(|s| s.strip_suffix('}')),
                        object_id,
                    ) {
                        (Some("id"), Some(id)) => {
                            used_id = true;
                            out.push(id.to_owned());
                        }
                        (Some(inner), _) => out.push(required(inner)?),
                        (None, _) => {
                            path_value(&labelled(name), sub)?;
                            out.push(sub.to_owned());
                        }
                    }
                }
                // `/marketplaces` with the object id MP-1 addresses `/marketplaces/MP-1`.
                if let Some(id) = object_id.filter(|_| !used_id && self.spec.takes_object_id()) {
                    out.push(id.to_owned());
                }
            } else {
                match (object_id, id_param) {
                    (Some(id), Some(p)) if p == name => out.push(id.to_owned()),
                    _ => out.push(required(name)?),
                }
            }
        }
        Ok(out)
    }

    /// The user's field selection as paths of the output profile (`asset/id`), or `None` for
    /// all fields. Boomi's exact form of these paths for JSON profiles is not documented, so both
    /// root-relative paths and paths led by a root segment (`Request/asset/id`) are read; a
    /// selection that does not match the profile counts as all fields, with one warning naming
    /// what was received, so a misread selection never drops data.
    pub fn field_selection(&self, log: &mut Log) -> Option<Vec<String>> {
        let received = self.selected_fields.as_ref()?;
        let Output::Json { schema } = self.spec.output else {
            return None;
        };
        let fields = crate::profiles::profile_fields(schema);
        let known = |p: &str| fields.iter().any(|f| f.path == p);
        let mut paths = Vec::with_capacity(received.len());
        for raw in received {
            let path = raw.trim().trim_matches('/');
            let below_root = path.split_once('/').map(|(_, rest)| rest);
            match below_root {
                _ if known(path) => paths.push(path.to_owned()),
                Some(rest) if known(rest) => paths.push(rest.to_owned()),
                _ => {
                    paths.clear();
                    break;
                }
            }
        }
        if paths.is_empty() {
            log.warning(format!(
                "the selected fields {received:?} do not match the {schema} profile; \
                 all fields are requested instead (re-import the operation's object if its profile changed)"
            ));
            return None;
        }
        Some(paths)
    }

    /// The action's optional query parameters that have a value, encoded (`a=1&b=2`).
    pub fn query_params(&self, dynamic: &Properties) -> String {
        let pairs: Vec<String> = self
            .spec
            .query
            .iter()
            .filter_map(|name| {
                let v = self.param(dynamic, name)?;
                Some(format!(
                    "{}={}",
                    encode_component(name),
                    encode_component(&v)
                ))
            })
            .collect();
        pairs.join("&")
    }
}

fn missing(name: &str) -> String {
    format!(
        "no value for {}: set it in the operation, or as the document property {name}",
        labelled(name)
    )
}

/// `"Request ID" (request_id)`: how messages name a parameter.
fn labelled(name: &str) -> String {
    format!("\"{}\" ({name})", catalog::param_label(name))
}

/// Checks a value that becomes a path segment. The URL library drops `.` and `..` segments (so
/// `requests/{id}` with the id `..` would call `requests`, another endpoint) and silently removes
/// tabs and line breaks (so `PR-1<line break>2` would name `PR-12`): refuse those instead of
/// addressing something the user did not name. Everything else is percent-encoded as it is.
fn path_value(what: &str, value: &str) -> Result<(), String> {
    if value == "." || value == ".." {
        return Err(format!(
            "{what} is {value:?}, which cannot be a segment of a URL path"
        ));
    }
    if value.contains(['\t', '\n', '\r']) {
        return Err(format!(
            "{what} contains a tab or line break, which cannot be sent in a URL path: {value:?}"
        ));
    }
    Ok(())
}

/// Percent-encodes a query-string component for Connect. The server decodes the whole query
/// string with Python's `unquote`, which leaves `+` alone, so a space must be `%20`, never `+`.
pub fn encode_component(value: &str) -> String {
    // byte_serialize writes a space as `+` and a literal `+` as `%2B`: every `+` is a space.
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Tracked properties of one JSON object: its top-level `id` and `status`, when it has them.
pub fn tracked(json: &[u8]) -> Vec<(String, String)> {
    #[derive(Deserialize)]
    struct Tracked {
        #[serde(default)]
        id: Option<Value>,
        #[serde(default)]
        status: Option<Value>,
    }
    // Only objects: serde would also read a JSON array positionally into the struct.
    if json.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Vec::new();
    }
    let Ok(t) = serde_json::from_slice::<Tracked>(json) else {
        return Vec::new();
    };
    [("id", t.id), ("status", t.status)]
        .into_iter()
        .filter_map(|(name, v)| match v? {
            Value::String(s) => Some((name.to_owned(), s)),
            Value::Number(n) => Some((name.to_owned(), n.to_string())),
            _ => None,
        })
        .collect()
}

/// `a&b`, skipping empty parts.
pub fn join_query(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(object: &str, op_type: &str, custom: Option<&str>, props: Value) -> Operation {
        serde_json::from_value::<OperationJson>(serde_json::json!({
            "operationType": op_type, "customOperationType": custom, "objectType": object, "properties": props
        }))
        .unwrap()
        .resolve()
        .unwrap()
    }

    fn props(v: Value) -> Properties {
        serde_json::from_value(v).unwrap()
    }

    /// A Generic Resource operation on the user's `resource_path`.
    fn generic(action: &str, resource_path: &str) -> Operation {
        op(
            "GENERIC",
            action,
            None,
            serde_json::json!({ "resource_path": resource_path }),
        )
    }

    #[test]
    fn unknown_things_are_invalid_requests() {
        let j = |t: &str, c: Option<&str>, o: &str| {
            serde_json::from_value::<OperationJson>(
                serde_json::json!({"operationType": t, "customOperationType": c, "objectType": o}),
            )
            .unwrap()
            .resolve()
            .unwrap_err()
        };
        assert!(
            j("EXECUTE", Some("NOPE"), "REQUEST")
                .message
                .contains("EXECUTE/NOPE")
        );
        assert!(j("QUERY", None, "NOPE").message.contains("\"NOPE\""));
    }

    #[test]
    fn path_params_document_overrides_operation() {
        let o = op(
            "REQUEST",
            "EXECUTE",
            Some("APPROVE"),
            serde_json::json!({"request_id": "PR-op"}),
        );
        assert_eq!(
            o.path_segments(&Properties::default(), None).unwrap(),
            ["requests", "PR-op", "approve"]
        );
        let d = props(serde_json::json!({"request_id": "PR-doc"}));
        assert_eq!(
            o.path_segments(&d, None).unwrap(),
            ["requests", "PR-doc", "approve"]
        );
        let none = op("REQUEST", "EXECUTE", Some("APPROVE"), serde_json::json!({}));
        let e = none
            .path_segments(&Properties::default(), None)
            .unwrap_err();
        assert!(e.contains("request_id") && e.contains("Request ID"), "{e}");
    }

    #[test]
    fn get_object_id_fills_last_param() {
        let o = op("REQUEST", "GET", None, serde_json::json!({}));
        assert_eq!(
            o.path_segments(&Properties::default(), Some("PR-1"))
                .unwrap(),
            ["requests", "PR-1"]
        );
    }

    #[test]
    fn generic_object_id_fills_id_or_is_appended() {
        let none = Properties::default();
        for action in ["GET", "DELETE"] {
            let plain = generic(action, "/marketplaces");
            assert_eq!(
                plain.path_segments(&none, Some("MP-1")).unwrap(),
                ["marketplaces", "MP-1"],
                "{action}"
            );
            // Without an object id the path is used as it is.
            assert_eq!(plain.path_segments(&none, None).unwrap(), ["marketplaces"]);
            let placeholder = generic(action, "/listing-requests/{id}/x");
            assert_eq!(
                placeholder.path_segments(&none, Some("LR-1")).unwrap(),
                ["listing-requests", "LR-1", "x"],
                "{action}"
            );
        }
        // Other actions get no object id from Boomi: `{id}` comes from the `id` property.
        let update = op(
            "GENERIC",
            "UPDATE",
            None,
            serde_json::json!({"resource_path": "/cases/{id}", "id": "CA-1"}),
        );
        assert_eq!(
            update.path_segments(&none, None).unwrap(),
            ["cases", "CA-1"]
        );
    }

    #[test]
    fn dot_segments_and_line_breaks_are_refused() {
        // Found by the document_body fuzz target: the URL library drops `..` (GET /requests/..
        // became the list call GET /requests) and strips tabs and line breaks from segments.
        let none = Properties::default();
        let get = op("REQUEST", "GET", None, serde_json::json!({}));
        for id in ["..", ".", " .. ", "PR-1\n2", "PR\t1"] {
            let e = get.path_segments(&none, Some(id)).unwrap_err();
            assert!(e.contains("object ID"), "{e}");
        }
        let approve = op("REQUEST", "EXECUTE", Some("APPROVE"), serde_json::json!({}));
        let e = approve
            .path_segments(&props(serde_json::json!({"request_id": ".."})), None)
            .unwrap_err();
        assert!(e.contains("\"Request ID\" (request_id)"), "{e}");
        let dotted = generic("GET", "/a/../b");
        let e = dotted.path_segments(&none, None).unwrap_err();
        assert!(e.contains("resource_path"), "{e}");
        // Not path steps: these are percent-encoded and sent as they are.
        assert_eq!(
            get.path_segments(&none, Some("...")).unwrap(),
            ["requests", "..."]
        );
        assert_eq!(
            get.path_segments(&none, Some("a/..")).unwrap(),
            ["requests", "a/.."]
        );
    }

    fn selecting(object: &str, fields: Option<&[&str]>) -> (Option<Vec<String>>, Log) {
        let mut o = op(object, "QUERY", None, serde_json::json!({}));
        o.selected_fields = fields.map(|f| f.iter().map(|s| (*s).to_owned()).collect());
        let mut log = Log::new();
        (o.field_selection(&mut log), log)
    }

    #[test]
    fn selections_with_or_without_a_root_segment_name_profile_paths() {
        let want = Some(vec!["id".to_owned(), "asset/id".to_owned()]);
        for given in [
            ["id", "asset/id"],
            ["Request/id", "Request/asset/id"],
            ["/Root/id", "/Root/asset/id/"],
        ] {
            let (got, log) = selecting("REQUEST", Some(&given));
            assert_eq!(got, want, "{given:?}");
            assert!(log.is_empty(), "{given:?}: {log:?}");
        }
        assert_eq!(selecting("REQUEST", None).0, None);
    }

    #[test]
    fn a_selection_that_misses_the_profile_is_all_fields_with_a_warning() {
        for given in [&["nothing", "like/this"][..], &["id", "no_such_field"], &[]] {
            let (got, log) = selecting("REQUEST", Some(given));
            assert_eq!(got, None, "{given:?}");
            let [(crate::log::Level::Warning, text)] = log.entries() else {
                panic!("{given:?}: {log:?}");
            };
            assert!(
                text.contains(&format!("{given:?}")) && text.contains("Request profile"),
                "{text}"
            );
        }
    }

    #[test]
    fn components_encode_spaces_as_percent_20() {
        assert_eq!(encode_component("a b+c&d=é"), "a%20b%2Bc%26d%3D%C3%A9");
        assert_eq!(encode_component("PR-1_x.y"), "PR-1_x.y");
    }

    #[test]
    fn tracked_id_and_status() {
        assert_eq!(
            tracked(br#"{"id":"PR-1","status":"pending","x":{"id":"no"}}"#),
            [
                ("id".to_owned(), "PR-1".to_owned()),
                ("status".to_owned(), "pending".to_owned())
            ]
        );
        assert_eq!(tracked(br#"{"name":"x"}"#), []);
        assert_eq!(tracked(b"[1]"), []);
    }
}
