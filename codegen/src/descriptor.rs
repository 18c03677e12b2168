//! `cargo xtask descriptor [--check]`: writes `descriptors/connector-descriptor.xml` from the
//! catalog, so the operations Boomi's UI offers and the operations the core runs cannot disagree.
//! `--check` only compares and fails when the committed file is stale (the unit test below does
//! the same on every `cargo test`).

use anyhow::{Result, bail};
use connect_catalog::{self as catalog, Action, Body, BoomiOperationType, FILE_PATH_PARAM};
use connect_catalog::{sync, webhook};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// The Connect API base the connection offers by default (the old connector's default host,
/// `api.connect.cloud.im`, is legacy).
const DEFAULT_ENDPOINT: &str = "https://api.connect.cloudblue.com/public/v1";

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("usage: cargo xtask descriptor [--check]"),
    };
    crate::write_or_check(
        &descriptor_path(),
        &render(),
        check,
        "cargo xtask descriptor",
    )
}

fn descriptor_path() -> PathBuf {
    crate::root()
        .join("descriptors")
        .join("connector-descriptor.xml")
}

/// Escapes text for an XML attribute value or element content (`&<>"'` and carriage returns).
fn esc(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

/// One `<field>` of the connection or of an operation.
///
/// No field is `overrideable`: Boomi delivers such per-document overrides as dynamic operation
/// properties, which SDK 2.3.0 gives a connector no way to read. A value that a document may
/// change is a `<dynamicProperty>` of the same id instead (`TrackedData.getDynamicProperties()`).
struct Field<'a> {
    id: &'a str,
    label: &'a str,
    kind: &'a str,
    help: &'a str,
    default: Option<&'a str>,
    /// A list of choices, `(label, value)`; empty: free input.
    allowed: &'a [(&'a str, &'a str)],
}

impl Field<'_> {
    fn write(&self, out: &mut String, indent: &str) {
        // `textarea` is a multi-line string field: Boomi spells it as a display type.
        let kind = match self.kind {
            "textarea" => "string\" displayType=\"textarea",
            other => other,
        };
        let _ = writeln!(
            out,
            "{indent}<field id=\"{}\" label=\"{}\" type=\"{kind}\">",
            esc(self.id),
            esc(self.label),
        );
        let _ = writeln!(out, "{indent}  <helpText>{}</helpText>", esc(self.help));
        if let Some(d) = self.default {
            let _ = writeln!(out, "{indent}  <defaultValue>{}</defaultValue>", esc(d));
        }
        for (label, value) in self.allowed {
            let _ = writeln!(
                out,
                "{indent}  <allowedValue label=\"{}\"><value>{}</value></allowedValue>",
                esc(label),
                esc(value)
            );
        }
        let _ = writeln!(out, "{indent}</field>");
    }
}

