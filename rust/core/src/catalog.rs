//! The List of Operations (the `connect-catalog` crate, which the generators read too).

pub use connect_catalog::*;

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

#[cfg(test)]
mod tests {
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
}
