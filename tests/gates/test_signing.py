"""The signature helpers (gates/signing.py) and the checks on top of them, on certificates
and keys made here with `cryptography`: each rule turns red when what it guards is broken."""

from __future__ import annotations

import base64
import os
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from drills.standard import sidecars
from drills.standard.releases import write_release
from gates import contract, signing
from gates.checks import signatures
from gates.reading.facts import ReleaseFacts, read_releases
from gates.retention import WindowState
from gates.sources.folder import FolderSource
from tests.gates.conftest import GATE, run_gate

BUILT = datetime(2026, 3, 25, 9, tzinfo=UTC)
TAG = "v1.1.0"


def signer(**changes: object) -> sidecars.Signer:
    return replace(sidecars.signer_for(TAG, BUILT), **changes)  # type: ignore[arg-type]


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def test_a_certificate_reads_as_pem_and_as_base64_of_pem() -> None:
    cert = sidecars.certificate(signer())
    assert signing.load_certificate(pem(cert)) == cert
    assert signing.load_certificate(base64.b64encode(pem(cert)) + b"\n") == cert


@pytest.mark.parametrize("data", [b"", b"not base64 at all!", base64.b64encode(b"hello")])
def test_what_is_not_a_certificate_is_an_error(data: bytes) -> None:
    with pytest.raises(signing.SigningError):
        signing.load_certificate(data)


def test_a_signature_verifies_over_its_bytes_only() -> None:
    cert = sidecars.certificate(signer())
    sig = sidecars.LEAF_KEY.sign(b"SHA256SUMS bytes", ec.ECDSA(signing.hashes.SHA256()))
    raw = signing.load_signature(base64.b64encode(sig))
    assert signing.verifies(cert, raw, b"SHA256SUMS bytes")
    assert not signing.verifies(cert, raw, b"SHA256SUMS bytez")
    other = sidecars.certificate(signer(), key=ec.generate_private_key(ec.SECP256R1()))
    assert not signing.verifies(other, raw, b"SHA256SUMS bytes")


def test_the_oidc_issuer_is_read_from_either_fulcio_extension() -> None:
    both = sidecars.certificate(signer())
    assert signing.issuers(both) == {
        "1.3.6.1.4.1.57264.1.1": sidecars.ISSUER,
        "1.3.6.1.4.1.57264.1.8": sidecars.ISSUER,
    }
    only_v2 = sidecars.certificate(signer(extensions=(sidecars.OID_ISSUER_V2,)))
    assert signing.issuers(only_v2) == {"1.3.6.1.4.1.57264.1.8": sidecars.ISSUER}
    assert signing.issuers(sidecars.certificate(signer(extensions=()))) == {}


def test_the_slug_compares_case_insensitively_and_nothing_else_does() -> None:
    rules = contract.load(None).signing
    matches = signing.identity_matcher(rules.expected_identity(TAG), rules.repository, None)
    assert matches(sidecars.identity(TAG, "dmitrijkiltau/fuse"))
    assert matches(sidecars.identity(TAG, "DmitrijKiltau/FUSE"))
    assert not matches(sidecars.identity("v1.1.1", "dmitrijkiltau/fuse"))
    assert not matches(sidecars.identity(TAG, "dmitrijkiltau/fuse-fork"))
    assert not matches(sidecars.identity(TAG).replace("release-artifacts", "RELEASE-artifacts"))
    assert not matches(sidecars.identity(TAG) + "x")  # a full match
    assert not matches("x" + sidecars.identity(TAG))


def test_a_contract_regexp_replaces_the_identity(tmp_path: Path) -> None:
    folder = write_release(tmp_path / TAG, TAG, defects=("certificate-other-identity",))
    rules = tmp_path / "fork.yaml"
    rules.write_text(
        "schema_version: 1\nplatforms: [linux-x64, macos-arm64, windows-x64]\n"
        "signing: {identity_regexp: '^https://github[.]com/(dmitrijkiltau/FUSE|someone/fuse-fork)/.+@refs/tags/v1[.]1[.]0$'}\n"
    )
    assert run_gate("check", "--release", TAG, "--source", str(folder)).returncode == 1
    proc = run_gate("check", "--release", TAG, "--source", str(folder), "--contract", str(rules))
    assert proc.returncode == 0, proc.stdout