const CONNECTION_FIELDS: &[Field<'static>] = &[
    Field {
        id: "endpoint",
        label: "API Endpoint",
        kind: "string",
        help: "Base URL of the CloudBlue Connect API, including /public/v1. Keep the default unless \
               CloudBlue gave you another API host.",
        default: Some(DEFAULT_ENDPOINT),
        allowed: &[],
    },
    Field {
        id: "apiToken",
        label: "API Token",
        kind: "password",
        help: "A Connect API token (Integrations > Tokens, extension type Custom) with permissions \
               for the modules the processes use. Paste the API Key as Connect shows it \
               (ApiKey SU-...:...) or the bare SU-...:... value.",
        default: None,
        allowed: &[],
    },
    Field {
        id: "connectTimeoutSeconds",
        label: "Connect Timeout (seconds)",
        kind: "integer",
        help: "How long to wait for the TCP and TLS connection to Connect, 1 to 600 seconds.",
        default: Some("30"),
        allowed: &[],
    },
    Field {
        id: "readTimeoutSeconds",
        label: "Read Timeout (seconds)",
        kind: "integer",
        help: "How long to wait for Connect's answer to one request, 1 to 3600 seconds. The \
               timer restarts whenever data arrives; Request Deadline limits the whole request.",
        default: Some("120"),
        allowed: &[],
    },
    Field {
        id: "requestDeadlineSeconds",
        label: "Request Deadline (seconds)",
        kind: "integer",
        help: "The longest one attempt of a request may take in all, sending and receiving, \
               1 to 86400 seconds, however slowly the answer arrives. A request cut by it is a \
               TIMEOUT, retried like one (reads only). Keep it above Read Timeout.",
        default: Some("600"),
        allowed: &[],
    },
    Field {
        id: "maxAttempts",
        label: "Maximum Attempts",
        kind: "integer",
        help: "How many times one request is tried in all, 1 to 10. Refused connections, 429 and \
               503 answers are retried for every request; timeouts and other 5xx answers only for \
               reads, because a write may already have taken effect.",
        default: Some("4"),
        allowed: &[],
    },
    Field {
        id: "maxRetryWaitSeconds",
        label: "Maximum Retry Wait (seconds)",
        kind: "integer",
        help: "The longest pause between two attempts, 0 to 600 seconds, including a \
               Retry-After that Connect asks for.",
        default: Some("60"),
        allowed: &[],
    },
    Field {
        id: "maxPageMegabytes",
        label: "Maximum Page Size (MB)",
        kind: "integer",
        help: "The largest List Resources page accepted, in MB after decompression, 1 to 1024. \
               Connect's pages are a few MB; a larger answer fails the query with TOO_LARGE \
               instead of filling the Atom's memory.",
        default: Some("64"),
        allowed: &[],
    },
    Field {
        id: "maxResponseMegabytes",
        label: "Maximum Response Size (MB)",
        kind: "integer",
        help: "The largest answer to one document (Get Resource, actions, file downloads) \
               accepted, in MB after decompression, 1 to 2048. A larger answer fails that \
               document with TOO_LARGE; raise it for larger downloads.",
        default: Some("100"),
        allowed: &[],
    },
    Field {
        id: "extraCaPem",
        label: "Extra CA Certificate (PEM)",
        kind: "textarea",
        help: "Optional. A CA certificate to trust in addition to the Atom host's certificate \
               store and the bundled public roots, as PEM text (-----BEGIN CERTIFICATE----- ...); \
               several may follow each other. Needed when a corporate proxy inspects TLS with its \
               own CA. Leave empty otherwise.",
        default: None,
        allowed: &[],
    },
    Field {
        id: sync::ENVIRONMENT,
        label: sync::ENVIRONMENT_LABEL,
        kind: "string",
        help: "Which marketplaces' records List Resources returns: Production, Test or Preview \
               adds a filter on the object's connection type (requests, assets, subscription \
               requests and assets, tier configs and their requests, usage files); other objects \
               are not filtered. Any returns all.",
        default: Some("any"),
        allowed: &ENVIRONMENTS,
    },
];

/// The Environment choices, `(label, value)`.
const ENVIRONMENTS: [(&str, &str); 4] = {
    use sync::Environment as E;
    [
        (E::Any.label(), E::Any.id()),
        (E::Production.label(), E::Production.id()),
        (E::Test.label(), E::Test.id()),
        (E::Preview.label(), E::Preview.id()),
    ]
};

/// The filter operators of `docs/architecture.md` (id, label, number of arguments, help).
const OPERATORS: &[(&str, &str, u8, &str)] = &[
    ("eq", "Equal To", 1, ""),
    ("ne", "Not Equal To", 1, ""),
    ("gt", "Greater Than", 1, ""),
    ("ge", "Greater Than or Equal", 1, ""),
    ("lt", "Less Than", 1, ""),
    ("le", "Less Than or Equal", 1, ""),
    (
        "like",
        "Like",
        1,
        "Case-sensitive pattern; * matches any text.",
    ),
    (
        "ilike",
        "Like (ignore case)",
        1,
        "Case-insensitive pattern; * matches any text.",
    ),
    (
        "in",
        "In List",
        1,
        "Comma-separated values; write \\, for a comma inside a value.",
    ),
    (
        "out",
        "Not In List",
        1,
        "Comma-separated values; write \\, for a comma inside a value.",
    ),
    ("null", "Is Null", 0, ""),
    ("not_null", "Is Not Null", 0, ""),
    ("empty", "Is Empty", 0, ""),
    ("not_empty", "Is Not Empty", 0, ""),
    (
        "rql",
        "Raw RQL",
        1,
        "An RQL expression sent as written, such as and(eq(status,active),ge(created,2024-01-01)); \
         the field is ignored.",
    ),
];

