//! The List of Operations: every Connect object the connector offers, its actions, and for each
//! action the HTTP method, path template, request body and response profile.
//!
//! This table is the single source of truth: browsing, the descriptor's operations, the user guide's
//! table and the request builder all read it. Path templates are relative to the API base
//! (`https://api.connect.cloudblue.com/public/v1`) and name their parameters in braces; every
//! parameter is also a Boomi operation setting and a document property of the same id.

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

impl ActionSpec {
    /// The names of the path's parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        path_params(self.path)
    }
}

/// The parameter names of a path template, in order of appearance.
pub fn path_params(template: &'static str) -> impl Iterator<Item = &'static str> {
    template
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

const fn act(
    action: Action,
    method: HttpMethod,
    path: &'static str,
    body: Body,
    output: Output,
) -> ActionSpec {
    ActionSpec {
        action,
        method,
        path,
        body,
        output,
    }
}

use Action as A;
use HttpMethod as M;

const REQUEST_OUT: Output = Output::Json { schema: "Request" };

static OBJECTS: &[ObjectSpec] = &[ObjectSpec {
    id: "REQUEST",
    label: "Request",
    help: "Fulfillment requests (purchase, change, suspend, resume, cancel) of assets",
    actions: &[
        act(A::List, M::Get, "/requests", Body::None, REQUEST_OUT),
        act(A::Get, M::Get, "/requests/{request_id}", Body::None, REQUEST_OUT),
        act(
            A::Approve,
            M::Post,
            "/requests/{request_id}/approve",
            Body::Json {
                schema: "ApproveRequest",
            },
            REQUEST_OUT,
        ),
    ],
}];

/// Every object the connector offers, in the order Boomi lists them.
pub fn objects() -> &'static [ObjectSpec] {
    OBJECTS
}

pub fn object(id: &str) -> Option<&'static ObjectSpec> {
    OBJECTS.iter().find(|o| o.id == id)
}

/// The objects that support an action, in catalog order (what browsing that action lists).
pub fn objects_for(action: Action) -> impl Iterator<Item = &'static ObjectSpec> {
    OBJECTS.iter().filter(move |o| o.action(action).is_some())
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
