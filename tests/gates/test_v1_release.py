"""v1.x-shaped releases (SBOMs, provenance, signatures, VSIX) through the installed `gate`:
a clean one passes, and every named defect fails with exit 1 and the finding that names it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from drills.standard.releases import write_release
from tests.gates.conftest import run_gate

# defect variant -> (the check ids that must fail, and no others; words of the finding)
EXPECTED_V1: dict[str, tuple[set[str], str]] = {
    "sbom-missing": ({"B001", "I007", "V002"}, "the SBOM of fuse-cli-linux-x64.tar.gz is missing"),
    "sbom-wrong-digest": ({"B002"}, "the SBOM's SHA256 is not the sha256 of fuse-aot-linux-x64.tar.gz"),
    "provenance-changed": (
        {"G001", "I008"},
        "release-provenance.sig: the signature does not verify over release-provenance.json",
    ),
    "provenance-missing-payload": (
        {"V002"},
        "fuse-vscode-windows-x64.vsix: provenance artifacts do not list it",
    ),
    "provenance-other-workflow": ({"V003"}, "actual .github/workflows/ci.yml"),
    "signature-other-bytes": ({"G001"}, "SHA256SUMS.sig: the signature does not verify over SHA256SUMS"),
    "certificate-other-identity": (
        {"G002"},
        "names another identity (expected https://github.com/dmitrijkiltau/FUSE/.github/workflows/"
        "release-artifacts.yml@refs/tags/v1.1.0, actual https://github.com/someone/fuse-fork/",
    ),
    "certificate-other-issuer": ({"G002"}, "comes from another OIDC issuer"),
    "certificate-expired": (
        {"G003"},
        "was not valid while the release was made (expected valid at some time in "
        "2026-03-25T09:00:00Z .. 2026-04-24T09:00:00Z, or at ",
    ),
    "unlisted-extra-file": ({"A003"}, "build-debug.log: a file that is neither a FUSE release asset"),
    "sidecar-unlisted": (
        {"I007"},
        "fuse-cli-macos-arm64.spdx.json: sidecar is not listed in integrityArtifacts",
    ),
    "wrong-target": (
        {"C009"},
        "expected target=x86_64-unknown-linux-gnu, actual target=aarch64-apple-darwin",
    ),
    "debug-profile": ({"C010"}, "expected profile=release, actual profile=debug"),
    "vsix-missing": ({"E001"}, "no VS Code extension for linux-x64"),
    "vsix-without-fuse-lsp": ({"E002"}, "member 'extension/bin/macos-arm64/fuse-lsp' is missing"),
}
# the defects that apply to a v0.7-shaped release too, and fail it the same way
ALSO_V07 = ("unlisted-extra-file", "wrong-target", "debug-profile", "vsix-missing", "vsix-without-fuse-lsp")


# a folder is judged on what it holds for the kinds required only of published releases (the
# VSIX, signatures, provenance): these tests ask for them as a published release would have them
REQUIRE_PUBLISHED = """schema_version: 1
platforms: [linux-x64, macos-arm64, windows-x64]
asset_kinds:
  vsix: {required: true}
  checksums-signature: {required: true}
  checksums-certificate: {required: true}
  provenance: {required: true}
  provenance-signature: {required: true}
  provenance-certificate: {required: true}
