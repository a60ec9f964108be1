"""The layers read top-down: cli -> gates, drills -> harness. No module imports one above it
(lazy imports inside functions included), and the product never imports the test fixtures."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package -> the top-level packages it may import (besides itself and the standard library)
ALLOWED = {
    "harness": set(),
    "gates": {"harness"},
    "drills": {"harness"},
    "cli": {"harness", "gates", "drills"},
}
OURS = {*ALLOWED, "fixtures", "tests", "benchmarks"}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_module_imports_a_layer_above_its_own(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) - ALLOWED[package] - {package})
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_check_itself_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from cli.gate import gate\n    import drills.records.journal\n")
    assert imported_packages(module) == {"cli", "drills"}


def test_the_wheel_ships_every_product_package() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'packages = ["cli", "harness", "gates", "drills"]' in text
