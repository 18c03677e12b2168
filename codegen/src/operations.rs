//! `cargo xtask operations --json | --docs | --check`: the List of Operations from the catalog.
//!
//! `--json` prints one entry per object/action pair as a JSON array; `--docs` writes the user
//! guide's table, `docs/operations.md`, from the same entries; `--check` fails when that file is
//! stale (the unit test below does the same on every `cargo test`).

use anyhow::{Result, bail};
use connect_catalog::{self as catalog, Action, Body, BoomiOperationType, Output};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Boomi object type id.
    pub object: &'static str,
    /// The object's label.
    pub label: &'static str,
    /// Action id (the EXECUTE operations' custom type id).
    pub action: &'static str,
    pub action_label: &'static str,
    pub method: &'static str,
    /// Path template relative to the API base, parameters in braces.
    pub path: &'static str,
    pub boomi_type: &'static str,
    pub custom_type_id: Option<&'static str>,
    /// What the action sends: `none`, `json:<profile>` or `multipart:<file part>[+<note part>]`.
    pub input: String,
    /// What the action returns: `json:<profile>`, `empty` or `binary`.
    pub output: String,
    /// Optional query parameters.
    pub query: &'static [&'static str],
    /// List Resources: the field "Changed Since" filters and orders on, or why there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_since: Option<ChangedSince>,
    /// List Resources: the field the connection's "Environment" filters on, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_field: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangedSince {
    /// RQL field of the `ge` filter and the ordering; `None` when the object has none.
    pub field: Option<&'static str>,
    /// Where a document holds the same time (its `changedAt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<&'static str>,
    /// `last modified` or `created (new records only)`; without a field, why there is none.
    pub note: &'static str,
}

fn changed_since(o: &catalog::ObjectSpec) -> ChangedSince {
    match o.change_field() {
        Ok(f) => ChangedSince {
            field: Some(f.filter),
            document: Some(f.document),
            note: f.kind.label(),
        },
        Err(why) => ChangedSince {
            field: None,
            document: None,
            note: why,
        },
    }
}

pub fn entries() -> Vec<Entry> {
    catalog::objects()
        .iter()
        .flat_map(|o| o.actions.iter().map(move |a| (o, a)))
        .map(|(o, a)| {
            let t = a.action.boomi_type();
            Entry {
                object: o.id,
                label: o.label,
                action: a.action.id(),
                action_label: a.action.label(),
                method: if a.is_local() {
                    NO_CALL
                } else {
                    a.method.as_str()
                },
                path: a.path,
                boomi_type: t.as_str(),
                custom_type_id: (t == BoomiOperationType::Execute).then(|| a.action.id()),
                input: match a.body {
                    Body::None => "none".to_string(),
                    Body::Json { schema } => format!("json:{schema}"),
                    Body::Multipart {
                        file_part,
                        note_part,
                    } => match note_part {
                        Some(note) => format!("multipart:{file_part}+{note}"),
                        None => format!("multipart:{file_part}"),
                    },
                    Body::SetFlag { member, value, .. } => format!("set:{member}={value}"),
                },
                output: match a.output {
                    Output::Json { schema } => format!("json:{schema}"),
                    Output::Empty => "empty".to_string(),
                    Output::Binary => "binary".to_string(),
                },
                query: a.query,
                changed_since: (a.action == Action::List).then(|| changed_since(o)),
                environment_field: if a.action == Action::List {
                    o.environment_field()
                } else {
                    None
                },
            }
        })
        .collect()
}

/// The `method` of an action the connector does itself, without calling Connect.
pub const NO_CALL: &str = "none";

fn docs_path() -> PathBuf {
    crate::root().join("docs").join("operations.md")
}

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    match args.first().map(String::as_str) {
        Some("--json") if args.len() == 1 => {
            println!("{}", serde_json::to_string_pretty(&entries())?);
        }
        Some(flag @ ("--docs" | "--check")) if args.len() == 1 => {
            return crate::write_or_check(
                &docs_path(),
                &render_docs(),
                flag == "--check",
                "cargo xtask operations --docs",
            );
        }
        _ => bail!("usage: cargo xtask operations --json | --docs | --check"),
    }
    Ok(ExitCode::SUCCESS)
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn describe_input(e: &Entry) -> String {
    match e.input.split_once(':') {
        Some(("json", profile)) => format!("JSON `{profile}`"),
        Some(("multipart", parts)) => format!("the document as an .xlsx file (`{parts}`)"),
        Some(("set", flag)) => match flag.split_once('=') {
            Some((member, value)) => {
                format!("none: the object is read (GET) and sent back with `{member}: {value}`")
            }
            None => "none".to_string(),
        },
        _ => "none".to_string(),
    }
}