fn query_fields() -> Vec<Field<'static>> {
    vec![
        Field {
            id: "pageSize",
            label: "Page Size",
            kind: "integer",
            help: "How many objects one request to Connect asks for, at most 1000. The operation \
                   pages through all results.",
            default: Some("100"),
            allowed: &[],
        },
        Field {
            id: "maxDocuments",
            label: "Maximum Documents",
            kind: "integer",
            help: "Stop after this many documents; 0 returns all.",
            default: Some("0"),
            allowed: &[],
        },
        Field {
            id: "parallelPages",
            label: "Parallel Page Requests",
            kind: "integer",
            help: "How many pages are requested from Connect at the same time once the first \
                   page gave the number of results, 1 to 16 (1: one page after another). \
                   Documents keep their order; each page in flight is held in memory. Lowered \
                   for the rest of the run when Connect answers 429 or 503. With Changed Since, \
                   pages are requested one at a time, each from where the page before ended.",
            default: Some("4"),
            allowed: &[],
        },
        Field {
            id: "searchTerm",
            label: "Search Term",
            kind: "string",
            help: "Free-text search (Connect's search parameter) on the fields the object marks as \
                   searchable, combined with the filters.",
            default: None,
            allowed: &[],
        },
        Field {
            id: "countOnly",
            label: "Count Only",
            kind: "boolean",
            help: "Return one document {\"count\": N} with the number of matching objects instead \
                   of the objects themselves (also the tracked property Count). Sorts, selected \
                   fields, Page Size, Maximum Documents and Parallel Page Requests do not apply.",
            default: Some("false"),
            allowed: &[],
        },
        Field {
            id: sync::CHANGED_SINCE,
            label: sync::CHANGED_SINCE_LABEL,
            kind: "string",
            help: "Incremental sync: only objects changed at or after this ISO 8601 time \
                   (2024-05-01T12:00:00+00:00, or a date), oldest first; each document carries \
                   its time as the tracked property changedAt. The document property \
                   changedSince overrides it (feed it the stored changedAt of the last run). The \
                   field used per object is in the List of Operations; objects without one refuse \
                   it.",
            default: None,
            allowed: &[],
        },
    ]
}

const PARALLELISM: Field<'static> = Field {
    id: "parallelism",
    label: "Parallel Requests",
    kind: "integer",
    help: "How many documents are sent to Connect at the same time, 1 to 16. Results keep the \
           order of the documents.",
    default: Some("4"),
    allowed: &[],
};

/// Verify Webhook Call checks tokens against this secret; it sends nothing to Connect, so it
/// has no Parallel Requests.
const WEBHOOK_SECRET: Field<'static> = Field {
    id: webhook::SECRET_SETTING,
    label: "Webhook Secret",
    kind: "password",
    help: "The webhook's jwt_secret (Get Resource on Webhook shows it): Connect signs each call \
           to the webhook with it. Required.",
    default: None,
    allowed: &[],
};

/// The document property that carries a received call's Authorization header.
const WEBHOOK_TOKEN: Field<'static> = Field {
    id: webhook::TOKEN_PROPERTY,
    label: "Webhook Authorization",
    kind: "string",
    help: "Verify Webhook Call only: the Authorization header of the call Connect made \
           (Bearer <JWT>). A Web Services Server start shape gives it as the dynamic document \
           property inheader_Authorization when the header is passed to the process.",
    default: None,
    allowed: &[],
};

fn upload_fields(note: bool) -> Vec<Field<'static>> {
    let mut fields = vec![Field {
        id: FILE_PATH_PARAM,
        label: "File Path (legacy)",
        kind: "string",
        help: "Leave empty to upload the document itself (the .xlsx file), which works on every \
               Atom and Atom Cloud. Only for processes built for the old connector: a path to the \
               file on the Atom's disk, read when the document is empty (at most 50 MB); a \
               document with content is uploaded as it is.",
        default: None,
        allowed: &[],
    }];
    if note {
        fields.push(Field {
            id: "upload_note",
            label: "Upload Note",
            kind: "string",
            help: "A note stored with the uploaded reconciliation file.",
            default: None,
            allowed: &[],
        });
    }
    fields
}

