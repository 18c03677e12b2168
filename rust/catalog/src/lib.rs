//! The List of Operations: every Connect object the connector offers, its actions, and for each
//! action the HTTP method, path template, request body and response profile; with the names of the
//! settings and document properties that the library reads and the descriptor declares.
//!
//! This table is the single source of truth: browsing, the descriptor's operations, the user guide's
//! table and the request builder all read it. Path templates are relative to the API base
//! (`https://api.connect.cloudblue.com/public/v1`) and name their parameters in braces; every
//! parameter is also a Boomi operation setting and a document property of the same id.
//!
//! The crate has no dependencies, so the generators (`cargo xtask descriptor`, `operations`,
//! `profiles`) build without the library's HTTP stack; connect-core re-exports it as
//! `connect_core::catalog`.

mod objects;
pub mod report;
pub mod sync;
pub mod usage;
pub mod webhook;
pub mod workflow;

pub use objects::{object, objects, objects_for};

/// A Boomi Connector Action as the user picks it on the operation's Options tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    List,
    Get,
    Create,
    Update,
    Delete,
    Accept,
    Reject,
    Approve,
    Inquire,
    Pending,
    Assign,
    Unassign,
    Close,
    Regenerate,
    BulkClose,
    Reprocess,
    Submit,
    Purchase,
    Ignore,
    Resolve,
    Upload,
    UploadReconFile,
    Download,
    Confirm,
    Revoke,
    Schedule,
    Validate,
    ApproveAll,
    UsageTemplate,
    /// The Generic Resource object's free action: POST to the path the user gives.
    ResourceAction,
    Activate,
    Deactivate,
    Trigger,
    /// Checks a call Connect made to a webhook's URL; sends nothing to Connect.
    VerifyWebhookCall,
    /// Usage file from JSON records: create, upload the XLSX written from them, optionally
    /// submit (connect-core's `usage`).
    SubmitUsageRecords,
    /// Create a report, wait for it, return its file (connect-core's `report`).
    RunReport,
}

/// The Boomi operation type an action is offered under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoomiOperationType {
    Query,
    Get,
    Create,
    Update,
    Delete,
    Execute,
}

