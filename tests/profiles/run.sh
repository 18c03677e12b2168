#!/bin/sh
# Draft-4 check of every generated profile (see check_profiles.py).
# Run from anywhere; creates tests/profiles/.venv on first use.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv_dir=$here venv_module=jsonschema
. "$root/tests/venv.sh"
"$py" "$here/check_profiles.py" "$root/rust/core/profiles"
