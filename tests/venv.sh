#!/bin/sh
# Sourced by the Python checks with venv_dir and venv_module set: makes sure
# $venv_dir/.venv has $venv_dir/requirements.txt installed (checked by importing $venv_module)
# and sets $py to its python.
if ! "$venv_dir/.venv/bin/python" -c "import $venv_module" 2>/dev/null; then
    python3 -m venv "$venv_dir/.venv"
    "$venv_dir/.venv/bin/pip" install --quiet -r "$venv_dir/requirements.txt"
fi
py="$venv_dir/.venv/bin/python"
