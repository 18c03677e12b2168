//! `cargo xtask profiles [--check]`: generates the connector's JSON Schema profiles and the
//! filterable/sortable field table from the official Connect OpenAPI spec
//! (`../shared/connect-openapi/connect-openapi30.yml`, relative to the workspace root).
//!
//! Every profile comes from the endpoint of the catalog action that names it: an input profile is
//! that endpoint's JSON request body, an output profile its 2xx JSON response (the array's item
//! for List). So profiles follow the catalog and the spec and are never written by hand. `$ref`s
//! are resolved, `allOf`/`oneOf`/`anyOf` are merged into one object with all their properties
//! (Boomi profiles have no alternatives), and a `$ref` cycle is cut into a plain object.
//!
//! Profiles are JSON Schema draft 4, the version Boomi's JSON profile import documents, using no
//! keyword of later drafts. Timestamps and dates carry no `format`: Boomi would make them Date/Time
//! elements whose default mask rejects Connect's `2019-05-01T20:27:37+00:00`, so they stay text.
//!
//! Output: `rust/core/profiles/<Name>.json` and `rust/core/profiles/generated.rs`, which
//! `connect_core::profiles` includes.

use anyhow::{Context, Result, anyhow, bail};
use connect_catalog::usage;
use connect_catalog::{self as catalog, Action, Body, HttpMethod, Output, path_shape};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Request bodies that are a `oneOf` in the spec: the catalog splits them into objects, each
/// taking one alternative. The generator checks that the alternative belongs to the endpoint.
const ONE_OF_CHOICES: &[(&str, &str)] = &[
    ("NewPurchaseRequest", "dp.AssetPurchaseRequest"),
    ("NewChangeRequest", "dp.AssetChangeRequest"),
    ("NewAdminHoldRequest", "dp.AssetSuspendResumeCancelRequest"),
];

/// The profile of the Generic Resource object: any JSON object.
const GENERIC_PROFILE: &str = "GenericResource";

pub fn spec_path() -> PathBuf {
    crate::root()
        .join("..")
        .join("shared")
        .join("connect-openapi")
        .join("connect-openapi30.yml")
}

