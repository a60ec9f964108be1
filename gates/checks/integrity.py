"""Integrity: SHA256SUMS and release-artifacts.json list exactly the payloads and agree
with the bytes (and with the source's own digest, where it has one).

release-artifacts.json's shape is I004's: its `artifacts` list, and its `generatedAtUtc`, the
release's build time (a folder's release date, the start of its signing window, what closes a
window), which must be a `YYYY-MM-DDTHH:MM:SSZ` string as FUSE writes it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TypeGuard

from gates.checks.base import CannotEvaluate, NotApplicable, may_be_pruned
from gates.contract import Contract
from gates.reading.facts import AssetFacts, ReleaseFacts, is_pair_archive
from harness import bounded_read
from harness.results import Finding
from harness.stamps import read_stamp
from harness.text import printable

SUMS_LINE = re.compile(r"(?P<sha>[0-9a-f]{64})  (?P<name>[^/\\]+)")
# lone surrogates (Cs) are bytes that are not UTF-8 (read_plain): names may hold them
_CONTROL_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")


def sums_lines(text: str) -> list[str]:
    """SHA256SUMS split as `sha256sum -c` reads it: only `\\n` ends a line (a `\\r` before
    it is dropped). str.splitlines would also split on form feed, `\\x1c`-`\\x1e`, `\\x85`,
    `\\u2028`..., joining entries sha256sum sees as one malformed line."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    return [line.removesuffix("\r") for line in lines]


def well_formed_line(line: str) -> re.Match[str] | None:
    """`<64 lowercase hex>  <name>` with no control or format character anywhere."""
    # an ASCII line holds one exactly when it is not printable (ASCII has no Cf, Zl or Zp):
    # the usual line is judged at C speed, the rest character by character
    if line.isascii():
        if not line.isprintable():
            return None
    elif any(unicodedata.category(c) in _CONTROL_CATEGORIES for c in line):
        return None
    return SUMS_LINE.fullmatch(line)


def payloads(release: ReleaseFacts, contract: Contract) -> set[str]:
    return {n for n in release.names if any(fnmatchcase(n, p) for p in contract.assets.payload_patterns)}


def actual_sha(asset: AssetFacts) -> str | None:
    """The asset's sha256 from its bytes, else from the source's digest."""
    if asset.sha256:
        return asset.sha256
    if asset.ref.digest and asset.ref.digest.startswith("sha256:"):
        return asset.ref.digest.removeprefix("sha256:")
    return None


def json_text(asset: AssetFacts) -> str:
    """A JSON integrity file's text, which must be UTF-8 (RFC 8259); ValueError if not.

    Files are read with surrogateescape (a SHA256SUMS line may name any bytes, as
    `sha256sum -c` reads them), but JSON has no such latitude: Node and Go read a stray byte
    as U+FFFD and Python refuses it, so the file would name one thing to FUSE's own verifier
    and another to us."""
    raw = (asset.text or "").encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} ({exc.reason}); "
            "JSON must be UTF-8 (write names as UTF-8)"
        ) from None


