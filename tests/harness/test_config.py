"""Malformed YAML configs: one config-error line naming the file (and line), exit 2.

PyYAML's safe constructors raise more than YAMLError for a scalar they cannot read
(ValueError, KeyError, AttributeError, IndexError), and aliases can make a document that
contains itself; none of these may reach the user as an internal error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import parse_yaml
from harness.errors import ConfigError
from tests.gates.conftest import run_gate

WAIVER = "check: P002, scope: v0.7.1, reason: r, approver: a"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            f"waivers: [&w {{{WAIVER}, expires: 2026-12-31}},\n"
            "  {<<: *w, scope: v0.7.1/linux-x64, expires: 2026-02-30}]\n",
            ":3:46: '2026-02-30' is not a valid date (day is out of range for month); "
            "write a real calendar date as YYYY-MM-DD",
        ),
        (
            f'waivers: [{{{WAIVER}, expires: !!timestamp "soon"}}]\n',
            ":2:73: 'soon' is not a valid date; write a real calendar date as YYYY-MM-DD",
        ),
        ('platforms: !!bool "maybe"\n', ":2:12: 'maybe' is not a valid bool; fix the value"),
        ('platforms: !!int ""\n', ":2:12: '' is not a valid int; fix the value"),
        ("platforms: &p [linux-x64, *p]\n", ": values nest more than 64 levels deep"),
        ("platforms: " + "[" * 200 + "]" * 200 + "\n", ": values nest more than 64 levels deep"),
    ],
    ids=["merge-key", "timestamp-tag", "bool-tag", "empty-int", "alias-in-itself", "deep"],
)
def test_a_malformed_contract_is_one_config_error_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "release-contract.yaml"
    path.write_text("schema_version: 1\n" + body)
    proc = run_gate("contract", "--contract", str(path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"gate: error: {path}{message}")
    assert proc.stderr.count("\n") == 1


def test_a_merge_key_still_merges() -> None:
    text = f"waivers: [&w {{{WAIVER}}}, {{<<: *w, scope: v0.7.0}}]\n"
    second = parse_yaml(text, "c.yaml")["waivers"][1]
    assert second == {"check": "P002", "scope": "v0.7.0", "reason": "r", "approver": "a"}


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(ConfigError, match=r"^c\.yaml: aliases expand to more than 1,000,000 values"):
        parse_yaml("\n".join(rows) + "\n", "c.yaml")


def test_a_long_bad_value_is_quoted_short_on_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml('a: !!int "' + "9" * 5000 + '\\n"\n', "c.yaml")
    assert len(str(caught.value)) < 300
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("c.yaml:1:4: '99999")
