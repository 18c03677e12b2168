//! Query cursors: `queryOpen` validates and remembers the query, each `queryNext` fetches one
//! page and returns it as a PAGE frame, one document per element of Connect's JSON array.

use std::sync::Arc;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::catalog::{Action, HttpMethod};
use crate::client::{ApiRequest, Client, RequestBody, excerpt};
use crate::error::{CoreError, ErrorCode, Result};
use crate::log::Log;
use crate::operation::{OperationJson, join_query, tracked};
use crate::paging::Pager;
use crate::profiles::FieldSpec;
use crate::rql;
use crate::settings::Properties;
use crate::wire::{self, Payload};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryJson {
    operation: OperationJson,
    #[serde(default)]
    dynamic_properties: Properties,
    #[serde(default)]
    filter: Option<Value>,
}

/// One open query.
pub struct QueryCursor {
    client: Arc<Client>,
    /// Unencoded path segments below the endpoint.
    segments: Vec<String>,
    /// Encoded query string without `limit`/`offset` (filter, ordering, selection, extra params).
    base_query: String,
    pager: Pager,
}

impl std::fmt::Debug for QueryCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryCursor")
            .field("segments", &self.segments)
            .field("base_query", &self.base_query)
            .field("pager", &self.pager)
            .finish()
    }
}

impl QueryCursor {
    /// Validates `queryJson`; sends nothing.
    pub fn open(client: Arc<Client>, json: &[u8]) -> Result<QueryCursor> {
        let q: QueryJson = serde_json::from_slice(json)
            .map_err(|e| CoreError::invalid_request(format!("query request is not valid: {e}")))?;
        let op = q.operation.resolve()?;
        if op.spec.action != Action::List || op.spec.method != HttpMethod::Get {
            return Err(CoreError::invalid_request(format!(
                "{} / {} is not a list action and cannot be queried",
                op.object.label,
                op.spec.action.label()
            )));
        }
        let page_size = op.properties.int("pageSize", "Page Size", 100, 1..=1000)?;
        let max_documents =
            op.properties
                .int("maxDocuments", "Maximum Documents", 0, 0..=i64::MAX)?;
        let segments = op
            .path_segments(&q.dynamic_properties, None)
            .map_err(CoreError::invalid_request)?;
        let filter = with_search(q.filter, op.properties.text("searchTerm"));
        let policy = SpecPolicy {
            object: op.object.label,
            fields: crate::profiles::field_specs(op.object.id),
        };
        let rql = filter_query(filter.as_ref(), op.selected_fields.as_deref(), &policy)?;
        let extra = op.query_params(&q.dynamic_properties);
        Ok(QueryCursor {
            client,
            segments,
            base_query: join_query(&[&rql, &extra]),
            pager: Pager::new(page_size.unsigned_abs(), max_documents.unsigned_abs()),
        })
    }

    pub fn is_done(&self) -> bool {
        self.pager.is_done()
    }

    /// Fetches the next page as a PAGE frame; after the last page, an empty frame with `done`.
    pub fn next_page(&mut self) -> Result<Vec<u8>> {
        let mut log = Log::new();
        let Some(req) = self.pager.next_request() else {
            return Ok(wire::page(&log, true, "", &[]));
        };
        let paging = format!("limit={}&offset={}", req.limit, req.offset);
        let query = join_query(&[&self.base_query, &paging]);
        let url = self
            .client
            .url(self.segments.iter().map(String::as_str), Some(&query))?;
        let what = format!("GET {}", url.path());
        log.fine(format!("{what}?{query}"));
        let api = ApiRequest {
            method: HttpMethod::Get,
            url,
            body: RequestBody::None,
        };
        let client = Arc::clone(&self.client);
        let resp =
            crate::runtime::block_on(client.send(&api, &mut log))?.map_err(|e| e.into_core())?;
        if !resp.is_success() {
            return Err(self.client.http_error(&what, &resp));
        }
        let body = resp.body.clone();
        let items = split_page(&body).map_err(|_| {
            CoreError::new(
                ErrorCode::Http,
                self.client.redact(&format!(
                    "{what} answered {} but not with a JSON array; is the API endpoint right? ({})",
                    resp.status,
                    excerpt(&body, 120)
                )),
            )
        })?;
        let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let keep = self
            .pager
            .on_page(req, count, resp.content_range(), &mut log);
        let payloads: Vec<Payload> = items
            .iter()
            .take(usize::try_from(keep).unwrap_or(usize::MAX))
            .map(|raw| document(&body, raw))
            .collect();
        Ok(wire::page(
            &log,
            self.pager.is_done(),
            &resp.status.to_string(),
            &payloads,
        ))
    }
}

/// The elements of a page body (Connect answers a list with a JSON array), each borrowed as its
/// exact bytes inside `body`.
pub(crate) fn split_page(body: &[u8]) -> serde_json::Result<Vec<&RawValue>> {
    serde_json::from_slice(body)
}

/// One element of `page` (from [`split_page`] over the same buffer) as a document: a view into
/// the page buffer, the element's exact bytes, not re-serialised.
pub(crate) fn document(page: &Bytes, element: &RawValue) -> Payload {
    let bytes = element.get().as_bytes();
    Payload {
        tracked: tracked(bytes),
        data: page.slice_ref(bytes),
    }
}