impl BoomiOperationType {
    /// The name Boomi uses (`OperationType.name()`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "QUERY",
            Self::Get => "GET",
            Self::Create => "CREATE",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
            Self::Execute => "EXECUTE",
        }
    }
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::List,
        Action::Get,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Accept,
        Action::Reject,
        Action::Approve,
        Action::Inquire,
        Action::Pending,
        Action::Assign,
        Action::Unassign,
        Action::Close,
        Action::Regenerate,
        Action::BulkClose,
        Action::Reprocess,
        Action::Submit,
        Action::Purchase,
        Action::Ignore,
        Action::Resolve,
        Action::Upload,
        Action::UploadReconFile,
        Action::Download,
        Action::Confirm,
        Action::Revoke,
        Action::Schedule,
        Action::Validate,
        Action::ApproveAll,
        Action::UsageTemplate,
        Action::ResourceAction,
        Action::Activate,
        Action::Deactivate,
        Action::Trigger,
        Action::VerifyWebhookCall,
        Action::SubmitUsageRecords,
        Action::RunReport,
    ];

    /// Stable id: the descriptor's `customTypeId` for EXECUTE actions, and the action name in
    /// `cargo xtask operations --json`.
    pub fn id(self) -> &'static str {
        match self {
            Action::List => "LIST",
            Action::Get => "GET",
            Action::Create => "CREATE",
            Action::Update => "UPDATE",
            Action::Delete => "DELETE",
            Action::Accept => "ACCEPT",
            Action::Reject => "REJECT",
            Action::Approve => "APPROVE",
            Action::Inquire => "INQUIRE",
            Action::Pending => "PENDING",
            Action::Assign => "ASSIGN",
            Action::Unassign => "UNASSIGN",
            Action::Close => "CLOSE",
            Action::Regenerate => "REGENERATE",
            Action::BulkClose => "BULK_CLOSE",
            Action::Reprocess => "REPROCESS",
            Action::Submit => "SUBMIT",
            Action::Purchase => "PURCHASE",
            Action::Ignore => "IGNORE",
            Action::Resolve => "RESOLVE",
            Action::Upload => "UPLOAD",
            Action::UploadReconFile => "UPLOAD_RECON_FILE",
            Action::Download => "DOWNLOAD",
            Action::Confirm => "CONFIRM",
            Action::Revoke => "REVOKE",
            Action::Schedule => "SCHEDULE",
            Action::Validate => "VALIDATE",
            Action::ApproveAll => "APPROVE_ALL",
            Action::UsageTemplate => "USAGE_TEMPLATE",
            Action::ResourceAction => "RESOURCE_ACTION",
            Action::Activate => "ACTIVATE",
            Action::Deactivate => "DEACTIVATE",
            Action::Trigger => "TRIGGER",
            Action::VerifyWebhookCall => "VERIFY_WEBHOOK_CALL",
            Action::SubmitUsageRecords => "SUBMIT_USAGE_RECORDS",
            Action::RunReport => "RUN_REPORT",
        }
    }

    /// What the Boomi user reads in the Connector Action list.
    pub fn label(self) -> &'static str {
        match self {
            Action::List => "List Resources",
            Action::Get => "Get Resource",
            Action::Create => "Create Resource",
            Action::Update => "Update Resource",
            Action::Delete => "Delete Resource",
            Action::Accept => "Accept",
            Action::Reject => "Reject",
            Action::Approve => "Approve",
            Action::Inquire => "Inquire",
            Action::Pending => "Pending",
            Action::Assign => "Assign",
            Action::Unassign => "Unassign",
            Action::Close => "Close",
            Action::Regenerate => "Regenerate",
            Action::BulkClose => "Bulk Close",
            Action::Reprocess => "Reprocess",
            Action::Submit => "Submit",
            Action::Purchase => "Purchase",
            Action::Ignore => "Ignore",
            Action::Resolve => "Resolve",
            Action::Upload => "Upload Resource File",
            Action::UploadReconFile => "Upload Reconciliation File",
            Action::Download => "Download Resource File",
            Action::Confirm => "Confirm",
            Action::Revoke => "Revoke",
            Action::Schedule => "Schedule",
            Action::Validate => "Validate",
            Action::ApproveAll => "Approve All Records",
            Action::UsageTemplate => "Get Usage Template Link",
            Action::ResourceAction => "Resource Action",
            Action::Activate => "Activate",
            Action::Deactivate => "Deactivate",
            Action::Trigger => "Trigger",
            Action::VerifyWebhookCall => "Verify Webhook Call",
            Action::SubmitUsageRecords => "Submit Usage Records",
            Action::RunReport => "Run Report",
        }
    }

    pub fn boomi_type(self) -> BoomiOperationType {
        match self {
            Action::List => BoomiOperationType::Query,
            Action::Get => BoomiOperationType::Get,
            Action::Create => BoomiOperationType::Create,
            Action::Update => BoomiOperationType::Update,
            Action::Delete => BoomiOperationType::Delete,
            _ => BoomiOperationType::Execute,
        }
    }

    /// The action a Boomi operation stands for: standard types map directly, EXECUTE carries the
    /// action in its custom type id.
    pub fn from_boomi(operation_type: &str, custom_type: Option<&str>) -> Option<Action> {
        let by_type = match operation_type {
            "QUERY" => Some(Action::List),
            "GET" => Some(Action::Get),
            "CREATE" => Some(Action::Create),
            "UPDATE" => Some(Action::Update),
            "DELETE" => Some(Action::Delete),
            _ => None,
        };
        match (by_type, custom_type.filter(|c| !c.is_empty())) {
            (Some(action), _) => Some(action),
            (None, Some(custom)) => Action::ALL.iter().copied().find(|a| a.id() == custom),
            (None, None) => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// What an action sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// No body, whatever the document holds.
    None,
    /// The document is sent as JSON; `schema` names the input profile.
    Json { schema: &'static str },
    /// `multipart/form-data` with the document's bytes as the file part.
    Multipart {
        file_part: &'static str,
        note_part: Option<&'static str>,
    },
    /// No document content: the object is read first (GET of the same path) and sent back
    /// with one boolean member set. Connect's update of such an object takes the whole object
    /// (the spec requires every member), so a switch like a webhook's `active` must carry the
    /// other members as they are; `schema` names the update body profile, whose members are
    /// the ones copied.
    SetFlag {
        schema: &'static str,
        member: &'static str,
        value: bool,
    },
}

/// What an action returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// One JSON object (or, for List, a JSON array split into one document per element).
    Json { schema: &'static str },
    /// Nothing (Connect answers 204): an empty success.
    Empty,
    /// A file, returned as one binary document.
    Binary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionSpec {
    pub action: Action,
    pub method: HttpMethod,
    /// Path template relative to the API base, parameters in braces.
    pub path: &'static str,
    pub body: Body,
    pub output: Output,
    /// Optional query parameters, each read like a path parameter (operation setting, overridable
    /// by the document property of the same id) and sent only when it has a value.
    pub query: &'static [&'static str],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectSpec {
    /// Boomi object type id (stable; processes store it).
    pub id: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub actions: &'static [ActionSpec],
}

impl ObjectSpec {
    pub fn action(&self, action: Action) -> Option<&'static ActionSpec> {
        self.actions.iter().find(|a| a.action == action)
    }
}

/// The field a List Resources "Changed Since" filters and orders on, and where each document
/// carries its value (the tracked property `changedAt`). Chosen per object from Connect's OpenAPI
/// spec: the spec must document the `ge` lookup and ordering on `filter`, and the object's
/// profile must hold `document` (both checked by tests against the spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeField {
    /// RQL path of the filter and ordering (`updated`, `events.updated.at`).
    pub filter: &'static str,
    /// Dotted path of the same time inside a document. It differs from `filter` where the spec
    /// names the filter after the model (`updated`) but the object shows it under `events`.
    pub document: &'static str,
    /// Whether the time moves on every change or is only the creation time.
    pub kind: ChangeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The last-modified time: new and updated records are picked up.
    Modified,
    /// The creation time, where the spec offers no usable last-modified field: only new records
    /// are picked up.
    Created,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Modified => "last modified",
            ChangeKind::Created => "created (new records only)",
        }
    }
}

