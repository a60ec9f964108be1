"""YAML config loading: `safe_load` only, validated against a JSON Schema shipped in the package.

Errors name the file and the key path, and say how to fix it:
`release-contract.yaml: platforms[2]: 'linux-arm' is not one of ['linux-x64', ...]`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from harness.errors import ConfigError

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def load_schema(package: str, name: str) -> dict[str, Any]:
    """A JSON Schema shipped as package data (`<package>/data/<name>`)."""
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def key_path(parts: Any) -> str:
    """`platforms[2].name` from a jsonschema error path."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _json_key(key: Any) -> str:
    """A mapping key as JSON spells it: `1:` is "1", `yes:` is "true", `2030-01-01:` the date."""
    if isinstance(key, str):
        return key
    if isinstance(key, date):
        return key.isoformat()
    return json.dumps(key)


def json_shaped(node: Any) -> Any:
    """The document as the JSON the schemas describe: dates (an unquoted 2030-01-01 is one in
    YAML) become strings, and so do mapping keys, so a `1:` key meets propertyNames."""
    if isinstance(node, date):  # datetime too
        return node.isoformat()
    if isinstance(node, dict):
        return {_json_key(key): json_shaped(value) for key, value in node.items()}
    if isinstance(node, list):
        return [json_shaped(item) for item in node]
    return node


def _scalars(root: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """Every scalar node of a composed document, once each (aliases may make cycles)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            yield node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))


def _bad_value(text: str, origin: str, loader: Any, exc: ValueError) -> ConfigError:
    """The scalar a constructor rejected (2026-02-30: datetime raises ValueError, not YAMLError)."""
    root = yaml.compose(text, Loader=loader)
    for node in _scalars(root) if root is not None else ():
        try:
            SafeConstructor().construct_object(node, deep=True)
        except ValueError as problem:
            where = f"{origin}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
            if node.tag == TIMESTAMP_TAG:
                return ConfigError(
                    f"{where}: '{node.value}' is not a valid date ({problem}); "
                    "write a real calendar date as YYYY-MM-DD"
                )
            kind = node.tag.rpartition(":")[2]
            return ConfigError(f"{where}: '{node.value}' is not a valid {kind} ({problem}); fix the value")
    return ConfigError(f"{origin}: a value cannot be read ({exc}); fix the YAML value")


def parse_yaml(text: str, origin: str) -> Any:
    # libyaml's loader when present: the same safe subset, parsed several times faster
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return json_shaped(yaml.load(text, Loader=loader))  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{origin}{where}: {problem}; fix the YAML syntax") from exc
    except ValueError as exc:
        raise _bad_value(text, origin, loader, exc) from exc


def validate(document: Any, schema: dict[str, Any], origin: str) -> None:
    # jsonschema is imported lazily: it is slow to import and only config commands need it.
    import jsonschema  # noqa: PLC0415

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(part) for part in e.absolute_path])
    if not errors:
        return
    first = jsonschema.exceptions.best_match(errors) or errors[0]
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    raise ConfigError(f"{origin}: {key_path(first.absolute_path)}: {first.message}{more}")


def load_yaml_file(path: Path, schema: dict[str, Any]) -> Any:
    """Read, parse and validate one YAML config file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file; pass an existing file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc}); check the path and permissions") from exc
    document = parse_yaml(text, str(path))
    validate(document, schema, str(path))
    return document