fn profiles_dir() -> PathBuf {
    crate::root().join("rust").join("core").join("profiles")
}

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("usage: cargo xtask profiles [--check]"),
    };
    let spec = load_spec()?;
    let files = generate(&spec)?;
    let dir = profiles_dir();
    let stale = stale_files(&files)?;
    if check {
        if stale.is_empty() {
            println!("{} is up to date", dir.display());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "stale profiles ({}): run `cargo xtask profiles`",
            stale.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    std::fs::create_dir_all(&dir)?;
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !files.contains_key(name) {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    for (name, text) in &files {
        std::fs::write(dir.join(name), text)?;
    }
    println!(
        "wrote {} files to {} ({} changed)",
        files.len(),
        dir.display(),
        stale.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Names of files that differ from, are missing from or are extra in `rust/core/profiles/`.
fn stale_files(files: &BTreeMap<String, String>) -> Result<Vec<String>> {
    let dir = profiles_dir();
    let mut stale = Vec::new();
    for (name, text) in files {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    if dir.is_dir() {
        for entry in std::fs::read_dir(&dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if !files.contains_key(&name) {
                stale.push(name);
            }
        }
    }
    Ok(stale)
}

pub fn load_spec() -> Result<Value> {
    let path = spec_path();
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml_ng::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn method_key(m: HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "get",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Delete => "delete",
    }
}

/// The spec's operation object for a catalog path template and method, matching paths by shape
/// (the spec names parameters differently, e.g. `{product_product_id}`).
fn spec_operation<'a>(spec: &'a Value, method: HttpMethod, path: &str) -> Option<&'a Value> {
    let shape = path_shape(path);
    spec["paths"]
        .as_object()?
        .iter()
        .find(|(p, _)| path_shape(p) == shape)
        .and_then(|(_, item)| item.get(method_key(method)))
}

struct Resolver<'a> {
    components: &'a Map<String, Value>,
    /// Component names being expanded (a `$ref` back to one of them is a cycle).
    stack: Vec<String>,
    /// Boomi's form (alternatives that only name required fields dropped, no date formats);
    /// `false` keeps what the spec says there, for tests that build what Connect accepts.
    for_boomi: bool,
}

/// Schema keywords kept as they are (everything else the spec uses is OpenAPI-only or
/// documentation noise such as `example`).
const KEPT: &[&str] = &[
    "type",
    "format",
    "enum",
    "description",
    "title",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
];

impl Resolver<'_> {
    fn resolve(&mut self, schema: &Value) -> Result<Value> {
        let Some(obj) = schema.as_object() else {
            // `true`/`false` schemas and oddities pass through.
            return Ok(schema.clone());
        };
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            let name = r
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| anyhow!("unsupported $ref {r}"))?;
            if self.stack.iter().any(|s| s == name) {
                return Ok(json!({
                    "type": "object",
                    "description": format!("{name} (nested again here; its fields are not repeated)")
                }));
            }
            let target = self
                .components
                .get(name)
                .ok_or_else(|| anyhow!("$ref to a missing schema {name}"))?;
            self.stack.push(name.to_string());
            let out = self.resolve(target);
            self.stack.pop();
            return out;
        }
        for combinator in ["allOf", "oneOf", "anyOf"] {
            if let Some(parts) = obj.get(combinator).and_then(Value::as_array) {
                if combinator != "allOf" && parts.iter().all(only_requires) {
                    // `oneOf: [{required: [id]}, {required: [email]}]` beside the properties
                    // (an assign body): the alternatives add no fields, only say which ones are
                    // needed, which a Boomi profile cannot express; the fields all stay.
                    let mut rest = obj.clone();
                    rest.remove(combinator);
                    let mut out = self.resolve(&Value::Object(rest))?;
                    if !self.for_boomi
                        && let Some(o) = out.as_object_mut()
                    {
                        o.insert(combinator.into(), Value::Array(parts.clone()));
                    }
                    return Ok(out);
                }
                let mut resolved = parts
                    .iter()
                    .map(|p| self.resolve(p))
                    .collect::<Result<Vec<_>>>()?;
                // Siblings of the combinator (e.g. a description) apply to the whole.
                let mut rest = obj.clone();
                rest.remove(combinator);
                rest.remove("discriminator");
                if !rest.is_empty() {
                    resolved.push(self.resolve(&Value::Object(rest))?);
                }
                return Ok(merge(resolved, combinator == "allOf"));
            }
        }
        let mut out = Map::new();
        for (k, v) in obj {
            match k.as_str() {
                "properties" => {
                    let mut props = Map::new();
                    // `readOnly` is not honoured: the spec marks fields such as a purchase
                    // request's `items` read-only inside request bodies that need them.
                    for (name, prop) in v.as_object().into_iter().flatten() {
                        props.insert(name.clone(), self.resolve(prop)?);
                    }
                    out.insert(k.clone(), Value::Object(props));
                }
                "items" => {
                    out.insert(k.clone(), self.resolve(v)?);
                }
                "additionalProperties" => {
                    let resolved = if v.is_object() {
                        self.resolve(v)?
                    } else {
                        v.clone()
                    };
                    out.insert(k.clone(), resolved);
                }
                "format" if self.for_boomi && v.as_str().is_some_and(is_date_format) => {}
                _ if KEPT.contains(&k.as_str()) => {
                    out.insert(k.clone(), v.clone());
                }
                _ => {}
            }
        }
        // Keep `required` consistent with the properties the schema defines.
        if let (Some(Value::Array(req)), Some(Value::Object(props))) =
            (out.get("required").cloned(), out.get("properties"))
        {
            let kept: Vec<Value> = req
                .into_iter()
                .filter(|r| r.as_str().is_some_and(|r| props.contains_key(r)))
                .collect();
            if kept.is_empty() {
                out.remove("required");
            } else {
                out.insert("required".into(), Value::Array(kept));
            }
        }
        if out.contains_key("properties") && !out.contains_key("type") {
            out.insert("type".into(), json!("object"));
        }
        integer_enum_as_integer(&mut out);
        Ok(Value::Object(out))
    }
}

/// Formats that would make Boomi import a Date/Time element (the spec spells timestamps both
/// `date-time` and `datetime`).
fn is_date_format(format: &str) -> bool {
    matches!(format, "date-time" | "datetime" | "date" | "time")
}

/// The JSON Schema version of every profile.
const DRAFT_04: &str = "http://json-schema.org/draft-04/schema#";

/// Whether a combinator's alternative only names required properties (no fields of its own).
fn only_requires(alt: &Value) -> bool {
    alt.as_object()
        .is_some_and(|o| o.len() == 1 && o.get("required").is_some_and(Value::is_array))
}

/// The spec declares a case's `priority` (0..3) and `rating` (1..5) as `type: string` with an
/// enum of integers: no value satisfies both, so a profile copying it accepts nothing (a Boomi
/// string field would send `"1"`, which the enum refuses). Connect's own examples send and
/// return the numbers (`priority: 1`), so the profile follows the values: `type: integer`.
fn integer_enum_as_integer(schema: &mut Map<String, Value>) {
    let all_integers = schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty() && e.iter().all(|v| v.is_i64() || v.is_u64()));
    if all_integers && schema.get("type").and_then(Value::as_str) == Some("string") {
        schema.insert("type".into(), json!("integer"));
    }
}

