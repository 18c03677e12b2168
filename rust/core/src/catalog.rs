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
    /// submit (`crate::usage`).
    SubmitUsageRecords,
    /// Create a report, wait for it, return its file (`crate::report`).
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
    let mut params: Vec<&'static str> = OBJECTS
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
        query: &[],
    }
}

use Action as A;
use HttpMethod as M;

const NONE: Body = Body::None;
const EMPTY: Output = Output::Empty;

const fn json(schema: &'static str) -> Body {
    Body::Json { schema }
}

const fn out(schema: &'static str) -> Output {
    Output::Json { schema }
}

const fn set_flag(schema: &'static str, member: &'static str, value: bool) -> Body {
    Body::SetFlag {
        schema,
        member,
        value,
    }
}

const fn get(action: Action, path: &'static str, output: Output) -> ActionSpec {
    act(action, M::Get, path, NONE, output)
}

const fn post(action: Action, path: &'static str, body: Body, output: Output) -> ActionSpec {
    act(action, M::Post, path, body, output)
}

const fn put(action: Action, path: &'static str, body: Body, output: Output) -> ActionSpec {
    act(action, M::Put, path, body, output)
}

/// Connect answers a DELETE with 204 and no body.
const fn delete(path: &'static str) -> ActionSpec {
    act(A::Delete, M::Delete, path, NONE, EMPTY)
}

const fn obj(
    id: &'static str,
    label: &'static str,
    help: &'static str,
    actions: &'static [ActionSpec],
) -> ObjectSpec {
    ObjectSpec {
        id,
        label,
        help,
        actions,
    }
}

const REQUEST_OUT: Output = out("Request");
const TCR_OUT: Output = out("TierConfigRequest");
const USAGE_REPORT_OUT: Output = out("UsageReport");
const USAGE_CHUNK_OUT: Output = out("UsageChunk");
const USAGE_RECORD_OUT: Output = out("UsageRecord");
const CASE_OUT: Output = out("Case");
const GENERIC: Output = out("GenericResource");
const WEBHOOK_OUT: Output = out("Webhook");

