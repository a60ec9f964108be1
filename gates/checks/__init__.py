"""The registry of every check the gate runs. Each is a pure function of its facts and the
contract; its docstring's first line is the title every report shows. Release checks judge
one release's facts, line checks one release of a line as the line sees it (R001), run checks
the finished run (W001, W002).

A check returns its findings (empty: passed), raises CannotEvaluate (error: we could not
tell) or NotApplicable (skipped, with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gates.checks import (
    build,
    contents,
    integrity,
    inventory,
    kept,
    pairs,
    provenance,
    sbom,
    sidecars,
    signatures,
    vsix,
)
from gates.checks.base import CannotEvaluate, NotApplicable
from gates.checks.kept import LineFacts, RunFacts
from gates.contract import Contract
from gates.reading.facts import ReleaseFacts
from harness.results import Finding

Check = Callable[[ReleaseFacts, Contract], list[Finding]]

CHECKS: dict[str, Check] = {
    "A001": integrity.assets_readable,
    "A002": integrity.assets_uploaded,
    "A003": inventory.files_known,
    "P001": pairs.primary_present,
    "P002": pairs.fallback_present,
    "P003": pairs.right_extension,
    "C001": contents.fallback_members,
    "C002": contents.unix_binaries_executable,
    "C003": contents.primary_members,
    "C004": contents.build_info_parses,
    "C005": contents.build_info_contract,
    "C006": contents.build_info_version,
    "C007": contents.archives_safe,
    "C008": contents.archives_readable,
    "C009": build.build_target,
    "C010": build.build_profile,
    "E001": vsix.vsix_present,
    "E002": vsix.vsix_contents,
    "I001": integrity.checksums_well_formed,
    "I002": integrity.checksums_list_payloads,
    "I003": integrity.checksums_match,
    "I004": integrity.metadata_lists_payloads,
    "I005": integrity.metadata_matches,
    "I006": integrity.source_digest_matches,
    "I007": sidecars.integrity_artifacts_listed,
    "I008": sidecars.integrity_artifacts_match,
    "B001": sbom.sboms_present,
    "B002": sbom.sboms_valid,
    "V001": provenance.provenance_present,
    "V002": provenance.provenance_matches,
    "V003": provenance.provenance_origin,
    "G001": signatures.signatures_verify,
    "G002": signatures.certificates_identity,
    "G003": signatures.certificates_valid_then,
}


@dataclass(frozen=True)
class ReleaseCheck:
    run: Check


@dataclass(frozen=True)
class LineCheck:
    run: Callable[[LineFacts, Contract], list[Finding]]


@dataclass(frozen=True)
class RunCheck:
    run: Callable[[RunFacts, Contract], list[Finding]]


REGISTRY: dict[str, ReleaseCheck | LineCheck | RunCheck] = {
    **{check_id: ReleaseCheck(check) for check_id, check in CHECKS.items()},
    "R001": LineCheck(kept.fallback_retained),
    "W001": RunCheck(kept.waivers_live),
    "W002": RunCheck(kept.waivers_used),
}

__all__ = [
    "CHECKS",
    "REGISTRY",
    "CannotEvaluate",
    "Check",
    "LineCheck",
    "LineFacts",
    "NotApplicable",
    "ReleaseCheck",
    "RunCheck",
    "RunFacts",
    "title",
]


def title(check: Callable[..., object]) -> str:
    return (check.__doc__ or "").strip().splitlines()[0]
