//! Boomi query filters, sorts and field selections to Connect RQL.
//!
//! Input is the `filter` object of `queryJson` (`docs/architecture.md`), deserialised into
//! [`Filter`]. [`build_query`] checks it against a [`FieldPolicy`] and returns an [`RqlQuery`],
//! whose [`RqlQuery::to_query_string`] is the query-string part (`filter&ordering(..)&select(..)`)
//! to put before `limit`/`offset`. Everything here is pure: no I/O, no logging.
//!
//! # How Boomi input maps to RQL
//!
//! - **Fields**: a profile path `asset/product/id` becomes `asset.product.id`; a dotted path is
//!   taken as is. Names are ASCII letters, digits, `_` and `-`, starting with a letter.
//! - **Operators** (descriptor ids, see [`Operator`]): `eq ne gt ge lt le` → `eq(f,v)`;
//!   `like ilike` → `like(f,p)`; `in out` → `in(f,(a,b))`; `null`/`not_null` → `eq(f,null())` /
//!   `ne(f,null())`; `empty`/`not_empty` → `eq(f,empty())` / `ne(f,empty())`; `rql` inserts its
//!   argument as written (the property is ignored).
//! - **Groups**: `AND`/`OR` of any depth → `and(..)`/`or(..)`. A group with one member is that
//!   member; an empty group disappears; a group inside a group of the same kind is merged into
//!   it (`and(a,and(b,c))` is `and(a,b,c)`).
//! - **Values** are sent exactly: the server must end up with the very text the user typed
//!   (see `encode.rs` for how the server decodes). A value that is not a plain word (ASCII
//!   letters, digits and `_ . - : + @ * \`, not an RQL keyword such as `t` or `and`) is quoted,
//!   and everything outside the URL-safe set is percent-encoded,
//!   so spaces, commas, parentheses, quotes, `&`, `#`, `%`, non-ASCII text and ISO dates arrive
//!   intact. One limit comes from Connect's grammar: a value may contain `"` or `'` but not
//!   both; such a value is an error.
//! - **like/ilike**: `*` is the wildcard (`*abc*` contains, `abc*` starts with). A literal
//!   asterisk is written `\*` and a literal backslash `\\`, the escapes the Connect server
//!   understands; they are passed through unchanged. Runs of wildcards are collapsed to one.
//!   In every other operator `*` and `\` are ordinary characters.
//! - **in/out**: the one argument is a comma-separated list; `\,` is a comma inside an item
//!   and `\\` a backslash. Spaces around items are ignored; an empty item is an error.
//! - **Raw RQL**: written as it would appear in a URL (so `%20` is already encoded); only
//!   characters a URL cannot carry (spaces, quotes, non-ASCII, ...) are encoded. It is wrapped
//!   in parentheses so that `a&b` or `(a|b)` combine safely with the other rows. Parentheses and
//!   quotes are checked to balance.
//! - **Sort**: any number of rows, `asc` → `f`, `desc` → `-f`, in order: `ordering(a,-b)`.
//! - **Select**: see [`SelectRule`]. Connect's `select()` does not narrow a response to the
//!   listed fields; it adds fields that are hidden by default (`select(pending_request)`) and
//!   drops heavy ones on request (`select(-configuration)`), and naming a field the endpoint
//!   does not know fails the whole call. So only fields the policy declares are ever named:
//!   a hidden field is selected when the user's selection touches it, an excludable field is
//!   excluded when the selection does not touch it. "Touches" means the selected path is the
//!   field, inside it, or contains it: selecting `asset/product` keeps
//!   `asset.product.capabilities`, and selecting `pending_request/id` asks for `pending_request`.
//!   No selection (`null`) means every field is wanted.
//!
//! Every user mistake (unknown operator, wrong argument count, empty field, bad sort order, a
//! field the policy refuses) is an [`RqlError`] whose message names the row's field and says
//! what to change.

mod encode;
mod model;
#[cfg(test)]
mod tests;

use std::fmt;

pub use model::{Expr, Filter, GroupExpr, SimpleExpr, SortSpec};

/// The filter operator ids of the connector descriptor (`docs/architecture.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Like,
    Ilike,
    In,
    Out,
    Null,
    NotNull,
    Empty,
    NotEmpty,
    /// Raw RQL: the argument is inserted as written.
    Rql,
}