/// The settings of the actions made of several Connect calls.
fn workflow_fields(action: Action) -> Vec<Field<'static>> {
    use connect_catalog::workflow::{WAIT_LABEL, WAIT_PARAM};
    match action {
        Action::SubmitUsageRecords => vec![
            Field {
                id: connect_catalog::usage::SUBMIT_PARAM,
                label: "Submit",
                kind: "boolean",
                help: "After the upload, wait until Connect has validated the usage file (status \
                       ready) and submit it. Off: the file is left uploaded, for a review in \
                       Connect or a later Submit.",
                default: Some("false"),
                allowed: &[],
            },
            Field {
                id: WAIT_PARAM,
                label: WAIT_LABEL,
                kind: "integer",
                help: "With Submit: how long to wait for Connect to validate the uploaded file, 0 \
                       to 1440 minutes; 0 checks once. A file still being validated then is an \
                       application error (the file stays uploaded).",
                default: Some(const_str(connect_catalog::usage::DEFAULT_WAIT_MINUTES)),
                allowed: &[],
            },
        ],
        Action::RunReport => vec![
            Field {
                id: WAIT_PARAM,
                label: WAIT_LABEL,
                kind: "integer",
                help: "How long to wait for the report, 0 to 1440 minutes; 0 checks once. A \
                       report not finished by then is an application error (it goes on in \
                       Connect).",
                default: Some(const_str(connect_catalog::report::DEFAULT_WAIT_MINUTES)),
                allowed: &[],
            },
            Field {
                id: connect_catalog::report::OBJECT_PARAM,
                label: "Return Report Object",
                kind: "boolean",
                help: "Return the report object (JSON) instead of the report's file.",
                default: Some("false"),
                allowed: &[],
            },
        ],
        _ => Vec::new(),
    }
}

/// A default wait as the descriptor's text (the defaults are the core's constants; the
/// generator runs once, so the few bytes it leaks do not matter).
fn const_str(minutes: i64) -> &'static str {
    Box::leak(minutes.to_string().into_boxed_str())
}

/// Help for a path or query parameter, naming the objects that use it (with `action`, only for
/// that action).
fn param_help(param: &str, action: Option<Action>) -> String {
    if param == catalog::RESOURCE_PATH_PARAM {
        return "Generic Resource only: the path under the API Endpoint, such as /marketplaces \
                or /listing-requests/{id}. {id} is the object id; any other {name} is filled \
                from the setting or document property of that id."
            .to_string();
    }
    let users: Vec<&str> = catalog::objects()
        .iter()
        .filter(|o| {
            o.actions
                .iter()
                .filter(|a| action.is_none_or(|wanted| a.action == wanted))
                .any(|a| a.path_params().any(|p| p == param) || a.query.contains(&param))
        })
        .map(|o| o.label)
        .collect();
    format!(
        "Used by: {}. A document property of the same name overrides it per document.",
        users.join(", ")
    )
}

/// The parameter fields of an action: every path and query parameter of the objects that offer
/// it, except the one Boomi's own object id fills on GET and DELETE.
fn param_fields(action: Action) -> Vec<(&'static str, String)> {
    let mut params: Vec<&'static str> = catalog::objects_for(action)
        .filter_map(|o| o.action(action))
        .flat_map(|a| {
            let own_id = a.object_id_param();
            a.path_params()
                .chain(a.query.iter().copied())
                .filter(move |p| Some(*p) != own_id)
        })
        .collect();
    params.sort_unstable();
    params.dedup();
    params
        .into_iter()
        .map(|p| (p, catalog::param_label(p)))
        .collect()
}

