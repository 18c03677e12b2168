//! The table itself: one line per action, in the order Boomi lists objects and actions.

use super::*;

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

/// A multipart upload: the document's bytes as `file_part`, and the `note_part` text field when
/// the document property of that name has a value.
const fn multipart(file_part: &'static str, note_part: Option<&'static str>) -> Body {
    Body::Multipart {
        file_part,
        note_part,
    }
}

/// `spec` with optional query parameters (see [`ActionSpec::query`]).
const fn with_query(spec: ActionSpec, query: &'static [&'static str]) -> ActionSpec {
    ActionSpec { query, ..spec }
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
#[rustfmt::skip]
static OBJECTS: &[ObjectSpec] = &[
    obj("REQUEST", "Request", "Fulfillment requests (purchase, change, suspend, resume, cancel) of assets", &[
        get(A::List, "/requests", REQUEST_OUT),
        get(A::Get, "/requests/{request_id}", REQUEST_OUT),
        put(A::Update, "/requests/{request_id}", json("UpdateRequest"), REQUEST_OUT),
        post(A::Approve, "/requests/{request_id}/approve", json("ApproveRequest"), REQUEST_OUT),
        post(A::Inquire, "/requests/{request_id}/inquire", json("InquireRequest"), REQUEST_OUT),
        post(A::Pending, "/requests/{request_id}/pend", NONE, REQUEST_OUT),
        post(A::Reject, "/requests/{request_id}/fail", json("FailRequest"), REQUEST_OUT),
        post(A::Assign, "/requests/{request_id}/assign", json("AssignRequest"), REQUEST_OUT),
        post(A::Unassign, "/requests/{request_id}/unassign", NONE, REQUEST_OUT),
        post(A::Purchase, "/requests/{request_id}/purchase", NONE, REQUEST_OUT),
        post(A::Confirm, "/requests/{request_id}/confirm", json("ConfirmRequest"), REQUEST_OUT),
        post(A::Revoke, "/requests/{request_id}/revoke", json("RevokeRequest"), REQUEST_OUT),
        post(A::Schedule, "/requests/{request_id}/schedule", json("ScheduleRequest"), REQUEST_OUT),
        post(A::Submit, "/requests/{request_id}/submit", json("SubmitRequest"), REQUEST_OUT),
        post(A::Validate, "/requests/{request_id}/validate", json("ValidateRequest"), REQUEST_OUT),
    ]),
    obj("PURCHASE_REQUEST", "Purchase Request", "Create a purchase request (a new asset)", &[
        post(A::Create, "/requests", json("NewPurchaseRequest"), REQUEST_OUT),
    ]),
    obj("CHANGE_REQUEST", "Change Request", "Create a change request (new item quantities of an asset)", &[
        post(A::Create, "/requests", json("NewChangeRequest"), REQUEST_OUT),
    ]),
    obj("ADMIN_HOLD_REQUEST", "Admin Hold Request", "Create a suspend, resume or cancel request of an asset", &[
        post(A::Create, "/requests", json("NewAdminHoldRequest"), REQUEST_OUT),
    ]),
    obj("BILLING_REQUEST", "Billing Request", "Create a billing request of a subscription asset", &[
        post(A::Create, "/subscriptions/requests", json("NewBillingRequest"), out("BillingRequest")),
    ]),
    obj("ASSET", "Asset", "Assets (subscriptions) of the fulfillment module", &[
        get(A::List, "/assets", out("Asset")),
        get(A::Get, "/assets/{asset_id}", out("Asset")),
    ]),
    obj("ASSET_USAGE_AGGREGATE", "Asset Usage Aggregate", "Usage aggregates of one asset", &[
        get(A::List, "/assets/{asset_id}/usage/aggregates", out("UsageAggregate")),
    ]),
    obj("SUBSCRIPTION_REQUEST", "Subscription Request", "Billing requests of subscription assets", &[
        get(A::List, "/subscriptions/requests", out("BillingRequest")),
        get(A::Get, "/subscriptions/requests/{subscription_request_id}", out("BillingRequest")),
    ]),
    obj("SUBSCRIPTION_ASSET", "Subscription Asset", "Assets of the subscriptions module", &[
        get(A::List, "/subscriptions/assets", out("SubscriptionAsset")),
        get(A::Get, "/subscriptions/assets/{asset_id}", out("SubscriptionAsset")),
    ]),
    obj("BILLING_REQUEST_ATTRIBUTE", "Billing Request Attribute", "Vendor and provider attributes of a billing request", &[
        put(A::Update, "/subscriptions/requests/{subscription_request_id}/attributes", json("BillingRequestAttributes"), out("BillingRequestAttributes")),
    ]),
    obj("TIER_ACCOUNT", "Tier Account", "Customer and reseller (tier) accounts", &[
        get(A::List, "/tier/accounts", out("TierAccount")),
        get(A::Get, "/tier/accounts/{tier_account_id}", out("TierAccount")),
        post(A::Create, "/tier/accounts", json("NewTierAccount"), out("TierAccount")),
        put(A::Update, "/tier/accounts/{tier_account_id}", json("UpdateTierAccount"), out("TierAccount")),
        delete("/tier/accounts/{tier_account_id}"),
    ]),
    obj("TIER_ACCOUNT_VERSION", "Tier Account Version", "Versions of a tier account", &[
        get(A::List, "/tier/accounts/{tier_account_id}/versions", out("TierAccountVersion")),
        get(A::Get, "/tier/accounts/{tier_account_id}/versions/{tier_account_version}", out("TierAccountVersion")),
    ]),
    obj("TIER_ACCOUNT_REQUEST", "Tier Account Request", "Requests to update tier accounts", &[
        get(A::List, "/tier/account-requests", out("TierAccountRequest")),
        get(A::Get, "/tier/account-requests/{tier_account_request_id}", out("TierAccountRequest")),
        post(A::Create, "/tier/account-requests", json("NewTierAccountRequest"), out("TierAccountRequest")),
        post(A::Accept, "/tier/account-requests/{tier_account_request_id}/accept", NONE, out("TierAccountRequest")),
        post(A::Ignore, "/tier/account-requests/{tier_account_request_id}/ignore", json("IgnoreTierAccountRequest"), out("TierAccountRequest")),
    ]),
    obj("TIER_CONFIG", "Tier Config", "Tier configurations of products", &[
        get(A::List, "/tier/configs", out("TierConfig")),
        get(A::Get, "/tier/configs/{tier_config_id}", out("TierConfig")),
    ]),
    obj("TIER_CONFIG_REQUEST", "Tier Config Request", "Requests to set up or change tier configurations", &[
        get(A::List, "/tier/config-requests", TCR_OUT),
        get(A::Get, "/tier/config-requests/{tier_config_request_id}", TCR_OUT),
        post(A::Create, "/tier/config-requests", json("NewTierConfigRequest"), TCR_OUT),
        put(A::Update, "/tier/config-requests/{tier_config_request_id}", json("UpdateTierConfigRequest"), TCR_OUT),
        post(A::Approve, "/tier/config-requests/{tier_config_request_id}/approve", json("ApproveTierConfigRequest"), TCR_OUT),
        post(A::Inquire, "/tier/config-requests/{tier_config_request_id}/inquire", NONE, EMPTY),
        post(A::Pending, "/tier/config-requests/{tier_config_request_id}/pend", NONE, EMPTY),
        // The old connector sent no body here; the spec wants the reason.
        post(A::Reject, "/tier/config-requests/{tier_config_request_id}/fail", json("FailTierConfigRequest"), EMPTY),
        post(A::Assign, "/tier/config-requests/{tier_config_request_id}/assign", json("AssignTierConfigRequest"), EMPTY),
        post(A::Unassign, "/tier/config-requests/{tier_config_request_id}/unassign", NONE, EMPTY),
        post(A::Submit, "/tier/config-requests/{tier_config_request_id}/submit", NONE, TCR_OUT),
        post(A::Validate, "/tier/config-requests/{tier_config_request_id}/validate", json("ValidateTierConfigRequest"), TCR_OUT),
    ]),
    obj("PRODUCT", "Product", "Products", &[
        get(A::List, "/products", out("Product")),
        get(A::Get, "/products/{product_id}", out("Product")),
        delete("/products/{product_id}"),
        get(A::UsageTemplate, "/usage/products/{product_id}/template", out("UsageTemplateLink")),
    ]),
    obj("PRODUCT_TEMPLATE", "Product Template", "Templates of a product", &[
        get(A::List, "/products/{product_id}/templates", out("ProductTemplate")),
        get(A::Get, "/products/{product_id}/templates/{template_id}", out("ProductTemplate")),
        delete("/products/{product_id}/templates/{template_id}"),
    ]),
    obj("PRODUCT_ACTION", "Product Action", "Actions of a product", &[
        get(A::List, "/products/{product_id}/actions", out("ProductAction")),
        get(A::Get, "/products/{product_id}/actions/{action_id}", out("ProductAction")),
        delete("/products/{product_id}/actions/{action_id}"),
    ]),
    obj("PRODUCT_ACTION_LINK", "Product Action Link", "The link of a product action for one asset or tier config", &[
        with_query(get(A::Get, "/products/{product_id}/actions/{action_id}/actionLink", out("ProductActionLink")), &["asset_id", "tier_config_id"]),
    ]),
    obj("PRODUCT_ITEM", "Product Item", "Items of a product", &[
        get(A::List, "/products/{product_id}/items", out("ProductItem")),
        get(A::Get, "/products/{product_id}/items/{item_id}", out("ProductItem")),
        delete("/products/{product_id}/items/{item_id}"),
    ]),
    obj("PRODUCT_PARAMETER", "Product Parameter", "Parameters of a product", &[
        get(A::List, "/products/{product_id}/parameters", out("ProductParameter")),
        get(A::Get, "/products/{product_id}/parameters/{parameter_id}", out("ProductParameter")),
        delete("/products/{product_id}/parameters/{parameter_id}"),
    ]),
    obj("PRODUCT_CONFIGURATION", "Product Configuration", "Configuration parameter values of a product", &[
        get(A::List, "/products/{product_id}/configurations", out("ProductConfiguration")),
    ]),
    obj("USAGE_REPORT", "Usage Report", "Usage files", &[
        get(A::List, "/usage/files", USAGE_REPORT_OUT),
        get(A::Get, "/usage/files/{usage_report_id}", USAGE_REPORT_OUT),
        post(A::Create, "/usage/files", json("NewUsageReport"), USAGE_REPORT_OUT),
        put(A::Update, "/usage/files/{usage_report_id}", json("UpdateUsageReport"), USAGE_REPORT_OUT),
        // Connect deletes a usage file with an action, not with the DELETE method.
        post(A::Delete, "/usage/files/{usage_report_id}/delete", NONE, USAGE_REPORT_OUT),
        post(A::Upload, "/usage/files/{usage_report_id}/upload", multipart("usage_file", None), USAGE_REPORT_OUT),
        post(A::UploadReconFile, "/usage/files/{usage_report_id}/reconciliation", multipart("recon_file", None), USAGE_REPORT_OUT),
        post(A::Submit, "/usage/files/{usage_report_id}/submit", NONE, USAGE_REPORT_OUT),
        post(A::Accept, "/usage/files/{usage_report_id}/accept", json("AcceptUsageReport"), USAGE_REPORT_OUT),
        post(A::Reject, "/usage/files/{usage_report_id}/reject", json("RejectUsageReport"), USAGE_REPORT_OUT),
        post(A::Close, "/usage/files/{usage_report_id}/close", NONE, USAGE_REPORT_OUT),
        post(A::Reprocess, "/usage/files/{usage_report_id}/reprocess", NONE, USAGE_REPORT_OUT),
        put(A::ApproveAll, "/usage/files/{usage_report_id}/approve-all", NONE, USAGE_REPORT_OUT),
        // The first of several calls (create, upload, submit): see the connector's `usage` module.
        post(A::SubmitUsageRecords, "/usage/files", json(usage::PROFILE), USAGE_REPORT_OUT),
    ]),
    obj("USAGE_RECORD", "Usage Record", "Usage records of usage files", &[
        get(A::List, "/usage/records", USAGE_RECORD_OUT),
        get(A::Get, "/usage/records/{usage_record_id}", USAGE_RECORD_OUT),
        put(A::Update, "/usage/records/{usage_record_id}", json("UpdateUsageRecord"), USAGE_RECORD_OUT),
        post(A::Close, "/usage/records/{usage_record_id}/close", json("CloseUsageRecord"), USAGE_RECORD_OUT),
        post(A::BulkClose, "/usage/records/close-records", json("BulkCloseUsageRecords"), out("BulkCloseUsageRecordsResult")),
    ]),
    obj("USAGE_CHUNK", "Usage Chunk", "Usage chunk files (parts of usage files per asset)", &[
        get(A::List, "/usage/chunks", USAGE_CHUNK_OUT),
        get(A::Get, "/usage/chunks/{usage_chunk_id}", USAGE_CHUNK_OUT),
        put(A::Update, "/usage/chunks/{usage_chunk_id}", json("UpdateUsageChunk"), USAGE_CHUNK_OUT),
        post(A::Close, "/usage/chunks/{usage_chunk_id}/close", json("CloseUsageChunk"), USAGE_CHUNK_OUT),
        post(A::Regenerate, "/usage/chunks/{usage_chunk_id}/regenerate", NONE, USAGE_CHUNK_OUT),
        get(A::Download, "/usage/chunks/{usage_chunk_id}/download", Output::Binary),
    ]),
    obj("USAGE_RECONCILIATION", "Usage Reconciliation", "Usage reconciliation files", &[
        get(A::List, "/usage/reconciliations", out("UsageReconciliation")),
        get(A::Get, "/usage/reconciliations/{usage_recon_id}", out("UsageReconciliation")),
        post(A::Upload, "/usage/reconciliations", multipart("recon_file", Some("upload_note")), out("UsageReconciliation")),
    ]),
    obj("RECONCILIATION_PROCESSED_FILE", "Reconciliation Processed File", "The processed file of a usage reconciliation", &[
        get(A::Download, "/usage/reconciliations/{usage_recon_id}/processedfile", Output::Binary),
    ]),
    obj("RECONCILIATION_UPLOADED_FILE", "Reconciliation Uploaded File", "The uploaded file of a usage reconciliation", &[
        get(A::Download, "/usage/reconciliations/{usage_recon_id}/uploadedfile", Output::Binary),
    ]),
    obj("USAGE_AGGREGATE", "Usage Aggregate", "Usage aggregates", &[
        get(A::List, "/usage/aggregates", out("UsageAggregate")),
    ]),
    obj("CASE", "Case", "Helpdesk cases", &[
        get(A::List, "/helpdesk/cases", CASE_OUT),
        get(A::Get, "/helpdesk/cases/{case_id}", CASE_OUT),
        post(A::Create, "/helpdesk/cases", json("NewCase"), CASE_OUT),
        put(A::Update, "/helpdesk/cases/{case_id}", json("UpdateCase"), CASE_OUT),
        post(A::Pending, "/helpdesk/cases/{case_id}/pend", NONE, CASE_OUT),
        post(A::Inquire, "/helpdesk/cases/{case_id}/inquire", NONE, CASE_OUT),
        post(A::Resolve, "/helpdesk/cases/{case_id}/resolve", NONE, CASE_OUT),
        post(A::Close, "/helpdesk/cases/{case_id}/close", json("CloseCase"), CASE_OUT),
    ]),
    obj("CONVERSATION_MESSAGES", "Conversation Message", "Messages of a conversation", &[
        get(A::List, "/conversations/{conversation_id}/messages", out("ConversationMessage")),
        post(A::Create, "/conversations/{conversation_id}/messages", json("NewConversationMessage"), out("ConversationMessage")),
    ]),
    obj("WEBHOOK", "Webhook", "Webhooks: the calls Connect makes to your URL when a queue (requests, tier configs, usage files, ...) changes", &[
        get(A::List, "/notifications/webhooks", WEBHOOK_OUT),
        get(A::Get, "/notifications/webhooks/{webhook_id}", WEBHOOK_OUT),
        post(A::Create, "/notifications/webhooks", json("NewWebhook"), WEBHOOK_OUT),
        put(A::Update, "/notifications/webhooks/{webhook_id}", json("UpdateWebhook"), WEBHOOK_OUT),
        delete("/notifications/webhooks/{webhook_id}"),
        put(A::Activate, "/notifications/webhooks/{webhook_id}", set_flag("UpdateWebhook", "active", true), WEBHOOK_OUT),
        put(A::Deactivate, "/notifications/webhooks/{webhook_id}", set_flag("UpdateWebhook", "active", false), WEBHOOK_OUT),
        // The spec documents a 200 without a body.
        post(A::Trigger, "/notifications/webhooks/{webhook_id}/trigger", NONE, EMPTY),
        // The document is the body Connect sent to the webhook's URL; it goes nowhere.
        act(A::VerifyWebhookCall, M::Post, LOCAL_PATH, json("GenericResource"), GENERIC),
    ]),
    obj(GENERIC_OBJECT_ID, "Generic Resource", "Any Connect resource by its path under the API, such as /marketplaces or /listing-requests/{id}", &[
        get(A::List, GENERIC_PATH, GENERIC),
        get(A::Get, GENERIC_PATH, GENERIC),
        post(A::Create, GENERIC_PATH, json("GenericResource"), GENERIC),
        put(A::Update, GENERIC_PATH, json("GenericResource"), GENERIC),
        act(A::Delete, M::Delete, GENERIC_PATH, NONE, EMPTY),
        post(A::ResourceAction, GENERIC_PATH, json("GenericResource"), GENERIC),
    ]),
    obj("REPORT", "Report", "Report runs of Connect's reporting module", &[
        get(A::List, "/reporting/reports", out("Report")),
        get(A::Get, "/reporting/reports/{report_id}", out("Report")),
        get(A::Download, "/reporting/reports/{report_id}/download", Output::Binary),
        // Create, then Get until it is done, then Download: see the connector's `report` module.
        post(A::RunReport, "/reporting/reports", json("NewReport"), Output::Binary),
    ]),
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
