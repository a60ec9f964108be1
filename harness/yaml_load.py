"""PyYAML's safe subset, with errors that say where: a YAML syntax error or a scalar no safe
constructor can read is one ConfigError line naming the file, line and column.

Kept apart from harness/config.py so that only the commands that read a YAML file import
PyYAML (its import is a large part of the gate's start-up).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from harness.errors import ConfigError
from harness.text import one_line

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# What PyYAML's safe constructors raise, besides YAMLError, for a scalar they cannot read:
# ValueError (2026-02-30), KeyError (`!!bool maybe`), AttributeError (`!!timestamp soon`),
# IndexError (`!!int ""`).
_CONSTRUCT_ERRORS = (ArithmeticError, AttributeError, LookupError, TypeError, ValueError)
_SHOWN = 60  # characters of a bad value a message quotes


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


def _shown(value: str) -> str:
    return one_line(value if len(value) <= _SHOWN else value[: _SHOWN - 3] + "...")


def _scalar_problem(node: yaml.ScalarNode) -> BaseException | None:
    """What a safe constructor raises for this scalar, if anything (`<<` and other tags
    without a constructor of their own are handled by their mapping, not here)."""
    if node.tag not in SafeConstructor.yaml_constructors:
        return None
    try:
        SafeConstructor().construct_object(node, deep=True)
    except _CONSTRUCT_ERRORS as problem:
        return problem
    return None


def _bad_value(text: str, origin: str, loader: Any, exc: Exception) -> ConfigError:
    """The scalar a constructor rejected (2026-02-30: datetime raises ValueError, `!!bool
    maybe` KeyError, neither a YAMLError)."""
    root = yaml.compose(text, Loader=loader)
    for node in _scalars(root) if root is not None else ():
        problem = _scalar_problem(node)
        if problem is None:
            continue
        where = f"{origin}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
        why = f" ({one_line(str(problem))})" if isinstance(problem, ValueError) else ""
        if node.tag == TIMESTAMP_TAG:
            return ConfigError(
                f"{where}: '{_shown(node.value)}' is not a valid date{why}; "
                "write a real calendar date as YYYY-MM-DD"
            )
        kind = node.tag.rpartition(":")[2]
        return ConfigError(f"{where}: '{_shown(node.value)}' is not a valid {kind}{why}; fix the value")
    return ConfigError(f"{origin}: a value cannot be read ({one_line(str(exc))}); fix the YAML value")


def load_document(text: str, origin: str) -> Any:
    """The YAML document of `text`, as PyYAML's safe loader builds it."""
    # libyaml's loader when present: the same safe subset, parsed several times faster
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{origin}{where}: {problem}; fix the YAML syntax") from exc
    except _CONSTRUCT_ERRORS as exc:
        raise _bad_value(text, origin, loader, exc) from exc
    return document