"""


def gate_check(
    folder: Path, tag: str, reports: Path, *, published: bool = True
) -> tuple[int, str, dict[str, str]]:
    contract = reports.parent / "require-published.yaml"
    contract.write_text(REQUIRE_PUBLISHED)
    extra = ("--contract", str(contract)) if published else ()
    args = ("check", "--release", tag, "--source", str(folder), "--report-dir", str(reports), *extra)
    proc = run_gate(*args)
    assert "Traceback" not in proc.stderr
    results = json.loads((reports / "report.json").read_text())["results"]
    return proc.returncode, proc.stdout, {r["check"]: r["outcome"] for r in results}


def failed(outcomes: dict[str, str]) -> set[str]:
    return {c for c, o in outcomes.items() if o == "failed"}


def test_a_clean_v1_release_passes_every_new_check(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0")
    code, out, outcomes = gate_check(folder, "v1.1.0", tmp_path / "reports")
    assert code == 0, out
    new = ("A003", "C009", "C010", "E001", "E002", "I007", "I008", "B001", "B002")
    assert {c: outcomes[c] for c in (*new, "V001", "V002", "V003", "G001", "G002", "G003")} == dict.fromkeys(
        (*new, "V001", "V002", "V003", "G001", "G002", "G003"), "passed"
    )
    # the SBOMs beside the bundles are not bundles (they were counted as bundles before)
    assert {outcomes[c] for c in ("P001", "P002", "P003")} == {"passed"}


@pytest.mark.parametrize("defect", sorted(EXPECTED_V1))
def test_a_v1_defect_fails_with_the_finding_that_names_it(defect: str, tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0", defects=(defect,))
    code, out, outcomes = gate_check(folder, "v1.1.0", tmp_path / "reports")
    checks, words = EXPECTED_V1[defect]
    assert code == 1, out
    assert failed(outcomes) == checks
    assert words in out


@pytest.mark.parametrize("defect", ALSO_V07)
def test_the_defects_a_v07_release_can_have_fail_it_too(defect: str, tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v0.7.0", "v0.7.0", defects=(defect,))
    code, out, outcomes = gate_check(folder, "v0.7.0", tmp_path / "reports")
    assert code == 1, out
    assert failed(outcomes) == EXPECTED_V1[defect][0]


def test_a_v07_release_skips_the_sidecar_checks_saying_why(
    make_release: Callable[..., Path], tmp_path: Path
) -> None:
    code, out, outcomes = gate_check(make_release("v0.7.0"), "v0.7.0", tmp_path / "reports")
    assert code == 0, out
    sidecar_checks = ("I007", "B001", "V001", "G001", "G002", "G003")
    assert {outcomes[c] for c in sidecar_checks} == {"skipped"}
    report = json.loads((tmp_path / "reports" / "report.json").read_text())
    b001 = next(r for r in report["results"] if r["check"] == "B001")
    assert b001["summary"] == "sbom files are required from v0.9.4; v0.7.0 predates them"


def test_a_v1_release_without_any_sidecar_fails_each_sidecar_check(tmp_path: Path) -> None:
    """A v0.9.4+ release laid out like v0.7.0: every sidecar the contract requires is missing."""
    folder = write_release(tmp_path / "v0.9.4", "v0.9.4")
    for path in folder.iterdir():
        if path.name.endswith((".spdx.json", ".sig", ".pem")) or path.name.startswith("release-provenance"):
            path.unlink()
    meta = folder / "release-artifacts.json"
    document = json.loads(meta.read_text())
    del document["integrityArtifacts"]
    meta.write_text(json.dumps(document))
    code, out, outcomes = gate_check(folder, "v0.9.4", tmp_path / "reports")
    assert code == 1
    assert failed(outcomes) == {"I007", "B001", "V001", "G001"}
    assert "integrityArtifacts is missing" in out
    assert "the signature of SHA256SUMS is missing" in out


def test_a_contract_may_stop_requiring_the_provenance_of_a_dry_run(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0")
    for name in ("release-provenance.json", "release-provenance.sig", "release-provenance.pem"):
        (folder / name).unlink()
    from drills.standard.sidecars import write_metadata  # noqa: PLC0415

    write_metadata(folder, "2026-03-25T09:00:00Z", with_sidecars=True)
    contract = tmp_path / "dry-run.yaml"
    contract.write_text(
        "schema_version: 1\nplatforms: [linux-x64, macos-arm64, windows-x64]\nasset_kinds:\n"
        + "".join(
            f"  {k}: {{required: false}}\n"
            for k in ("provenance", "provenance-signature", "provenance-certificate")
        )
    )
    strict = gate_check(folder, "v1.1.0", tmp_path / "strict")
    assert strict[0] == 1
    assert failed(strict[2]) == {"V001", "G001"}
    proc = run_gate("check", "--release", "v1.1.0", "--source", str(folder), "--contract", str(contract))
    assert proc.returncode == 0, proc.stdout


def test_r001_tells_a_removed_fallback_from_one_never_built(tmp_path: Path) -> None:
    never = write_release(tmp_path / "never" / "v0.7.1", "v0.7.1", defects=("missing-fallback",))
    removed = write_release(tmp_path / "removed" / "v0.7.1", "v0.7.1")
    (removed / "fuse-cli-linux-x64.tar.gz").unlink()  # after SHA256SUMS listed it
    out_never = gate_check(never, "v0.7.1", tmp_path / "r1")[1]
    out_removed = gate_check(removed, "v0.7.1", tmp_path / "r2")[1]
    assert (
        "linux-x64: fallback bundle absent from the start: never built (not listed in SHA256SUMS" in out_never
    )
    assert (
        "linux-x64: fallback bundle removed (listed in SHA256SUMS or release-artifacts.json, file gone)"
        in (out_removed)
    )


def _strip_signatures(folder: Path) -> None:
    """What a dist/ built outside FUSE's release workflow holds: no keyless signatures, no
    provenance, and its metadata lists none of them."""
    gone = {"SHA256SUMS.sig", "SHA256SUMS.pem", "release-provenance.json", "release-provenance.sig"}
    gone.add("release-provenance.pem")
    for name in gone:
        (folder / name).unlink()
    meta = folder / "release-artifacts.json"
    doc = json.loads(meta.read_text())
    doc["integrityArtifacts"] = [e for e in doc["integrityArtifacts"] if e["name"] not in gone]
    meta.write_text(json.dumps(doc, indent=2))


def test_a_folder_built_outside_the_release_workflow_passes_without_signatures_or_vsix(
    tmp_path: Path,
) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0", defects=("vsix-missing",))
    _strip_signatures(folder)
    code, out, outcomes = gate_check(folder, "v1.1.0", tmp_path / "reports", published=False)
    assert code == 0, out
    assert {outcomes[c] for c in ("E001", "G001", "V001")} == {"skipped"}
    assert {outcomes[c] for c in ("B001", "B002", "I007", "I008")} == {"passed"}


def test_the_same_folder_fails_when_the_contract_asks_what_a_published_release_holds(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0", defects=("vsix-missing",))
    _strip_signatures(folder)
    code, out, outcomes = gate_check(folder, "v1.1.0", tmp_path / "reports")
    assert code == 1, out
    assert {"E001", "G001", "V001"} <= failed(outcomes)


def test_signatures_a_folder_holds_are_judged_even_when_not_required(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0", defects=("signature-other-bytes",))
    code, out, outcomes = gate_check(folder, "v1.1.0", tmp_path / "reports", published=False)
    assert code == 1, out
    assert failed(outcomes) == {"G001"}


def test_files_fuse_s_own_scripts_leave_in_dist_are_not_unknown_assets(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "v1.1.0", "v1.1.0")
    for name in ("fuse", "fuse-lsp", "RELEASE_NOTES.md"):
        (folder / name).write_text("left by build_dist.sh or the aggregate job\n")
    (folder / "notes.txt").write_text("but this one nobody accounts for\n")
    code, out, outcomes = gate_check(folder, "v1.1.0", tmp_path / "reports", published=False)
    assert code == 1 and failed(outcomes) == {"A003"}, out
    assert "notes.txt" in out and "RELEASE_NOTES.md" not in out
