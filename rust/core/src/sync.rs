//! Incremental sync on List Resources: "Changed Since" (a `ge` filter and an ascending ordering on
//! the object's change field, see [`ChangeField`]), the `changedAt` tracked property of each
//! document with the newest value logged at the end, and the connection's "Environment" filter.
//!
//! Everything is added to the user's own filter and sorts before they become RQL, so the same
//! field checks, quoting and encoding apply.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::catalog::{ChangeField, ChangeKind, ObjectSpec};
use crate::error::{CoreError, Result};
use crate::rql::{Expr, Filter, GroupExpr, SimpleExpr, SortSpec};
use crate::settings::Properties;

pub use connect_catalog::sync::{
    CHANGED_AT, CHANGED_SINCE, CHANGED_SINCE_LABEL, ENVIRONMENT, Environment,
};

/// What one List Resources adds for incremental sync.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The change field and the normalised Changed Since value.
    since: Option<(ChangeField, String)>,
    /// The environment field and its value.
    environment: Option<(&'static str, &'static str)>,
}

impl Plan {
    /// The additions for a query on `object`: Changed Since from the document property or else the
    /// operation setting, and the connection's environment where the object has such a field.
    pub(crate) fn new(
        object: &ObjectSpec,
        operation: &Properties,
        document: &Properties,
        environment: Environment,
    ) -> Result<Plan> {
        let since = match (document.text(CHANGED_SINCE), operation.text(CHANGED_SINCE)) {
            (Some(value), _) => Some((value, "document property changedSince")),
            (None, Some(value)) => Some((value, "operation setting")),
            (None, None) => None,
        };
        let since = match since {
            None => None,
            Some((value, from)) => {
                let field = object.change_field().map_err(|why| {
                    CoreError::invalid_request(format!(
                        "\"{CHANGED_SINCE_LABEL}\" ({from}) cannot be used with {}: {why}; \
                         leave it empty",
                        object.label
                    ))
                })?;
                let value = normalize(&value).map_err(|why| {
                    CoreError::invalid_request(format!(
                        "\"{CHANGED_SINCE_LABEL}\" ({from}) \"{value}\" is not a timestamp ({why}); \
                         use ISO 8601 such as 2024-05-01T12:00:00+00:00 or 2024-05-01"
                    ))
                })?;
                Some((field, value))
            }
        };
        let environment = environment
            .connect_value()
            .and_then(|value| Some((object.environment_field()?, value)));
        Ok(Plan { since, environment })
    }

    /// Adds the filters (ANDed before the user's expression) and the ordering (before the user's
    /// sorts; a user sort on the same field is dropped, since Connect cannot order by one field
    /// twice).
    pub(crate) fn apply(&self, filter: &mut Filter) {
        let mut added = Vec::new();
        if let Some((field, value)) = &self.since {
            added.push(simple(field.filter, "ge", value));
        }
        if let Some((field, value)) = self.environment {
            added.push(simple(field, "eq", value));
        }
        if added.is_empty() {
            return;
        }
        if let Some(user) = filter.expression.take() {
            added.push(user);
        }
        filter.expression = Some(if added.len() == 1 {
            added.remove(0)
        } else {
            Expr::Group(GroupExpr {
                group: "AND".to_owned(),
                nested: added,
            })
        });
        if let Some((field, _)) = &self.since {
            let same = |p: &str| p.split(['/', '.']).eq(field.filter.split('.'));
            filter.sort.retain(|s| !same(&s.property));
            filter.sort.insert(
                0,
                SortSpec {
                    property: field.filter.to_owned(),
                    order: Some("asc".to_owned()),
                },
            );
        }
    }

    /// The same additions with `since` as the Changed Since value (keyset paging, see
    /// [`Keyset`]); `since` is a change time Connect wrote, so it is sent as it is.
    pub(crate) fn with_since(&self, since: &str) -> Plan {
        Plan {
            since: self
                .since
                .as_ref()
                .map(|(field, _)| (*field, since.to_owned())),
            environment: self.environment,
        }
    }

