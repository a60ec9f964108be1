"""What benchmarks/mutation.py mutates, the tests it runs for each module, and the
surviving mutants that are equivalent (no test can tell them from the original), each
with the reason.

The tests are the fast, non-Docker ones that exercise the module, fastest first (the run
stops at the first failure, so a killed mutant rarely runs the slow ones).
"""

from __future__ import annotations

# a 1.1 GiB bomb and Ctrl-C timing: 7 s of the 12 s these files take, guarding no judging
# logic of their own (test_archive.py holds the byte limits at their boundaries)
SKIP_SLOW = ("-k", "not test_bomb_is_a_finding_not_a_hang and not test_interrupt_stops_reading")
ARCHIVE_TESTS = (
    "tests/gates/test_archive.py",
    "tests/gates/test_pax_size.py",
    "tests/gates/test_archive_boundaries.py",
    "tests/gates/test_boundaries.py",
    "tests/gates/test_read_once.py",
    "tests/gates/test_untrusted_names.py",
    "tests/gates/test_gate_defects.py",
    "tests/gates/hostile/test_tar_hostile.py",
    "tests/gates/hostile/test_zip_hostile.py",
    "tests/gates/test_gzip_layer.py",
    "tests/gates/hostile/test_bounded_runs.py",
    "tests/gates/test_pax_writers.py",
    *SKIP_SLOW,
)
CHECK_TESTS = (
    "tests/gates/test_boundaries.py",
    "tests/gates/test_integrity.py",
    "tests/gates/test_integrity_non_utf8_names.py",
    "tests/gates/test_untrusted_names.py",
    "tests/gates/test_read_once.py",
    "tests/gates/test_gate_defects.py",
    "tests/gates/hostile/test_sums_hostile.py",
    "tests/gates/hostile/test_build_info_hostile.py",
    "tests/gates/test_pruned_or_gone.py",
    "tests/gates/test_generated_at.py",
    "tests/gates/test_stray_entries.py",
    "tests/hostile/test_not_finite_release.py",
    "tests/gates/test_valid_archives.py",
    "tests/gates/test_hostile_sidecars.py",
    *SKIP_SLOW,
)
POLICY_TESTS = (
    "tests/gates/test_boundaries.py",
    "tests/gates/test_waiver_coverage.py",
    "tests/gates/test_retention_waivers_prune.py",
    "tests/gates/test_registry.py",
    "tests/gates/test_far_dates.py",
    "tests/gates/test_backdated_next_line.py",
)
DRILL_TESTS = (
    "tests/drills/test_boundaries.py",
    "tests/drills/test_classify.py",
    "tests/drills/test_verdict.py",
    "tests/drills/test_latency_slo.py",
    "tests/drills/test_runner.py",
)

MODULES: dict[str, tuple[str, ...]] = {
    "gates/checks/__init__.py": CHECK_TESTS,
    # `at` places the findings of the v1.x checks (E002, B002): their tests are the ones to fail
    "gates/checks/base.py": (*CHECK_TESTS, "tests/gates/test_v1_release.py"),
    "gates/checks/contents.py": CHECK_TESTS,
    "gates/checks/integrity.py": CHECK_TESTS,
    "gates/checks/pairs.py": (*CHECK_TESTS, "tests/gates/test_pairs_history.py"),
    "gates/reading/archive.py": ARCHIVE_TESTS,
    "gates/reading/tarstream.py": ARCHIVE_TESTS,
    "gates/reading/gzipstream.py": ARCHIVE_TESTS,
    "gates/retention.py": POLICY_TESTS,
    "gates/judging.py": (
        *POLICY_TESTS,
        "tests/gates/test_facts.py",
        "tests/gates/test_pruned_or_gone.py",
        "tests/gates/test_inconclusive.py",
    ),
    "harness/stamps.py": (
        "tests/harness/test_stamps.py",
        "tests/gates/test_far_dates.py",
        "tests/gates/test_generated_at.py",
    ),
    "gates/waivers.py": POLICY_TESTS,
    "gates/recovery/perf.py": ("tests/gates/test_perf.py", "tests/gates/test_boundaries.py"),
    "drills/playbook/classify.py": DRILL_TESTS,
    "drills/playbook/verdict.py": DRILL_TESTS,
    "drills/playbook/watch.py": DRILL_TESTS,
    # added with the hostile-input readers, the v1.x checks and the one registry
    "gates/checks/buildinfo.py": CHECK_TESTS,
    "gates/checks/kept.py": (*POLICY_TESTS, "tests/gates/test_v1_release.py"),
    "gates/reading/zipread.py": ARCHIVE_TESTS,
    "gates/reading/extracted.py": ARCHIVE_TESTS,
    "gates/reading/listing.py": ARCHIVE_TESTS,
    "gates/recovery/perf_consistency.py": (
        "tests/gates/test_perf_consistency.py",
        "tests/hostile/test_perf_metrics.py",
        "tests/gates/test_perf.py",
        "tests/gates/test_boundaries.py",
    ),
}