impl Operator {
    /// Every operator, in descriptor order.
    pub const ALL: [Operator; 15] = [
        Operator::Eq,
        Operator::Ne,
        Operator::Gt,
        Operator::Ge,
        Operator::Lt,
        Operator::Le,
        Operator::Like,
        Operator::Ilike,
        Operator::In,
        Operator::Out,
        Operator::Null,
        Operator::NotNull,
        Operator::Empty,
        Operator::NotEmpty,
        Operator::Rql,
    ];

    /// The descriptor id, which is also what `SimpleExpression.getOperator()` returns.
    pub fn id(self) -> &'static str {
        match self {
            Operator::Eq => "eq",
            Operator::Ne => "ne",
            Operator::Gt => "gt",
            Operator::Ge => "ge",
            Operator::Lt => "lt",
            Operator::Le => "le",
            Operator::Like => "like",
            Operator::Ilike => "ilike",
            Operator::In => "in",
            Operator::Out => "out",
            Operator::Null => "null",
            Operator::NotNull => "not_null",
            Operator::Empty => "empty",
            Operator::NotEmpty => "not_empty",
            Operator::Rql => "rql",
        }
    }

    /// The operator with descriptor id `id` (exact match, as the descriptor defines them).
    pub fn from_id(id: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|op| op.id() == id)
    }

    /// How many arguments the descriptor declares (`numArguments`).
    pub fn arguments(self) -> usize {
        match self {
            Operator::Null | Operator::NotNull | Operator::Empty | Operator::NotEmpty => 0,
            _ => 1,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What a field of the queried object allows. Fields are passed as RQL paths
/// (`asset.product.id`), not Boomi paths. An `Err` holds the reason, which is shown to the user
/// after the field name.
pub trait FieldPolicy {
    /// May `field` be filtered with `op`? Not called for [`Operator::Rql`].
    fn check_lookup(&self, field: &str, op: Operator) -> Result<(), String>;
    /// May results be ordered by `field`?
    fn check_sort(&self, field: &str) -> Result<(), String>;
    /// The fields that `select()` can name for this object; see [`SelectRule`]. Default: none,
    /// so no `select()` is sent.
    fn select_rules(&self) -> Vec<SelectRule> {
        Vec::new()
    }
}

/// Allows every lookup and sort and declares no select rules; for callers that have no catalog
/// information (the fuzz checkers and tests).
#[cfg(any(test, feature = "fuzzing"))]
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowAll;

#[cfg(any(test, feature = "fuzzing"))]
impl FieldPolicy for AllowAll {
    fn check_lookup(&self, _field: &str, _op: Operator) -> Result<(), String> {
        Ok(())
    }

    fn check_sort(&self, _field: &str) -> Result<(), String> {
        Ok(())
    }
}

/// A field that `select()` can name, as Connect documents it per endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectRule {
    /// RQL path (`pending_request`, `asset.product.capabilities`); a Boomi path is accepted too.
    pub field: String,
    pub kind: SelectKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectKind {
    /// Left out unless selected ("**default:** *hidden*" in the spec): `select(f)` when wanted.
    Hidden,
    /// Returned unless excluded ("explicit negative select"): `select(-f)` when not wanted.
    Excludable,
}

/// A filter, sort or selection that cannot become RQL, with a message for the Boomi user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RqlError {
    field: Option<String>,
    message: String,
}

impl RqlError {
    fn on_filter(field: &str, what: impl fmt::Display) -> Self {
        RqlError {
            field: Some(field.to_owned()),
            message: format!("filter on {field:?}: {what}"),
        }
    }

    fn on_sort(field: &str, what: impl fmt::Display) -> Self {
        RqlError {
            field: Some(field.to_owned()),
            message: format!("sort on {field:?}: {what}"),
        }
    }

    fn general(what: impl fmt::Display) -> Self {
        RqlError {
            field: None,
            message: what.to_string(),
        }
    }

    /// The Boomi field the problem is about, when there is one.
    #[cfg(test)]
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A value on the right of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text, sent so that the server sees exactly this string.
    Text(String),
    /// `null()`.
    Null,
    /// `empty()`.
    Empty,
}

/// A checked filter tree, ready to render. Groups always have two or more members and never
/// contain a group of their own kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    /// `op(field,value)`; `op` is one of `eq ne gt ge lt le like ilike`. For like/ilike the
    /// value is the pattern with the server's escapes (`\*`, `\\`) still in it.
    Compare {
        op: &'static str,
        field: String,
        value: Value,
    },
    /// `op(field,(values…))`; `op` is `in` or `out`.
    List {
        op: &'static str,
        field: String,
        values: Vec<String>,
    },
    /// Raw RQL, trimmed, as the user wrote it.
    Raw(String),
}

