"""Which recovery gates run: the contract's `recovery_gates`, validated (paths inside the
checkout, unique ids, dependencies listed first), resolved for one platform, then chosen by
`--only`/`--skip`.

Per platform a gate may run a different command, through a shell, with another timeout
(`per_platform`), or not at all: a gate whose `platforms` leave this one out is skipped by
contract, with its `skip_reason` in every report, never shown as passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from gates.contract import Contract
from gates.recovery.gates import DEFAULT_METRICS, DEFAULT_TIMEOUT_S, RecoveryGate
from harness.errors import ConfigError


def _relative(path: str, where: str, origin: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        raise ConfigError(f"{origin}: {where}: '{path}' must be a path inside the checkout")
    return path


def _set_env(env: list[str] | Mapping[str, str | None]) -> dict[str, str]:
    """`env: {NAME: value}` sets NAME; a list, or a null value, passes it through instead."""
    return {} if isinstance(env, list) else {k: v for k, v in env.items() if v is not None}


def _pass_env(env: list[str] | Mapping[str, str | None]) -> tuple[str, ...]:
    return tuple(env) if isinstance(env, list) else tuple(k for k, v in env.items() if v is None)


def _skip_reason(item: Mapping[str, Any], platform: str) -> str:
    runs_on = item.get("platforms")
    if platform == "" or runs_on is None or platform in runs_on:
        return ""
    why = item.get("skip_reason") or f"the contract runs it on {', '.join(runs_on)} only"
    return f"skipped by contract on {platform}: {why}"


def for_platform(item: Mapping[str, Any], platform: str) -> dict[str, Any]:
    """The gate's keys with its `per_platform` overrides for `platform` applied, and its
    `shell` (argv prefix, e.g. [bash]) put in front of the command."""
    resolved = {**item, **item.get("per_platform", {}).get(platform, {})}
    resolved["command"] = [*resolved.get("shell", ()), *resolved["command"]]
    return resolved


def _gate(raw: Mapping[str, Any], index: int, origin: str, platform: str = "") -> RecoveryGate:
    where = f"recovery_gates[{index}]"
    item = for_platform(raw, platform)
    produces = tuple(_relative(p, f"{where}.produces", origin) for p in item.get("produces", ()))
    return RecoveryGate(
        id=item["id"],
        title=item.get("title") or item["id"],
        command=tuple(item["command"]),
        cwd=_relative(item.get("cwd", "."), f"{where}.cwd", origin),
        timeout_s=float(item.get("timeout_s", DEFAULT_TIMEOUT_S)),
        retries=int(item.get("retries", 0)),
        env=_set_env(item.get("env", {})),
        pass_env=_pass_env(item.get("env", {})),
        produces=produces,
        needs=tuple(item.get("needs", ())),
        pass_line=item.get("pass_line", ""),
        judge=item.get("judge", "exit-code"),
        metrics=_relative(item.get("metrics", DEFAULT_METRICS), f"{where}.metrics", origin),
        skip_reason=_skip_reason(item, platform),
        debug_baseline=item.get("debug_baseline", ""),
    )


def gates_of(contract: Contract, platform: str = "") -> tuple[RecoveryGate, ...]:
    """The contract's recovery gates for `platform` ('' ignores `platforms` and
    `per_platform`), in order; a gate may only need gates before it."""
    seen: set[str] = set()
    gates = []
    for index, item in enumerate(contract.recovery_gates):
        gate = _gate(item, index, contract.origin, platform)
        if gate.id in seen:
            raise ConfigError(
                f"{contract.origin}: recovery_gates[{index}].id: "
                f"'{gate.id}' is used twice; ids must be unique"
            )
        for need in gate.needs:
            if need not in seen:
                raise ConfigError(
                    f"{contract.origin}: recovery_gates[{index}].needs: '{need}' "
                    "is not an earlier gate (list dependencies first)"
                )
        seen.add(gate.id)
        gates.append(gate)
    return tuple(gates)


def select(gates: Sequence[RecoveryGate], only: Sequence[str], skip: Sequence[str]) -> list[RecoveryGate]:
    known = [g.id for g in gates]
    for option, ids in (("--only", only), ("--skip", skip)):
        for gate_id in ids:
            if gate_id not in known:
                raise ConfigError(
                    f"{option} {gate_id}: no such recovery gate "
                    f"(the contract has: {', '.join(known) or 'none'})"
                )
    return [g for g in gates if (not only or g.id in only) and g.id not in skip]
