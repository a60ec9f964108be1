"""YAML config loading: `safe_load` only (harness/yaml_load.py), validated against a JSON Schema
shipped in the package.

Errors name the file and the key path, and say how to fix it:
`release-contract.yaml: platforms[2]: 'linux-arm' is not one of ['linux-x64', ...]`.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from harness import bounded_read, numbers
from harness.errors import ConfigError

_MAX_DEPTH = 64  # contracts and scenarios nest a few levels; Python recursion ends near 1,000
_MAX_VALUES = 1_000_000
MAX_CONFIG_BYTES = 4 * bounded_read.MiB  # a contract or scenario is a few KiB


def package_json(path: Path) -> dict[str, Any]:
    """A JSON document shipped as package data, at `path` beside the module that names it
    (`Path(__file__).parent / ...`). The wheel installs package data as plain files, so
    this reads it without importlib.resources, whose import alone pulls tempfile, shutil,
    random, bz2 and lzma into every `gate check`."""
    text = path.read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def load_schema(path: Path) -> dict[str, Any]:
    """A JSON Schema shipped as package data (see `package_json`)."""
    return package_json(path)


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


def json_shaped(document: Any, origin: str) -> Any:
    """The document as the JSON the schemas describe: dates (an unquoted 2030-01-01 is one in
    YAML) become strings, and so do mapping keys, so a `1:` key meets propertyNames.

    Aliases make a document a graph: one that contains itself, nests too deep or expands
    into too many values (an alias bomb) is refused here rather than ending in a
    RecursionError or filling the memory. A number that is not one (`.nan`, `.inf`, `-.inf`,
    or an integer past the largest float) is refused too: every comparison with NaN is
    false, so a NaN threshold or budget would let everything pass, and float() of the rest
    overflows (harness/numbers.py). A string (key or value) holding a NUL is refused: no path,
    command, environment variable or name can carry one.
    """
    budget = [_MAX_VALUES]

    def shape(node: Any, depth: int, where: tuple[Any, ...]) -> Any:
        budget[0] -= 1
        if depth > _MAX_DEPTH:
            raise ConfigError(
                f"{origin}: values nest more than {_MAX_DEPTH} levels deep (or an alias sits "
                "inside its own anchor); write the values out plainly"
            )
        if budget[0] < 0:
            raise ConfigError(
                f"{origin}: aliases expand to more than {_MAX_VALUES:,} values; write the values out plainly"
            )
        if isinstance(node, date):  # datetime too
            return node.isoformat()
        if numbers.is_number(node) and numbers.finite(node) is None:
            raise ConfigError(not_finite(origin, key_path(where), node))
        if isinstance(node, str) and "\0" in node:
            raise ConfigError(f"{origin}: {key_path(where)}: holds a NUL character; remove it")
        if isinstance(node, dict):
            return {
                shape(_json_key(key), depth + 1, where): shape(value, depth + 1, (*where, _json_key(key)))
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [shape(item, depth + 1, (*where, i)) for i, item in enumerate(node)]
        return node

    return shape(document, 0, ())


def not_finite(origin: str, where: str, value: float) -> str:
    """The config error line for a NaN, an infinity or an overflowing integer where a number belongs."""
    return (
        f"{origin}: {where}: {numbers.shown(value)} is not a finite number (NaN and infinities compare "
        "false with everything, so nothing would ever fail); write a real number"
    )


def parse_yaml(text: str, origin: str) -> Any:
    """A YAML config as the JSON the schemas describe, or one ConfigError line naming where."""
    # PyYAML loads here, not at the top: importing it costs about a sixth of a `gate check`,
    # and the embedded contract is read without it (gates/contract.py)
    from harness.yaml_load import load_document  # noqa: PLC0415

    return json_shaped(load_document(text, origin), origin)


def validate(document: Any, schema: dict[str, Any], origin: str) -> None:
    # jsonschema is imported lazily: it is slow to import and only config commands need it.
    import jsonschema  # noqa: PLC0415

    validator = _ecma_validator(jsonschema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(part) for part in e.absolute_path])
    if not errors:
        return
    first = jsonschema.exceptions.best_match(errors) or errors[0]
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    raise ConfigError(f"{origin}: {key_path(first.absolute_path)}: {first.message}{more}")


@functools.cache
def _ecma_validator(jsonschema: Any) -> Any:
    r"""Draft 2020-12 with every `pattern` read in the dialect JSON Schema names, ECMA-262.
    Python's re differs where it matters for names and paths: its `$` also matches before a
    final newline (a scenario named "crash\n" passed `^[a-z0-9-]+$`), and its `\d` matches
    any Unicode digit (a tag ending in an Arabic-Indic one passed `^v\d+...$`)."""

    def pattern(validator: Any, wanted: str, instance: Any, _schema: Any) -> Any:
        if validator.is_type(instance, "string") and not _ecma(wanted).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {wanted!r}")

    return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": pattern})


@functools.cache
def _ecma(pattern: str) -> re.Pattern[str]:
    r"""`pattern` as ECMA-262 reads it: `$` outside a class matches at the very end alone, and
    `\d`, `\w` and `\s` hold what ECMA's do (`\d` and `\w` ASCII alone)."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        pair = pattern[i : i + 2]
        if pair in _ECMA_CLASSES:
            out.append(_ECMA_CLASSES[pair] if in_class else f"[{_ECMA_CLASSES[pair]}]")
        elif pair.startswith("\\"):
            out.append(pair)
        else:
            char = pattern[i]
            in_class = (in_class or char == "[") and not (in_class and char == "]")
            out.append("\\Z" if char == "$" and not in_class else char)
            i += 1
            continue
        i += 2
    return re.compile("".join(out))


# ECMA-262's \d, \w and \s (Python's str \s also holds \x1c-\x1f and \x85, not U+FEFF)
_ECMA_CLASSES = {
    "\\d": "0-9",
    "\\w": "A-Za-z0-9_",
    "\\s": "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff",
}


def load_yaml_file(path: Path, schema: dict[str, Any]) -> Any:
    """Read, parse and validate one YAML config file."""
    try:
        text = bounded_read.read_text(path, MAX_CONFIG_BYTES)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file; pass an existing file") from exc
    except bounded_read.Refused as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc}); check the path and permissions") from exc
    document = parse_yaml(text, str(path))
    validate(document, schema, str(path))
    return document