fn write_operation(out: &mut String, action: Action) {
    let t = action.boomi_type();
    let mut attrs = format!("types=\"{}\"", t.as_str());
    if t == BoomiOperationType::Execute {
        let _ = write!(attrs, " customTypeId=\"{}\"", action.id());
    }
    // Boomi's descriptor schema documents customTypeLabel as "the user visible name of this
    // operation", so the standard types read "List Resources", "Get Resource", ... too.
    let _ = write!(attrs, " customTypeLabel=\"{}\"", esc(action.label()));
    if t == BoomiOperationType::Query {
        attrs.push_str(" allowFieldSelection=\"true\"");
    }
    let _ = writeln!(out, "  <operation {attrs}>");
    let mut fields: Vec<Field> = Vec::new();
    if t == BoomiOperationType::Query {
        fields.extend(query_fields());
    }
    let params = param_fields(action);
    let helps: Vec<String> = params
        .iter()
        .map(|(p, _)| param_help(p, Some(action)))
        .collect();
    for ((id, label), help) in params.iter().zip(&helps) {
        fields.push(Field {
            id,
            label,
            kind: "string",
            help,
            default: None,
            allowed: &[],
        });
    }
    let uploads: Vec<Body> = catalog::objects_for(action)
        .filter_map(|o| o.action(action))
        .map(|a| a.body)
        .filter(|b| matches!(b, Body::Multipart { .. }))
        .collect();
    if !uploads.is_empty() {
        let note = uploads.iter().any(|b| {
            matches!(
                b,
                Body::Multipart {
                    note_part: Some(_),
                    ..
                }
            )
        });
        fields.extend(upload_fields(note));
    }
    fields.extend(workflow_fields(action));
    // The Atom hands GET one object id per call, so there is nothing to run in parallel.
    if action == Action::VerifyWebhookCall {
        fields.push(WEBHOOK_SECRET);
    } else if !matches!(t, BoomiOperationType::Query | BoomiOperationType::Get) {
        fields.push(PARALLELISM);
    }
    for f in &fields {
        f.write(out, "    ");
    }
    if t == BoomiOperationType::Query {
        out.push_str("    <queryFilter grouping=\"any\" sorting=\"unbounded\">\n");
        for (id, label, args, help) in OPERATORS {
            let _ = write!(
                out,
                "      <operator id=\"{id}\" label=\"{}\" numArguments=\"{args}\"",
                esc(label)
            );
            if help.is_empty() {
                out.push_str("/>\n");
            } else {
                let _ = writeln!(
                    out,
                    ">\n        <helpText>{}</helpText>\n      </operator>",
                    esc(help)
                );
            }
        }
        out.push_str("      <sortOrder id=\"asc\" label=\"Ascending\"/>\n");
        out.push_str("      <sortOrder id=\"desc\" label=\"Descending\"/>\n");
        out.push_str("    </queryFilter>\n");
    }
    out.push_str("  </operation>\n");
}

