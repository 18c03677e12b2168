#!/bin/sh
# Grammar check of the connector's RQL against lib-rql (see README.md).
# Run from anywhere; creates tests/rql/.venv on first use.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv_dir=$here venv_module=py_rql
. "$root/tests/venv.sh"
corpus="$here/corpus.jsonl"
rm -f "$corpus"
(cd "$root" && CONNECT_RQL_CORPUS="$corpus" cargo test --quiet -p connect-core --lib rql::tests::grammar_corpus)
"$py" "$here/check_grammar.py" "$corpus"