// Paths follow the official spec (connect-openapi30.yml v37), which also fixes the old connector
// where it diverged (connect-api.md §1.5): the billing request attribute and billing request create
// paths, the product action link path, and the tier config request reject body.
static OBJECTS: &[ObjectSpec] = &[
    obj(
        "REQUEST",
        "Request",
        "Fulfillment requests (purchase, change, suspend, resume, cancel) of assets",
        &[
            get(A::List, "/requests", REQUEST_OUT),
            get(A::Get, "/requests/{request_id}", REQUEST_OUT),
            put(
                A::Update,
                "/requests/{request_id}",
                json("UpdateRequest"),
                REQUEST_OUT,
            ),
            post(
                A::Approve,
                "/requests/{request_id}/approve",
                json("ApproveRequest"),
                REQUEST_OUT,
            ),
            post(
                A::Inquire,
                "/requests/{request_id}/inquire",
                json("InquireRequest"),
                REQUEST_OUT,
            ),
            post(A::Pending, "/requests/{request_id}/pend", NONE, REQUEST_OUT),
            post(
                A::Reject,
                "/requests/{request_id}/fail",
                json("FailRequest"),
                REQUEST_OUT,
            ),
            post(
                A::Assign,
                "/requests/{request_id}/assign",
                json("AssignRequest"),
                REQUEST_OUT,
            ),
            post(
                A::Unassign,
                "/requests/{request_id}/unassign",
                NONE,
                REQUEST_OUT,
            ),
            post(
                A::Purchase,
                "/requests/{request_id}/purchase",
                NONE,
                REQUEST_OUT,
            ),
            post(
                A::Confirm,
                "/requests/{request_id}/confirm",
                json("ConfirmRequest"),
                REQUEST_OUT,
            ),
            post(
                A::Revoke,
                "/requests/{request_id}/revoke",
                json("RevokeRequest"),
                REQUEST_OUT,
            ),
            post(
                A::Schedule,
                "/requests/{request_id}/schedule",
                json("ScheduleRequest"),
                REQUEST_OUT,
            ),
            post(
                A::Submit,
                "/requests/{request_id}/submit",
                json("SubmitRequest"),
                REQUEST_OUT,
            ),
            post(
                A::Validate,
                "/requests/{request_id}/validate",
                json("ValidateRequest"),
                REQUEST_OUT,
            ),
        ],
    ),
    obj(
        "PURCHASE_REQUEST",
        "Purchase Request",
        "Create a purchase request (a new asset)",
        &[post(
            A::Create,
            "/requests",
            json("NewPurchaseRequest"),
            REQUEST_OUT,
        )],
    ),
    obj(
        "CHANGE_REQUEST",
        "Change Request",
        "Create a change request (new item quantities of an asset)",
        &[post(
            A::Create,
            "/requests",
            json("NewChangeRequest"),
            REQUEST_OUT,
        )],
    ),
    obj(
        "ADMIN_HOLD_REQUEST",
        "Admin Hold Request",
        "Create a suspend, resume or cancel request of an asset",
        &[post(
            A::Create,
            "/requests",
            json("NewAdminHoldRequest"),
            REQUEST_OUT,
        )],
    ),
    obj(
        "BILLING_REQUEST",
        "Billing Request",
        "Create a billing request of a subscription asset",
        &[post(
            A::Create,
            "/subscriptions/requests",
            json("NewBillingRequest"),
            out("BillingRequest"),
        )],
    ),
    obj(
        "ASSET",
        "Asset",
        "Assets (subscriptions) of the fulfillment module",
        &[
            get(A::List, "/assets", out("Asset")),
            get(A::Get, "/assets/{asset_id}", out("Asset")),
        ],
    ),
    obj(
        "ASSET_USAGE_AGGREGATE",
        "Asset Usage Aggregate",
        "Usage aggregates of one asset",
        &[get(
            A::List,
            "/assets/{asset_id}/usage/aggregates",
            out("UsageAggregate"),
        )],
    ),
    obj(
        "SUBSCRIPTION_REQUEST",
        "Subscription Request",
        "Billing requests of subscription assets",
        &[
            get(A::List, "/subscriptions/requests", out("BillingRequest")),
            get(
                A::Get,
                "/subscriptions/requests/{subscription_request_id}",
                out("BillingRequest"),
            ),
        ],
    ),
    obj(
        "SUBSCRIPTION_ASSET",
        "Subscription Asset",
        "Assets of the subscriptions module",
        &[
            get(A::List, "/subscriptions/assets", out("SubscriptionAsset")),
            get(
                A::Get,
                "/subscriptions/assets/{asset_id}",
                out("SubscriptionAsset"),
            ),
        ],
    ),
    obj(
        "BILLING_REQUEST_ATTRIBUTE",
        "Billing Request Attribute",
        "Vendor and provider attributes of a billing request",
        &[put(
            A::Update,
            "/subscriptions/requests/{subscription_request_id}/attributes",
            json("BillingRequestAttributes"),
            out("BillingRequestAttributes"),
        )],
    ),
    obj(
        "TIER_ACCOUNT",
        "Tier Account",
        "Customer and reseller (tier) accounts",
        &[
            get(A::List, "/tier/accounts", out("TierAccount")),
            get(
                A::Get,
                "/tier/accounts/{tier_account_id}",
                out("TierAccount"),
            ),
            post(
                A::Create,
                "/tier/accounts",
                json("NewTierAccount"),
                out("TierAccount"),
            ),
            put(
                A::Update,
                "/tier/accounts/{tier_account_id}",
                json("UpdateTierAccount"),
                out("TierAccount"),
            ),
            delete("/tier/accounts/{tier_account_id}"),
        ],
    ),
    obj(
        "TIER_ACCOUNT_VERSION",
        "Tier Account Version",
        "Versions of a tier account",
        &[
            get(
                A::List,
                "/tier/accounts/{tier_account_id}/versions",
                out("TierAccountVersion"),
            ),
            get(
                A::Get,
                "/tier/accounts/{tier_account_id}/versions/{tier_account_version}",
                out("TierAccountVersion"),
            ),
        ],
    ),
    obj(
        "TIER_ACCOUNT_REQUEST",
        "Tier Account Request",
        "Requests to update tier accounts",
        &[
            get(A::List, "/tier/account-requests", out("TierAccountRequest")),
            get(
                A::Get,
                "/tier/account-requests/{tier_account_request_id}",
                out("TierAccountRequest"),
            ),
            post(
                A::Create,
                "/tier/account-requests",
                json("NewTierAccountRequest"),
                out("TierAccountRequest"),
            ),
            post(
                A::Accept,
                "/tier/account-requests/{tier_account_request_id}/accept",
                NONE,
                out("TierAccountRequest"),
            ),
            post(
                A::Ignore,
                "/tier/account-requests/{tier_account_request_id}/ignore",
                json("IgnoreTierAccountRequest"),
                out("TierAccountRequest"),
            ),
        ],
    ),
    obj(
        "TIER_CONFIG",
        "Tier Config",
        "Tier configurations of products",
        &[
            get(A::List, "/tier/configs", out("TierConfig")),
            get(A::Get, "/tier/configs/{tier_config_id}", out("TierConfig")),
        ],
    ),
    obj(
        "TIER_CONFIG_REQUEST",
        "Tier Config Request",
        "Requests to set up or change tier configurations",
        &[
            get(A::List, "/tier/config-requests", TCR_OUT),
            get(
                A::Get,
                "/tier/config-requests/{tier_config_request_id}",
                TCR_OUT,
            ),
            post(
                A::Create,
                "/tier/config-requests",
                json("NewTierConfigRequest"),
                TCR_OUT,
            ),
            put(
                A::Update,
                "/tier/config-requests/{tier_config_request_id}",
                json("UpdateTierConfigRequest"),
                TCR_OUT,
            ),
            post(
                A::Approve,
                "/tier/config-requests/{tier_config_request_id}/approve",
                json("ApproveTierConfigRequest"),
                TCR_OUT,
            ),
            post(
                A::Inquire,
                "/tier/config-requests/{tier_config_request_id}/inquire",
                NONE,
                EMPTY,
            ),
            post(
                A::Pending,
                "/tier/config-requests/{tier_config_request_id}/pend",
                NONE,
                EMPTY,
            ),
            // The old connector sent no body here; the spec wants the reason.
            post(
                A::Reject,
                "/tier/config-requests/{tier_config_request_id}/fail",
                json("FailTierConfigRequest"),
                EMPTY,
            ),
            post(
                A::Assign,
                "/tier/config-requests/{tier_config_request_id}/assign",
                json("AssignTierConfigRequest"),
                EMPTY,
            ),
            post(
                A::Unassign,
                "/tier/config-requests/{tier_config_request_id}/unassign",
                NONE,
                EMPTY,
            ),
            post(
                A::Submit,
                "/tier/config-requests/{tier_config_request_id}/submit",
                NONE,
                TCR_OUT,
            ),
            post(
                A::Validate,
                "/tier/config-requests/{tier_config_request_id}/validate",
                json("ValidateTierConfigRequest"),
                TCR_OUT,
            ),
        ],
    ),
    obj(
        "PRODUCT",
        "Product",
        "Products",
        &[
            get(A::List, "/products", out("Product")),
            get(A::Get, "/products/{product_id}", out("Product")),
            delete("/products/{product_id}"),
            get(
                A::UsageTemplate,
                "/usage/products/{product_id}/template",
                out("UsageTemplateLink"),
            ),
        ],
    ),
    obj(
        "PRODUCT_TEMPLATE",
        "Product Template",
        "Templates of a product",
        &[
            get(
                A::List,
                "/products/{product_id}/templates",
                out("ProductTemplate"),
            ),
            get(
                A::Get,
                "/products/{product_id}/templates/{template_id}",
                out("ProductTemplate"),
            ),
            delete("/products/{product_id}/templates/{template_id}"),
        ],
    ),
    obj(
        "PRODUCT_ACTION",
        "Product Action",
        "Actions of a product",
        &[
            get(
                A::List,
                "/products/{product_id}/actions",
                out("ProductAction"),
            ),
            get(
                A::Get,
                "/products/{product_id}/actions/{action_id}",
                out("ProductAction"),
            ),
            delete("/products/{product_id}/actions/{action_id}"),
        ],
    ),
    obj(
        "PRODUCT_ACTION_LINK",
        "Product Action Link",
        "The link of a product action for one asset or tier config",
        &[ActionSpec {
            query: &["asset_id", "tier_config_id"],
            ..get(
                A::Get,
                "/products/{product_id}/actions/{action_id}/actionLink",
                out("ProductActionLink"),
            )
        }],
    ),
    obj(
        "PRODUCT_ITEM",
        "Product Item",
        "Items of a product",
        &[
            get(A::List, "/products/{product_id}/items", out("ProductItem")),
            get(
                A::Get,
                "/products/{product_id}/items/{item_id}",
                out("ProductItem"),
            ),
            delete("/products/{product_id}/items/{item_id}"),
        ],
    ),
    obj(
        "PRODUCT_PARAMETER",
        "Product Parameter",
        "Parameters of a product",
        &[
            get(
                A::List,
                "/products/{product_id}/parameters",
                out("ProductParameter"),
            ),
            get(
                A::Get,
                "/products/{product_id}/parameters/{parameter_id}",
                out("ProductParameter"),
            ),
            delete("/products/{product_id}/parameters/{parameter_id}"),
        ],
    ),
    obj(
        "PRODUCT_CONFIGURATION",
        "Product Configuration",
        "Configuration parameter values of a product",
        &[get(
            A::List,
            "/products/{product_id}/configurations",
            out("ProductConfiguration"),
        )],
    ),
    obj(
        "USAGE_REPORT",
        "Usage Report",
        "Usage files",
        &[
            get(A::List, "/usage/files", USAGE_REPORT_OUT),
            get(A::Get, "/usage/files/{usage_report_id}", USAGE_REPORT_OUT),
            post(
                A::Create,
                "/usage/files",
                json("NewUsageReport"),
                USAGE_REPORT_OUT,
            ),
            put(
                A::Update,
                "/usage/files/{usage_report_id}",
                json("UpdateUsageReport"),
                USAGE_REPORT_OUT,
            ),
            // Connect deletes a usage file with an action, not with the DELETE method.
            post(
                A::Delete,
                "/usage/files/{usage_report_id}/delete",
                NONE,
                USAGE_REPORT_OUT,
            ),
            post(
                A::Upload,
                "/usage/files/{usage_report_id}/upload",
                Body::Multipart {
                    file_part: "usage_file",
                    note_part: None,
                },
                USAGE_REPORT_OUT,
            ),
            post(
                A::UploadReconFile,
                "/usage/files/{usage_report_id}/reconciliation",
                Body::Multipart {
                    file_part: "recon_file",
                    note_part: None,
                },
                USAGE_REPORT_OUT,
            ),
            post(
                A::Submit,
                "/usage/files/{usage_report_id}/submit",
                NONE,
                USAGE_REPORT_OUT,
            ),
            post(
                A::Accept,
                "/usage/files/{usage_report_id}/accept",
                json("AcceptUsageReport"),
                USAGE_REPORT_OUT,
            ),
            post(
                A::Reject,
                "/usage/files/{usage_report_id}/reject",
                json("RejectUsageReport"),
                USAGE_REPORT_OUT,
            ),
            post(
                A::Close,
                "/usage/files/{usage_report_id}/close",
                NONE,
                USAGE_REPORT_OUT,
            ),
            post(
                A::Reprocess,
                "/usage/files/{usage_report_id}/reprocess",
                NONE,
                USAGE_REPORT_OUT,
            ),
            put(
                A::ApproveAll,
                "/usage/files/{usage_report_id}/approve-all",
                NONE,
                USAGE_REPORT_OUT,
            ),
            // The first of several calls (create, upload, submit): see `crate::usage`.
            post(
                A::SubmitUsageRecords,
                "/usage/files",
                json(crate::usage::PROFILE),
                USAGE_REPORT_OUT,
            ),
        ],
    ),
    obj(
        "USAGE_RECORD",
        "Usage Record",
        "Usage records of usage files",
        &[
            get(A::List, "/usage/records", USAGE_RECORD_OUT),
            get(A::Get, "/usage/records/{usage_record_id}", USAGE_RECORD_OUT),
            put(
                A::Update,
                "/usage/records/{usage_record_id}",
                json("UpdateUsageRecord"),
                USAGE_RECORD_OUT,
            ),
            post(
                A::Close,
                "/usage/records/{usage_record_id}/close",
                json("CloseUsageRecord"),
                USAGE_RECORD_OUT,
            ),
            post(
                A::BulkClose,
                "/usage/records/close-records",
                json("BulkCloseUsageRecords"),
                out("BulkCloseUsageRecordsResult"),
            ),
        ],
    ),
    obj(
        "USAGE_CHUNK",
        "Usage Chunk",
        "Usage chunk files (parts of usage files per asset)",
        &[
            get(A::List, "/usage/chunks", USAGE_CHUNK_OUT),
            get(A::Get, "/usage/chunks/{usage_chunk_id}", USAGE_CHUNK_OUT),
            put(
                A::Update,
                "/usage/chunks/{usage_chunk_id}",
                json("UpdateUsageChunk"),
                USAGE_CHUNK_OUT,
            ),
            post(
                A::Close,
                "/usage/chunks/{usage_chunk_id}/close",
                json("CloseUsageChunk"),
                USAGE_CHUNK_OUT,
            ),
            post(
                A::Regenerate,
                "/usage/chunks/{usage_chunk_id}/regenerate",
                NONE,
                USAGE_CHUNK_OUT,
            ),
            get(
                A::Download,
                "/usage/chunks/{usage_chunk_id}/download",
                Output::Binary,
            ),
        ],
    ),
    obj(
        "USAGE_RECONCILIATION",
        "Usage Reconciliation",
        "Usage reconciliation files",
        &[
            get(
                A::List,
                "/usage/reconciliations",
                out("UsageReconciliation"),
            ),
            get(
                A::Get,
                "/usage/reconciliations/{usage_recon_id}",
                out("UsageReconciliation"),
            ),
            post(
                A::Upload,
                "/usage/reconciliations",
                Body::Multipart {
                    file_part: "recon_file",
                    note_part: Some("upload_note"),
                },
                out("UsageReconciliation"),
            ),
        ],
    ),
    obj(
        "RECONCILIATION_PROCESSED_FILE",
        "Reconciliation Processed File",
        "The processed file of a usage reconciliation",
        &[get(
            A::Download,
            "/usage/reconciliations/{usage_recon_id}/processedfile",
            Output::Binary,
        )],
    ),
    obj(
        "RECONCILIATION_UPLOADED_FILE",
        "Reconciliation Uploaded File",
        "The uploaded file of a usage reconciliation",
        &[get(
            A::Download,
            "/usage/reconciliations/{usage_recon_id}/uploadedfile",
            Output::Binary,
        )],
    ),
    obj(
        "USAGE_AGGREGATE",
        "Usage Aggregate",
        "Usage aggregates",
        &[get(A::List, "/usage/aggregates", out("UsageAggregate"))],
    ),
    obj(
        "CASE",
        "Case",
        "Helpdesk cases",
        &[
            get(A::List, "/helpdesk/cases", CASE_OUT),
            get(A::Get, "/helpdesk/cases/{case_id}", CASE_OUT),
            post(A::Create, "/helpdesk/cases", json("NewCase"), CASE_OUT),
            put(
                A::Update,
                "/helpdesk/cases/{case_id}",
                json("UpdateCase"),
                CASE_OUT,
            ),
            post(A::Pending, "/helpdesk/cases/{case_id}/pend", NONE, CASE_OUT),
            post(
                A::Inquire,
                "/helpdesk/cases/{case_id}/inquire",
                NONE,
                CASE_OUT,
            ),
            post(
                A::Resolve,
                "/helpdesk/cases/{case_id}/resolve",
                NONE,
                CASE_OUT,
            ),
            post(
                A::Close,
                "/helpdesk/cases/{case_id}/close",
                json("CloseCase"),
                CASE_OUT,
            ),
        ],
    ),
    obj(
        "CONVERSATION_MESSAGES",
        "Conversation Message",
        "Messages of a conversation",
        &[
            get(
                A::List,
                "/conversations/{conversation_id}/messages",
                out("ConversationMessage"),
            ),
            post(
                A::Create,
                "/conversations/{conversation_id}/messages",
                json("NewConversationMessage"),
                out("ConversationMessage"),
            ),
        ],
    ),
    obj(
        "WEBHOOK",
        "Webhook",
        "Webhooks: the calls Connect makes to your URL when a queue (requests, tier configs, usage files, ...) changes",
        &[
            get(A::List, "/notifications/webhooks", WEBHOOK_OUT),
            get(A::Get, "/notifications/webhooks/{webhook_id}", WEBHOOK_OUT),
            post(
                A::Create,
                "/notifications/webhooks",
                json("NewWebhook"),
                WEBHOOK_OUT,
            ),
            put(
                A::Update,
                "/notifications/webhooks/{webhook_id}",
                json("UpdateWebhook"),
                WEBHOOK_OUT,
            ),
            delete("/notifications/webhooks/{webhook_id}"),
            put(
                A::Activate,
                "/notifications/webhooks/{webhook_id}",
                set_flag("UpdateWebhook", "active", true),
                WEBHOOK_OUT,
            ),
            put(
                A::Deactivate,
                "/notifications/webhooks/{webhook_id}",
                set_flag("UpdateWebhook", "active", false),
                WEBHOOK_OUT,
            ),
            // The spec documents a 200 without a body.
            post(
                A::Trigger,
                "/notifications/webhooks/{webhook_id}/trigger",
                NONE,
                EMPTY,
            ),
            // The document is the body Connect sent to the webhook's URL; it goes nowhere.
            act(
                A::VerifyWebhookCall,
                M::Post,
                LOCAL_PATH,
                json("GenericResource"),
                GENERIC,
            ),
        ],
    ),
    obj(
        GENERIC_OBJECT_ID,
        "Generic Resource",
        "Any Connect resource by its path under the API, such as /marketplaces or /listing-requests/{id}",
        &[
            get(A::List, GENERIC_PATH, GENERIC),
            get(A::Get, GENERIC_PATH, GENERIC),
            post(A::Create, GENERIC_PATH, json("GenericResource"), GENERIC),
            put(A::Update, GENERIC_PATH, json("GenericResource"), GENERIC),
            act(A::Delete, M::Delete, GENERIC_PATH, NONE, EMPTY),
            post(
                A::ResourceAction,
                GENERIC_PATH,
                json("GenericResource"),
                GENERIC,
            ),
        ],
    ),
    obj(
        "REPORT",
        "Report",
        "Report runs of Connect's reporting module",
        &[
            get(A::List, "/reporting/reports", out("Report")),
            get(A::Get, "/reporting/reports/{report_id}", out("Report")),
            get(
                A::Download,
                "/reporting/reports/{report_id}/download",
                Output::Binary,
            ),
            // Create, then Get until it is done, then Download: see `crate::report`.
            post(
                A::RunReport,
                "/reporting/reports",
                json("NewReport"),
                Output::Binary,
            ),
        ],
    ),
];

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