fn describe_output(e: &Entry) -> String {
    match e.output.split_once(':') {
        Some(("json", profile)) if e.action == "LIST" => format!("one document per `{profile}`"),
        Some(("json", profile)) => format!("JSON `{profile}`"),
        _ if e.output == "binary" => "the file (binary)".to_string(),
        _ => "empty success".to_string(),
    }
}

/// The user guide's List of Operations table (deterministic; catalog order).
fn render_docs() -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- Generated by `cargo xtask operations --docs` from rust/catalog: do not edit. -->\n\
         # List of Operations\n\n\
         Each Boomi operation picks a **Connector Action** and, in the import wizard, an **Object**.\n\
         Browsing an action lists exactly the objects below that support it. Paths are relative to the\n\
         connection's API Endpoint (`https://api.connect.cloudblue.com/public/v1`); every `{name}` in a\n\
         path is an operation setting of that id, overridable per document by the document property of the\n\
         same id. Get Resource and Delete Resource fill the path's last parameter from Boomi's object id.\n\
         A missing id fails that document with a message naming the property to set.\n\n\
         The Generic Resource object reaches any other Connect endpoint: set **Resource Path** to a path\n\
         under the API, such as `/marketplaces` or `/listing-requests/{id}`.\n\n\
         Input and output profiles are JSON Schemas generated from Connect's OpenAPI specification\n\
         (`cargo xtask profiles`). Any 2xx answer is a success; an action answered with 204 gives an empty\n\
         success.\n\n",
    );
    let all = entries();
    let _ = writeln!(
        out,
        "{} object/action pairs on {} objects.\n",
        all.len(),
        catalog::objects().len()
    );
    out.push_str("| Object | Connector Action | Boomi type | HTTP | Path | Input | Output |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for e in &all {
        let boomi = match e.custom_type_id {
            Some(id) => format!("EXECUTE `{id}`"),
            None => e.boomi_type.to_string(),
        };
        let mut path = if e.method == NO_CALL {
            "(no Connect call)".to_string()
        } else {
            format!("`{}`", e.path)
        };
        if !e.query.is_empty() {
            let _ = write!(path, " (query: `{}`)", e.query.join("`, `"));
        }
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} |",
            cell(e.label),
            e.object,
            cell(e.action_label),
            boomi,
            e.method,
            cell(&path),
            cell(&describe_input(e)),
            cell(&describe_output(e)),
        );
    }
    out.push_str(
        "\n## Incremental sync on List Resources\n\n\
         **Changed Since** adds `ge(<field>,<time>)` and orders by that field first; each document\n\
         carries its value of the same time as the tracked property `changedAt`. The field comes from\n\
         Connect's OpenAPI specification, which must document the `ge` lookup and ordering on it: the\n\
         last-modified time where it does, else the creation time (new records only). Objects without one\n\
         refuse Changed Since with the reason below. The connection's **Environment** (other than Any)\n\
         adds `eq(<environment field>,production|test|preview)` on the objects that have such a field;\n\
         the others are not filtered.\n\n\
         | Object | Changed Since field | `changedAt` from | Kind | Environment field |\n\
         |---|---|---|---|---|\n",
    );
    for e in all.iter().filter(|e| e.action == Action::List.id()) {
        let Some(c) = &e.changed_since else { continue };
        let code = |v: Option<&str>| v.map_or_else(|| "none".to_string(), |v| format!("`{v}`"));
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} | {} |",
            cell(e.label),
            e.object,
            code(c.field),
            code(c.document),
            cell(c.note),
            code(e.environment_field),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_docs_are_up_to_date() {
        let committed = std::fs::read_to_string(docs_path()).expect("docs/operations.md");
        assert!(
            committed == render_docs(),
            "docs/operations.md is stale: run `cargo xtask operations --docs`"
        );
    }

    #[test]
    fn json_has_one_entry_per_pair_with_the_issue_fields() {
        let json: serde_json::Value = serde_json::to_value(entries()).unwrap();
        let arr = json.as_array().unwrap();
        let pairs: usize = catalog::objects().iter().map(|o| o.actions.len()).sum();
        assert_eq!(arr.len(), pairs);
        for e in arr {
            for key in [
                "object",
                "label",
                "action",
                "actionLabel",
                "method",
                "path",
                "boomiType",
            ] {
                assert!(e[key].is_string(), "{key} in {e}");
            }
            let execute = e["boomiType"] == "EXECUTE";
            assert_eq!(e["customTypeId"].is_string(), execute, "{e}");
        }
        let approve = arr
            .iter()
            .find(|e| e["object"] == "REQUEST" && e["action"] == "APPROVE")
            .unwrap();
        assert_eq!(approve["method"], "POST");
        assert_eq!(approve["path"], "/requests/{request_id}/approve");
        assert_eq!(approve["customTypeId"], "APPROVE");
    }
}