def contract_with_regexp(folder: Path, regexp: str) -> Path:
    rules = folder / "regexp.yaml"
    quoted = regexp.replace("'", "''")
    rules.write_text(
        "schema_version: 1\nplatforms: [linux-x64, macos-arm64, windows-x64]\n"
        f"signing: {{identity_regexp: '{quoted}'}}\n"
    )
    return rules


def gate_within(seconds: float, *args: str) -> subprocess.CompletedProcess[str]:
    """`gate` as run_gate runs it, but it must finish within `seconds` (a hang fails)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run(
        [GATE, *args], capture_output=True, text=True, env=env, timeout=seconds, check=False
    )


@pytest.mark.parametrize(
    "regexp",
    [
        r"(\S+)+\s",  # backtracking regex engines take 2^n steps on a SAN with no space
        "https://(.|.)*X",
        r"(.*)*@refs/tags/v9",
        r"([\w/:.@-]+)*Z",
        r"(\S|.)*Z",
    ],
)
def test_a_regexp_that_backtracks_for_ever_is_judged_in_linear_time(tmp_path: Path, regexp: str) -> None:
    """cosign matches with Go's regexp (RE2); so does the gate: the pattern matches nothing, G002
    fails, and the run ends at once, where Python's re would never return."""
    folder = write_release(tmp_path / TAG, TAG)
    rules = contract_with_regexp(tmp_path, regexp)
    proc = gate_within(30, "check", "--release", TAG, "--source", str(folder), "--contract", str(rules))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "failed   G002" in proc.stdout
    assert "names another identity" in proc.stdout


def test_an_re2_regexp_matches_as_cosign_would(tmp_path: Path) -> None:
    """RE2 spellings Go accepts and a case-insensitive slug (`(?i)`) pass; a full match is required."""
    folder = write_release(tmp_path / TAG, TAG)
    for regexp, code in (
        (r"https://github\.com/(?i:DMITRIJKILTAU/fuse)/\.github/workflows/[\w-]+\.yml@refs/tags/v1\.1\.0", 0),
        (r"\Ahttps://github\.com/[[:alpha:]]+/FUSE/.+\z", 0),
        (r"(?i)HTTPS://GITHUB\.COM/.*", 0),
        ("https://github.com/dmitrijkiltau/FUSE", 1),  # a prefix of the SAN is not a full match
    ):
        rules = contract_with_regexp(tmp_path, regexp)
        proc = gate_within(60, "check", "--release", TAG, "--source", str(folder), "--contract", str(rules))
        assert proc.returncode == code, (regexp, proc.stdout)


@pytest.mark.parametrize(
    ("regexp", "reason"),
    [
        (r"(a)\1", "invalid escape sequence: \\1"),  # a backreference
        ("(?=https)", "invalid perl operator: (?="),  # lookahead
        ("(?!x)https", "invalid perl operator: (?!"),
        ("(?<=a)b", "invalid perl operator: (?<="),  # lookbehind
        ("(?<!a)b", "invalid perl operator: (?<!"),
        (r"(?P<n>a)(?P=n)", "invalid perl operator: (?P"),  # a named backreference
        (r"https://\Z", "invalid escape sequence: \\Z"),  # Python's end of text; RE2 spells it \z
        ("(?x) https", "invalid perl operator: (?x"),  # verbose mode
        ("a{1001}", "invalid repetition size: {1001}"),
        ("(unclosed", "missing ): (unclosed"),
        ("a**", "bad repetition operator: **"),
    ],
)
def test_a_regexp_re2_cannot_compile_is_a_one_line_config_error(
    tmp_path: Path, regexp: str, reason: str
) -> None:
    rules = contract_with_regexp(tmp_path, regexp)
    proc = gate_within(30, "contract", "--contract", str(rules))
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        f"gate: error: {rules}: signing.identity_regexp: not a regular expression cosign accepts ("
    ), proc.stderr
    assert f"({reason});" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr  # no RE2 log lines, no traceback


def test_validity_is_judged_between_the_build_and_the_publication() -> None:
    cert = sidecars.certificate(signer())  # valid 10:00 .. 10:10
    assert signing.valid_between(cert, BUILT, BUILT + timedelta(hours=3))
    assert not signing.valid_between(cert, BUILT, BUILT + timedelta(minutes=30))  # published before it
    assert not signing.valid_between(cert, BUILT + timedelta(hours=2), BUILT + timedelta(hours=3))