const fn change(
    kind: ChangeKind,
    filter: &'static str,
    document: &'static str,
) -> Result<ChangeField, &'static str> {
    Ok(ChangeField {
        filter,
        document,
        kind,
    })
}

impl ObjectSpec {
    /// The "Changed Since" field of a List object, or why it has none (shown to the user).
    pub fn change_field(&self) -> Result<ChangeField, &'static str> {
        match self.id {
            "REQUEST" => change(ChangeKind::Modified, "updated", "updated"),
            "TIER_CONFIG" | "TIER_CONFIG_REQUEST" => {
                change(ChangeKind::Modified, "updated", "events.updated.at")
            }
            "PRODUCT" | "CASE" | "CONVERSATION_MESSAGES" | "REPORT" => change(
                ChangeKind::Modified,
                "events.updated.at",
                "events.updated.at",
            ),
            "SUBSCRIPTION_REQUEST" | "SUBSCRIPTION_ASSET" => {
                // events.updated.at has `ge` but the spec documents no ordering on it.
                change(
                    ChangeKind::Created,
                    "events.created.at",
                    "events.created.at",
                )
            }
            "TIER_ACCOUNT" | "TIER_ACCOUNT_REQUEST" => change(
                ChangeKind::Created,
                "events.created.at",
                "events.created.at",
            ),
            "USAGE_REPORT" => change(ChangeKind::Created, "created.at", "events.created.at"),
            "ASSET" => {
                Err("the API documents only gt and lt (no ge) on its updated and created times")
            }
            "PRODUCT_ITEM" => {
                Err("the API documents no ordering on its events.updated.at and events.created.at")
            }
            "USAGE_RECORD" => {
                Err("its created_time filter is not part of the record the API returns")
            }
            GENERIC_OBJECT_ID => Err(
                "its fields are not known in advance; filter with ge and sort on the resource's own time field instead",
            ),
            _ => Err("the API documents no time field to filter on"),
        }
    }

    /// The field of a List object that says which kind of marketplace (production, test, preview)
    /// a record belongs to, as Connect's spec names it; the connection's "Environment" filters on it.
    pub fn environment_field(&self) -> Option<&'static str> {
        match self.id {
            "REQUEST" | "SUBSCRIPTION_REQUEST" => Some("asset.connection.type"),
            "ASSET" | "SUBSCRIPTION_ASSET" | "TIER_CONFIG" => Some("connection.type"),
            "TIER_CONFIG_REQUEST" => Some("configuration.connection.type"),
            "USAGE_REPORT" => Some("environment"),
            _ => None,
        }
    }
}