def assets_readable(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every asset the checks need could be read."""
    broken = [f"{a.ref.name}: {a.read_error}" for a in release.assets if a.read_error]
    if broken:
        raise CannotEvaluate("; ".join(broken))
    return []


def assets_uploaded(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every asset is fully uploaded (GitHub state `uploaded`)."""
    return [
        Finding(
            subject=a.ref.name,
            message="asset upload is not complete",
            expected="uploaded",
            actual=a.ref.state,
            where=a.ref.location,
        )
        for a in release.assets
        if a.ref.state != "uploaded"
    ]


@dataclass(frozen=True, kw_only=True)
class SumsEntry:
    """One well-formed SHA256SUMS line."""

    number: int
    name: str
    sha256: str


def _entry(sums: AssetFacts, number: int, line: str) -> SumsEntry | Finding:
    """One line as an entry, or a finding that it is malformed."""
    match = well_formed_line(line)
    if match is None:
        return Finding(
            subject=sums.ref.name,
            message="malformed line",
            expected="<64 lowercase hex>  <file name>",
            actual=repr(line),
            where=f"{sums.ref.location}:{number}",
        )
    # the name as listings show names: bytes that are not UTF-8 as \xNN (see read_plain)
    return SumsEntry(number=number, name=printable(match["name"]), sha256=match["sha"])


def _repeated(sums: AssetFacts, entry: SumsEntry, first: int) -> Finding:
    return Finding(
        subject=sums.ref.name,
        message=f"'{entry.name}' is listed more than once (first on line {first}): "
        "which checksum holds is ambiguous",
        expected="one line per file",
        actual=f"another line for '{entry.name}'",
        where=f"{sums.ref.location}:{entry.number}",
    )


def _sums(release: ReleaseFacts, contract: Contract) -> tuple[AssetFacts, list[SumsEntry], list[Finding]]:
    """SHA256SUMS: every well-formed entry (a name listed twice, twice) and the bad lines."""
    sums = release.asset(contract.checksums_name)
    if sums is None:
        raise NotApplicable(f"{contract.checksums_name} is absent (I001 reports it)")
    if sums.text is None:
        raise CannotEvaluate(f"{contract.checksums_name} was not read")
    entries: list[SumsEntry] = []
    bad: list[Finding] = []
    first: dict[str, int] = {}
    for number, line in enumerate(sums_lines(sums.text), start=1):
        parsed = _entry(sums, number, line)
        if isinstance(parsed, Finding):
            bad.append(parsed)
            continue
        if parsed.name in first:
            bad.append(_repeated(sums, parsed, first[parsed.name]))
        first.setdefault(parsed.name, number)
        entries.append(parsed)
    return sums, entries, bad


def checksums_well_formed(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """SHA256SUMS is present, every line reads `<sha256>  <name>`, and no name is listed twice."""
    if release.asset(contract.checksums_name) is None:
        return [
            Finding(
                subject=contract.checksums_name,
                message="the checksum file is missing",
                expected=contract.checksums_name,
                actual="absent",
                where=release.ref.location,
            )
        ]
    return _sums(release, contract)[2]


def _pruned(release: ReleaseFacts, name: str) -> bool:
    """A pair archive may be gone once `gate prune` may have deleted it."""
    return may_be_pruned(release) and is_pair_archive(name)


def _set_findings(
    listed: set[str], release: ReleaseFacts, contract: Contract, file: str, where: str
) -> list[Finding]:
    present = payloads(release, contract)
    unlisted = sorted(present - listed)
    absent = sorted(n for n in listed - present if not _pruned(release, n))
    return [
        Finding(
            subject=n,
            message=f"payload is not listed in {file}",
            expected=f"listed in {file}",
            actual="not listed",
            where=where,
        )
        for n in unlisted
    ] + [
        Finding(
            subject=n,
            message=f"{file} lists a payload the release does not have",
            expected="asset present",
            actual="absent",
            where=where,
        )
        for n in absent
    ]


def checksums_list_payloads(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """SHA256SUMS lists exactly the release's payloads."""
    sums, entries, _bad = _sums(release, contract)
    listed = {e.name for e in entries}
    return _set_findings(listed, release, contract, contract.checksums_name, sums.ref.location)


def checksums_match(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """Every SHA256SUMS entry matches the bytes of its file."""
    sums, entries, _bad = _sums(release, contract)
    findings = []
    for entry in sorted(entries, key=lambda e: (e.name, e.number)):  # every entry, repeats too
        asset = release.asset(entry.name)
        have = actual_sha(asset) if asset else None
        if have is not None and have != entry.sha256:
            findings.append(
                Finding(
                    subject=entry.name,
                    message="checksum mismatch",
                    expected=entry.sha256,
                    actual=have,
                    where=f"{sums.ref.location}:{entry.number}",
                )
            )
    return findings


class _Invalid(Exception):
    def __init__(self, message: str, where: str) -> None:
        super().__init__(message)
        self.where = where


def _metadata(release: ReleaseFacts, contract: Contract) -> tuple[AssetFacts, list[dict[str, object]]]:
    meta = release.asset(contract.metadata_name)
    if meta is None:
        raise NotApplicable(f"{contract.metadata_name} is absent (I004 reports it)")
    if meta.text is None:
        raise CannotEvaluate(f"{contract.metadata_name} was not read")
    try:
        artifacts = bounded_read.parse_json(json_text(meta))["artifacts"]
        if not isinstance(artifacts, list) or not all(isinstance(a, dict) for a in artifacts):
            raise TypeError("artifacts is not a list of objects")
    except (ValueError, KeyError, TypeError) as exc:
        raise _Invalid(f"not FUSE release metadata ({exc})", meta.ref.location) from exc
    # JSON can spell lone surrogates (\\udcff): show them as \\uNNNN once, here
    return meta, [{k: printable(v) if isinstance(v, str) else v for k, v in a.items()} for a in artifacts]


def metadata_lists_payloads(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """release-artifacts.json is valid and lists exactly the payloads."""
    name = contract.metadata_name
    if release.asset(name) is None:
        return [
            Finding(
                subject=name,
                message="the release metadata file is missing",
                expected=name,
                actual="absent",
                where=release.ref.location,
            )
        ]
    try:
        meta, artifacts = _metadata(release, contract)
    except _Invalid as exc:
        return [Finding(subject=name, message=str(exc), where=exc.where)]
    listed = {str(a.get("name")) for a in artifacts}
    findings = repeated_entries(artifacts, "artifacts", name, meta.ref.location)
    return (
        _built_at_findings(meta)
        + findings
        + _set_findings(listed, release, contract, name, meta.ref.location)
    )


def _built_at_findings(meta: AssetFacts) -> list[Finding]:
    """generatedAtUtc missing or malformed (the document itself parsed: `_metadata`)."""
    document = bounded_read.parse_json(meta.text or "")
    if "generatedAtUtc" not in document:
        problem, actual = "generatedAtUtc is missing", "absent"
    else:
        try:
            read_stamp(document["generatedAtUtc"])
            return []
        except ValueError as exc:
            problem, actual = f"generatedAtUtc is malformed: {exc}", "malformed"
    return [
        Finding(
            subject=meta.ref.name,
            message=f"{problem}; write when the release was built, in UTC, as FUSE does "
            "(date -u +%Y-%m-%dT%H:%M:%SZ)",
            expected="generatedAtUtc: YYYY-MM-DDTHH:MM:SSZ",
            actual=actual,
            where=meta.ref.location,
        )
    ]


def metadata_matches(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """release-artifacts.json sha256 and size agree with the bytes."""
    try:
        meta, artifacts = _metadata(release, contract)
    except _Invalid as exc:
        raise NotApplicable(f"{exc} (I004 reports it)") from exc
    # as in I003: expected is what the integrity file lists, actual what the bytes are
    findings = []
    for entry in artifacts:
        asset = release.asset(str(entry.get("name")))
        if asset is not None:
            findings += listed_right(asset, entry, contract.metadata_name, meta.ref.location)
    return findings


def is_integer(value: object) -> TypeGuard[int]:
    """A JSON integer as parsed: an int that is no bool (Python has True == 1 == 1.0)."""
    return isinstance(value, int) and not isinstance(value, bool)


def repeated_entries(
    rows: Sequence[Mapping[str, object]], listing: str, file: str, where: str
) -> list[Finding]:
    """A name a JSON listing gives more than once, even in identical entries (I001's rule
    for SHA256SUMS): which entry holds is ambiguous, and a reader that stops at the first and
    one that keeps the last judge different bytes."""
    counts = Counter(str(row.get("name")) for row in rows)
    return [
        Finding(
            subject=file,
            message=f"'{name}' is listed {count} times in {listing}: which entry holds is ambiguous; "
            "list each file once",
            expected="one entry per file",
            actual=f"{count} entries for '{name}'",
            where=where,
        )
        for name, count in sorted(counts.items())
        if count > 1
    ]


def listed_right(asset: AssetFacts, row: Mapping[str, object], listing: str, where: str) -> list[Finding]:
    """Whether a listing's sha256 and size (`row`) agree with an asset's bytes."""
    findings = []
    have = actual_sha(asset)
    if have is not None and row.get("sha256") != have:
        findings.append(
            Finding(
                subject=asset.ref.name,
                message=f"sha256 listed in {listing} does not match the bytes",
                expected=str(row.get("sha256")),
                actual=have,
                where=where,
            )
        )
    if not is_integer(row.get("size")) or row.get("size") != asset.ref.size:  # not 6529.0, not true
        findings.append(
            Finding(
                subject=asset.ref.name,
                message=f"size listed in {listing} does not match the file",
                expected=str(row.get("size")),
                actual=str(asset.ref.size),
                where=where,
            )
        )
    return findings


def source_digest_matches(release: ReleaseFacts, contract: Contract) -> list[Finding]:
    """The bytes we read match the digest the source publishes (GitHub's asset digest)."""
    compared = [a for a in release.assets if a.ref.digest and a.sha256]
    if not any(a.ref.digest for a in release.assets):
        raise NotApplicable("the source publishes no asset digests")
    return [
        Finding(
            subject=a.ref.name,
            message="downloaded bytes differ from the published digest",
            expected=str(a.ref.digest),
            actual=f"sha256:{a.sha256}",
            where=a.ref.location,
        )
        for a in compared
        if a.ref.digest != f"sha256:{a.sha256}"
    ]
