//! Browsing: the object types an action offers, and the input/output definitions of one object.

use serde::Deserialize;

use crate::catalog::{self, Action, ActionSpec, Body, Output};
use crate::error::{CoreError, Result};
use crate::log::Log;
use crate::operation::{action_of, object_action};
use crate::wire::{self, Definition, FieldSpec, ObjectType};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BrowseJson {
    kind: String,
    operation_type: String,
    #[serde(default)]
    custom_operation_type: Option<String>,
    #[serde(default)]
    object_type: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
}

/// An OBJECT_TYPES or DEFINITIONS frame for `browseJson`.
pub fn browse(json: &[u8]) -> Result<Vec<u8>> {
    let b: BrowseJson = serde_json::from_slice(json)
        .map_err(|e| CoreError::invalid_request(format!("browse request is not valid: {e}")))?;
    let action = action_of(&b.operation_type, b.custom_operation_type.as_deref())?;
    let log = Log::new();
    match b.kind.as_str() {
        "types" => {
            let types: Vec<ObjectType> = catalog::objects_for(action)
                .map(|o| ObjectType {
                    id: o.id.to_owned(),
                    label: o.label.to_owned(),
                    help: o.help.to_owned(),
                })
                .collect();
            Ok(wire::object_types(&log, &types))
        }
        "definitions" => {
            let (object, spec) = object_action(b.object_type.as_deref().unwrap_or(""), action)?;
            let defs = b
                .roles
                .iter()
                .map(|role| definition(object.id, spec, action, role))
                .collect::<Result<Vec<_>>>()?;
            Ok(wire::definitions(&log, &defs))
        }
        other => Err(CoreError::invalid_request(format!(
            "unknown browse kind \"{other}\" (expected \"types\" or \"definitions\")"
        ))),
    }
}

fn definition(
    object_id: &str,
    spec: &ActionSpec,
    action: Action,
    role: &str,
) -> Result<Definition> {
    let (input_type, input_schema) = match spec.body {
        Body::None | Body::SetFlag { .. } => ("none", None),
        Body::Json { schema } => ("json", Some(schema)),
        // The file travels as the document's bytes.
        Body::Multipart { .. } => ("binary", None),
    };
    let (output_type, output_schema) = match spec.output {
        Output::Json { schema } => ("json", Some(schema)),
        Output::Empty => ("none", None),
        Output::Binary => ("binary", None),
    };
    let schema = match role {
        "INPUT" => input_schema,
        "OUTPUT" => output_schema,
        other => {
            return Err(CoreError::invalid_request(format!(
                "unknown definition role \"{other}\" (expected INPUT or OUTPUT)"
            )));
        }
    };
    Ok(Definition {
        role: role.to_owned(),
        input_type: input_type.to_owned(),
        output_type: output_type.to_owned(),
        json_schema: schema
            .and_then(crate::profiles::schema)
            .unwrap_or("")
            .to_owned(),
        cookie: String::new(),
        fields: if role == "OUTPUT" {
            fields(object_id, spec, action)
        } else {
            Vec::new()
        },
    })
}

/// Field specs of a query's output: every field of the object's profile, filterable and sortable
/// only where the OpenAPI spec documents lookups and ordering for the list endpoint, plus the
/// documented filter fields the profile lacks (none for other actions).
fn fields(object_id: &str, spec: &ActionSpec, action: Action) -> Vec<FieldSpec> {
    if action != Action::List {
        return Vec::new();
    }
    let filters = crate::profiles::field_specs(object_id);
    let profile = match spec.output {
        Output::Json { schema } => crate::profiles::profile_fields(schema),
        _ => &[],
    };
    let mut out: Vec<FieldSpec> = profile
        .iter()
        .filter(|f| f.kind != "object")
        .map(|f| {
            let documented = filters.iter().find(|d| d.name == f.path);
            FieldSpec {
                name: f.path.clone(),
                field_type: f.kind.clone(),
                filterable: documented.is_some_and(|d| !d.lookups.is_empty()),
                sortable: documented.is_some_and(|d| d.sortable),
                // Selection only decides Connect's optional parts (see rql::build_select).
                selectable: true,
            }
        })
        .collect();
    for d in filters {
        if !out.iter().any(|f| f.name == d.name) {
            out.push(FieldSpec {
                name: d.name.to_owned(),
                field_type: d.kind.to_owned(),
                filterable: !d.lookups.is_empty(),
                sortable: d.sortable,
                selectable: true,
            });
        }
    }
    out
}