/// The filter with the operation's "Search Term" ANDed in as `eq(search,term)` (RQL's spelling
/// of `search=term`), so the term is quoted and encoded like any other filter value.
fn with_search(filter: Option<Value>, term: Option<String>) -> Option<Value> {
    let Some(term) = term else {
        return filter;
    };
    let search = serde_json::json!({"property": "search", "operator": "eq", "arguments": [term]});
    let mut filter = match filter {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let expression = match filter.remove("expression") {
        None | Some(Value::Null) => search,
        Some(user) => serde_json::json!({"group": "AND", "nested": [search, user]}),
    };
    filter.insert("expression".to_owned(), expression);
    Some(Value::Object(filter))
}

/// Checks filters and sorts against the fields the OpenAPI spec documents for the object.
///
/// Lenient on purpose: a field the spec does not list (or an object without field specs, such as
/// the Generic Resource) is left for Connect to judge, because the spec's lists are not complete;
/// only a documented field used with an operator or ordering it documents as unsupported is
/// rejected here, before any request, with the alternatives in the message.
struct SpecPolicy {
    object: &'static str,
    fields: &'static [FieldSpec],
}

impl SpecPolicy {
    fn field(&self, rql_path: &str) -> Option<&'static FieldSpec> {
        self.fields
            .iter()
            .find(|f| f.name.split('/').eq(rql_path.split('.')))
    }
}

impl rql::FieldPolicy for SpecPolicy {
    fn check_lookup(&self, field: &str, op: rql::Operator) -> std::result::Result<(), String> {
        let Some(spec) = self.field(field) else {
            return Ok(());
        };
        let lookup = match op {
            rql::Operator::NotNull => "null",
            // The spec does not document `empty()` per field; Connect decides.
            rql::Operator::Empty | rql::Operator::NotEmpty | rql::Operator::Rql => return Ok(()),
            other => other.id(),
        };
        if spec.lookups.contains(&lookup) {
            return Ok(());
        }
        Err(if spec.lookups.is_empty() {
            format!("{} cannot be filtered on this field", self.object)
        } else {
            format!(
                "{} does not support \"{}\" on this field; use one of: {}",
                self.object,
                op.id(),
                spec.lookups.join(", ")
            )
        })
    }

    fn check_sort(&self, field: &str) -> std::result::Result<(), String> {
        match self.field(field) {
            Some(spec) if !spec.sortable => {
                Err(format!("{} cannot be ordered by this field", self.object))
            }
            _ => Ok(()),
        }
    }
}

/// The encoded RQL part of the query string (filter, ordering, selection) for the Boomi filter.
fn filter_query(
    filter: Option<&Value>,
    selected: Option<&[String]>,
    policy: &dyn rql::FieldPolicy,
) -> Result<String> {
    let filter: rql::Filter = match filter {
        None | Some(Value::Null) => rql::Filter::default(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            CoreError::invalid_request(format!("the query filter is not valid: {e}"))
        })?,
    };
    let query = rql::build_query(&filter, selected, policy)
        .map_err(|e| CoreError::invalid_request(e.message().to_owned()))?;
    Ok(query.to_query_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_term_joins_the_filter() {
        let user = serde_json::json!({"expression": {"property": "status", "operator": "eq", "arguments": ["pending"]}, "sort": []});
        let q = filter_query(
            with_search(Some(user), Some("ACME Corp".into())).as_ref(),
            None,
            &rql::AllowAll,
        )
        .unwrap();
        assert!(q.contains("search") && q.contains("status"), "{q}");
        assert!(q.contains("ACME%20Corp"), "{q}");
        let q = filter_query(
            with_search(None, Some("x".into())).as_ref(),
            None,
            &rql::AllowAll,
        )
        .unwrap();
        assert_eq!(q, "eq(search,x)");
        assert_eq!(
            filter_query(with_search(None, None).as_ref(), None, &rql::AllowAll).unwrap(),
            ""
        );
    }

    #[test]
    fn spec_policy_rejects_documented_unsupported_uses_only() {
        let policy = SpecPolicy {
            object: "Request",
            fields: crate::profiles::field_specs("REQUEST"),
        };
        let q = |expr: serde_json::Value| {
            let f = serde_json::json!({"expression": expr, "sort": []});
            filter_query(Some(&f), None, &policy)
        };
        // asset/status documents only eq.
        let e = q(serde_json::json!({"property": "asset/status", "operator": "like", "arguments": ["a*"]})).unwrap_err();
        assert!(e.message.contains("use one of: eq"), "{}", e.message);
        assert!(q(serde_json::json!({"property": "asset/status", "operator": "eq", "arguments": ["active"]})).is_ok());
        // Not in the spec's list: Connect decides.
        assert!(q(serde_json::json!({"property": "no_such_field", "operator": "like", "arguments": ["x"]})).is_ok());
        let sort = serde_json::json!({"expression": null, "sort": [{"property": "asset/status", "order": "asc"}]});
        assert!(filter_query(Some(&sort), None, &policy).is_err());
    }
}