/// The whole descriptor, deterministic: actions in `Action::ALL` order, parameters sorted.
pub fn render() -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(
        "<!-- Generated by `cargo xtask descriptor` from rust/catalog: do not edit. -->\n",
    );
    // Browsing reads the catalog and the generated profiles from the native library, which
    // loads only where connectors may load one (local Atoms, not Boomi's cloud browsers), so
    // Import runs on an on-premise Atom. The connection is required for browsing because Boomi
    // runs the CUSTOM test connection on the Browser, which receives connection fields only with
    // this flag.
    out.push_str(
        "<GenericConnectorDescriptor browsingType=\"onpremise\" requireConnectionForBrowse=\"true\">\n",
    );
    out.push_str(
        "  <description>CloudBlue Connect: fulfillment, subscriptions, tiers, products, usage and \
         helpdesk objects of the Connect API.</description>\n",
    );
    for f in CONNECTION_FIELDS {
        f.write(&mut out, "  ");
    }
    out.push_str("  <testConnection method=\"CUSTOM\"/>\n");
    for action in Action::ALL {
        write_operation(&mut out, *action);
    }
    for param in catalog::all_params() {
        let _ = writeln!(
            out,
            "  <dynamicProperty id=\"{param}\" label=\"{}\" type=\"string\">\n    \
             <helpText>{}</helpText>\n  </dynamicProperty>",
            esc(&catalog::param_label(param)),
            esc(&param_help(param, None))
        );
    }
    // The upload settings and the webhook token are per-document values too.
    for f in upload_fields(true).iter().chain([&WEBHOOK_TOKEN]) {
        let _ = writeln!(
            out,
            "  <dynamicProperty id=\"{}\" label=\"{}\" type=\"string\">\n    \
             <helpText>{}</helpText>\n  </dynamicProperty>",
            f.id,
            esc(f.label),
            esc(f.help)
        );
    }
    // Changed Since is a per-document value of List Resources too.
    let changed_since_help = "List Resources: overrides the operation's Changed Since for the \
                              query (set it from the persisted changedAt of the last run; blank \
                              keeps the operation's value).";
    let _ = writeln!(
        out,
        "  <dynamicProperty id=\"{}\" label=\"{}\" type=\"string\">\n    \
         <helpText>{}</helpText>\n  </dynamicProperty>",
        sync::CHANGED_SINCE,
        sync::CHANGED_SINCE_LABEL,
        esc(changed_since_help)
    );
    // `count` is set only by List Resources with Count Only, `changedAt` with Changed Since.
    for (id, label) in [
        ("id", "Object ID"),
        ("status", "Status"),
        ("count", "Count"),
        (sync::CHANGED_AT, "Changed At"),
    ] {
        let _ = writeln!(out, "  <trackedProperty id=\"{id}\" label=\"{label}\"/>");
    }
    out.push_str("</GenericConnectorDescriptor>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;
    use quick_xml::{Reader, XmlVersion};
    use std::collections::{BTreeMap, BTreeSet};

    /// Every element with its attributes, in document order; fails on malformed XML.
    fn elements(xml: &str) -> Vec<(String, BTreeMap<String, String>)> {
        let mut reader = Reader::from_str(xml);
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let name = AsRef::<str>::as_ref(&e.name()).to_string();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("attribute");
                            (
                                AsRef::<str>::as_ref(&a.key).to_string(),
                                a.normalized_value(XmlVersion::default())
                                    .expect("value")
                                    .into_owned(),
                            )
                        })
                        .collect();
                    out.push((name, attrs));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn text_is_escaped_for_attributes_and_content() {
        assert_eq!(
            esc("a<b & \"c\" 'd'>\r"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#13;"
        );
        assert_eq!(esc("plain"), "plain");
    }

    #[test]
    fn committed_descriptor_is_up_to_date() {
        let committed = std::fs::read_to_string(descriptor_path()).expect("descriptor committed");
        assert!(
            committed == render(),
            "descriptors/connector-descriptor.xml is stale: run `cargo xtask descriptor`"
        );
    }

    #[test]
    fn descriptor_is_well_formed_and_matches_the_catalog() {
        let xml = render();
        let els = elements(&xml);
        let ops: Vec<&BTreeMap<String, String>> = els
            .iter()
            .filter(|(n, _)| n == "operation")
            .map(|(_, a)| a)
            .collect();
        // One operation per action, EXECUTE ones keyed by their custom type id.
        assert_eq!(ops.len(), Action::ALL.len());
        for a in Action::ALL {
            let t = a.boomi_type().as_str();
            let op = ops
                .iter()
                .find(|o| {
                    o["types"] == t
                        && o.get("customTypeId").map(String::as_str)
                            == (t == "EXECUTE").then(|| a.id())
                })
                .unwrap_or_else(|| panic!("no operation for {a:?}"));
            assert_eq!(op["customTypeLabel"], a.label());
            // What the shim reads back must map to the same action.
            let custom = op.get("customTypeId").map(String::as_str);
            assert_eq!(Action::from_boomi(&op["types"], custom), Some(*a));
        }
        // Every parameter the catalog uses is a document property.
        let dynamic: BTreeSet<&str> = els
            .iter()
            .filter(|(n, _)| n == "dynamicProperty")
            .map(|(_, a)| a["id"].as_str())
            .collect();
        for p in catalog::all_params() {
            assert!(dynamic.contains(p), "no dynamicProperty {p}");
        }
        let tracked: Vec<&str> = els
            .iter()
            .filter(|(n, _)| n == "trackedProperty")
            .map(|(_, a)| a["id"].as_str())
            .collect();
        assert_eq!(tracked, ["id", "status", "count", "changedAt"]);
        // Operators as docs/architecture.md lists them; the nullary ones take no argument.
        let operators: BTreeMap<&str, &str> = els
            .iter()
            .filter(|(n, _)| n == "operator")
            .map(|(_, a)| (a["id"].as_str(), a["numArguments"].as_str()))
            .collect();
        for id in [
            "eq", "ne", "gt", "ge", "lt", "le", "like", "ilike", "in", "out", "rql",
        ] {
            assert_eq!(operators.get(id), Some(&"1"), "{id}");
        }
        for id in ["null", "not_null", "empty", "not_empty"] {
            assert_eq!(operators.get(id), Some(&"0"), "{id}");
        }
    }

    /// Operation fields that are settings of the whole operation, never of one document.
    const OPERATION_WIDE: &[&str] = &[
        "pageSize",
        "maxDocuments",
        "parallelPages",
        "searchTerm",
        "countOnly",
        "parallelism",
        "webhook_secret",
        connect_catalog::usage::SUBMIT_PARAM,
        connect_catalog::workflow::WAIT_PARAM,
        connect_catalog::report::OBJECT_PARAM,
    ];

    #[test]
    fn per_document_values_are_dynamic_properties_and_nothing_claims_overrides() {
        let xml = render();
        assert!(
            !xml.contains("overrideable"),
            "SDK 2.3.0 cannot read overrides"
        );
        let els = elements(&xml);
        let dynamic: BTreeSet<&str> = els
            .iter()
            .filter(|(n, _)| n == "dynamicProperty")
            .map(|(_, a)| a["id"].as_str())
            .collect();
        let mut in_operation = false;
        for (name, attrs) in &els {
            match name.as_str() {
                "operation" => in_operation = true,
                "field" if in_operation => {
                    let id = attrs["id"].as_str();
                    assert!(
                        OPERATION_WIDE.contains(&id) || dynamic.contains(id),
                        "operation field {id} is read per document but is no dynamicProperty"
                    );
                }
                _ => {}
            }
        }
        assert!(dynamic.contains("file_path") && dynamic.contains("upload_note"));
        assert!(dynamic.contains(webhook::TOKEN_PROPERTY));
    }

    #[test]
    fn operations_carry_the_ids_their_objects_need() {
        let xml = render();
        let els = elements(&xml);
        // Field ids per operation, in document order.
        let mut per_op: Vec<(String, BTreeSet<String>)> = Vec::new();
        for (name, attrs) in &els {
            match name.as_str() {
                "operation" => per_op.push((
                    attrs.get("customTypeId").unwrap_or(&attrs["types"]).clone(),
                    BTreeSet::new(),
                )),
                "field" if !per_op.is_empty() => {
                    per_op.last_mut().unwrap().1.insert(attrs["id"].clone());
                }
                _ => {}
            }
        }
        let fields = |key: &str| {
            per_op
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, f)| f.clone())
                .unwrap()
        };
        // GET takes the template id from Boomi's object id, the product id from a setting.
        let get = fields("GET");
        assert!(get.contains("product_id"));
        assert!(!get.contains("template_id"));
        assert!(
            get.contains("asset_id"),
            "the action link's query parameter"
        );
        // Actions take the object id itself from a setting.
        assert!(fields("APPROVE").contains("request_id"));
        assert!(fields("APPROVE").contains("tier_config_request_id"));
        assert!(fields("UPLOAD").contains("file_path"));
        assert!(fields("UPLOAD_RECON_FILE").contains("file_path"));
        assert!(fields("UPLOAD").contains("upload_note"));
        assert!(!fields("UPLOAD_RECON_FILE").contains("upload_note"));
        assert!(fields("QUERY").contains("pageSize"));
        assert!(fields("QUERY").contains("countOnly"));
        assert!(!fields("GET").contains("countOnly"));
        assert!(fields("APPROVE").contains("parallelism"));
        assert!(fields("DELETE").contains("parallelism"));
        assert!(!fields("QUERY").contains("parallelism"));
        assert!(!fields("GET").contains("parallelism"));
        assert!(render().contains("browsingType=\"onpremise\""));
        assert!(fields("ACTIVATE").contains("webhook_id"));
        assert_eq!(
            fields("VERIFY_WEBHOOK_CALL"),
            BTreeSet::from(["webhook_secret".to_owned()]),
            "the secret only: no Connect call, so no ids and no parallelism"
        );
        assert!(xml.contains("id=\"webhook_secret\" label=\"Webhook Secret\" type=\"password\""));
    }
}