/// Merges resolved alternatives into one schema. Objects merge their properties (the first
/// definition of a property wins); `required` survives only for `allOf`, where every part holds.
/// Alternatives without properties (e.g. string or integer) leave the first one standing.
fn merge(parts: Vec<Value>, all_of: bool) -> Value {
    let with_props: Vec<&Value> = parts
        .iter()
        .filter(|p| p.get("properties").is_some())
        .collect();
    if with_props.is_empty() {
        let mut first = parts.into_iter().next().unwrap_or_else(|| json!({}));
        if let Some(o) = first.as_object_mut() {
            o.remove("required");
        }
        return first;
    }
    let mut props = Map::new();
    let mut required = BTreeSet::new();
    let mut description = None;
    for p in &parts {
        for (k, v) in p["properties"].as_object().into_iter().flatten() {
            props.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if all_of {
            for r in p["required"].as_array().into_iter().flatten() {
                if let Some(r) = r.as_str() {
                    required.insert(r.to_string());
                }
            }
        }
        if description.is_none() {
            description = p.get("description").cloned();
        }
    }
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    if let Some(d) = description {
        out.insert("description".into(), d);
    }
    out.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        out.insert("required".into(), json!(required));
    }
    Value::Object(out)
}

fn json_content(v: &Value) -> Option<&Value> {
    v.get("content")?.get("application/json")?.get("schema")
}

/// Where a profile's schema sits in the spec, and the raw (unresolved) schema.
struct Source {
    origin: String,
    schema: Value,
}

fn body_source(spec: &Value, a: &catalog::ActionSpec, name: &str) -> Result<Option<Source>> {
    let op = spec_operation(spec, a.method, a.path)
        .ok_or_else(|| anyhow!("{} {} is not in the spec", a.method.as_str(), a.path))?;
    let Some(mut schema) = op.get("requestBody").and_then(json_content).cloned() else {
        return Ok(None);
    };
    if let Some(&(_, component)) = ONE_OF_CHOICES.iter().find(|(n, _)| *n == name) {
        let wanted = format!("#/components/schemas/{component}");
        let offered = schema["oneOf"]
            .as_array()
            .is_some_and(|alts| alts.iter().any(|alt| alt["$ref"] == wanted.as_str()));
        if !offered {
            bail!(
                "{name}: {} {} no longer offers {component}",
                a.method.as_str(),
                a.path
            );
        }
        schema = json!({ "$ref": wanted });
    }
    Ok(Some(Source {
        origin: format!("{} {} request body", a.method.as_str(), a.path),
        schema,
    }))
}

fn output_source(spec: &Value, a: &catalog::ActionSpec) -> Result<Option<Source>> {
    let op = spec_operation(spec, a.method, a.path)
        .ok_or_else(|| anyhow!("{} {} is not in the spec", a.method.as_str(), a.path))?;
    let ok = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, r)| json_content(r));
    let Some(schema) = ok else { return Ok(None) };
    // A List answers an array and every element becomes a document; so does Bulk Close.
    let (schema, what) = match schema.get("items") {
        Some(items) if schema["type"] == "array" => (items.clone(), "response item"),
        _ => (schema.clone(), "response"),
    };
    Ok(Some(Source {
        origin: format!("{} {} {what}", a.method.as_str(), a.path),
        schema,
    }))
}

/// Whether a resolved schema says anything (an empty `{}` does not).
fn informative(schema: &Value) -> bool {
    schema.get("properties").is_some() || schema.get("items").is_some()
}

/// A profile file; where it came from is said in `generated.rs`, since draft 4 has no
/// `$comment`.
fn profile_file(name: &str, schema: Value) -> String {
    let mut out = Map::new();
    out.insert("$schema".into(), json!(DRAFT_04));
    out.insert("title".into(), json!(name));
    let mut schema = match schema {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    if !schema.contains_key("type") {
        schema.insert("type".into(), json!("object"));
    }
    out.extend(schema);
    let mut text = serde_json::to_string_pretty(&Value::Object(out)).expect("JSON");
    text.push('\n');
    text
}

/// Every profile the catalog names, with the actions that use it, in catalog order.
fn profile_uses() -> Vec<(&'static str, Vec<(&'static catalog::ActionSpec, bool)>)> {
    let mut uses: Vec<(&'static str, Vec<(&'static catalog::ActionSpec, bool)>)> = Vec::new();
    let mut add = |name: &'static str, a: &'static catalog::ActionSpec, input: bool| match uses
        .iter_mut()
        .find(|(n, _)| *n == name)
    {
        Some((_, v)) => v.push((a, input)),
        None => uses.push((name, vec![(a, input)])),
    };
    for o in catalog::objects() {
        for a in o.actions {
            if let Body::Json { schema } = a.body {
                add(schema, a, true);
            }
            if let Output::Json { schema } = a.output {
                add(schema, a, false);
            }
        }
    }
    uses
}