impl ActionSpec {
    /// The names of the path's parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        path_params(self.path)
    }

    /// The path parameter that Boomi's own object id fills: GET and DELETE hand the connector an
    /// object id per document (`ObjectIdData.getObjectId()`), which names the path's last
    /// parameter. Every other parameter (and, for other actions, all of them) comes from the
    /// operation setting of the same id, overridable per document by the document property.
    ///
    /// The Generic Resource object has none: its object id fills the `{id}` placeholder of the
    /// user's path, or becomes the path's last segment when there is no `{id}` (see
    /// [`ActionSpec::takes_object_id`]); `resource_path` itself always comes from the setting.
    pub fn object_id_param(&self) -> Option<&'static str> {
        match self.action {
            Action::Get | Action::Delete if !self.is_generic() => self.path_params().last(),
            _ => None,
        }
    }

    /// Whether Boomi hands this action an object id per document (GET and DELETE), which then
    /// addresses the object: through [`ActionSpec::object_id_param`], or for the Generic
    /// Resource through the user's path.
    pub fn takes_object_id(&self) -> bool {
        matches!(self.action, Action::Get | Action::Delete)
    }

    /// The `Accept` header of a file download: the spec offers only the xlsx media type there,
    /// so a content-negotiating server refuses `application/json` with 406. JSON stays acceptable
    /// (an error answer is JSON), and anything else too, since a file is returned as it comes.
    pub fn accept(&self) -> Option<&'static str> {
        (self.output == Output::Binary).then_some(FILE_ACCEPT)
    }

    /// Whether the path is the user-given one of the Generic Resource object.
    pub fn is_generic(&self) -> bool {
        self.path == GENERIC_PATH
    }

    /// Whether the connector does the action itself, without any call to Connect (its method
    /// and path mean nothing).
    pub fn is_local(&self) -> bool {
        self.path == LOCAL_PATH
    }
}

/// The path of an action that calls nothing (see [`ActionSpec::is_local`]).
const LOCAL_PATH: &str = "";

/// The path parameter of the Generic Resource object: the user's own path under the API base,
/// such as `/marketplaces` or `/listing-requests/{id}`. It spans several segments, so it is
/// substituted as a path (each segment percent-encoded, slashes kept), not as one segment; its own
/// `{name}` placeholders are filled like catalog path parameters (`{id}` from the object id).
pub const RESOURCE_PATH_PARAM: &str = "resource_path";

const GENERIC_PATH: &str = "{resource_path}";