/// One `ordering()` or `select()` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub field: String,
    /// `-field`: descending for ordering, excluded for select.
    pub minus: bool,
}

/// The RQL for one query, rendered by [`RqlQuery::to_query_string`] or `Display`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RqlQuery {
    filter: Option<Node>,
    ordering: Vec<Signed>,
    select: Vec<Signed>,
}

impl RqlQuery {
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn filter(&self) -> Option<&Node> {
        self.filter.as_ref()
    }

    #[cfg(any(test, feature = "fuzzing"))]
    pub fn ordering(&self) -> &[Signed] {
        &self.ordering
    }

    #[cfg(any(test, feature = "fuzzing"))]
    pub fn select(&self) -> &[Signed] {
        &self.select
    }

    /// The same query without `ordering()` and `select()`: what a count needs, since neither
    /// changes how many records match.
    pub fn filter_only(&self) -> RqlQuery {
        RqlQuery {
            filter: self.filter.clone(),
            ordering: Vec::new(),
            select: Vec::new(),
        }
    }

    /// True when there is nothing to send (no filter, sort or select).
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn is_empty(&self) -> bool {
        self.filter.is_none() && self.ordering.is_empty() && self.select.is_empty()
    }

    /// The query-string part, already percent-encoded, e.g.
    /// `and(eq(status,approved),ilike(asset.product.name,%22*cloud%20box*%22))&ordering(-created)`.
    /// Empty when [`RqlQuery::is_empty`]. Append it to the URL as it is (no further encoding),
    /// followed by `&limit=…&offset=…`.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        if let Some(node) = &self.filter {
            render_node(node, &mut out);
        }
        render_signed("ordering", &self.ordering, &mut out);
        render_signed("select", &self.select, &mut out);
        out
    }
}

impl fmt::Display for RqlQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_query_string())
    }
}

/// Checks and translates a Boomi filter. `selected_fields` is the operation's
/// `selectedFields` (Boomi paths; `None` = all fields).
pub fn build_query(
    filter: &Filter,
    selected_fields: Option<&[String]>,
    policy: &dyn FieldPolicy,
) -> Result<RqlQuery, RqlError> {
    let filter_node = match &filter.expression {
        Some(expr) => build_expr(expr, policy)?,
        None => None,
    };
    Ok(RqlQuery {
        filter: filter_node,
        ordering: build_ordering(&filter.sort, policy)?,
        select: build_select(selected_fields, policy)?,
    })
}

/// Fuzzing entry: filter JSON bytes in, query string or error text out, never a panic.
#[cfg(any(test, feature = "fuzzing"))]
pub fn fuzz_filter_json(data: &[u8]) -> Result<String, String> {
    let filter: Filter = serde_json::from_slice(data).map_err(|e| e.to_string())?;
    build_query(&filter, None, &AllowAll)
        .map(|q| q.to_query_string())
        .map_err(|e| e.to_string())
}

fn build_expr(expr: &Expr, policy: &dyn FieldPolicy) -> Result<Option<Node>, RqlError> {
    match expr {
        Expr::Simple(simple) => build_simple(simple, policy).map(Some),
        Expr::Group(group) => build_group(group, policy),
    }
}

fn build_group(group: &GroupExpr, policy: &dyn FieldPolicy) -> Result<Option<Node>, RqlError> {
    let is_and = if group.group.eq_ignore_ascii_case("and") {
        true
    } else if group.group.eq_ignore_ascii_case("or") {
        false
    } else {
        return Err(RqlError::general(format!(
            "filter group {:?} is neither AND nor OR",
            group.group
        )));
    };
    let mut members = Vec::with_capacity(group.nested.len());
    for nested in &group.nested {
        match build_expr(nested, policy)? {
            None => {}
            // Same kind inside same kind: the inner group's members join the outer one.
            Some(Node::And(inner)) if is_and => members.extend(inner),
            Some(Node::Or(inner)) if !is_and => members.extend(inner),
            Some(node) => members.push(node),
        }
    }
    Ok(match members.len() {
        0 => None,
        1 => members.pop(),
        _ if is_and => Some(Node::And(members)),
        _ => Some(Node::Or(members)),
    })
}

