//! JSON Schema profiles and filterable fields, generated from the official Connect OpenAPI spec
//! by `cargo xtask profiles` into `rust/core/profiles/` (never written by hand; an xtask test
//! fails when they are stale).
//!
//! A profile is named by the catalog ([`crate::catalog::Body::Json`] and
//! [`crate::catalog::Output::Json`]); its schema is the request body or 2xx response of the
//! catalog endpoint that names it (the array's item for List).

/// One field of an object that List can filter on, from the spec's query parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field as Boomi shows it, nested names joined by `/` (`asset/product/id`); the RQL
    /// translation turns `/` into `.`.
    pub name: &'static str,
    /// The JSON type of the field's values (`string`, `integer`, `number`, `boolean`).
    pub kind: &'static str,
    /// The RQL lookups Connect accepts on the field (`eq`, `ne`, `like`, `in`, `null`, ...).
    pub lookups: &'static [&'static str],
    /// Whether Connect can order by the field.
    pub sortable: bool,
}

include!("../profiles/generated.rs");

/// One field of a profile: its Boomi path (`asset/product/id`, array items without an index)
/// and its JSON type (an array's is its items' type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileField {
    pub path: String,
    pub kind: String,
}

/// Every field of a named profile, objects and their members alike, in the profile's order;
/// read once per library copy. Empty for an unknown profile.
pub fn profile_fields(name: &str) -> &'static [ProfileField] {
    use std::collections::HashMap;
    use std::sync::LazyLock;
    static FIELDS: LazyLock<HashMap<&'static str, Vec<ProfileField>>> = LazyLock::new(|| {
        SCHEMAS
            .iter()
            .map(|(name, text)| {
                let mut out = Vec::new();
                if let Ok(schema) = serde_json::from_str::<serde_json::Value>(text) {
                    collect_fields(&schema, "", &mut out);
                }
                (*name, out)
            })
            .collect()
    });
    FIELDS.get(name).map_or(&[], Vec::as_slice)
}

fn collect_fields(schema: &serde_json::Value, prefix: &str, out: &mut Vec<ProfileField>) {
    // An array stands for its items: Boomi names an item's field without an index.
    let schema = match schema.get("items") {
        Some(items) if schema["type"] == "array" => items,
        _ => schema,
    };
    let Some(props) = schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
    else {
        return;
    };
    for (name, prop) in props {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let item = match prop.get("items") {
            Some(items) if prop["type"] == "array" => items,
            _ => prop,
        };
        let kind = item["type"]
            .as_str()
            .unwrap_or(if item.get("properties").is_some() {
                "object"
            } else {
                "string"
            });
        out.push(ProfileField {
            path: path.clone(),
            kind: kind.to_owned(),
        });
        collect_fields(prop, &path, out);
    }
}

/// The JSON Schema (as text) of a named profile, such as `Request` or `ApproveRequest`.
pub fn schema(name: &str) -> Option<&'static str> {
    SCHEMAS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| SCHEMAS[i].1)
}

/// The fields List can filter (and maybe sort) on for a catalog object id; empty for objects
/// without List and for the Generic Resource, whose fields nobody knows in advance.
pub fn field_specs(object_id: &str) -> &'static [FieldSpec] {
    FIELD_SPECS
        .iter()
        .find(|(id, _)| *id == object_id)
        .map_or(&[], |(_, fields)| fields)
}

/// The fields the `select()` of an object's List endpoint can name (Boomi paths), as the spec
/// documents them: hidden unless selected, or returned unless excluded. Empty for most objects.
pub fn select_specs(object_id: &str) -> &'static [(&'static str, crate::rql::SelectKind)] {
    SELECT_SPECS
        .iter()
        .find(|(id, _)| *id == object_id)
        .map_or(&[], |(_, fields)| fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, Action, Body, Output};

    fn catalog_profiles() -> Vec<&'static str> {
        catalog::objects()
            .iter()
            .flat_map(|o| o.actions.iter())
            .flat_map(|a| {
                let input = match a.body {
                    Body::Json { schema } => Some(schema),
                    _ => None,
                };
                let output = match a.output {
                    Output::Json { schema } => Some(schema),
                    _ => None,
                };
                input.into_iter().chain(output)
            })
            .collect()
    }

    #[test]
    fn every_profile_the_catalog_names_exists_and_is_a_json_schema() {
        for name in catalog_profiles() {
            let text = schema(name).unwrap_or_else(|| panic!("no profile {name}"));
            let v: serde_json::Value = serde_json::from_str(text).expect(name);
            assert_eq!(v["title"], name);
            // Bulk Close takes a JSON array; every other profile is one object.
            assert!(v["type"] == "object" || v["type"] == "array", "{name}");
            assert!(!text.contains("\"$ref\""), "{name}");
        }
        assert_eq!(schema("NoSuchProfile"), None);
    }

    #[test]
    fn no_profile_is_orphaned() {
        let used = catalog_profiles();
        for (name, _) in SCHEMAS {
            assert!(used.contains(name), "{name} is generated but unused");
        }
        assert!(SCHEMAS.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
    }

    #[test]
    fn profile_fields_are_paths_with_types() {
        let fields = profile_fields("Request");
        let kind = |p: &str| {
            fields
                .iter()
                .find(|f| f.path == p)
                .map(|f| f.kind.as_str())
                .unwrap_or_else(|| panic!("no {p}"))
        };
        assert_eq!(kind("id"), "string");
        assert_eq!(kind("asset"), "object");
        assert_eq!(kind("asset/product/id"), "string");
        // Array items are named without an index.
        assert_eq!(kind("asset/items"), "object");
        assert_eq!(kind("asset/items/id"), "string");
        assert!(profile_fields("NoSuchProfile").is_empty());
    }

    #[test]
    fn list_objects_have_field_specs() {
        for o in catalog::objects() {
            let fields = field_specs(o.id);
            match o.action(Action::List) {
                Some(list) if !list.is_generic() => {
                    for f in fields {
                        assert!(!f.name.is_empty() && !f.name.contains('.'), "{}", f.name);
                    }
                }
                _ => assert!(fields.is_empty(), "{}", o.id),
            }
        }
        // Filtering requests by product broke in the old connector's hand-written profiles.
        let product = field_specs("REQUEST")
            .iter()
            .find(|f| f.name == "asset/product/id")
            .expect("asset/product/id");
        assert!(product.lookups.contains(&"eq"));
        assert!(field_specs("USAGE_REPORT").iter().any(|f| f.sortable));
    }
}