# Why a surviving mutant is equivalent (or harmless): (module, the original source line
# stripped, the mutations of that line it covers, the reason). A row names every mutant of
# those kinds on such a line: write one only when all are.
NO_SINK = (
    "`keep` counts bytes for a sink, and a member that is not a regular file (or a global header) has none"
)
ZIP_SEEKS = (
    "zipfile seeks to the end-of-central-directory record itself: where the stream stands does not matter"
)
EMPTY_SIZE = "an empty value fails `isdecimal()` as well"
PAX_SIZE_CHECK = "if not (0 < len(value) <= MAX_SIZE_DIGITS and value.isascii() and value.isdecimal()):"
KEEP_INIT = "self.keep = 0  # of those, data bytes still to give the sink"
BY_ONE = ("1 -> 2", "1 -> 0")
ROWS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (
        "gates/recovery/perf_consistency.py",
        "if value is not None and abs(value - recomputed[p]) > ROUNDING + _SLACK:",
        ("> -> >=",),
        "the bound carries a 1e-9 slack for binary floating point: no 3-decimal figure lands on it",
    ),
    (
        "gates/recovery/perf_consistency.py",
        "if not low <= stated <= high:",
        ("<= -> <",),
        "both ends carry a 1e-9 slack for binary floating point: no 3-decimal figure lands on them",
    ),
    ("gates/reading/zipread.py", "raw.seek(0)", ("0 -> 1", "remove `raw.seek(0)`"), ZIP_SEEKS),
    (
        "gates/reading/zipread.py",
        "ENCRYPTED = 0x0001 | 0x0040 | 0x2000",
        ("64 -> 65", "8192 -> 8193"),
        "equivalent: the one bit these add (0x0001) is in the mask already",
    ),
    (
        "gates/reading/zipread.py",
        "zip64 = any(kind == ZIP64_EXTRA for kind, _body in _extra_fields(extra))",
        ("== -> !=",),
        "harmless, not equivalent: a member taken for zip64 has its 64-bit descriptor layouts tried "
        "first, and they fit a 32-bit descriptor only when the 8 bytes after it are zero (which then "
        "count as the member's rather than as unowned bytes)",
    ),
    (
        "gates/reading/zipread.py",
        "found = raw.read(60)  # the record up to its counts, and the locator's signature",
        ("60 -> 61",),
        "one byte more is read and never looked at: only bytes 0-59 are compared or unpacked",
    ),
    (
        "gates/reading/zipread.py",
        'if found[:4] != b"PK\\x06\\x06" or found[56:60] != b"PK\\x06\\x07":',
        ("60 -> 61",),
        "the buffer holds 60 bytes: a slice to 61 ends at 60 as well",
    ),
    (
        "gates/reading/zipread.py",
        "while pos + 4 <= len(extra):",
        ("4 -> 5", "<= -> <"),
        "four bytes left are one extra field's header with no body, never a zip64 field (16 bytes of "
        "sizes): leaving them unread finds the same sizes",
    ),
    (
        "gates/reading/zipread.py",
        "raw.seek(start)",
        ("remove `raw.seek(start)`",),
        "each read follows the member's _local_header, which leaves the stream where its data starts "
        "(or at the end of a file too short for the header, where a read finds nothing either way)",
    ),
    (
        "gates/reading/zipread.py",
        "return 0, 0  # zipfile says what is wrong",
        ("0 -> 1", "0 -> -1"),
        "no end record: zipfile refuses the file next, and a count or size of 1 or -1 is within every "
        "limit (the contract schema's smallest member limit is 1)",
    ),
    (
        "gates/reading/archive.py",
        'if len(kept) < MAX_TEXT_FILE:  # a huge "SHA256SUMS" is hashed, not held',
        ("< -> <=",),
        "one chunk more is held at exactly the limit, then cut off by the `[:MAX_TEXT_FILE]` slice",
    ),
    ("gates/reading/tarstream.py", PAX_SIZE_CHECK, ("0 -> -1", "< -> <="), EMPTY_SIZE),
    (
        "gates/reading/tarstream.py",
        KEEP_INIT,
        ("0 -> 1", "0 -> -1"),
        "overwritten by the first header's `_start` before it is read",
    ),
    (
        "gates/reading/tarstream.py",
        "continue",
        ("remove `continue`",),
        "after a skip the view is used up or the skip is done: the header code that follows is what "
        "the next turn of the loop would run",
    ),
    (
        "gates/reading/tarstream.py",
        "self._start(sink if info.isreg() else None, info.size if info.isreg() else 0, _padded(info.size))",
        ("0 -> 1", "0 -> -1"),
        NO_SINK,
    ),
    (
        "gates/reading/tarstream.py",
        "length = int(data[pos : start - 1])",
        ("1 -> 0",),
        "the slice then ends with the space after the digits, and int() ignores surrounding blanks",
    ),
    (
        "gates/reading/tarstream.py",
        'return ""',
        ("return x -> return None",),
        "_record_problem's answer is only tested for truth: None and '' are both no problem",
    ),
    (
        "gates/reading/gzipstream.py",
        "CHUNK = 1024 * 1024  # bytes read (and hashed) at a time",
        ("1024 -> 1025", "1024 -> 1023"),
        "harmless, not equivalent: the read size only moves where a read ends; data after the zero padding "
        "is refused either way (C008), only the message can differ (the tests pin the 1 MiB boundary)",
    ),
    (
        "gates/reading/gzipstream.py",
        "STEP = 64 * 1024",
        ("64 -> 65", "64 -> 63", "1024 -> 1025", "1024 -> 1023"),
        "harmless: the step only moves where one inflate call ends and the next begins; "
        "test_archive_boundaries.py reads valid archives at steps of 1 to 4096 bytes and finds the same",
    ),
    (
        "gates/reading/gzipstream.py",
        "inflater = zlib_ng.decompressobj(wbits=31)  # the first gzip member, or a concatenated one",
        ("31 -> 32",),
        "equivalent here: 32 also reads zlib-wrapped streams, but only gzip magic gets this far",
    ),
    (
        "gates/reading/gzipstream.py",
        "FIXED_HEAD = 4  # a member's ID1 ID2 CM FLG",
        ("4 -> 5",),
        "harmless: one more header byte is read ahead before the four are checked; the inflater gets it all",
    ),
    (
        "gates/reading/gzipstream.py",
        "while len(chunk) < FIXED_HEAD and (more := read(FIXED_HEAD - len(chunk))):",
        ("< -> <=",),
        "harmless: with four bytes in hand it reads zero more (read(0) is empty and ends the loop)",
    ),
    (
        "gates/retention.py",
        'return (int(match["major"]), int(match["minor"])) if match else (-1, -1)',
        BY_ONE,
        "a line that does not parse sorts below every real line (major, minor >= 0) with any of these keys",
    ),
    (
        "gates/checks/buildinfo.py",
        "def read_build_info(text: str | None, copies: int = 1) -> BuildInfoFile:",
        ("1 -> 0",),
        "`copies` is only asked whether it is more than 1: a default of 0 or 1 is one copy either way",
    ),
    (
        "gates/reading/extracted.py",
        "ROOT = 0  # the path id of the extraction root",
        ("0 -> -1",),
        "the root's id is only compared and used as a key, never as an index: any id no path gets "
        "(they count up from 1) names it as well",
    ),
    (
        "gates/checks/base.py",
        "return found[0] if len(found) == 1 else None",
        ("0 -> -1",),
        "with exactly one candidate, found[-1] is found[0]",
    ),
    (
        "drills/playbook/watch.py",
        "return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]",
        ("1 -> 0",),
        "round(q * (n - 1)) never exceeds n - 1 for the quantiles used (q <= 1): the guard never bites",
    ),
    (
        "drills/playbook/watch.py",
        'return "failed"',
        ("return x -> return None",),
        "detect() only asks whether a verdict is 'ok' or 'slow': None is a failed probe, as 'failed' is",
    ),
    (
        "gates/retention.py",
        'return ""',
        ("return x -> return None",),
        "_implausible's one caller asks only whether the reason is empty: None is as empty as ''",
    ),
    (
        "gates/checks/pairs.py",
        'return ""',
        ("return x -> return None",),
        "_not_pruned's one caller asks only whether the reason is empty: None is as empty as ''",
    ),
)
EQUIVALENT: dict[tuple[str, str, str], str] = {
    (module, code, mutation): reason for module, code, mutations, reason in ROWS for mutation in mutations
}
