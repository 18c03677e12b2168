//! The filter JSON the Java shim sends (`docs/architecture.md`, `queryJson.filter`), as plain data.
//!
//! Deserialising only checks the *shape*. Everything a Boomi user can get wrong (an unknown
//! operator, a wrong argument count, an empty property) is checked later by
//! [`super::build_query`], so those errors carry a message that names the field.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `{"expression": EXPR | null, "sort": [...]}`. Missing keys and `null` mean "no filter" and
/// "no sort".
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Filter {
    pub expression: Option<Expr>,
    #[serde(deserialize_with = "null_as_default")]
    pub sort: Vec<SortSpec>,
}

/// One node of Boomi's filter tree: a simple expression or an AND/OR group.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawExpr")]
pub enum Expr {
    Simple(SimpleExpr),
    Group(GroupExpr),
}

/// `{"property": "asset/product/id", "operator": "eq", "arguments": ["PRD-1"]}`.
///
/// `operator` stays a string here: an unknown id is a user error reported with the field name.
/// An argument is `None` when Boomi handed over `null` (for example an unset process property).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleExpr {
    pub property: String,
    pub operator: String,
    pub arguments: Vec<Option<String>>,
}

/// `{"group": "AND" | "OR", "nested": [...]}`. `group` stays a string for the same reason as
/// [`SimpleExpr::operator`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupExpr {
    pub group: String,
    pub nested: Vec<Expr>,
}

/// `{"property": "created", "order": "desc"}`. A missing or `null` order means ascending, the
/// usual default of a sort.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SortSpec {
    pub property: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub order: Option<String>,
}

/// Every key either expression kind may have; [`Expr`] is decided from which are present.
/// Read from a JSON object only (a derived struct would also accept an array).
struct RawExpr {
    property: Option<String>,
    operator: Option<String>,
    arguments: Vec<Option<String>>,
    group: Option<String>,
    nested: Option<Vec<Expr>>,
}

impl<'de> Deserialize<'de> for RawExpr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = serde_json::Map::<String, Value>::deserialize(d)?;
        let mut take = |key: &str| map.remove(key).unwrap_or(Value::Null);
        let property = Option::<String>::deserialize(take("property")).map_err(D::Error::custom)?;
        let operator = Option::<String>::deserialize(take("operator")).map_err(D::Error::custom)?;
        let arguments = arguments(take("arguments")).map_err(D::Error::custom)?;
        let group = Option::<String>::deserialize(take("group")).map_err(D::Error::custom)?;
        let nested = Option::<Vec<Expr>>::deserialize(take("nested")).map_err(D::Error::custom)?;
        Ok(RawExpr {
            property,
            operator,
            arguments,
            group,
            nested,
        })
    }
}

impl TryFrom<RawExpr> for Expr {
    type Error = String;

    fn try_from(raw: RawExpr) -> Result<Self, Self::Error> {
        let is_group = raw.group.is_some() || raw.nested.is_some();
        let is_simple = raw.property.is_some() || raw.operator.is_some();
        match (is_group, is_simple) {
            (true, true) => Err(
                "a filter expression has both \"group\"/\"nested\" and \"property\"/\"operator\""
                    .to_owned(),
            ),
            (true, false) => Ok(Expr::Group(GroupExpr {
                group: raw.group.unwrap_or_default(),
                nested: raw.nested.unwrap_or_default(),
            })),
            (false, _) => Ok(Expr::Simple(SimpleExpr {
                property: raw.property.unwrap_or_default(),
                operator: raw.operator.unwrap_or_default(),
                arguments: raw.arguments,
            })),
        }
    }
}

/// Boomi arguments are `List<String>`, but a shim or a test may write a number or a boolean; those
/// mean their usual text. Arrays and objects are not arguments.
/// A missing or `null` list is no arguments.
fn arguments(value: Value) -> Result<Vec<Option<String>>, &'static str> {
    let values = match value {
        Value::Null => Vec::new(),
        Value::Array(values) => values,
        _ => return Err("\"arguments\" must be a list"),
    };
    values
        .into_iter()
        .map(|v| match v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            Value::Bool(b) => Ok(Some(b.to_string())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Array(_) | Value::Object(_) => {
                Err("a filter argument must be a string, number or boolean")
            }
        })
        .collect()
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
