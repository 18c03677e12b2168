"""Checks every generated profile the way Boomi's JSON profile import reads it: JSON Schema
draft 4. Each profile must declare draft 4, be a valid draft-4 schema (the draft-4 meta-schema,
through the `jsonschema` package), use no keyword of later drafts, and carry no date or
timestamp `format` (Connect's timestamps stay text, see the user guide).

The last line reads `check_profiles: N profiles, M problems`.
"""

import json
import pathlib
import sys

from jsonschema import Draft4Validator

DRAFT_04 = "http://json-schema.org/draft-04/schema#"
LATER_DRAFTS = {
    "$comment", "$id", "const", "contains", "propertyNames", "examples", "if", "then", "else",
    "readOnly", "writeOnly", "contentMediaType", "contentEncoding",
}
DATE_FORMATS = {"date-time", "datetime", "date", "time"}


def schemas(node, path="#"):
    """Every schema object inside `node`, with its JSON pointer."""
    if not isinstance(node, dict):
        return
    yield path, node
    for name, prop in (node.get("properties") or {}).items():
        yield from schemas(prop, f"{path}/properties/{name}")
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            yield from schemas(node[key], f"{path}/{key}")
    for key in ("allOf", "oneOf", "anyOf"):
        for i, part in enumerate(node.get(key) or []):
            yield from schemas(part, f"{path}/{key}/{i}")


def problems_of(profile):
    if profile.get("$schema") != DRAFT_04:
        yield f"$schema is {profile.get('$schema')!r}, not draft 4"
    for error in Draft4Validator(Draft4Validator.META_SCHEMA).iter_errors(profile):
        yield f"not a valid draft-4 schema at {'/'.join(map(str, error.path))}: {error.message}"
    for path, node in schemas(profile):
        for key in LATER_DRAFTS & node.keys():
            yield f"{path}: {key} is not a draft-4 keyword"
        if node.get("format") in DATE_FORMATS:
            yield f"{path}: format {node['format']!r} would import as a Date/Time element"


def main(folder):
    files = sorted(pathlib.Path(folder).glob("*.json"))
    problems = 0
    for file in files:
        profile = json.loads(file.read_text(encoding="utf-8"))
        for problem in problems_of(profile):
            print(f"{file.name}: {problem}")
            problems += 1
    if not files:
        print(f"no profiles in {folder}")
        problems += 1
    print(f"check_profiles: {len(files)} profiles, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
