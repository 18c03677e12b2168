//! Writes one `#[test]` per object/action pair of the catalog for the contract suite
//! (`tests/contract.rs` includes them), so each pair is a test of its own that cargo's
//! filters select (`cargo test -p system-tests --test contract webhook`).

use std::fmt::Write as _;

fn main() {
    // `object::action`, both in lower case: `cargo test ... --test contract request::`
    // selects one object's pairs.
    let mut out = String::new();
    for object in connect_catalog::objects() {
        writeln!(out, "mod {} {{", ident(object.id)).unwrap();
        for a in object.actions {
            writeln!(
                out,
                "    #[test]\n    fn {}() {{\n        super::pair({:?}, {:?});\n    }}",
                ident(a.action.id()),
                object.id,
                a.action.id()
            )
            .unwrap();
        }
        writeln!(out, "}}").unwrap();
    }
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(std::path::Path::new(&dir).join("contract_pairs.rs"), out)
        .expect("OUT_DIR is writable");
}

/// An id as a Rust identifier: lower case, raw when it is a keyword.
fn ident(id: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
        "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
        "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static",
        "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual",
        "where", "while", "yield",
    ];
    let lower = id.to_ascii_lowercase();
    if KEYWORDS.contains(&lower.as_str()) {
        format!("r#{lower}")
    } else {
        lower
    }
}
