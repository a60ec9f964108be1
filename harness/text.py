"""Untrusted text made safe to show: names and messages from archives, JSON and the network,
in reports, logs and terminal lines (every layer shows them; the result model is one user).
"""

from __future__ import annotations

import re

# lone surrogates that surrogateescape did not make from a byte (those are U+DC80..U+DCFF)
_STRAY_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
# C0 controls, DEL, C1 controls and the two noncharacters XML forbids, each shown visibly
_VISIBLE = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {
    0x09: "\\t",
    0x0A: "\\n",
    0x0D: "\\r",
    0xFFFE: "\\ufffe",
    0xFFFF: "\\uffff",
}


def printable(text: str) -> str:
    """`text` with the bytes that were not UTF-8 shown as \\xNN: a name decoded with
    surrogateescape (tar members, file names) holds lone surrogates no report can encode.
    Other lone surrogates (JSON can spell them, as \\ud800) are shown as \\uNNNN."""
    if text.isascii():
        return text
    text = _STRAY_SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def one_line(text: str) -> str:
    """`text` as one line of plain, printable text: CR and LF as \\r and \\n (an untrusted
    name must not start a new output line, which under GitHub Actions could be a workflow
    command), every other control character as \\xNN (no terminal escapes, valid in XML)."""
    return printable(text).translate(_VISIBLE)