/// `Accept` of file downloads (see [`ActionSpec::accept`]).
pub const FILE_ACCEPT: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/json;q=0.9, */*;q=0.8";

/// The upload setting (and document property) of the old connector: a file on the Atom's disk.
/// The shim reads it (so the Atom's security policy applies) and hands over its bytes.
pub const FILE_PATH_PARAM: &str = "file_path";

/// The object id of the Generic Resource object.
pub const GENERIC_OBJECT_ID: &str = "GENERIC";

/// A Boomi field label for a path or query parameter id: `tier_config_request_id` reads
/// "Tier Config Request ID".
pub fn param_label(param: &str) -> String {
    param
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "id" => "ID".to_string(),
            "recon" => "Reconciliation".to_string(),
            _ => {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every path and query parameter id the catalog uses, sorted and without repeats: each one is an
/// operation setting and a document property in the descriptor.
pub fn all_params() -> Vec<&'static str> {
    let mut params: Vec<&'static str> = objects()
        .iter()
        .flat_map(|o| o.actions.iter())
        .flat_map(|a| a.path_params().chain(a.query.iter().copied()))
        .collect();
    params.sort_unstable();
    params.dedup();
    params
}

/// The parameter names of a path template, in order of appearance.
pub fn path_params(template: &'static str) -> impl Iterator<Item = &'static str> {
    template
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

/// A path template with its parameter names erased (`/products/{}/items/{}`), so paths that
/// name their parameters differently (the spec's `{product_product_id}` and the catalog's
/// `{product_id}`) compare equal.
pub fn path_shape(template: &str) -> String {
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                "{}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boomi_operation_maps_to_action() {
        assert_eq!(Action::from_boomi("QUERY", None), Some(Action::List));
        assert_eq!(
            Action::from_boomi("EXECUTE", Some("APPROVE")),
            Some(Action::Approve)
        );
        assert_eq!(Action::from_boomi("EXECUTE", Some("NOPE")), None);
        assert_eq!(Action::from_boomi("EXECUTE", None), None);
    }

    #[test]
    fn action_ids_are_unique_and_round_trip() {
        for a in Action::ALL {
            let t = a.boomi_type().as_str();
            let custom = (t == "EXECUTE").then(|| a.id());
            assert_eq!(Action::from_boomi(t, custom), Some(*a), "{a:?}");
        }
    }

    #[test]
    fn path_params_in_order() {
        let p: Vec<_> = path_params("/products/{product_id}/templates/{template_id}").collect();
        assert_eq!(p, ["product_id", "template_id"]);
    }
}

#[cfg(test)]
mod catalog_tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_each_action_appears_once_per_object() {
        let mut ids = HashSet::new();
        for o in objects() {
            assert!(ids.insert(o.id), "object {} twice", o.id);
            let mut actions = HashSet::new();
            for a in o.actions {
                assert!(actions.insert(a.action), "{} {:?} twice", o.id, a.action);
            }
        }
        assert_eq!(
            objects().len(),
            34,
            "the old connector's 31 objects + Webhook + Generic Resource + Report"
        );
    }

    #[test]
    fn every_action_is_offered_by_some_object() {
        for a in Action::ALL {
            assert!(objects_for(*a).next().is_some(), "{a:?} has no object");
        }
    }

    #[test]
    fn spec_fixes_are_in_place() {
        // The tier config request reject sends its reason (fix 1).
        let reject = object("TIER_CONFIG_REQUEST")
            .unwrap()
            .action(Action::Reject)
            .unwrap();
        assert!(matches!(reject.body, Body::Json { .. }));
        // The action link takes the asset or tier config as a query parameter (fix 4).
        let link = object("PRODUCT_ACTION_LINK")
            .unwrap()
            .action(Action::Get)
            .unwrap();
        assert_eq!(link.query, ["asset_id", "tier_config_id"]);
        assert_eq!(link.object_id_param(), Some("action_id"));
    }

    #[test]
    fn parameters_read_well_as_boomi_fields() {
        for p in all_params() {
            assert!(
                p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{p} is not a snake_case NCName"
            );
            assert_ne!(p, "id", "bare `id` says nothing in a Boomi field list");
        }
        assert_eq!(
            param_label("tier_config_request_id"),
            "Tier Config Request ID"
        );
        assert_eq!(param_label("usage_recon_id"), "Usage Reconciliation ID");
    }

    #[test]
    fn uploads_and_downloads_use_files() {
        for o in objects() {
            for a in o.actions {
                match a.action {
                    Action::Upload | Action::UploadReconFile => {
                        assert!(matches!(a.body, Body::Multipart { .. }), "{}", o.id)
                    }
                    Action::Download => {
                        assert_eq!(a.output, Output::Binary, "{}", o.id);
                        assert_eq!(a.accept(), Some(FILE_ACCEPT), "{}", o.id);
                    }
                    // Its create call takes JSON; its result is the report's file.
                    Action::RunReport => {
                        assert!(matches!(a.body, Body::Json { .. }), "{}", o.id);
                        assert_eq!(a.output, Output::Binary, "{}", o.id);
                    }
                    _ => {
                        assert!(!matches!(a.body, Body::Multipart { .. }), "{}", o.id);
                        assert_ne!(a.output, Output::Binary, "{}", o.id);
                        assert_eq!(a.accept(), None, "{}", o.id);
                    }
                }
            }
        }
    }

    #[test]
    fn generic_resource_covers_the_crud_actions_and_a_free_action() {
        let g = object(GENERIC_OBJECT_ID).unwrap();
        for a in [
            Action::List,
            Action::Get,
            Action::Create,
            Action::Update,
            Action::Delete,
            Action::ResourceAction,
        ] {
            let spec = g.action(a).unwrap();
            assert!(spec.is_generic());
            // `resource_path` is never the object id: the id goes inside or after that path.
            assert_eq!(spec.object_id_param(), None);
            assert_eq!(
                spec.takes_object_id(),
                matches!(a, Action::Get | Action::Delete),
                "{a:?}"
            );
            assert_eq!(
                spec.path_params().collect::<Vec<_>>(),
                [RESOURCE_PATH_PARAM]
            );
        }
        assert!(
            objects()
                .iter()
                .filter(|o| o.id != GENERIC_OBJECT_ID)
                .all(|o| o.actions.iter().all(|a| !a.is_generic()))
        );
    }
}