/// The old connector's List of Operations (CloudBlue's Boomi connector 24.0.8: connect-api.md
/// table (a) and §2), with the paths the spec gives where the old connector was wrong. The new
/// catalog must keep every one of these pairs with this method and path.
#[cfg(test)]
pub(crate) const OLD_CONNECTOR_PAIRS: &[(&str, &str, &str, &str)] = &[
    ("REQUEST", "LIST", "GET", "/requests"),
    ("REQUEST", "GET", "GET", "/requests/{}"),
    ("REQUEST", "UPDATE", "PUT", "/requests/{}"),
    ("REQUEST", "APPROVE", "POST", "/requests/{}/approve"),
    ("REQUEST", "INQUIRE", "POST", "/requests/{}/inquire"),
    ("REQUEST", "PENDING", "POST", "/requests/{}/pend"),
    ("REQUEST", "REJECT", "POST", "/requests/{}/fail"),
    ("REQUEST", "ASSIGN", "POST", "/requests/{}/assign"),
    ("REQUEST", "UNASSIGN", "POST", "/requests/{}/unassign"),
    ("REQUEST", "PURCHASE", "POST", "/requests/{}/purchase"),
    ("PURCHASE_REQUEST", "CREATE", "POST", "/requests"),
    ("CHANGE_REQUEST", "CREATE", "POST", "/requests"),
    ("ADMIN_HOLD_REQUEST", "CREATE", "POST", "/requests"),
    // Fixed: the old connector posted billing requests to /requests.
    (
        "BILLING_REQUEST",
        "CREATE",
        "POST",
        "/subscriptions/requests",
    ),
    ("ASSET", "LIST", "GET", "/assets"),
    ("ASSET", "GET", "GET", "/assets/{}"),
    (
        "ASSET_USAGE_AGGREGATE",
        "LIST",
        "GET",
        "/assets/{}/usage/aggregates",
    ),
    (
        "SUBSCRIPTION_REQUEST",
        "LIST",
        "GET",
        "/subscriptions/requests",
    ),
    (
        "SUBSCRIPTION_REQUEST",
        "GET",
        "GET",
        "/subscriptions/requests/{}",
    ),
    ("SUBSCRIPTION_ASSET", "LIST", "GET", "/subscriptions/assets"),
    (
        "SUBSCRIPTION_ASSET",
        "GET",
        "GET",
        "/subscriptions/assets/{}",
    ),
    // Fixed: the old connector appended `/update`.
    (
        "BILLING_REQUEST_ATTRIBUTE",
        "UPDATE",
        "PUT",
        "/subscriptions/requests/{}/attributes",
    ),
    ("TIER_ACCOUNT", "LIST", "GET", "/tier/accounts"),
    ("TIER_ACCOUNT", "GET", "GET", "/tier/accounts/{}"),
    ("TIER_ACCOUNT", "CREATE", "POST", "/tier/accounts"),
    ("TIER_ACCOUNT", "UPDATE", "PUT", "/tier/accounts/{}"),
    (
        "TIER_ACCOUNT_VERSION",
        "LIST",
        "GET",
        "/tier/accounts/{}/versions",
    ),
    (
        "TIER_ACCOUNT_VERSION",
        "GET",
        "GET",
        "/tier/accounts/{}/versions/{}",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "LIST",
        "GET",
        "/tier/account-requests",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "GET",
        "GET",
        "/tier/account-requests/{}",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "CREATE",
        "POST",
        "/tier/account-requests",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "ACCEPT",
        "POST",
        "/tier/account-requests/{}/accept",
    ),
    (
        "TIER_ACCOUNT_REQUEST",
        "IGNORE",
        "POST",
        "/tier/account-requests/{}/ignore",
    ),
    ("TIER_CONFIG", "LIST", "GET", "/tier/configs"),
    ("TIER_CONFIG", "GET", "GET", "/tier/configs/{}"),
    (
        "TIER_CONFIG_REQUEST",
        "LIST",
        "GET",
        "/tier/config-requests",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "GET",
        "GET",
        "/tier/config-requests/{}",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "CREATE",
        "POST",
        "/tier/config-requests",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "UPDATE",
        "PUT",
        "/tier/config-requests/{}",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "APPROVE",
        "POST",
        "/tier/config-requests/{}/approve",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "INQUIRE",
        "POST",
        "/tier/config-requests/{}/inquire",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "PENDING",
        "POST",
        "/tier/config-requests/{}/pend",
    ),
    (
        "TIER_CONFIG_REQUEST",
        "REJECT",
        "POST",
        "/tier/config-requests/{}/fail",
    ),
    ("PRODUCT", "LIST", "GET", "/products"),
    ("PRODUCT", "GET", "GET", "/products/{}"),
    ("PRODUCT_TEMPLATE", "LIST", "GET", "/products/{}/templates"),
    (
        "PRODUCT_TEMPLATE",
        "GET",
        "GET",
        "/products/{}/templates/{}",
    ),
    ("PRODUCT_ACTION", "LIST", "GET", "/products/{}/actions"),
    ("PRODUCT_ACTION", "GET", "GET", "/products/{}/actions/{}"),
    // Fixed: the old connector fetched the action itself, not its link.
    (
        "PRODUCT_ACTION_LINK",
        "GET",
        "GET",
        "/products/{}/actions/{}/actionLink",
    ),
    ("PRODUCT_ITEM", "LIST", "GET", "/products/{}/items"),
    ("PRODUCT_ITEM", "GET", "GET", "/products/{}/items/{}"),
    (
        "PRODUCT_PARAMETER",
        "LIST",
        "GET",
        "/products/{}/parameters",
    ),
    (
        "PRODUCT_PARAMETER",
        "GET",
        "GET",
        "/products/{}/parameters/{}",
    ),
    (
        "PRODUCT_CONFIGURATION",
        "LIST",
        "GET",
        "/products/{}/configurations",
    ),
    ("USAGE_REPORT", "LIST", "GET", "/usage/files"),
    ("USAGE_REPORT", "GET", "GET", "/usage/files/{}"),
    ("USAGE_REPORT", "CREATE", "POST", "/usage/files"),
    ("USAGE_REPORT", "UPDATE", "PUT", "/usage/files/{}"),
    ("USAGE_REPORT", "UPLOAD", "POST", "/usage/files/{}/upload"),
    (
        "USAGE_REPORT",
        "UPLOAD_RECON_FILE",
        "POST",
        "/usage/files/{}/reconciliation",
    ),
    ("USAGE_REPORT", "SUBMIT", "POST", "/usage/files/{}/submit"),
    ("USAGE_REPORT", "ACCEPT", "POST", "/usage/files/{}/accept"),
    ("USAGE_REPORT", "REJECT", "POST", "/usage/files/{}/reject"),
    ("USAGE_REPORT", "CLOSE", "POST", "/usage/files/{}/close"),
    (
        "USAGE_REPORT",
        "REPROCESS",
        "POST",
        "/usage/files/{}/reprocess",
    ),
    ("USAGE_RECORD", "LIST", "GET", "/usage/records"),
    ("USAGE_RECORD", "GET", "GET", "/usage/records/{}"),
    ("USAGE_RECORD", "CLOSE", "POST", "/usage/records/{}/close"),
    (
        "USAGE_RECORD",
        "BULK_CLOSE",
        "POST",
        "/usage/records/close-records",
    ),
    ("USAGE_CHUNK", "LIST", "GET", "/usage/chunks"),
    ("USAGE_CHUNK", "GET", "GET", "/usage/chunks/{}"),
    ("USAGE_CHUNK", "UPDATE", "PUT", "/usage/chunks/{}"),
    ("USAGE_CHUNK", "CLOSE", "POST", "/usage/chunks/{}/close"),
    (
        "USAGE_CHUNK",
        "REGENERATE",
        "POST",
        "/usage/chunks/{}/regenerate",
    ),
    (
        "USAGE_CHUNK",
        "DOWNLOAD",
        "GET",
        "/usage/chunks/{}/download",
    ),
    (
        "USAGE_RECONCILIATION",
        "LIST",
        "GET",
        "/usage/reconciliations",
    ),
    (
        "USAGE_RECONCILIATION",
        "GET",
        "GET",
        "/usage/reconciliations/{}",
    ),
    (
        "USAGE_RECONCILIATION",
        "UPLOAD",
        "POST",
        "/usage/reconciliations",
    ),
    (
        "RECONCILIATION_PROCESSED_FILE",
        "DOWNLOAD",
        "GET",
        "/usage/reconciliations/{}/processedfile",
    ),
    (
        "RECONCILIATION_UPLOADED_FILE",
        "DOWNLOAD",
        "GET",
        "/usage/reconciliations/{}/uploadedfile",
    ),
    ("USAGE_AGGREGATE", "LIST", "GET", "/usage/aggregates"),
    ("CASE", "LIST", "GET", "/helpdesk/cases"),
    ("CASE", "GET", "GET", "/helpdesk/cases/{}"),
    ("CASE", "CREATE", "POST", "/helpdesk/cases"),
    ("CASE", "PENDING", "POST", "/helpdesk/cases/{}/pend"),
    ("CASE", "INQUIRE", "POST", "/helpdesk/cases/{}/inquire"),
    ("CASE", "RESOLVE", "POST", "/helpdesk/cases/{}/resolve"),
    ("CASE", "CLOSE", "POST", "/helpdesk/cases/{}/close"),
    (
        "CONVERSATION_MESSAGES",
        "LIST",
        "GET",
        "/conversations/{}/messages",
    ),
    (
        "CONVERSATION_MESSAGES",
        "CREATE",
        "POST",
        "/conversations/{}/messages",
    ),
];

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
mod catalog_tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn old_connector_pairs_are_all_offered_with_method_and_path() {
        assert_eq!(OLD_CONNECTOR_PAIRS.len(), 91);
        let distinct: HashSet<_> = OLD_CONNECTOR_PAIRS.iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(distinct.len(), 91, "a pair is listed twice");
        let objects: HashSet<_> = OLD_CONNECTOR_PAIRS.iter().map(|p| p.0).collect();
        assert_eq!(objects.len(), 31);
        for &(object_id, action_id, method, path) in OLD_CONNECTOR_PAIRS {
            let action = Action::ALL
                .iter()
                .copied()
                .find(|a| a.id() == action_id)
                .unwrap_or_else(|| panic!("no action {action_id}"));
            // What browsing the action lists: the OBJECT_TYPES frame the shim receives.
            let browsed = browsed_object_ids(action);
            assert!(
                browsed.iter().any(|id| id == object_id),
                "{object_id}/{action_id} is not offered when browsing {action_id}"
            );
            let spec = object(object_id).unwrap().action(action).unwrap();
            assert_eq!(spec.method.as_str(), method, "{object_id}/{action_id}");
            assert_eq!(path_shape(spec.path), path, "{object_id}/{action_id}");
        }
    }

    /// The object type ids of `api::browse`'s OBJECT_TYPES frame for an action, decoded as
    /// `docs/architecture.md` lays the frame out.
    fn browsed_object_ids(action: Action) -> Vec<String> {
        let t = action.boomi_type().as_str();
        let custom = if t == "EXECUTE" {
            format!("\"{}\"", action.id())
        } else {
            "null".to_owned()
        };
        let json = format!(
            r#"{{"kind":"types","operationType":"{t}","customOperationType":{custom},"properties":{{}}}}"#
        );
        let frame = crate::api::browse(json.as_bytes()).expect("browse answers");
        let mut pos = 0;
        let mut take = |n: usize| {
            let out = &frame[pos..pos + n];
            pos += n;
            out
        };
        let u32_at = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap()) as usize;
        assert_eq!(take(1), [1], "frame version");
        let logs = u32_at(take(4));
        for _ in 0..logs {
            take(1);
            let n = u32_at(take(4));
            take(n);
        }
        assert_eq!(take(1), [3], "OBJECT_TYPES frame for {action:?}");
        let n = u32_at(take(4));
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            let [id, _label, _help] = [0, 1, 2].map(|_| {
                let len = u32_at(take(4));
                String::from_utf8(take(len).to_vec()).unwrap()
            });
            ids.push(id);
        }
        assert_eq!(pos, frame.len(), "trailing bytes after the object types");
        // Browsing an action lists exactly the objects that support it.
        let mut expected: Vec<&str> = objects_for(action).map(|o| o.id).collect();
        expected.sort_unstable();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, expected, "{action:?}");
        ids
    }

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
