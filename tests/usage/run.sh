#!/bin/sh
# Reads an XLSX with openpyxl and prints its sheets as JSON (see read_xlsx.py).
# Run from anywhere; creates tests/usage/.venv on first use.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py="$here/.venv/bin/python"
if ! "$py" -c 'import openpyxl' 2>/dev/null; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
"$py" "$here/read_xlsx.py" "$1"