    /// The dotted path of the change time inside a document, when Changed Since is in use.
    pub(crate) fn change_path(&self) -> Option<&'static str> {
        self.since.as_ref().map(|(field, _)| field.document)
    }

    /// Where keyset paging starts, when Changed Since is in use.
    pub(crate) fn keyset(&self) -> Option<Keyset> {
        self.since.as_ref().map(|(_, since)| Keyset::new(since))
    }

    /// The watermark of this query's documents, when Changed Since is in use.
    pub(crate) fn watermark(&self) -> Option<Watermark> {
        self.since.as_ref().map(|(field, since)| Watermark {
            field: *field,
            since: since.clone(),
            documents: 0,
            newest: None,
        })
    }
}

fn simple(field: &str, operator: &str, value: &str) -> Expr {
    Expr::Simple(SimpleExpr {
        property: field.to_owned(),
        operator: operator.to_owned(),
        arguments: vec![Some(value.to_owned())],
    })
}

/// A Changed Since value as sent to Connect: an RFC 3339 timestamp as it is (so a stored
/// `changedAt` goes back exactly), a date or a date and time without offset as UTC in the form
/// Connect writes (`2024-05-01T00:00:00+00:00`).
pub(crate) fn normalize(text: &str) -> std::result::Result<String, String> {
    let text = text.trim();
    if parse(text).is_some() {
        return Ok(text.to_owned());
    }
    let completed = if text.len() == 10 {
        format!("{text}T00:00:00+00:00")
    } else {
        format!("{text}+00:00")
    };
    let at = parse(&completed).ok_or_else(|| "not ISO 8601".to_owned())?;
    let utc = at.to_offset(time::UtcOffset::UTC);
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}+00:00",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
        match utc.nanosecond() {
            0 => String::new(),
            n => format!(".{:06}", n / 1000),
        }
    ))
}

fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Keyset paging of a Changed Since query (`paging.rs`, rule 9): each request asks for the
/// records changed at or after `since` (T), skipping the `offset` records with change time T that
/// were already received. Records ordered before T cannot shift the pages; a record
/// changed meanwhile leaves its place and comes again later with its new time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyset {
    since: String,
    at: Option<OffsetDateTime>,
    offset: u64,
}

impl Keyset {
    /// The first request: from the Changed Since value (normalised), at offset 0.
    pub fn new(since: &str) -> Keyset {
        Keyset {
            since: since.to_owned(),
            at: parse(since),
            offset: 0,
        }
    }

    /// T, the `ge` value of the next request.
    pub fn since(&self) -> &str {
        &self.since
    }

    /// The `offset` of the next request: records received with change time T.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Moves past a page whose records had the change times `times` (in order, `None` where a
    /// record has none). T becomes the last record's time and the offset the
    /// number of records received with that time, this page's and, while T stays the same, the
    /// pages' before. When the last record's time cannot be read, or is older than T (the server
    /// did not order by the change field), T stays and the offset moves past the whole page, as
    /// paging by offset would; the reason is returned for a warning.
    pub fn advance(&mut self, times: &[Option<ChangeTime<'_>>]) -> std::result::Result<(), String> {
        let Some(last) = times.last() else {
            return Ok(());
        };
        let count = u64::try_from(times.len()).unwrap_or(u64::MAX);
        let Some(ChangeTime { text, at: Some(at) }) = *last else {
            self.offset = self.offset.saturating_add(count);
            return Err(format!(
                "the last record of the page has no readable change time ({})",
                last.map_or_else(|| "missing".to_owned(), |t| format!("\"{}\"", t.text))
            ));
        };
        if self.at.is_some_and(|t| at < t) {
            self.offset = self.offset.saturating_add(count);
            return Err(format!(
                "the last record of the page changed at {text}, before {} (the records are not \
                 ordered by their change time)",
                self.since
            ));
        }
        let same = times
            .iter()
            .filter(|t| t.and_then(|t| t.at) == Some(at))
            .count();
        let same = u64::try_from(same).unwrap_or(u64::MAX);
        if self.at == Some(at) {
            self.offset = self.offset.saturating_add(same);
        } else {
            self.since = text.to_owned();
            self.at = Some(at);
            self.offset = same;
        }
        Ok(())
    }
}

/// A record's change time as Connect wrote it, with its instant when it is RFC 3339 (read once,
/// for keyset paging and the watermark).
#[derive(Clone, Copy, Debug)]
pub struct ChangeTime<'a> {
    text: &'a str,
    at: Option<OffsetDateTime>,
}

