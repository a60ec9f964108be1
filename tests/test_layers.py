"""The layers read top-down: cli -> gates, drills -> harness. No module imports one above it
(lazy imports inside functions, imports for type checking and `importlib.import_module` of a
literal name included), and the product never imports the test fixtures.

Inside gates/ and drills/ the same holds for their stages (STAGES): a module imports its own
stage and the ones below it, never one above or beside it."""

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

# The stages inside a package, lowest first: a subpackage, or a module at the package's top.
# A stage imports itself and the stages of the rows below it, never one of its own row.
STAGES = {
    "drills": [
        ["standard"],  # the standard suite, the fixture-release writer, the stand-in toolchain
        ["engine"],  # the Docker seam, images and their labels, reaping
        ["faults"],  # the fault catalogue: what each fault does to images and containers
        ["scenario"],  # a scenario: its model, validation, binaries and app images; a suite's shards
        ["records"],  # the journal and its events, reports, trends
        ["playbook"],  # the playbook's phases, evidence, deadline and signals
        ["run"],  # a suite's run: wiring the real tools, parallel scenarios, the lock
    ],
    "gates": [
        ["sources", "identity_match", "platforms"],  # where releases come from; small pure helpers
        ["contract", "signing"],  # the release contract; signature verification
        ["assets", "retention", "waivers"],  # policies over the contract
        ["reading"],  # one read of every asset: archives, sidecars, facts
        ["checks", "recovery", "prune", "merge"],  # the release checks; recovery gates; prune; merge
        ["judging"],  # the registry's checks run over the facts, waivers applied
        ["runner"],  # gate check: read, then judge
    ],
}


def imported_modules(path: Path) -> set[str]:
    """Every module `path` names in an import (`from a import b` names a and a.b)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)} & OURS


def stage_of(package: str, module: str) -> str | None:
    """The stage a dotted name below `package` belongs to (None: the package itself)."""
    parts = module.split(".")
    return parts[1] if parts[0] == package and len(parts) > 1 else None


def rank(package: str, stage: str) -> int:
    return next(i for i, row in enumerate(STAGES[package]) if stage in row)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_module_imports_a_layer_above_its_own(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) - ALLOWED[package] - {package})
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_check_itself_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import importlib\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import gates.runner\n"
        "def f():\n    from cli.gate import gate\n    import drills.records.journal\n"
        "    importlib.import_module('fixtures.fake_engine')\n"
    )
    assert imported_packages(module) == {"cli", "drills", "fixtures", "gates"}


def _stages(package: str, root: Path = ROOT) -> set[str]:
    top = root / package
    return {p.stem for p in top.glob("*.py") if p.stem != "__init__"} | {
        p.name for p in top.iterdir() if (p / "__init__.py").is_file()
    }


def stage_violations(package: str, root: Path = ROOT) -> list[str]:
    """Each import, in the package's modules under `root`, of a stage above or beside the
    importing module's own."""
    stages, wrong = _stages(package, root), set()
    for path in sorted((root / package).rglob("*.py")):
        here = stage_of(package, ".".join(path.relative_to(root).with_suffix("").parts))
        for name in imported_modules(path) if here is not None else ():
            there = stage_of(package, name)
            if there in stages and there != here and rank(package, there) >= rank(package, here):
                wrong.add(f"{path.relative_to(root).as_posix()} ({here}) imports {package}.{there}")
    return sorted(wrong)


@pytest.mark.parametrize("package", sorted(STAGES))
def test_every_module_of_the_package_has_its_stage(package: str) -> None:
    listed = {stage for row in STAGES[package] for stage in row}
    assert _stages(package) == listed  # a new module or subpackage is given its stage here


@pytest.mark.parametrize("package", sorted(STAGES))
def test_no_stage_imports_one_above_or_beside_it(package: str) -> None:
    assert stage_violations(package) == []


def _skeleton(root: Path, package: str) -> Path:
    for stage in _stages(package):
        (root / package / stage).mkdir(parents=True)
        (root / package / stage / "__init__.py").write_text("")
    return root / package


def test_the_stage_check_sees_imports_up_and_beside(tmp_path: Path) -> None:
    drills = _skeleton(tmp_path, "drills")
    (drills / "scenario" / "m.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from drills.run.runner import Tools\n"
        "def f():\n    from drills.playbook import drill\n    from drills.engine import seam\n"
    )
    assert stage_violations("drills", tmp_path) == [
        "drills/scenario/m.py (scenario) imports drills.playbook",
        "drills/scenario/m.py (scenario) imports drills.run",
    ]
    gates = _skeleton(tmp_path, "gates")
    (gates / "checks" / "m.py").write_text("from gates.recovery import perf\nfrom gates import reading\n")
    assert stage_violations("gates", tmp_path) == ["gates/checks/m.py (checks) imports gates.recovery"]


def test_the_wheel_ships_every_product_package() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'packages = ["cli", "harness", "gates", "drills"]' in text


def test_no_module_imports_relatively() -> None:
    """The checks above read absolute names; ruff (TID252, all) refuses a relative import, and
    this holds the setting in place."""
    assert 'ban-relative-imports = "all"' in (ROOT / "pyproject.toml").read_text()