/// One filterable field of a List endpoint, parsed from the spec's parameter description
/// (`Filter for: x` / `**lookups:** eq, in` / `**ordering:** true`).
#[derive(Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub kind: String,
    pub lookups: Vec<String>,
    pub sortable: bool,
}

fn parse_filter(param: &Value) -> Option<Field> {
    if param["in"] != "query" {
        return None;
    }
    let name = param["name"].as_str()?;
    let desc = param["description"].as_str()?;
    if !desc.trim_start().starts_with("Filter for:") {
        return None;
    }
    let mut lookups = Vec::new();
    let mut sortable = false;
    for line in desc.lines().map(str::trim) {
        if let Some(list) = line.strip_prefix("**lookups:**") {
            lookups = list
                .split(',')
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
        } else if let Some(v) = line.strip_prefix("**ordering:**") {
            sortable = v.trim() == "true";
        }
    }
    let kind = param["schema"]["type"].as_str().unwrap_or("string");
    Some(Field {
        // Boomi separates nested field names with `/`; the RQL translation turns them into dots.
        name: name.replace('.', "/"),
        kind: kind.to_string(),
        lookups,
        sortable,
    })
}

/// A field of a List endpoint that RQL `select()` can name, parsed from the spec's query
/// parameters. Connect documents two kinds, and the parameter's name is the field path
/// (`asset.configuration`): the description's example is not, since the spec copies it between
/// endpoints (`/requests` shows `select(-configuration)` under `asset.configuration`).
#[derive(Debug, PartialEq)]
pub struct Selectable {
    /// Boomi path (`asset/product/capabilities`), like [`Field::name`].
    pub name: String,
    /// `true`: left out unless selected ("explicit select", `**default:** *hidden*`);
    /// `false`: returned unless excluded ("explicit negative select", `select(-x)`).
    pub hidden: bool,
}

/// The select rule a query parameter documents, if any; an error for a description that
/// documents both kinds at once, so a spec change that makes the meaning unclear is looked at
/// rather than guessed.
fn parse_select(param: &Value) -> Result<Option<Selectable>> {
    if param["in"] != "query" {
        return Ok(None);
    }
    let (Some(name), Some(desc)) = (param["name"].as_str(), param["description"].as_str()) else {
        return Ok(None);
    };
    if desc.trim_start().starts_with("Filter for:") || !desc.contains("select(") {
        return Ok(None);
    }
    let hidden = desc.contains("**default:** *hidden*");
    let excludable = desc.contains("negative select") || desc.contains("select(-");
    let hidden = match (hidden, excludable) {
        (true, false) => true,
        (false, true) => false,
        (false, false) => return Ok(None),
        (true, true) => {
            bail!("query parameter {name} documents both a hidden and a negative select")
        }
    };
    let valid = !name.is_empty()
        && name.split('.').all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    if !valid {
        bail!("select parameter {name:?} is not a field path");
    }
    Ok(Some(Selectable {
        name: name.replace('.', "/"),
        hidden,
    }))
}