impl<'a> ChangeTime<'a> {
    pub fn new(text: &'a str) -> Self {
        ChangeTime {
            text,
            at: parse(text),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }
}

/// The `changedAt` values of a query's documents and the newest of them.
#[derive(Clone, Debug)]
pub(crate) struct Watermark {
    field: ChangeField,
    since: String,
    documents: u64,
    newest: Option<(OffsetDateTime, String)>,
}

impl Watermark {
    /// Counts the delivered documents whose `changedAt` are `times`, noting the newest.
    pub(crate) fn note<'t>(&mut self, times: impl Iterator<Item = Option<ChangeTime<'t>>>) {
        for time in times {
            self.documents += 1;
            if let Some(ChangeTime { text, at: Some(at) }) = time
                && self.newest.as_ref().is_none_or(|(newest, _)| at > *newest)
            {
                self.newest = Some((at, text.to_owned()));
            }
        }
    }

    /// The log line at the end of the query: what to store for the next run.
    pub(crate) fn summary(&self) -> String {
        let Watermark {
            field,
            since,
            documents,
            ..
        } = self;
        let what = match field.kind {
            ChangeKind::Modified => "changed",
            ChangeKind::Created => "created",
        };
        match &self.newest {
            Some((_, newest)) => format!(
                "Changed Since {since}: {documents} records {what} (by {}); newest changedAt \
                 {newest}: store it as the next run's Changed Since",
                field.filter
            ),
            None => format!(
                "Changed Since {since}: no record {what} (by {}); keep {since} as the next \
                 run's Changed Since",
                field.filter
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, Action};
    use crate::wire::TrackedText;

    #[test]
    fn changed_since_values_are_checked_and_normalised() {
        for same in [
            "2024-05-01T12:00:00+00:00",
            "2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00.123456+02:00",
        ] {
            assert_eq!(normalize(same).unwrap(), same);
        }
        assert_eq!(
            normalize("2024-05-01").unwrap(),
            "2024-05-01T00:00:00+00:00"
        );
        assert_eq!(
            normalize(" 2024-05-01T12:30:00 ").unwrap(),
            "2024-05-01T12:30:00+00:00"
        );
        for bad in [
            "yesterday",
            "2024-13-01",
            "2024-05-01T25:00:00Z",
            "1714564800",
        ] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
    }

    fn props(pairs: &[(&str, &str)]) -> Properties {
        Properties(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                .collect(),
        )
    }

    #[test]
    fn the_document_property_overrides_the_setting_and_unusable_objects_say_why() {
        let request = catalog::object("REQUEST").unwrap();
        let setting = props(&[(CHANGED_SINCE, "2024-01-01")]);
        let since = |document: &[(&str, &str)]| {
            Plan::new(request, &setting, &props(document), Environment::Any)
                .unwrap()
                .since
                .unwrap()
                .1
        };
        assert_eq!(since(&[]), "2024-01-01T00:00:00+00:00");
        assert_eq!(
            since(&[(CHANGED_SINCE, "2024-02-02T00:00:00+00:00")]),
            "2024-02-02T00:00:00+00:00"
        );
        // A blank document property (an empty stored watermark) falls back to the setting.
        assert_eq!(since(&[(CHANGED_SINCE, " ")]), "2024-01-01T00:00:00+00:00");
        let e = Plan::new(
            catalog::object("ASSET").unwrap(),
            &setting,
            &props(&[]),
            Environment::Any,
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "\"Changed Since\" (operation setting) cannot be used with Asset: the API documents \
             only gt and lt (no ge) on its updated and created times; leave it empty"
        );
        let e = Plan::new(
            request,
            &props(&[]),
            &props(&[(CHANGED_SINCE, "last tuesday")]),
            Environment::Any,
        )
        .unwrap_err();
        assert!(
            e.message.starts_with(
                "\"Changed Since\" (document property changedSince) \"last tuesday\" is not a timestamp"
            ),
            "{}",
            e.message
        );
    }

    /// The query string List Resources sends for a user filter (JSON) on an object.
    fn rql_for(object: &str, filter: serde_json::Value, plan: &Plan) -> String {
        let object = catalog::object(object).unwrap();
        let mut filter: Filter = serde_json::from_value(filter).unwrap();
        plan.apply(&mut filter);
        crate::rql::build_query(
            &filter,
            Some(&["id".to_owned()]),
            &crate::query::SpecPolicy::for_object(object),
        )
        .unwrap()
        .filter_only()
        .to_query_string()
    }

    fn plan(object: &str, since: Option<&str>, environment: Environment) -> Plan {
        let setting = props(
            &since
                .map(|v| (CHANGED_SINCE, v))
                .into_iter()
                .collect::<Vec<_>>(),
        );
        Plan::new(
            catalog::object(object).unwrap(),
            &setting,
            &props(&[]),
            environment,
        )
        .unwrap()
    }

    #[test]
    fn changed_since_and_environment_join_the_users_filter_and_sorts() {
        let user = serde_json::json!({
            "expression": {"group": "OR", "nested": [
                {"property": "status", "operator": "eq", "arguments": ["pending"]},
                {"property": "status", "operator": "eq", "arguments": ["inquiring"]}]},
            "sort": [{"property": "created", "order": "desc"}, {"property": "updated", "order": "desc"}]});
        let since = plan(
            "REQUEST",
            Some("2024-05-01T12:00:00+00:00"),
            Environment::Production,
        );
        let mut filter: Filter = serde_json::from_value(user.clone()).unwrap();
        since.apply(&mut filter);
        let q = crate::rql::build_query(
            &filter,
            None,
            &crate::query::SpecPolicy::for_object(catalog::object("REQUEST").unwrap()),
        )
        .unwrap()
        .to_query_string();
        assert!(
            q.starts_with(
                "and(ge(updated,2024-05-01T12:00:00%2B00:00),eq(asset.connection.type,production),\
                 or(eq(status,pending),eq(status,inquiring)))&ordering(updated,-created)"
            ),
            "{q}"
        );
        // Alone: the filter and the ordering only.
        let alone = serde_json::json!({"expression": null, "sort": []});
        let plain = plan("CASE", Some("2024-05-01"), Environment::Production);
        let mut filter: Filter = serde_json::from_value(alone.clone()).unwrap();
        plain.apply(&mut filter);
        assert_eq!(
            crate::rql::build_query(&filter, None, &crate::rql::AllowAll)
                .unwrap()
                .to_query_string(),
            "ge(events.updated.at,2024-05-01T00:00:00%2B00:00)&ordering(events.updated.at)"
        );
        // The environment alone, on the objects that have a field for it, and nothing elsewhere.
        for (object, field) in [
            ("REQUEST", "asset.connection.type"),
            ("ASSET", "connection.type"),
            ("TIER_CONFIG_REQUEST", "configuration.connection.type"),
            ("USAGE_REPORT", "environment"),
        ] {
            assert_eq!(
                rql_for(
                    object,
                    alone.clone(),
                    &plan(object, None, Environment::Test)
                ),
                format!("eq({field},test)")
            );
        }
        assert_eq!(
            rql_for(
                "PRODUCT",
                alone.clone(),
                &plan("PRODUCT", None, Environment::Test)
            ),
            ""
        );
        assert_eq!(
            rql_for("REQUEST", alone, &plan("REQUEST", None, Environment::Any)),
            ""
        );
    }

    #[test]
    fn environment_settings() {
        assert_eq!(Environment::parse(None), Ok(Environment::Any));
        assert_eq!(Environment::parse(Some(" ")), Ok(Environment::Any));
        assert_eq!(
            Environment::parse(Some("production")),
            Ok(Environment::Production)
        );
        assert_eq!(Environment::parse(Some("Test")), Ok(Environment::Test));
        assert!(
            Environment::parse(Some("prod"))
                .unwrap_err()
                .contains("Any, Production, Test, Preview")
        );
        // Objects without an environment field are unaffected.
        let none = Plan::new(
            catalog::object("PRODUCT").unwrap(),
            &props(&[]),
            &props(&[]),
            Environment::Production,
        )
        .unwrap();
        assert_eq!(none, Plan::default());
    }

    #[test]
    fn watermark_is_the_newest_instant_not_the_last_or_longest_text() {
        let request = catalog::object("REQUEST").unwrap();
        let plan = Plan::new(
            request,
            &props(&[(CHANGED_SINCE, "2024-01-01")]),
            &props(&[]),
            Environment::Any,
        )
        .unwrap();
        let mut w = plan.watermark().unwrap();
        let docs = [
            r#"{"updated":"2024-03-01T10:00:00+02:00"}"#,
            r#"{"updated":"2024-03-01T09:00:00+00:00"}"#,
            r#"{"id":"x"}"#,
        ];
        let body = format!("[{}]", docs.join(","));
        let split = crate::query::split::split(body.as_bytes(), plan.change_path()).unwrap();
        let values: Vec<Option<TrackedText>> =
            split.into_iter().map(|d| d.tracked[2].clone()).collect();
        w.note(values.iter().map(|v| {
            v.as_ref()
                .and_then(|v| std::str::from_utf8(v.bytes(body.as_bytes())).ok())
                .map(ChangeTime::new)
        }));
        assert_eq!(values[0], Some(TrackedText::At(13, 38)));
        assert_eq!(&body[13..38], "2024-03-01T10:00:00+02:00");
        assert_eq!(values[2], None);
        assert_eq!(
            w.summary(),
            "Changed Since 2024-01-01T00:00:00+00:00: 3 records changed (by updated); newest \
             changedAt 2024-03-01T09:00:00+00:00: store it as the next run's Changed Since"
        );
        assert!(
            plan.watermark()
                .unwrap()
                .summary()
                .contains("no record changed (by updated); keep 2024-01-01T00:00:00+00:00")
        );
    }

    /// The change times of a page's records.
    fn times<'a>(texts: &[Option<&'a str>]) -> Vec<Option<ChangeTime<'a>>> {
        texts.iter().map(|t| t.map(ChangeTime::new)).collect()
    }

    const T1: &str = "2024-05-01T10:00:00+00:00";
    const T2: &str = "2024-05-01T10:00:05+00:00";

    #[test]
    fn keyset_moves_to_the_last_time_past_the_records_received_with_it() {
        let mut k = Keyset::new("2024-05-01T00:00:00+00:00");
        assert_eq!((k.since(), k.offset()), ("2024-05-01T00:00:00+00:00", 0));
        // T changes: the offset is the records of this page with the new time.
        k.advance(&times(&[
            Some("2024-05-01T09:00:00+00:00"),
            Some(T1),
            Some(T1),
        ]))
        .unwrap();
        assert_eq!((k.since(), k.offset()), (T1, 2));
        // T stays: the records with it add up across pages, whatever the text's form.
        k.advance(&times(&[Some(T1), Some("2024-05-01T10:00:00Z"), Some(T1)]))
            .unwrap();
        assert_eq!((k.since(), k.offset()), (T1, 5));
        k.advance(&times(&[Some(T1), Some(T2)])).unwrap();
        assert_eq!((k.since(), k.offset()), (T2, 1));
        // The same instant written differently is the same T; the text sent is the first one.
        k.advance(&times(&[Some("2024-05-01T12:00:05+02:00")]))
            .unwrap();
        assert_eq!((k.since(), k.offset()), (T2, 2));
        // An empty page changes nothing.
        k.advance(&times(&[])).unwrap();
        assert_eq!((k.since(), k.offset()), (T2, 2));
        // A date-only Changed Since starts at midnight: a record changed then counts.
        let mut k = Keyset::new("2024-05-01T00:00:00+00:00");
        k.advance(&times(&[Some("2024-05-01T00:00:00Z")])).unwrap();
        assert_eq!((k.since(), k.offset()), ("2024-05-01T00:00:00+00:00", 1));
    }

    #[test]
    fn keyset_without_a_usable_last_time_goes_on_by_offset_from_the_same_time() {
        let mut k = Keyset::new(T1);
        k.advance(&times(&[Some(T1)])).unwrap();
        let e = k.advance(&times(&[Some(T2), None])).unwrap_err();
        assert_eq!(
            e,
            "the last record of the page has no readable change time (missing)"
        );
        assert_eq!((k.since(), k.offset()), (T1, 3));
        let e = k.advance(&times(&[Some("soon")])).unwrap_err();
        assert!(e.contains("(\"soon\")"), "{e}");
        assert_eq!((k.since(), k.offset()), (T1, 4));
        // Never backwards: a server that does not order by the change field.
        let mut k = Keyset::new(T2);
        let e = k.advance(&times(&[Some(T2), Some(T1)])).unwrap_err();
        assert!(e.contains(&format!("changed at {T1}, before {T2}")), "{e}");
        assert_eq!((k.since(), k.offset()), (T2, 2));
    }

    #[test]
    fn a_later_change_time_replaces_only_the_changed_since_value() {
        let p = plan(
            "REQUEST",
            Some("2024-05-01T12:00:00+00:00"),
            Environment::Production,
        );
        let alone = serde_json::json!({"expression": null, "sort": []});
        let q = rql_for("REQUEST", alone, &p.with_since("2024-05-02T01:02:03+00:00"));
        assert_eq!(
            q,
            "and(ge(updated,2024-05-02T01:02:03%2B00:00),eq(asset.connection.type,production))"
        );
        assert_eq!(Plan::default().with_since(T1), Plan::default());
        assert_eq!(Plan::default().keyset(), None);
    }

    /// Every List object either has a change field whose document path its output profile holds
    /// as a string, and which browsing offers as a filterable (with `ge`) and sortable field, or
    /// says why not; an environment field is filterable with `eq`. (The spec check itself is `codegen/src/profiles.rs`.)
    #[test]
    fn change_fields_are_in_the_profiles_and_field_specs() {
        for o in catalog::objects_for(Action::List) {
            if let Some(env) = o.environment_field() {
                let spec = crate::profiles::field_specs(o.id)
                    .iter()
                    .find(|f| f.name.split('/').eq(env.split('.')))
                    .unwrap_or_else(|| panic!("{}: no field spec for {env}", o.id));
                assert!(spec.lookups.contains(&"eq"), "{}", o.id);
            }
            let Ok(field) = o.change_field() else {
                continue;
            };
            let Some(catalog::Output::Json { schema }) = o.action(Action::List).map(|a| a.output)
            else {
                panic!("{}: List without a JSON profile", o.id)
            };
            let profile: serde_json::Value =
                serde_json::from_str(crate::profiles::schema(schema).unwrap()).unwrap();
            let mut node = &profile;
            for name in field.document.split('.') {
                node = &node["properties"][name];
            }
            assert_eq!(node["type"], "string", "{}: {}", o.id, field.document);
            let spec = crate::profiles::field_specs(o.id)
                .iter()
                .find(|f| f.name.split('/').eq(field.filter.split('.')))
                .unwrap_or_else(|| panic!("{}: no field spec for {}", o.id, field.filter));
            assert!(spec.sortable, "{}", o.id);
            assert!(spec.lookups.contains(&"ge"), "{}", o.id);
        }
    }
}
