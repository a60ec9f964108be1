"""YAML config loading: `safe_load` only, validated against a JSON Schema shipped in the package.

Errors name the file and the key path, and say how to fix it:
`release-contract.yaml: platforms[2]: 'linux-arm' is not one of ['linux-x64', ...]`.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from harness.errors import ConfigError


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


def iso_dates(node: Any) -> Any:
    """YAML reads an unquoted 2030-01-01 as a date; the schemas describe dates as strings."""
    if isinstance(node, date):  # datetime too
        return node.isoformat()
    if isinstance(node, dict):
        return {key: iso_dates(value) for key, value in node.items()}
    if isinstance(node, list):
        return [iso_dates(item) for item in node]
    return node


def parse_yaml(text: str, origin: str) -> Any:
    try:
        # libyaml's loader when present: the same safe subset, parsed several times faster
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return iso_dates(yaml.load(text, Loader=loader))  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{origin}{where}: {problem}; fix the YAML syntax") from exc


def validate(document: Any, schema: dict[str, Any], origin: str) -> None:
    # jsonschema is imported lazily: it is slow to import and only config commands need it.
    import jsonschema  # noqa: PLC0415

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
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