/// The fields a List endpoint's `select()` can name, sorted by name.
fn list_selectables(spec: &Value, a: &catalog::ActionSpec) -> Result<Vec<Selectable>> {
    let op = spec_operation(spec, a.method, a.path)
        .ok_or_else(|| anyhow!("{} {} is not in the spec", a.method.as_str(), a.path))?;
    let mut out = Vec::new();
    for param in op["parameters"].as_array().into_iter().flatten() {
        if let Some(s) = parse_select(param).with_context(|| format!("GET {}", a.path))? {
            out.push(s);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    Ok(out)
}

/// The filterable fields of a List endpoint. Connect accepts both `a.b` and `a__b`; the
/// double-underscore spelling is dropped when the dotted one exists.
pub fn list_fields(spec: &Value, a: &catalog::ActionSpec) -> Result<Vec<Field>> {
    let op = spec_operation(spec, a.method, a.path)
        .ok_or_else(|| anyhow!("{} {} is not in the spec", a.method.as_str(), a.path))?;
    let fields: Vec<Field> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(parse_filter)
        .collect();
    let names: BTreeSet<String> = fields.iter().map(|f| f.name.clone()).collect();
    let mut fields: Vec<Field> = fields
        .into_iter()
        .filter(|f| !(f.name.contains("__") && names.contains(&f.name.replace("__", "/"))))
        .collect();
    fields.sort_by(|a, b| a.name.cmp(&b.name));
    fields.dedup_by(|a, b| a.name == b.name);
    Ok(fields)
}

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

/// Submit Usage Records takes Create's body plus the usage records, whose columns are Connect's
/// usage template (an XLSX, not in the spec): they come from the catalog's `usage` columns, which
/// connect-core checks and writes. Connect needs a name and a product to create the file.
fn with_records(name: &str, origin: String, mut schema: Value) -> Result<(String, Value)> {
    if name != usage::PROFILE {
        return Ok((origin, schema));
    }
    let obj = schema
        .as_object_mut()
        .ok_or_else(|| anyhow!("profile {name}: {origin} is not an object"))?;
    let props = obj
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow!("profile {name}: {origin} has no properties"))?;
    if let Some(product) = props.get_mut("product").and_then(Value::as_object_mut) {
        product.insert("required".into(), json!(["id"]));
    }
    props.insert(usage::RECORDS.into(), records_schema());
    obj.insert(
        "required".into(),
        json!(["name", "product", usage::RECORDS]),
    );
    Ok((
        format!("{origin}, plus records: the columns of Connect's usage file template"),
        schema,
    ))
}

/// The JSON Schema of `records`, for the input profile.
fn records_schema() -> Value {
    let mut props = Map::new();
    for c in usage::COLUMNS {
        let mut p = match c.kind {
            usage::Kind::Text => json!({"type": "string"}),
            usage::Kind::Number => json!({"type": "number"}),
            usage::Kind::Time => json!({"type": "string", "pattern": usage::TIME_PATTERN}),
            usage::Kind::Precision => json!({"type": "string", "enum": usage::PRECISIONS}),
            usage::Kind::Tier => json!({"type": "integer", "minimum": 0}),
        };
        p["description"] = json!(c.help);
        props.insert(c.name.to_owned(), p);
    }
    let required: Vec<&str> = usage::COLUMNS
        .iter()
        .filter(|c| c.required)
        .map(|c| c.name)
        .collect();
    json!({
        "type": "array",
        "minItems": 1,
        "description": "The usage records, one per row of the usage file's records sheet. \
                        Each needs quantity or amount.",
        "items": {
            "type": "object",
            "properties": props,
            "required": required,
            "additionalProperties": false
        }
    })
}

/// Where a profile comes from and its resolved schema: the first endpoint using it whose schema
/// says anything.
fn profile_schema(
    spec: &Value,
    components: &Map<String, Value>,
    name: &str,
    uses: &[(&'static catalog::ActionSpec, bool)],
    for_boomi: bool,
) -> Result<(String, Value)> {
    let mut chosen = None;
    for (a, input) in uses {
        if a.is_generic() {
            bail!("profile {name} is used by the Generic Resource and a catalog object");
        }
        let source = if *input {
            body_source(spec, a, name)?
        } else {
            output_source(spec, a)?
        };
        let Some(source) = source else { continue };
        let mut resolver = Resolver {
            components,
            stack: Vec::new(),
            for_boomi,
        };
        let resolved = resolver
            .resolve(&source.schema)
            .with_context(|| format!("profile {name} from {}", source.origin))?;
        let good = informative(&resolved);
        if chosen.is_none() || good {
            chosen = Some((source.origin, resolved));
        }
        if good {
            break;
        }
    }
    chosen.ok_or_else(|| {
        anyhow!("profile {name}: no endpoint that uses it has a JSON schema in the spec")
    })
}

/// A profile's schema as the spec states it (alternatives of required fields and date formats
/// kept), for tests that build bodies Connect accepts: the profile itself cannot say "`id` or
/// `email`" or which text is a timestamp.
pub fn spec_schema(spec: &Value, name: &str) -> Result<Value> {
    let empty = Map::new();
    let components = spec["components"]["schemas"].as_object().unwrap_or(&empty);
    let uses = profile_uses()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, uses)| uses)
        .ok_or_else(|| anyhow!("no profile {name}"))?;
    profile_schema(spec, components, name, &uses, false).map(|(_, schema)| schema)
}

/// All generated files by name (profile JSON files and `generated.rs`).
fn generate(spec: &Value) -> Result<BTreeMap<String, String>> {
    let empty = Map::new();
    let components = spec["components"]["schemas"].as_object().unwrap_or(&empty);
    let mut files = BTreeMap::new();
    let mut names = Vec::new();
    for (name, uses) in profile_uses() {
        let (origin, text) = if name == GENERIC_PROFILE {
            (
                "any JSON object: the Generic Resource path is the user's".to_owned(),
                profile_file(name, json!({ "type": "object" })),
            )
        } else {
            let (origin, schema) = profile_schema(spec, components, name, &uses, true)?;
            let (origin, schema) = with_records(name, origin, schema)?;
            (origin, profile_file(name, schema))
        };
        files.insert(format!("{name}.json"), text);
        names.push((name, origin));
    }
    names.sort_unstable();

    let mut rs = String::new();
    rs.push_str(
        "// @generated by `cargo xtask profiles` from ../shared/connect-openapi/connect-openapi30.yml:\n\
         // do not edit. Included by rust/core/src/profiles.rs.\n\n",
    );
    rs.push_str("/// Profile name and JSON Schema, sorted by name.\n");
    rs.push_str("static SCHEMAS: &[(&str, &str)] = &[\n");
    for (name, origin) in &names {
        let _ = writeln!(rs, "    // {origin}");
        let _ = writeln!(
            rs,
            "    ({}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/profiles/{name}.json\"))),",
            rust_str(name)
        );
    }
    rs.push_str("];\n\n");
    rs.push_str(
        "/// Object id and the filterable fields of its List endpoint, in catalog order.\n",
    );
    rs.push_str("static FIELD_SPECS: &[(&str, &[FieldSpec])] = &[\n");
    for o in catalog::objects() {
        let Some(list) = o.action(Action::List) else {
            continue;
        };
        if list.is_generic() {
            continue;
        }
        let fields = list_fields(spec, list)?;
        let _ = writeln!(rs, "    (\n        {},\n        &[", rust_str(o.id));
        for f in fields {
            let lookups: Vec<String> = f.lookups.iter().map(|l| rust_str(l)).collect();
            let _ = writeln!(
                rs,
                "            FieldSpec {{ name: {}, kind: {}, lookups: &[{}], sortable: {} }},",
                rust_str(&f.name),
                rust_str(&f.kind),
                lookups.join(", "),
                f.sortable
            );
        }
        rs.push_str("        ],\n    ),\n");
    }
    rs.push_str("];\n\n");
    rs.push_str(
        "/// Object id and the fields its List endpoint's `select()` can name, in catalog order;\n\
         /// objects without any are left out.\n",
    );
    rs.push_str("static SELECT_SPECS: &[(&str, &[(&str, crate::rql::SelectKind)])] = &[\n");
    for o in catalog::objects() {
        let Some(list) = o.action(Action::List) else {
            continue;
        };
        if list.is_generic() {
            continue;
        }
        let selectables = list_selectables(spec, list)?;
        if selectables.is_empty() {
            continue;
        }
        let _ = writeln!(rs, "    (\n        {},\n        &[", rust_str(o.id));
        for s in selectables {
            let kind = if s.hidden { "Hidden" } else { "Excludable" };
            let _ = writeln!(
                rs,
                "            ({}, crate::rql::SelectKind::{kind}),",
                rust_str(&s.name)
            );
        }
        rs.push_str("        ],\n    ),\n");
    }
    rs.push_str("];\n");
    files.insert("generated.rs".to_string(), rs);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_lists_every_column_in_order() {
        let schema = records_schema();
        let mut props: Vec<&str> = schema["items"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut names: Vec<&str> = usage::COLUMNS.iter().map(|c| c.name).collect();
        props.sort_unstable();
        names.sort_unstable();
        assert_eq!(props, names);
        assert_eq!(usage::COLUMNS[0].name, "record_id");
        assert_eq!(usage::COLUMNS.len(), 17);
    }
    use std::sync::LazyLock;

    /// The spec parsed once for all tests (it is 2.3 MB of YAML).
    static SPEC: LazyLock<Value> = LazyLock::new(|| load_spec().expect("the spec"));

    #[test]
    fn committed_profiles_are_up_to_date() {
        let files = generate(&SPEC).unwrap();
        let stale = stale_files(&files).unwrap();
        assert!(
            stale.is_empty(),
            "stale in rust/core/profiles: {stale:?}; run `cargo xtask profiles`"
        );
    }

    #[test]
    fn every_catalog_path_and_method_is_in_the_spec() {
        let mut pairs = 0;
        for o in catalog::objects() {
            // The Generic Resource's path is the user's; a local action calls nothing.
            for a in o
                .actions
                .iter()
                .filter(|a| !a.is_generic() && !a.is_local())
            {
                let same_shape = SPEC["paths"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(p, item)| {
                        path_shape(p) == path_shape(a.path)
                            && item.get(method_key(a.method)).is_some()
                    })
                    .count();
                assert!(
                    same_shape <= 1,
                    "{} matches {same_shape} spec paths",
                    a.path
                );
                let op = spec_operation(&SPEC, a.method, a.path);
                assert!(
                    op.is_some(),
                    "{} {:?}: {} {} is not in the spec",
                    o.id,
                    a.action,
                    a.method.as_str(),
                    a.path
                );
                // A multipart action names the spec's own form fields.
                if let Body::Multipart {
                    file_part,
                    note_part,
                } = a.body
                {
                    let form = &op.unwrap()["requestBody"]["content"]["multipart/form-data"]["schema"]
                        ["properties"];
                    assert!(form.get(file_part).is_some(), "{} {file_part}", o.id);
                    if let Some(note) = note_part {
                        assert!(form.get(note).is_some(), "{} {note}", o.id);
                    }
                }
                pairs += 1;
            }
        }
        assert!(pairs > 91, "{pairs}");
    }

    #[test]
    fn profiles_have_no_ref_and_are_objects_or_arrays() {
        let files = generate(&SPEC).unwrap();
        for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".json")) {
            assert!(!text.contains("\"$ref\""), "{name} keeps a $ref");
            let v: Value = serde_json::from_str(text).unwrap();
            assert_eq!(v["$schema"], DRAFT_04);
            assert!(v["type"] == "object" || v["type"] == "array", "{name}");
        }
        // Spot checks against what connect-api.md §2 reads in the spec.
        let get =
            |n: &str| -> Value { serde_json::from_str(&files[&format!("{n}.json")]).unwrap() };
        assert_eq!(get("FailRequest")["properties"]["reason"]["type"], "string");
        assert!(get("Request")["properties"]["asset"]["properties"]["product"].is_object());
        assert!(
            get("NewPurchaseRequest")["properties"]["asset"]["properties"]["items"].is_object()
        );
        assert!(get("FailTierConfigRequest")["properties"]["reason"].is_object());
    }

    #[test]
    fn filter_descriptions_parse() {
        let p = json!({
            "in": "query", "name": "asset.product.name", "schema": {"type": "string"},
            "description": "Filter for: asset.product.name\n\n**lookups:** eq, ne, like\n\n**ordering:** true"
        });
        assert_eq!(
            parse_filter(&p),
            Some(Field {
                name: "asset/product/name".into(),
                kind: "string".into(),
                lookups: vec!["eq".into(), "ne".into(), "like".into()],
                sortable: true,
            })
        );
        let select = json!({"in": "query", "name": "activation_key",
            "description": "This filter is used for explicit negative select."});
        assert_eq!(parse_filter(&select), None);
        // Filtering requests by product, which the old hand-written profiles broke.
        let list = catalog::object("REQUEST")
            .unwrap()
            .action(Action::List)
            .unwrap();
        let fields = list_fields(&SPEC, list).unwrap();
        let product = fields
            .iter()
            .find(|f| f.name == "asset/product/id")
            .unwrap();
        assert!(product.lookups.iter().any(|l| l == "eq"));
        assert!(fields.iter().all(|f| !f.name.contains("__")
            || !fields.iter().any(|g| g.name == f.name.replace("__", "/"))));
    }

    #[test]
    fn select_descriptions_parse() {
        let param =
            |name: &str, desc: &str| json!({"in": "query", "name": name, "description": desc});
        let hidden = param(
            "pending_request.template",
            "This filter is used for explicit select. For example, select(pending_request.template).\n\n**lookups:** \n\n**default:** *hidden*",
        );
        assert_eq!(
            parse_select(&hidden).unwrap(),
            Some(Selectable {
                name: "pending_request/template".into(),
                hidden: true
            })
        );
        // The parameter's name is the field, not the description's copied example.
        let negative = param(
            "asset.configuration",
            "This filter is used for explicit negative select. For example, select(-configuration).\n\n**lookups:** ",
        );
        assert_eq!(
            parse_select(&negative).unwrap(),
            Some(Selectable {
                name: "asset/configuration".into(),
                hidden: false
            })
        );
        let filter = param(
            "status",
            "Filter for: status\n\n**lookups:** eq, select(x) in a note",
        );
        assert_eq!(parse_select(&filter).unwrap(), None);
        assert_eq!(parse_select(&param("q", "Free text")).unwrap(), None);
        let path = json!({"in": "path", "name": "id", "description": "select(-data)"});
        assert_eq!(parse_select(&path).unwrap(), None);
        assert!(parse_select(&param("x", "select(-x) **default:** *hidden*")).is_err());
        assert!(parse_select(&param("a b", "negative select(-a b)")).is_err());
    }

    #[test]
    fn list_endpoints_document_their_select_fields() {
        let selectables = |id: &str| {
            let list = catalog::object(id).unwrap().action(Action::List).unwrap();
            list_selectables(&SPEC, list)
                .unwrap()
                .into_iter()
                .map(|s| (s.name, s.hidden))
                .collect::<Vec<_>>()
        };
        let requests = selectables("REQUEST");
        for (name, hidden) in [
            ("activation_key", false),
            ("asset/configuration", false),
            ("asset/product/capabilities", true),
            ("template", false),
        ] {
            assert!(
                requests.contains(&(name.to_owned(), hidden)),
                "{name}: {requests:?}"
            );
        }
        let assets = selectables("ASSET");
        assert!(
            assets.contains(&("pending_request".to_owned(), true)),
            "{assets:?}"
        );
        assert!(
            assets.contains(&("configuration".to_owned(), false)),
            "{assets:?}"
        );
        assert!(selectables("PRODUCT").is_empty());
    }

    #[test]
    fn assign_bodies_offer_both_fields_without_alternatives() {
        let files = generate(&SPEC).unwrap();
        for name in ["AssignRequest.json", "AssignTierConfigRequest.json"] {
            let p: Value = serde_json::from_str(&files[name]).unwrap();
            assert!(p.get("oneOf").is_none(), "{name}");
            assert!(p["properties"]["id"].is_object(), "{name}");
            assert_eq!(p["properties"]["email"]["format"], "email", "{name}");
        }
    }

    /// Keywords of drafts 6 and 7 that draft 4 does not know (`exclusiveMinimum` and
    /// `exclusiveMaximum` are checked for their draft-4 form, a boolean).
    const LATER_DRAFT_KEYWORDS: &[&str] = &[
        "$comment",
        "$id",
        "const",
        "contains",
        "propertyNames",
        "examples",
        "if",
        "then",
        "else",
        "readOnly",
        "writeOnly",
        "contentMediaType",
        "contentEncoding",
    ];

    /// Every schema object inside a profile (properties' names are not keywords).
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Map<String, Value>>) {
        let Some(o) = v.as_object() else { return };
        out.push(o);
        for (k, child) in o {
            match k.as_str() {
                "properties" => child
                    .as_object()
                    .into_iter()
                    .flatten()
                    .for_each(|(_, p)| walk(p, out)),
                "items" | "additionalProperties" | "not" => walk(child, out),
                "allOf" | "oneOf" | "anyOf" => child
                    .as_array()
                    .into_iter()
                    .flatten()
                    .for_each(|p| walk(p, out)),
                _ => {}
            }
        }
    }

    #[test]
    fn profiles_are_draft_4_without_alternatives_or_date_formats() {
        let files = generate(&SPEC).unwrap();
        for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".json")) {
            let v: Value = serde_json::from_str(text).unwrap();
            let mut schemas = Vec::new();
            walk(&v, &mut schemas);
            for s in schemas {
                for k in LATER_DRAFT_KEYWORDS {
                    assert!(!s.contains_key(*k), "{name} uses {k}");
                }
                for k in ["exclusiveMinimum", "exclusiveMaximum"] {
                    assert!(s.get(k).is_none_or(Value::is_boolean), "{name}: {k}");
                }
                assert!(
                    s.get("format")
                        .and_then(Value::as_str)
                        .is_none_or(|f| !is_date_format(f)),
                    "{name} keeps a date format: {:?}",
                    s.get("format")
                );
            }
            // Alternatives are flattened at the root; Boomi profiles have none.
            for k in ["oneOf", "anyOf", "allOf"] {
                assert!(v.get(k).is_none(), "{name} keeps a root {k}");
            }
        }
    }

    #[test]
    fn integer_enums_typed_as_strings_become_integers() {
        let files = generate(&SPEC).unwrap();
        for (name, field, first) in [
            ("NewCase.json", "priority", 0),
            ("Case.json", "priority", 0),
            ("CloseCase.json", "rating", 1),
        ] {
            let p: Value = serde_json::from_str(&files[name]).unwrap();
            let f = &p["properties"][field];
            assert_eq!(f["type"], "integer", "{name} {field}");
            assert_eq!(f["enum"][0], first, "{name} {field}");
        }
        // A real string enum stays a string.
        let mut s = json!({"type": "string", "enum": ["a", 1]})
            .as_object()
            .unwrap()
            .clone();
        integer_enum_as_integer(&mut s);
        assert_eq!(s["type"], "string");
    }

    #[test]
    fn cycles_are_cut() {
        let components = json!({
            "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}}
        });
        let mut r = Resolver {
            components: components.as_object().unwrap(),
            stack: Vec::new(),
            for_boomi: true,
        };
        let out = r
            .resolve(&json!({"$ref": "#/components/schemas/Node"}))
            .unwrap();
        assert_eq!(out["properties"]["child"]["type"], "object");
        assert!(out["properties"]["child"].get("properties").is_none());
    }
}