def facts_of(folder: Path, published: datetime | None = None) -> ReleaseFacts:
    source = FolderSource(folder, single_tag=TAG)
    (release,) = source.releases()
    if published is not None:
        release = replace(release, published_at=published)
    window = WindowState(open=True, closes=None, reason="open")
    return read_releases(source, [(release, window)], contract.load(None))[0]


def test_a_known_publication_bounds_the_window(tmp_path: Path) -> None:
    """The fixture certificate is valid an hour after the build: a release published half an
    hour after its build was signed after it was published."""
    folder = write_release(tmp_path / TAG, TAG)
    rules = contract.load(None)
    assert signatures.certificates_valid_then(facts_of(folder, BUILT + timedelta(hours=3)), rules) == []
    found = signatures.certificates_valid_then(facts_of(folder, BUILT + timedelta(minutes=30)), rules)
    assert [f.subject for f in found] == ["SHA256SUMS.pem", "release-provenance.pem"]
    assert "2026-03-25T09:00:00Z .. 2026-03-25T09:30:00Z" in found[0].expected


def test_a_linux_only_v1_dist_passes_a_linux_only_contract(tmp_path: Path) -> None:
    """The issue's case: SBOMs beside the bundles were counted as bundles (P001-P003)."""
    folder = write_release(tmp_path / TAG, TAG, platforms=("linux-x64",))
    assert {p.name for p in folder.iterdir()} >= {
        "fuse-cli-linux-x64.spdx.json",
        "fuse-aot-linux-x64.spdx.json",
    }
    rules = tmp_path / "linux.yaml"
    rules.write_text("schema_version: 1\nplatforms: [linux-x64]\n")
    proc = run_gate("check", "--release", TAG, "--source", str(folder), "--contract", str(rules), "-v")
    assert proc.returncode == 0, proc.stdout
    assert "spdx.json must be" not in proc.stdout


def test_a_broken_identity_regexp_is_a_config_error(tmp_path: Path) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text("schema_version: 1\nplatforms: [linux-x64]\nsigning: {identity_regexp: '(unclosed'}\n")
    proc = run_gate("contract", "--contract", str(rules))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"gate: error: {rules}: signing.identity_regexp: not a regular expression")
    assert "write an RE2 (Go regexp) pattern" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_gate_contract_release_prints_what_applies() -> None:
    new = run_gate("contract", "--release", "v1.1.0")
    assert new.returncode == 0
    applies = new.stdout.split("# what applies to v1.1.0")[1]
    assert "fuse-vscode-windows-x64.spdx.json" in applies
    assert "release-provenance.pem" in applies
    old = run_gate("contract", "--release", "v0.7.0").stdout.split("# what applies to v0.7.0")[1]
    assert "sbom files are required from v0.9.4; v0.7.0 predates them" in old
    assert "fuse-aot-linux-x64.tar.gz" in old


def test_a_certificate_valid_now_passes_though_made_after_the_window(tmp_path: Path) -> None:
    """A long-lived certificate of one's own CA, issued months after the build: cosign's offline
    rule (valid now) accepts it; without the run's clock only the release window counts."""
    folder = write_release(tmp_path / TAG, TAG)
    now = datetime.now(UTC)
    sidecars.sign(
        folder / "SHA256SUMS", signer(not_before=now - timedelta(days=1), not_after=now + timedelta(days=365))
    )
    sidecars.write_metadata(folder, "2026-03-25T09:00:00Z", with_sidecars=True)
    facts = facts_of(folder)
    rules = contract.load(None)
    assert [f.subject for f in signatures.certificates_valid_then(facts, rules)] == ["SHA256SUMS.pem"]
    assert signatures.certificates_valid_then(replace(facts, checked_at=now), rules) == []
    later = now + timedelta(days=400)
    assert [
        f.subject for f in signatures.certificates_valid_then(replace(facts, checked_at=later), rules)
    ] == ["SHA256SUMS.pem"]
    assert run_gate("check", "--release", TAG, "--source", str(folder)).returncode == 0


def test_the_gate_loads_cryptography_only_when_a_release_has_signatures_to_check() -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = "import sys; import cli.gate; from gates import runner; print('cryptography' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
