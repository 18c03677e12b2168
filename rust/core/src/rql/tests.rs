//! Golden tests (filter JSON → exact query string), error messages, select rules, a
//! no-panic property test, and the corpus for the lib-rql grammar check in `tests/rql/`.

use super::*;
use serde_json::{Value as Json, json};

/// Filter JSON (as the shim sends it) and the exact query string expected from [`AllowAll`].
const GOLDEN: &[(&str, &str)] = &[
    // Nothing to send.
    (r#"{}"#, ""),
    (r#"{"expression":null,"sort":null}"#, ""),
    (r#"{"expression":{"group":"AND","nested":[]}}"#, ""),
    // Every comparison operator, with a path conversion.
    (
        r#"{"expression":{"property":"asset/product/id","operator":"eq","arguments":["PRD-123-456-789"]}}"#,
        "eq(asset.product.id,PRD-123-456-789)",
    ),
    (
        r#"{"expression":{"property":"status","operator":"ne","arguments":["draft"]}}"#,
        "ne(status,draft)",
    ),
    (
        r#"{"expression":{"property":"created","operator":"gt","arguments":["2024-01-31"]}}"#,
        "gt(created,2024-01-31)",
    ),
    (
        r#"{"expression":{"property":"events/created/at","operator":"ge","arguments":["2019-02-12T10:02:00+03:00"]}}"#,
        "ge(events.created.at,2019-02-12T10:02:00%2B03:00)",
    ),
    (
        r#"{"expression":{"property":"quantity","operator":"lt","arguments":["-1.5"]}}"#,
        "lt(quantity,-1.5)",
    ),
    (
        r#"{"expression":{"property":"updated","operator":"le","arguments":["2019-02-12T10:02:00.123Z"]}}"#,
        "le(updated,2019-02-12T10:02:00.123Z)",
    ),
    // like / ilike: * is the wildcard, \* a literal asterisk, runs collapse.
    (
        r#"{"expression":{"property":"name","operator":"like","arguments":["*cloud*"]}}"#,
        "like(name,*cloud*)",
    ),
    (
        r#"{"expression":{"property":"asset/product/name","operator":"ilike","arguments":["*Cloud Box*"]}}"#,
        "ilike(asset.product.name,%22*Cloud%20Box*%22)",
    ),
    (
        r#"{"expression":{"property":"name","operator":"like","arguments":["5\\* rated*"]}}"#,
        "like(name,%225%5C*%20rated*%22)",
    ),
    (
        r#"{"expression":{"property":"name","operator":"like","arguments":["**abc***"]}}"#,
        "like(name,*abc*)",
    ),
    (
        r#"{"expression":{"property":"name","operator":"ilike","arguments":["C:\\\\temp\\\\*"]}}"#,
        "ilike(name,C:%5C%5Ctemp%5C%5C*)",
    ),
    // In any other operator * and \ are plain characters.
    (
        r#"{"expression":{"property":"name","operator":"eq","arguments":["a*b\\c"]}}"#,
        "eq(name,a*b%5Cc)",
    ),
    // in / out.
    (
        r#"{"expression":{"property":"status","operator":"in","arguments":["approved,failed"]}}"#,
        "in(status,(approved,failed))",
    ),
    (
        r#"{"expression":{"property":"status","operator":"out","arguments":[" draft , tiers_setup "]}}"#,
        "out(status,(draft,tiers_setup))",
    ),
    (
        r#"{"expression":{"property":"name","operator":"in","arguments":["Smith\\, John,O'Neil,one"]}}"#,
        "in(name,(%22Smith%2C%20John%22,%22O%27Neil%22,one))",
    ),
    (
        r#"{"expression":{"property":"id","operator":"in","arguments":["PR-1"]}}"#,
        "in(id,(PR-1))",
    ),
    (
        r#"{"expression":{"property":"path","operator":"in","arguments":["a\\\\,b"]}}"#,
        "in(path,(a%5C,b))",
    ),
    // null / empty.
    (
        r#"{"expression":{"property":"assignee","operator":"null","arguments":[]}}"#,
        "eq(assignee,null())",
    ),
    (
        r#"{"expression":{"property":"assignee","operator":"not_null"}}"#,
        "ne(assignee,null())",
    ),
    (
        r#"{"expression":{"property":"note","operator":"empty","arguments":[]}}"#,
        "eq(note,empty())",
    ),
    (
        r#"{"expression":{"property":"note","operator":"not_empty","arguments":[]}}"#,
        "ne(note,empty())",
    ),
    // Raw RQL: verbatim, wrapped, only URL-illegal characters encoded.
    (
        r#"{"expression":{"property":"","operator":"rql","arguments":["  eq(status,approved)&ne(type,cancel) "]}}"#,
        "(eq(status,approved)&ne(type,cancel))",
    ),
    (
        r#"{"expression":{"property":"ignored","operator":"rql","arguments":["ilike(name,\"*a b*\")"]}}"#,
        "(ilike(name,%22*a%20b*%22))",
    ),
    (
        r#"{"expression":{"property":"","operator":"rql","arguments":["eq(name,%22a%20b%22)"]}}"#,
        "(eq(name,%22a%20b%22))",
    ),
    // Awkward values.
    (
        r#"{"expression":{"property":"name","operator":"eq","arguments":["Foo (Bar), Inc."]}}"#,
        "eq(name,%22Foo%20%28Bar%29%2C%20Inc.%22)",
    ),
    (
        r#"{"expression":{"property":"name","operator":"eq","arguments":["say \"hi\""]}}"#,
        "eq(name,%27say%20%22hi%22%27)",
    ),
    (
        r#"{"expression":{"property":"name","operator":"eq","arguments":["it's"]}}"#,
        "eq(name,%22it%27s%22)",
    ),
    (
        r#"{"expression":{"property":"name","operator":"eq","arguments":["Müller & Søn 株式会社"]}}"#,
        "eq(name,%22M%C3%BCller%20%26%20S%C3%B8n%20%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE%22)",
    ),
    (
        r#"{"expression":{"property":"note","operator":"eq","arguments":["100% #1 a=b|c+d"]}}"#,
        "eq(note,%22100%25%20%231%20a%3Db%7Cc%2Bd%22)",
    ),
    (
        r#"{"expression":{"property":"note","operator":"eq","arguments":["line1\nline2\t"]}}"#,
        "eq(note,%22line1%0Aline2%09%22)",
    ),
    (
        r#"{"expression":{"property":"note","operator":"eq","arguments":[""]}}"#,
        "eq(note,%22%22)",
    ),
    (
        r#"{"expression":{"property":"note","operator":"eq","arguments":["null()"]}}"#,
        "eq(note,%22null%28%29%22)",
    ),
    (
        r#"{"expression":{"property":"type","operator":"eq","arguments":["t"]}}"#,
        "eq(type,%22t%22)",
    ),
    (
        r#"{"expression":{"property":"type","operator":"eq","arguments":["and"]}}"#,
        "eq(type,%22and%22)",
    ),
    (
        r#"{"expression":{"property":"contact/email","operator":"eq","arguments":["john@example.com"]}}"#,
        "eq(contact.email,john%40example.com)",
    ),
    (
        r#"{"expression":{"property":"flag","operator":"eq","arguments":[true]}}"#,
        "eq(flag,true)",
    ),
    (
        r#"{"expression":{"property":"count","operator":"ge","arguments":[42]}}"#,
        "ge(count,42)",
    ),
    (
        r#"{"expression":{"property":"name","operator":"eq","arguments":[" padded "]}}"#,
        "eq(name,%22%20padded%20%22)",
    ),
    // Groups: nesting, flattening, dropping.
    (
        r#"{"expression":{"group":"AND","nested":[
            {"property":"status","operator":"eq","arguments":["pending"]},
            {"property":"asset/product/id","operator":"eq","arguments":["PRD-1"]}]}}"#,
        "and(eq(status,pending),eq(asset.product.id,PRD-1))",
    ),
    (
        r#"{"expression":{"group":"or","nested":[
            {"property":"status","operator":"eq","arguments":["pending"]},
            {"property":"status","operator":"eq","arguments":["inquiring"]}]}}"#,
        "or(eq(status,pending),eq(status,inquiring))",
    ),
    (
        r#"{"expression":{"group":"AND","nested":[
            {"group":"OR","nested":[
                {"property":"type","operator":"eq","arguments":["purchase"]},
                {"group":"AND","nested":[
                    {"property":"type","operator":"eq","arguments":["change"]},
                    {"property":"asset/items/quantity","operator":"gt","arguments":["0"]}]}]},
            {"property":"created","operator":"ge","arguments":["2024-01-01"]}]}}"#,
        "and(or(eq(type,purchase),and(eq(type,change),gt(asset.items.quantity,0))),ge(created,2024-01-01))",
    ),
    (
        r#"{"expression":{"group":"AND","nested":[
            {"group":"OR","nested":[{"property":"a","operator":"eq","arguments":["1"]}]},
            {"group":"AND","nested":[]},
            {"group":"OR","nested":[{"group":"AND","nested":[]}]}]}}"#,
        "eq(a,1)",
    ),
    (
        r#"{"expression":{"group":"AND","nested":[
            {"property":"a","operator":"eq","arguments":["1"]},
            {"group":"AND","nested":[
                {"property":"b","operator":"eq","arguments":["2"]},
                {"group":"AND","nested":[{"property":"c","operator":"eq","arguments":["3"]},
                                         {"property":"d","operator":"eq","arguments":["4"]}]}]}]}}"#,
        "and(eq(a,1),eq(b,2),eq(c,3),eq(d,4))",
    ),
    (
        r#"{"expression":{"group":"OR","nested":[
            {"property":"a","operator":"eq","arguments":["1"]},
            {"property":"","operator":"rql","arguments":["eq(b,2)&eq(c,3)"]}]}}"#,
        "or(eq(a,1),(eq(b,2)&eq(c,3)))",
    ),
    (
        r#"{"expression":{"group":"AND","nested":[
            {"group":"OR","nested":[{"property":"a","operator":"eq","arguments":["1"]},
                                    {"property":"b","operator":"eq","arguments":["2"]}]},
            {"group":"OR","nested":[{"property":"c","operator":"eq","arguments":["3"]},
                                    {"property":"d","operator":"null","arguments":[]}]}]}}"#,
        "and(or(eq(a,1),eq(b,2)),or(eq(c,3),eq(d,null())))",
    ),
    // Sorting: any number, both directions, with and without a filter.
    (
        r#"{"sort":[{"property":"created","order":"desc"}]}"#,
        "ordering(-created)",
    ),
    (
        r#"{"sort":[{"property":"asset/product/id","order":"asc"},{"property":"created","order":"DESC"},{"property":"id"}]}"#,
        "ordering(asset.product.id,-created,id)",
    ),
    (
        r#"{"expression":{"property":"status","operator":"eq","arguments":["approved"]},
            "sort":[{"property":"updated","order":"desc"},{"property":"id","order":"asc"}]}"#,
        "eq(status,approved)&ordering(-updated,id)",
    ),
    (
        r#"{"expression":{"property":"","operator":"rql","arguments":["eq(a,1)"]},
            "sort":[{"property":"id","order":"asc"}]}"#,
        "(eq(a,1))&ordering(id)",
    ),
];

