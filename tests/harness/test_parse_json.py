"""harness.bounded_read.parse_json, the reader of every JSON from outside: an object that
names a key twice is refused wherever it is, nothing else changes."""

from __future__ import annotations

import json

import pytest

from harness import bounded_read


@pytest.mark.parametrize(
    "text",
    [
        '{"tag": "v9.9.9", "tag": "v1.1.0"}',
        '{"tag": "v1.1.0", "tag": "v1.1.0"}',  # the same value twice is refused too
        '{"a": {"b": 1, "b": 2}}',
        '[{"name": "x"}, {"name": "y", "size": 1, "size": 1}]',
        '{"a": 1, "b": 2, "a": 3}',
        '{"\\u0074ag": 1, "tag": 2}',  # the same key, spelled with an escape
        b'{"tag": 1, "tag": 2}',
    ],
)
def test_a_key_given_twice_is_refused(text: str | bytes) -> None:
    with pytest.raises(bounded_read.DuplicateKey, match="is given twice in one object"):
        bounded_read.parse_json(text)
    with pytest.raises(ValueError, match="give each key once"):  # callers catch ValueError
        bounded_read.parse_json(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "A": 2}',
        '[{"name": "x"}, {"name": "x"}]',  # the same key in two objects
        '{"a": {"a": {"a": 1}}}',
        '{"": 1, " ": 2}',
        "[]",
        '"tag"',
    ],
)
def test_json_without_a_repeated_key_reads_as_json_loads_reads_it(text: str) -> None:
    assert bounded_read.parse_json(text) == json.loads(text)


def test_the_names_of_many_keys_are_checked_in_linear_time() -> None:
    keys = [f'"k{i}": {i}' for i in range(200_000)]
    with pytest.raises(bounded_read.DuplicateKey, match="'k0'"):
        bounded_read.parse_json("{" + ", ".join([*keys, '"k0": 0']) + "}")


def refuse(name: str) -> None:
    raise ValueError(f"{name} is no number")


def test_options_still_reach_json_loads() -> None:
    with pytest.raises(ValueError, match="NaN is no number"):
        bounded_read.parse_json('{"a": NaN}', parse_constant=refuse)
    with pytest.raises(bounded_read.TooDeep):
        bounded_read.parse_json("[" * 100_000 + "]" * 100_000)
