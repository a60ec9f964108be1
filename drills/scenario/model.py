"""Drill scenarios: YAML validated against `drills/scenario/scenario.schema.json`, read once into
frozen data with every default filled in, then checked for what a schema cannot say: the
fault's parameters, the paths and release tags it names, expectations and budgets that can
be met. Whatever `drill run` would refuse is refused here, naming the file and the key, so
`drill validate` and `drill run` agree and neither needs Docker to say so.

The standard suite lives in `drills/standard/scenarios/` (one file per fault and control).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drills.scenario import app as app_section
from drills.scenario.release_folders import check_fixture_tags, release_folders
from harness.config import load_schema, load_yaml_file
from harness.errors import ConfigError

HEALTH_PATH = "/health"  # when a scenario names none

STANDARD_SUITE = Path(__file__).resolve().parents[1] / "standard" / "scenarios"


def _notes_suite() -> Path:
    from drills.scenario.notes_suite import suite_dir  # noqa: PLC0415 - written on first use

    return suite_dir()


# standard: the fixture release and demo app; notes: `drill init`'s suite for the stand-in's
# reference-service shape (its own AOT binaries, a database to migrate), written on first use
SUITES: dict[str, Path] = {"standard": STANDARD_SUITE}
GENERATED_SUITES: dict[str, Callable[[], Path]] = {"notes": _notes_suite}


@dataclass(frozen=True, kw_only=True)
class Release:
    path: Path | None  # None: build the fixture line into the run's work dir
    tag: str = "v0.7.1"
    previous: str | None = "v0.7.0"
    lib_dirs: tuple[Path, ...] = ()  # the AOT's own libraries; () with path None: the fixture's


@dataclass(frozen=True, kw_only=True)
class Probing:
    interval_s: float = 0.1
    timeout_s: float = 0.5
    failures: int = 3
    successes: int = 5
    latency_slo_s: float | None = None  # a health answer slower than this counts as a failed probe


@dataclass(frozen=True, kw_only=True)
class Budgets:
    detect_s: float = 5.0
    contain_s: float = 10.0
    recover_s: float = 15.0


@dataclass(frozen=True, kw_only=True)
class Tolerance:
    latency_factor: float = 5.0
    latency_slack_ms: float = 50.0
    error_rate: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Regression:
    """How a trend against a baseline run judges this scenario (drills/records/trends.py)."""

    tolerance: float = 0.5  # more than 50 % slower than the baseline is a regression ...
    fail: bool = False  # ... that fails the run, not only warns


@dataclass(frozen=True, kw_only=True)
class RecoveryGates:
    """`gate recover` before the AOT comes back (the playbook's recovery back to AOT)."""

    checkout: Path
    contract: Path | None = None
    timeout_s: float = 600.0


@dataclass(frozen=True, kw_only=True)
class Scenario:
    name: str
    title: str
    origin: str
    fault_id: str
    expect_fallback: bool
    expect_verdict: str = "passed"
    fault_params: Mapping[str, Any] = field(default_factory=dict)
    release: Release = field(default_factory=lambda: Release(path=None))
    app_package: Path | None = None
    base_image: str | None = None  # None: FROM scratch with each binary's closure
    aot_env: Mapping[str, str] = field(default_factory=dict)
    native_env: Mapping[str, str] = field(default_factory=dict)  # shadow and fallback (app section)
    app: app_section.App | None = None  # the user's own service and binaries (no release)
    ready_s: float = 30.0  # a deployment's first healthy answer, before any fault
    health_path: str = HEALTH_PATH
    load_path: str = "/api/hello"
    load_requests: int = 10
    probing: Probing = field(default_factory=Probing)
    max_error_rate: float = 0.0
    tolerance: Tolerance = field(default_factory=Tolerance)
    quiet_s: float = 0.6
    budgets: Budgets = field(default_factory=Budgets)
    regression: Regression = field(default_factory=Regression)
    observe_s: float = 3.0
    memory_mb: int = 64
    recover_to_aot: bool = False
    recovery_gates: RecoveryGates | None = None  # rerun before recovering to AOT


def _resolve(base: Path, value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    return path if path.is_absolute() else (base / path).resolve()


def _gates(base: Path, value: bool | Mapping[str, Any] | None) -> RecoveryGates | None:
    if not isinstance(value, Mapping):
        return None
    checkout = _resolve(base, value["checkout"])
    assert checkout is not None
    return RecoveryGates(
        checkout=checkout,
        contract=_resolve(base, value.get("contract")),
        timeout_s=float(value.get("timeout_s", 600.0)),
    )


APP_EXCLUSIVE = ("release", "app_package", "health_path", "aot_env")


def _app_fields(
    doc: Mapping[str, Any], origin: Path, fetch: app_section.FetchBundle | None
) -> dict[str, Any]:
    """Scenario fields from the `app` section; {} without one."""
    if "app" not in doc:
        return {}
    for key in APP_EXCLUSIVE:
        if key in doc:
            raise ConfigError(
                f"{origin}: {key}: not with an app section (it names the binaries, package and "
                f"health path); move it into app, or drop app"
            )
    section = doc["app"]
    app, aot_env, native_env = app_section.from_document(section, origin.parent, str(origin), fetch)
    health = section.get("health_path", HEALTH_PATH)
    return {
        "app": app,
        "aot_env": aot_env,
        "native_env": native_env,
        "health_path": health,
        "load_path": doc.get("load", {}).get("path", health),
        "ready_s": float(section.get("ready_s", 30.0)),
        # no release: only whether there is a previous AOT to contain on counts (`_lint`)
        "release": Release(path=None, previous=None if app.previous is None else "previous"),
    }


def from_document(
    doc: Mapping[str, Any], origin: Path, fetch: app_section.FetchBundle | None = None
) -> Scenario:
    """Frozen data from a validated document; relative paths resolve against its folder, a
    GitHub release's fallback bundle through `fetch` (the command line's)."""
    scenario = _from_document(doc, origin)
    app_fields = _app_fields(doc, origin, fetch)
    return dataclasses.replace(scenario, **app_fields) if app_fields else scenario


def _from_document(doc: Mapping[str, Any], origin: Path) -> Scenario:
    base = origin.parent
    rel, probe, tol, bud = (doc.get(k, {}) for k in ("release", "probe", "tolerance", "budgets"))
    return Scenario(
        name=doc["name"],
        title=doc.get("title", doc["name"]),
        origin=str(origin),
        fault_id=doc["fault"]["id"],
        fault_params=dict(doc["fault"].get("params", {})),
        expect_fallback=doc["expect"]["fallback"],
        expect_verdict=doc["expect"].get("verdict", "passed"),
        release=Release(
            path=_resolve(base, rel.get("path")),
            tag=rel.get("tag", "v0.7.1"),
            previous=rel.get("previous", "v0.7.0"),
            lib_dirs=tuple(base / d for d in rel.get("lib_dirs", ())),
        ),
        app_package=_resolve(base, doc.get("app_package")),
        base_image=doc.get("base_image"),
        aot_env=dict(doc.get("aot_env", {})),
        health_path=doc.get("health_path", HEALTH_PATH),
        load_path=doc.get("load", {}).get("path", "/api/hello"),
        load_requests=doc.get("load", {}).get("requests", 10),
        probing=Probing(
            interval_s=probe.get("interval_ms", 100) / 1000,
            timeout_s=probe.get("timeout_ms", 500) / 1000,
            failures=probe.get("failures", 3),
            successes=probe.get("successes", 5),
            latency_slo_s=probe["latency_slo_ms"] / 1000 if "latency_slo_ms" in probe else None,
        ),
        max_error_rate=doc.get("steady_state", {}).get("max_error_rate", 0.0),
        tolerance=Tolerance(**tol),
        quiet_s=doc.get("quiet_period_ms", 600) / 1000,
        budgets=Budgets(**bud),
        regression=Regression(**doc.get("regression", {})),
        observe_s=doc.get("observe_s", 3.0),
        memory_mb=doc.get("memory_mb", 64),
        recover_to_aot=bool(doc.get("recover_to_aot")),
        recovery_gates=_gates(base, doc.get("recover_to_aot")),
    )


def _lint(scenario: Scenario) -> None:
    """Rules a schema cannot say: what each control must expect, budgets that leave room."""
    where = f"{scenario.origin}: expect"
    if scenario.fault_id in ("none", "both-backends") and scenario.expect_fallback:
        raise ConfigError(
            f"{where}.fallback: control '{scenario.fault_id}' must not fall back; set expect.fallback: false"
        )
    if scenario.fault_id == "broken-fallback" and not scenario.expect_fallback:
        raise ConfigError(
            f"{where}.fallback: 'broken-fallback' is found broken only by falling back to it; "
            "set expect.fallback: true"
        )
    if scenario.fault_id == "broken-fallback" and scenario.expect_verdict != "failed":
        raise ConfigError(
            f"{where}.verdict: a sabotaged fallback must be reported broken; set expect.verdict: failed"
        )
    if scenario.expect_verdict == "failed" and scenario.fault_id != "broken-fallback":
        raise ConfigError(f"{where}.verdict: only 'broken-fallback' may expect a failed verdict")
    b = scenario.budgets
    if scenario.expect_fallback and scenario.release.previous is not None and b.contain_s >= b.recover_s:
        raise ConfigError(
            f"{scenario.origin}: budgets.contain_s: {b.contain_s:g} s of containment leaves the fallback "
            f"no time within budgets.recover_s ({b.recover_s:g} s, counted from the fault); "
            "make contain_s smaller than recover_s"
        )


def _check_fault(scenario: Scenario) -> None:
    """The fault's own parameter checks, now rather than when the drill is half run."""
    from drills.faults.catalogue import FAULTS  # noqa: PLC0415 - the catalogue imports the image code

    try:
        FAULTS[scenario.fault_id].prepare(scenario.fault_params)
    except ConfigError as exc:
        raise ConfigError(f"{scenario.origin}: {exc}") from exc


def _folder(origin: str, key: str, path: Path | None, what: str) -> None:
    if path is not None and not path.is_dir():
        raise ConfigError(f"{origin}: {key}: {path} is not a folder; {what}")


def _check_paths(scenario: Scenario) -> None:
    """Every path the scenario names exists (relative paths resolve against its folder)."""
    origin, rel, gates = scenario.origin, scenario.release, scenario.recovery_gates
    if scenario.app is not None:
        app_section.check_paths(scenario.app, origin)
        _check_gates(origin, gates)
        return
    _folder(origin, "release.path", rel.path, "point it at a release line or release folder")
    for n, lib in enumerate(rel.lib_dirs):
        _folder(origin, f"release.lib_dirs[{n}]", lib, "name a folder holding the AOT's libraries")
    _folder(origin, "app_package", scenario.app_package, "point it at a FUSE app package")
    if scenario.app_package is not None and not (scenario.app_package / "fuse.toml").is_file():
        raise ConfigError(f"{origin}: app_package: {scenario.app_package} has no fuse.toml; is it a package?")
    _check_gates(origin, gates)
    if rel.path is not None:
        release_folders(rel.path, rel, origin)
    else:
        check_fixture_tags(rel, origin)


def _check_gates(origin: str, gates: RecoveryGates | None) -> None:
    if gates is not None:
        _folder(origin, "recover_to_aot.checkout", gates.checkout, "point it at the checkout to run gates in")
        if gates.contract is not None and not gates.contract.is_file():
            raise ConfigError(f"{origin}: recover_to_aot.contract: {gates.contract}: no such file")


def _check_injectable(scenario: Scenario) -> None:
    """What `drill run` would refuse when it builds the fault's images, refused now, with the
    same words (the missing-library target: drills.engine.images.missing_library)."""
    if scenario.fault_id != "missing-library":
        return
    from drills.scenario.aot_binary import missing_library  # noqa: PLC0415 - reads the binaries

    try:
        missing_library(scenario)
    except ConfigError as exc:
        raise ConfigError(f"{scenario.origin}: {exc}") from exc


def load(path: Path, fetch: app_section.FetchBundle | None = None) -> Scenario:
    """Read, validate and lint one scenario file; check its fault parameters and paths.
    `fetch` gets the fallback bundle an app section names by GitHub release."""
    doc = load_yaml_file(path, load_schema(Path(__file__).parent / "scenario.schema.json"))
    scenario = from_document(doc, path, fetch)
    _lint(scenario)
    _check_fault(scenario)
    _check_paths(scenario)
    _check_injectable(scenario)
    return scenario


def scenario_files(paths: tuple[Path, ...], suite: str | None) -> list[Path]:
    """Files named on the command line, folders expanded, plus a named suite."""
    files: list[Path] = []
    if suite is not None:
        known = sorted([*SUITES, *GENERATED_SUITES])
        if suite not in known:
            raise ConfigError(f"--suite: unknown suite '{suite}' (expected one of {known})")
        folder = SUITES[suite] if suite in SUITES else GENERATED_SUITES[suite]()
        files += sorted(folder.glob("*.yaml"))
    for path in paths:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise ConfigError("no scenarios: pass scenario files or folders, or --suite standard")
    return _once_each(files)


def _once_each(files: list[Path]) -> list[Path]:
    """Each file once, where it was first named: one given twice (itself and through its
    folder, or by another path or a link) is one scenario, not two of the same name."""
    seen: set[Path] = set()
    kept = []
    for path in files:
        if (real := path.resolve()) not in seen:
            seen.add(real)
            kept.append(path)
    return kept


def load_all(files: list[Path], fetch: app_section.FetchBundle | None = None) -> list[Scenario]:
    scenarios = [load(path, fetch) for path in files]
    seen: dict[str, str] = {}
    for s in scenarios:
        if s.name in seen:
            raise ConfigError(
                f"{s.origin}: name: '{s.name}' is also the name of {seen[s.name]}; "
                "scenario names must be unique in a run"
            )
        seen[s.name] = s.origin
    return scenarios