fn parse_filter(json: &str) -> Filter {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad test JSON {json}: {e}"))
}

fn render(json: &str) -> Result<String, RqlError> {
    build_query(&parse_filter(json), None, &AllowAll).map(|q| q.to_query_string())
}

fn error(json: &str) -> RqlError {
    match render(json) {
        Ok(q) => panic!("expected an error for {json}, got {q:?}"),
        Err(e) => e,
    }
}

#[test]
fn golden_queries() {
    for (json, expected) in GOLDEN {
        assert_eq!(
            render(json).unwrap_or_else(|e| panic!("{json}: {e}")),
            *expected,
            "{json}"
        );
    }
}

#[test]
fn golden_covers_every_operator() {
    for op in Operator::ALL {
        let needle = format!("\"operator\":\"{}\"", op.id());
        assert!(
            GOLDEN.iter().any(|(json, _)| json.contains(&needle)),
            "no golden case for {op}"
        );
    }
}

#[test]
fn operator_ids_round_trip() {
    for op in Operator::ALL {
        assert_eq!(Operator::from_id(op.id()), Some(op));
    }
    assert_eq!(Operator::from_id("EQUALS"), None);
    assert_eq!(Operator::from_id("EQ"), None);
}

#[test]
fn unknown_operator_names_field_and_choices() {
    let e =
        error(r#"{"expression":{"property":"asset/id","operator":"EQUALS","arguments":["x"]}}"#);
    assert_eq!(e.field(), Some("asset/id"));
    assert!(
        e.message()
            .starts_with("filter on \"asset/id\": unknown operator \"EQUALS\"")
    );
    assert!(e.message().contains("eq, ne, gt"), "{e}");
}

#[test]
fn argument_counts_are_checked() {
    let e = error(r#"{"expression":{"property":"status","operator":"eq","arguments":[]}}"#);
    assert_eq!(
        e.message(),
        "filter on \"status\": operator eq takes 1 argument, got 0; give exactly one value"
    );
    let e = error(r#"{"expression":{"property":"status","operator":"in","arguments":["a","b"]}}"#);
    assert_eq!(
        e.message(),
        "filter on \"status\": operator in takes 1 argument, got 2; give exactly one value"
    );
    let e = error(r#"{"expression":{"property":"note","operator":"null","arguments":["x"]}}"#);
    assert_eq!(
        e.message(),
        "filter on \"note\": operator null takes 0 arguments, got 1; remove the value"
    );
    let e = error(r#"{"expression":{"property":"","operator":"rql","arguments":[]}}"#);
    assert!(
        e.message().contains("operator rql takes 1 argument, got 0"),
        "{e}"
    );
}

#[test]
fn null_argument_is_reported() {
    let e = error(r#"{"expression":{"property":"status","operator":"eq","arguments":[null]}}"#);
    assert_eq!(
        e.message(),
        "filter on \"status\": operator eq got no value (null); set the value or its parameter"
    );
}

#[test]
fn bad_properties_are_reported() {
    let e = error(r#"{"expression":{"property":"","operator":"eq","arguments":["x"]}}"#);
    assert_eq!(
        e.message(),
        "filter on \"\": the field name is empty; choose a field"
    );
    let e = error(r#"{"expression":{"operator":"eq","arguments":["x"]}}"#);
    assert_eq!(e.field(), Some(""));
    let e = error(r#"{"expression":{"property":"asset//id","operator":"eq","arguments":["x"]}}"#);
    assert!(e.message().contains("empty segment"), "{e}");
    let e = error(r#"{"expression":{"property":"asset/id ","operator":"eq","arguments":["x"]}}"#);
    assert!(e.message().contains("contains ' '"), "{e}");
    let e = error(r#"{"expression":{"property":"9lives","operator":"eq","arguments":["x"]}}"#);
    assert!(e.message().contains("starts with a letter"), "{e}");
}

#[test]
fn list_errors_say_which_item() {
    let e = error(r#"{"expression":{"property":"status","operator":"in","arguments":["a,,b"]}}"#);
    assert_eq!(
        e.message(),
        "filter on \"status\": item 2 of the list is empty; separate values with single commas \
         (write \\, for a comma inside a value)"
    );
    error(r#"{"expression":{"property":"status","operator":"out","arguments":["  "]}}"#);
}

#[test]
fn both_quote_kinds_are_refused() {
    let e =
        error(r#"{"expression":{"property":"name","operator":"eq","arguments":["it's \"x\""]}}"#);
    assert_eq!(e.field(), Some("name"));
    assert!(e.message().contains("both ' and \""), "{e}");
    let e = error(
        r#"{"expression":{"property":"name","operator":"in","arguments":["ok,it's \"x\""]}}"#,
    );
    assert!(e.message().contains("both ' and \""), "{e}");
}

#[test]
fn raw_rql_is_checked() {
    let e = error(r#"{"expression":{"property":"","operator":"rql","arguments":["  "]}}"#);
    assert!(e.message().contains("Raw RQL text is empty"), "{e}");
    let e = error(r#"{"expression":{"property":"x","operator":"rql","arguments":["eq(a,1"]}}"#);
    assert_eq!(
        e.message(),
        "filter on \"x\": the Raw RQL text leaves a parenthesis open"
    );
}

#[test]
fn bad_groups_and_sorts() {
    let e = error(r#"{"expression":{"group":"XOR","nested":[]}}"#);
    assert_eq!(e.message(), "filter group \"XOR\" is neither AND nor OR");
    assert_eq!(e.field(), None);
    let e = error(r#"{"sort":[{"property":"created","order":"up"}]}"#);
    assert_eq!(
        e.message(),
        "sort on \"created\": order \"up\" is neither asc nor desc"
    );
    let e =
        error(r#"{"sort":[{"property":"a/b","order":"asc"},{"property":"a.b","order":"desc"}]}"#);
    assert!(e.message().contains("sorted more than once"), "{e}");
    let e = error(r#"{"sort":[{"property":"","order":"asc"}]}"#);
    assert!(
        e.message()
            .starts_with("sort on \"\": the field name is empty"),
        "{e}"
    );
}

#[test]
fn malformed_shapes_fail_to_deserialize() {
    for json in [
        r#"{"expression":{"group":"AND","property":"a","operator":"eq","arguments":["1"]}}"#,
        r#"{"expression":{"property":"a","operator":"eq","arguments":[["1"]]}}"#,
        r#"{"expression":{"property":"a","operator":"eq","arguments":"1"}}"#,
        r#"{"expression":[]}"#,
        r#"{"sort":[{"order":"asc"}]}"#,
    ] {
        assert!(serde_json::from_str::<Filter>(json).is_err(), "{json}");
    }
}

/// A policy like the catalog's: a few fields with their lookups, and select rules.
struct TestPolicy;

impl FieldPolicy for TestPolicy {
    fn check_lookup(&self, field: &str, op: Operator) -> Result<(), String> {
        match (field, op) {
            ("status", Operator::Eq | Operator::In | Operator::Out) => Ok(()),
            ("status", _) => Err(format!("{op} is not supported; use eq, in or out")),
            ("asset.product.id", Operator::Eq) => Ok(()),
            _ => Err("this field cannot be filtered".to_owned()),
        }
    }

    fn check_sort(&self, field: &str) -> Result<(), String> {
        if field == "created" {
            Ok(())
        } else {
            Err("Connect cannot order by this field".to_owned())
        }
    }

    fn select_rules(&self) -> Vec<SelectRule> {
        let rule = |field: &str, kind| SelectRule {
            field: field.to_owned(),
            kind,
        };
        vec![
            rule("pending_request", SelectKind::Hidden),
            rule("asset/product/capabilities", SelectKind::Hidden),
            rule("configuration", SelectKind::Excludable),
            rule("activation_key", SelectKind::Excludable),
        ]
    }
}

fn select_for(selected: Option<&[&str]>) -> String {
    let owned: Option<Vec<String>> = selected.map(|s| s.iter().map(|p| p.to_string()).collect());
    build_query(&Filter::default(), owned.as_deref(), &TestPolicy)
        .unwrap()
        .to_query_string()
}

#[test]
fn policy_refusals_name_the_field() {
    let q = |json| build_query(&parse_filter(json), None, &TestPolicy);
    let e = q(r#"{"expression":{"property":"status","operator":"like","arguments":["a*"]}}"#)
        .unwrap_err();
    assert_eq!(
        e.message(),
        "filter on \"status\": like is not supported; use eq, in or out"
    );
    let e = q(r#"{"sort":[{"property":"asset/id","order":"asc"}]}"#).unwrap_err();
    assert_eq!(
        e.message(),
        "sort on \"asset/id\": Connect cannot order by this field"
    );
    assert_eq!(e.field(), Some("asset/id"));
    // The policy sees RQL paths; Raw RQL bypasses it.
    let ok = q(r#"{"expression":{"group":"AND","nested":[
        {"property":"asset/product/id","operator":"eq","arguments":["PRD-1"]},
        {"property":"anything","operator":"rql","arguments":["eq(x,1)"]}]},
        "sort":[{"property":"created","order":"desc"}]}"#)
    .unwrap();
    assert_eq!(
        ok.to_query_string(),
        "and(eq(asset.product.id,PRD-1),(eq(x,1)))&ordering(-created)&select(pending_request,asset.product.capabilities)"
    );
}

#[test]
fn select_follows_the_rules() {
    // No selection: every field wanted, so hidden ones are asked for and nothing is excluded.
    assert_eq!(
        select_for(None),
        "select(pending_request,asset.product.capabilities)"
    );
    // A plain field only: hidden ones stay hidden, heavy ones are dropped.
    assert_eq!(
        select_for(Some(&["id", "status"])),
        "select(-configuration,-activation_key)"
    );
    // Nested selections: a child asks for its hidden parent, a parent keeps its children.
    assert_eq!(
        select_for(Some(&[
            "pending_request/id",
            "asset/product",
            "configuration/params/id"
        ])),
        "select(pending_request,asset.product.capabilities,-activation_key)"
    );
    assert_eq!(
        select_for(Some(&["asset", "activation_key", "configuration"])),
        "select(asset.product.capabilities)"
    );
    // A name that merely starts like a rule's field is a different field.
    assert_eq!(
        select_for(Some(&["pending_requests", "configurations"])),
        "select(-configuration,-activation_key)"
    );
    // An empty selection excludes everything excludable.
    assert_eq!(
        select_for(Some(&[])),
        "select(-configuration,-activation_key)"
    );
    // AllowAll declares no rules, so no select() whatever is selected.
    let q = build_query(&Filter::default(), Some(&["id".to_owned()]), &AllowAll).unwrap();
    assert!(q.is_empty());
    assert_eq!(q.to_query_string(), "");
}

#[test]
fn invalid_select_rule_is_an_error() {
    struct Broken;
    impl FieldPolicy for Broken {
        fn check_lookup(&self, _: &str, _: Operator) -> Result<(), String> {
            Ok(())
        }
        fn check_sort(&self, _: &str) -> Result<(), String> {
            Ok(())
        }
        fn select_rules(&self) -> Vec<SelectRule> {
            vec![SelectRule {
                field: "bad name".to_owned(),
                kind: SelectKind::Hidden,
            }]
        }
    }
    let e = build_query(&Filter::default(), None, &Broken).unwrap_err();
    assert!(e.message().contains("select rule \"bad name\""), "{e}");
}

#[test]
fn fuzz_entry_reports_instead_of_panicking() {
    assert_eq!(
        fuzz_filter_json(br#"{"expression":{"property":"a","operator":"eq","arguments":["1"]}}"#),
        Ok("eq(a,1)".to_owned())
    );
    assert!(fuzz_filter_json(b"\xff\x00").is_err());
    assert!(fuzz_filter_json(b"{\"expression\":").is_err());
    // Deep nesting is bounded by serde_json's recursion limit, not by our stack.
    let deep = "{\"group\":\"AND\",\"nested\":[".repeat(10_000);
    assert!(fuzz_filter_json(format!("{{\"expression\":{deep}").as_bytes()).is_err());
}

// ---- Generated filters: no panics, URL-safe output, and corpus material. ----

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces that stress quoting, encoding, escapes and the grammar's keywords.
const PIECES: &[&str] = &[
    "a",
    "Z9",
    "_",
    "-",
    ".",
    ":",
    "+",
    "@",
    "*",
    "\\",
    "\\*",
    "\\\\",
    " ",
    ",",
    "(",
    ")",
    "\"",
    "'",
    "&",
    "|",
    "=",
    "#",
    "%",
    "%20",
    "?",
    "/",
    ";",
    "~",
    "!",
    "$",
    "t",
    "and",
    "null()",
    "empty()",
    "eq",
    "ü",
    "株",
    "😀",
    "\n",
    "\t",
    "2024-01-31",
    "T10:02:00+03:00",
    "e",
    "0",
];

fn random_text(rng: &mut Rng) -> String {
    (0..rng.below(5)).map(|_| *rng.pick(PIECES)).collect()
}

/// A user-typed `in` argument for `items`, escaped as documented.
fn join_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| i.replace('\\', "\\\\").replace(',', "\\,"))
        .collect::<Vec<_>>()
        .join(",")
}

fn random_expr(rng: &mut Rng, depth: usize) -> Json {
    const FIELDS: &[&str] = &[
        "id",
        "status",
        "asset/product/id",
        "a-b/c_d",
        "events.created.at",
    ];
    if depth > 0 && rng.below(3) == 0 {
        let nested: Vec<Json> = (0..rng.below(4))
            .map(|_| random_expr(rng, depth - 1))
            .collect();
        return json!({"group": *rng.pick(&["AND", "OR", "and"]), "nested": nested});
    }
    let op = *rng.pick(&Operator::ALL);
    let arguments: Vec<String> = match op {
        Operator::In | Operator::Out => {
            let items: Vec<String> = (0..1 + rng.below(3)).map(|_| random_text(rng)).collect();
            vec![join_list(&items)]
        }
        Operator::Rql => vec![
            rng.pick(&["eq(a,1)", "or(eq(a,1),eq(b,2))", "x=y&ne(c,\"d e\")"])
                .to_string(),
        ],
        _ if op.arguments() == 0 => Vec::new(),
        _ => vec![random_text(rng)],
    };
    json!({"property": *rng.pick(FIELDS), "operator": op.id(), "arguments": arguments})
}

fn random_filter(rng: &mut Rng) -> Json {
    let sort: Vec<Json> = (0..rng.below(3))
        .map(|i| {
            let property = ["created", "id", "asset/product/id"][i];
            json!({"property": property, "order": *rng.pick(&["asc", "desc"])})
        })
        .collect();
    json!({"expression": random_expr(rng, 4), "sort": sort})
}

/// Characters a URL query may carry as they are (RFC 3986 `query`, minus `/` and `?` which we
/// never emit), plus `%` as the start of an escape.
fn is_url_safe(query: &str) -> bool {
    let bytes = query.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        if b == b'%' {
            bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        } else {
            b.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@".contains(&b)
        }
    })
}

#[test]
fn generated_filters_never_panic_and_stay_url_safe() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut built = 0;
    for _ in 0..3000 {
        let json = random_filter(&mut rng).to_string();
        match fuzz_filter_json(json.as_bytes()) {
            Ok(query) => {
                built += 1;
                assert!(is_url_safe(&query), "{query} from {json}");
            }
            Err(e) => assert!(
                e.contains("both ' and \"") || e.contains("list is empty") || e.contains("Raw RQL"),
                "unexpected error {e} for {json}"
            ),
        }
        // Truncations and byte flips of valid input must not panic either.
        let bytes = json.as_bytes();
        let cut = rng.below(bytes.len() + 1);
        let _ = fuzz_filter_json(&bytes[..cut]);
        let mut flipped = bytes.to_vec();
        let at = rng.below(flipped.len());
        flipped[at] ^= 1 << rng.below(8);
        let _ = fuzz_filter_json(&flipped);
    }
    assert!(built > 2000, "only {built} generated filters built");
}

/// The engine hands the string to `url::Url::set_query`; it must arrive there byte for byte,
/// or the golden strings would not be what Connect receives.
#[test]
fn url_crate_sends_queries_unchanged() {
    let mut rng = Rng(7);
    let generated = (0..1000)
        .filter_map(|_| fuzz_filter_json(random_filter(&mut rng).to_string().as_bytes()).ok());
    let golden = GOLDEN.iter().map(|(_, q)| (*q).to_owned());
    for query in golden.chain(generated).filter(|q| !q.is_empty()) {
        let mut url = url::Url::parse("https://api.example.com/public/v1/requests").unwrap();
        url.set_query(Some(&query));
        assert_eq!(url.query(), Some(query.as_str()));
    }
}

#[test]
fn documented_list_escaping_round_trips() {
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let items: Vec<String> = (0..1 + rng.below(4))
            .map(|_| random_text(&mut rng).trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            continue;
        }
        assert_eq!(encode::split_list(&join_list(&items)).unwrap(), items);
    }
}

// ---- Corpus for tests/rql/check_grammar.py. ----

/// What the server should understand, in the shape `check_grammar.py` derives from lib-rql's
/// parse tree: built from the checked tree, independently of the rendered text.
fn canonical(query: &RqlQuery) -> Json {
    let mut parts = Vec::new();
    if let Some(node) = &query.filter {
        parts.push(canonical_node(node));
    }
    let signed = |entries: &[Signed]| -> Vec<String> {
        entries
            .iter()
            .map(|e| format!("{}{}", if e.minus { "-" } else { "" }, e.field))
            .collect()
    };
    if !query.ordering.is_empty() {
        parts.push(json!({"ordering": signed(&query.ordering)}));
    }
    if !query.select.is_empty() {
        parts.push(json!({"select": signed(&query.select)}));
    }
    match parts.len() {
        0 => Json::Null,
        1 => parts.pop().unwrap_or(Json::Null),
        _ => json!({"and": parts}),
    }
}

fn canonical_node(node: &Node) -> Json {
    match node {
        Node::And(members) => {
            json!({"and": members.iter().map(canonical_node).collect::<Vec<_>>()})
        }
        Node::Or(members) => json!({"or": members.iter().map(canonical_node).collect::<Vec<_>>()}),
        Node::Compare { op, field, value } => {
            let value = match value {
                Value::Text(text) => json!(text),
                Value::Null => json!({"null": true}),
                Value::Empty => json!({"empty": true}),
            };
            json!({"op": op, "prop": field, "value": value})
        }
        Node::List { op, field, values } => json!({"op": op, "prop": field, "values": values}),
        Node::Raw(raw) => json!({"raw": raw}),
    }
}

/// Writes every golden and generated query, with its expected meaning, as JSON lines to the
/// file named by `CONNECT_RQL_CORPUS` (what `cargo xtask test` sets before running
/// `tests/rql/check_grammar.py`). Without the variable it still builds and checks them all.
#[test]
fn grammar_corpus() {
    let mut lines = Vec::new();
    let mut add = |filter: &Filter, selected: Option<&[String]>, policy: &dyn FieldPolicy| {
        let query = build_query(filter, selected, policy).expect("corpus filters are valid");
        lines.push(
            json!({"query": query.to_query_string(), "expect": canonical(&query)}).to_string(),
        );
    };
    for (json, _) in GOLDEN {
        add(&parse_filter(json), None, &AllowAll);
    }
    for selected in [
        None,
        Some(vec!["id".to_owned()]),
        Some(vec!["asset/product".to_owned()]),
    ] {
        let filter = parse_filter(
            r#"{"expression":{"property":"status","operator":"in","arguments":["a b,c"]},
                "sort":[{"property":"created","order":"desc"}]}"#,
        );
        add(&filter, selected.as_deref(), &TestPolicy);
    }
    // The select rules generated from the spec, as List Resources sends them: no selection,
    // an empty one, a plain field, and every rule's field (hidden ones then get selected).
    for object in crate::catalog::objects() {
        let rules = crate::profiles::select_specs(object.id);
        if rules.is_empty() {
            continue;
        }
        let policy = crate::query::SpecPolicy::for_object(object);
        let every: Vec<String> = rules.iter().map(|(f, _)| (*f).to_owned()).collect();
        for selected in [
            None,
            Some(Vec::new()),
            Some(vec!["id".to_owned()]),
            Some(every),
        ] {
            add(&Filter::default(), selected.as_deref(), &policy);
        }
    }
    // Incremental sync as List Resources adds it: Changed Since and the connection's Environment
    // on every List object, alone and joined to a user filter and sort.
    let since = crate::settings::Properties(
        [(
            crate::sync::CHANGED_SINCE.to_owned(),
            json!("2024-05-01T12:00:00+00:00"),
        )]
        .into_iter()
        .collect(),
    );
    let none = crate::settings::Properties::default();
    for object in crate::catalog::objects_for(crate::catalog::Action::List) {
        let environment = crate::sync::Environment::Production;
        let plan = crate::sync::Plan::new(object, &since, &none, environment)
            .or_else(|_| crate::sync::Plan::new(object, &none, &none, environment))
            .expect("a plan without Changed Since");
        for user in [
            Filter::default(),
            parse_filter(
                r#"{"expression":{"group":"OR","nested":[
                    {"property":"status","operator":"eq","arguments":["pending"]},
                    {"property":"id","operator":"like","arguments":["PR-*"]}]},
                    "sort":[{"property":"id","order":"desc"}]}"#,
            ),
        ] {
            let mut filter = user;
            plan.apply(&mut filter);
            add(&filter, None, &AllowAll);
        }
    }
    let mut rng = Rng(0x0dd_ba11);
    let mut generated = 0;
    while generated < 1500 {
        let filter: Filter =
            serde_json::from_value(random_filter(&mut rng)).expect("generator shape");
        if build_query(&filter, None, &AllowAll).is_ok() {
            add(&filter, None, &AllowAll);
            generated += 1;
        }
    }
    assert!(lines.len() > GOLDEN.len() + 1500);
    if let Some(path) = std::env::var_os("CONNECT_RQL_CORPUS") {
        std::fs::write(&path, lines.join("\n") + "\n").expect("write the RQL corpus");
    }
}