fn build_simple(expr: &SimpleExpr, policy: &dyn FieldPolicy) -> Result<Node, RqlError> {
    let name = expr.property.as_str();
    let op = Operator::from_id(&expr.operator).ok_or_else(|| {
        let known: Vec<&str> = Operator::ALL.iter().map(|op| op.id()).collect();
        RqlError::on_filter(
            name,
            format!(
                "unknown operator {:?}; use one of {}",
                expr.operator,
                known.join(", ")
            ),
        )
    })?;
    let args = arguments(expr, op)?;

    if op == Operator::Rql {
        let raw = args[0].trim();
        encode::check_raw(raw).map_err(|why| RqlError::on_filter(name, why))?;
        return Ok(Node::Raw(raw.to_owned()));
    }

    let field = encode::property(name).map_err(|why| RqlError::on_filter(name, why.explain()))?;
    policy
        .check_lookup(&field, op)
        .map_err(|why| RqlError::on_filter(name, why))?;

    let compare = |op: &'static str, value: Value| Node::Compare {
        op,
        field: field.clone(),
        value,
    };
    let text = || Value::Text(args[0].to_owned());
    let node = match op {
        Operator::Eq => compare("eq", text()),
        Operator::Ne => compare("ne", text()),
        Operator::Gt => compare("gt", text()),
        Operator::Ge => compare("ge", text()),
        Operator::Lt => compare("lt", text()),
        Operator::Le => compare("le", text()),
        Operator::Like => compare("like", Value::Text(encode::like_pattern(args[0]))),
        Operator::Ilike => compare("ilike", Value::Text(encode::like_pattern(args[0]))),
        Operator::In | Operator::Out => {
            let values = encode::split_list(args[0]).map_err(|position| {
                RqlError::on_filter(
                    name,
                    format!(
                        "item {position} of the list is empty; separate values with single \
                         commas (write \\, for a comma inside a value)"
                    ),
                )
            })?;
            let op = if op == Operator::In { "in" } else { "out" };
            Node::List {
                op,
                field: field.clone(),
                values,
            }
        }
        Operator::Null => compare("eq", Value::Null),
        Operator::NotNull => compare("ne", Value::Null),
        Operator::Empty => compare("eq", Value::Empty),
        Operator::NotEmpty => compare("ne", Value::Empty),
        // Returned early above; repeated here so the match needs no panic.
        Operator::Rql => Node::Raw(args[0].trim().to_owned()),
    };
    check_quotes(&node, name)?;
    Ok(node)
}

/// The expression's arguments, checked against the operator's count and for `null`s.
fn arguments(expr: &SimpleExpr, op: Operator) -> Result<Vec<&str>, RqlError> {
    let want = op.arguments();
    if expr.arguments.len() != want {
        let fix = if want == 0 {
            "remove the value".to_owned()
        } else {
            "give exactly one value".to_owned()
        };
        return Err(RqlError::on_filter(
            &expr.property,
            format!(
                "operator {op} takes {want} argument{}, got {}; {fix}",
                if want == 1 { "" } else { "s" },
                expr.arguments.len()
            ),
        ));
    }
    expr.arguments
        .iter()
        .map(|arg| {
            arg.as_deref().ok_or_else(|| {
                RqlError::on_filter(
                    &expr.property,
                    format!("operator {op} got no value (null); set the value or its parameter"),
                )
            })
        })
        .collect()
}

