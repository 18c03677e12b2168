#!/usr/bin/env python3
"""Checks the connector's RQL against lib-rql, the grammar Connect's servers parse.

Input: the JSON-lines corpus written by the Rust test `rql::tests::grammar_corpus`
(`CONNECT_RQL_CORPUS=<file> cargo test -p connect-core --lib rql::tests::grammar_corpus`).
Each line is {"query": <query-string part>, "expect": <meaning>}, where the meaning was built
from the connector's checked filter tree, not from the text.

For every line this script does what a Connect server (django-rql) does with a query string:
percent-decode the whole string once with urllib.parse.unquote, parse it with lib-rql, and strip
one pair of quotes from each value. It then rebuilds the meaning from the parse tree and requires
it to equal "expect": every value must come back as exactly the text the user typed. It also
checks that the query only holds characters a URL query may carry, and that like patterns are
ones the server accepts (no two wildcards in a row).

Usage: check_grammar.py CORPUS.jsonl   (exit status 0 = all lines pass)
"""

import json
import re
import sys
from urllib.parse import unquote

from lark import Token, Tree
from py_rql import parse
from py_rql.exceptions import RQLFilterParsingError

URL_SAFE = re.compile(r"^(?:[A-Za-z0-9\-._~!$&()*+,;=:@]|%[0-9A-Fa-f]{2})*$")


def leaf(node):
    """The text of the single token under `node` (a prop or val subtree)."""
    while isinstance(node, Tree):
        node = node.children[0]
    return node


def value_of(val_tree):
    token = leaf(val_tree)
    text = str(token)
    if isinstance(token, Token) and token.type == "QUOTED_VAL":
        return text[1:-1]
    # The server tests for the constants on the unquoted token, before removing quotes.
    if text == "null()":
        return {"null": True}
    if text == "empty()":
        return {"empty": True}
    return text


def signed(tree):
    parts = [str(leaf(c)) for c in tree.children]
    return "".join(parts).lstrip("+")


def meaning(node):
    """lib-rql parse tree -> the JSON shape the Rust corpus uses."""
    if isinstance(node, Token):
        raise AssertionError("unexpected bare token %r" % node)
    kind = node.data
    kids = node.children
    if kind in ("start", "term", "expr_term", "logical"):
        if not kids:
            return None
        if len(kids) != 1:
            raise AssertionError("%s with %d children" % (kind, len(kids)))
        return meaning(kids[0])
    if kind == "and_op":
        return {"and": [meaning(k) for k in kids]}
    if kind == "or_op":
        return {"or": [meaning(k) for k in kids]}
    if kind == "not_op":
        return {"not": meaning(kids[0])}
    if kind == "comp":
        if len(kids) == 2:  # prop=val
            op, prop, val = "eq", kids[0], kids[1]
        elif kids[0].data == "comp_term":  # eq(prop,val)
            op, prop, val = str(leaf(kids[0])), kids[1], kids[2]
        else:  # prop=eq=val
            op, prop, val = str(leaf(kids[1])), kids[0], kids[2]
        return {"op": op, "prop": str(leaf(prop)), "value": value_of(val)}
    if kind == "searching":
        return {"op": str(leaf(kids[0])), "prop": str(leaf(kids[1])), "value": value_of(kids[2])}
    if kind == "listing":
        return {
            "op": str(leaf(kids[0])),
            "prop": str(leaf(kids[1])),
            "values": [value_of(v) for v in kids[2:]],
        }
    if kind in ("ordering", "select"):
        return {kind: [signed(k) for k in kids[1:]]}
    raise AssertionError("unexpected node %s" % kind)


def normalise(m):
    """Merges and-in-and / or-in-or and unwraps one-member groups, on both sides alike: the
    top-level `a&b&c` parses as nested ands, and Raw RQL may nest groups of its own."""
    if isinstance(m, list):
        return [normalise(x) for x in m]
    if not isinstance(m, dict):
        return m
    for kind in ("and", "or"):
        if kind in m and len(m) == 1:
            members = []
            for member in (normalise(x) for x in m[kind]):
                if isinstance(member, dict) and len(member) == 1 and kind in member:
                    members.extend(member[kind])
                else:
                    members.append(member)
            return members[0] if len(members) == 1 else {kind: members}
    return {k: normalise(v) for k, v in m.items()}


def resolve_raw(m):
    """Replaces {"raw": text} with what the server makes of that text on its own."""
    if isinstance(m, list):
        return [resolve_raw(x) for x in m]
    if not isinstance(m, dict):
        return m
    if set(m) == {"raw"}:
        return meaning(parse(unquote(m["raw"])))
    return {k: resolve_raw(v) for k, v in m.items()}


def like_patterns(m):
    if isinstance(m, list):
        for x in m:
            yield from like_patterns(x)
    elif isinstance(m, dict):
        if m.get("op") in ("like", "ilike") and isinstance(m.get("value"), str):
            yield m["value"]
        for v in m.values():
            yield from like_patterns(v)


def server_accepts_like(pattern):
    """django-rql reads `\\\\` as a backslash and `\\*` as a literal asterisk, then refuses a
    pattern with two wildcards in a row."""
    placeholder = "\x00"
    pieces = [p.replace("\\*", placeholder) for p in pattern.split("\\\\")]
    return "**" not in "\\".join(pieces)


def check(line_no, record):
    query = record["query"]
    problems = []
    if not URL_SAFE.match(query):
        problems.append("characters a URL query cannot carry")
    expected = normalise(resolve_raw(record["expect"]))
    if query == "":
        actual = None
    else:
        try:
            actual = normalise(meaning(parse(unquote(query))))
        except RQLFilterParsingError:
            problems.append("lib-rql cannot parse it")
            actual = None
    if not problems and actual != expected:
        problems.append(
            "meaning differs:\n    parsed   %s\n    expected %s"
            % (json.dumps(actual, ensure_ascii=False), json.dumps(expected, ensure_ascii=False))
        )
    for pattern in like_patterns(expected):
        if not server_accepts_like(pattern):
            problems.append("like pattern %r has two wildcards in a row" % pattern)
    return ["line %d: %s: %s" % (line_no, query, p) for p in problems]


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    failures = []
    count = 0
    with open(argv[1], encoding="utf-8") as corpus:
        for line_no, line in enumerate(corpus, 1):
            if line.strip():
                count += 1
                failures.extend(check(line_no, json.loads(line)))
    if count == 0:
        print("check_grammar: the corpus is empty", file=sys.stderr)
        return 1
    for failure in failures:
        print(failure, file=sys.stderr)
    print("check_grammar: %d queries, %d problems" % (count, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
