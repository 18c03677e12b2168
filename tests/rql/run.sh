#!/bin/sh
# Grammar check of the connector's RQL against lib-rql (see README.md).
# Run from anywhere; creates tests/rql/.venv on first use.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py="$here/.venv/bin/python"
if ! "$py" -c 'import py_rql' 2>/dev/null; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
corpus="$here/corpus.jsonl"
rm -f "$corpus"
(cd "$root" && CONNECT_RQL_CORPUS="$corpus" cargo test --quiet -p connect-core --lib rql::tests::grammar_corpus)
"$py" "$here/check_grammar.py" "$corpus"