/// Rejects values that Connect's grammar cannot carry, before rendering (which then can't fail).
fn check_quotes(node: &Node, name: &str) -> Result<(), RqlError> {
    let values: Vec<&str> = match node {
        Node::Compare {
            value: Value::Text(v),
            ..
        } => vec![v],
        Node::List { values, .. } => values.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let mut scratch = String::new();
    for v in values {
        if encode::push_value(v, &mut scratch).is_err() {
            return Err(RqlError::on_filter(
                name,
                format!(
                    "the value {v:?} contains both ' and \", which Connect's RQL cannot express; \
                     use like with * in place of one of the quotes"
                ),
            ));
        }
    }
    Ok(())
}

fn build_ordering(sort: &[SortSpec], policy: &dyn FieldPolicy) -> Result<Vec<Signed>, RqlError> {
    let mut ordering: Vec<Signed> = Vec::with_capacity(sort.len());
    for spec in sort {
        let name = spec.property.as_str();
        let field = encode::property(name).map_err(|why| RqlError::on_sort(name, why.explain()))?;
        let minus = match spec.order.as_deref() {
            None => false,
            Some(order) if order.eq_ignore_ascii_case("asc") => false,
            Some(order) if order.eq_ignore_ascii_case("desc") => true,
            Some(order) => {
                return Err(RqlError::on_sort(
                    name,
                    format!("order {order:?} is neither asc nor desc"),
                ));
            }
        };
        policy
            .check_sort(&field)
            .map_err(|why| RqlError::on_sort(name, why))?;
        if ordering.iter().any(|s| s.field == field) {
            return Err(RqlError::on_sort(
                name,
                "the field is sorted more than once; keep one sort row per field",
            ));
        }
        ordering.push(Signed { field, minus });
    }
    Ok(ordering)
}

fn build_select(
    selected: Option<&[String]>,
    policy: &dyn FieldPolicy,
) -> Result<Vec<Signed>, RqlError> {
    // Selected paths are only compared, never rendered, so a loose conversion is enough.
    let selected: Option<Vec<String>> =
        selected.map(|paths| paths.iter().map(|p| p.replace('/', ".")).collect());
    let touches = |field: &str| match &selected {
        None => true,
        Some(paths) => paths.iter().any(|p| related(p, field)),
    };
    let mut select: Vec<Signed> = Vec::new();
    for rule in policy.select_rules() {
        let field = encode::property(&rule.field).map_err(|why| {
            RqlError::general(format!(
                "select rule {:?} of the catalog is not a field path: {}",
                rule.field,
                why.explain()
            ))
        })?;
        let entry = match rule.kind {
            SelectKind::Hidden if touches(&field) => Signed {
                field,
                minus: false,
            },
            SelectKind::Excludable if !touches(&field) => Signed { field, minus: true },
            _ => continue,
        };
        if !select.contains(&entry) {
            select.push(entry);
        }
    }
    Ok(select)
}

/// `a` and `b` are the same field or one contains the other.
fn related(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('.'))
    };
    a == b || within(a, b) || within(b, a)
}

fn render_node(node: &Node, out: &mut String) {
    match node {
        Node::And(members) | Node::Or(members) => {
            out.push_str(if matches!(node, Node::And(_)) {
                "and("
            } else {
                "or("
            });
            push_joined(members, out, render_node);
            out.push(')');
        }
        Node::Compare { op, field, value } => {
            out.push_str(op);
            out.push('(');
            out.push_str(field);
            out.push(',');
            match value {
                Value::Null => out.push_str("null()"),
                Value::Empty => out.push_str("empty()"),
                Value::Text(text) => push_checked_value(text, out),
            }
            out.push(')');
        }
        Node::List { op, field, values } => {
            out.push_str(op);
            out.push('(');
            out.push_str(field);
            out.push_str(",(");
            push_joined(values, out, |value, out| push_checked_value(value, out));
            out.push_str("))");
        }
        Node::Raw(raw) => {
            // Parentheses make `a&b` one term, whatever surrounds it.
            out.push('(');
            encode::push_raw(raw, out);
            out.push(')');
        }
    }
}

/// Values reach rendering only after [`check_quotes`], so the error case cannot happen; if it
/// ever did, sending the value double-quoted would make the server reject the query rather
/// than silently match something else.
fn push_checked_value(value: &str, out: &mut String) {
    if encode::push_value(value, out).is_err() {
        out.push_str("%22");
        encode::push_raw(value, out);
        out.push_str("%22");
    }
}

fn render_signed(name: &str, entries: &[Signed], out: &mut String) {
    if entries.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(name);
    out.push('(');
    push_joined(entries, out, |entry, out| {
        if entry.minus {
            out.push('-');
        }
        out.push_str(&entry.field);
    });
    out.push(')');
}

/// Renders `items` separated by commas.
fn push_joined<T>(items: &[T], out: &mut String, render: impl Fn(&T, &mut String)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        render(item, out);
    }
}
