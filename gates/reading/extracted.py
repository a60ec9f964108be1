"""What unpacking an archive would produce: a virtual tree built member by member, in order,
as GNU tar, Python's tarfile (`extractall`, with or without `filter='data'`) and unzip would
write it.

Spelling alone cannot say whether a member lands inside the root: `x -> .` then
`y -> x/..` are both harmless-looking links, yet `y/escape.txt` is written outside. So every
path is resolved component by component through the links the tree holds at that moment
(a write happens when its member is reached), and every link is judged again against the
finished tree (a later member can change what an earlier link points at). A name the tree
already holds is a duplicate: extraction keeps the last copy, so it is a finding, and
names that differ only in case collide on macOS and Windows file systems.

Hand-written because no library models extraction without touching a disk; `..` and
absolute names are reported by `unsafe_name` before they reach the tree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_HOPS = 40  # Linux gives up (ELOOP) after 40 symlinks in one lookup
_SEPARATORS = re.compile(r"[/\\]")  # Windows extractors split on both


class _Escape(Exception):
    """The path leaves the extraction root."""


class _NotADir(Exception):
    """The path goes through a file, or loops: extraction would fail there (the message
    completes "... through ...")."""


def parts_of(name: str) -> tuple[str, ...]:
    """A member name as path components, as extractors normalise it (`./a//b/` is `a/b`;
    `..` is kept, it matters for resolution)."""
    return tuple(p for p in _SEPARATORS.split(name) if p not in ("", "."))


def normal(name: str) -> str:
    return "/".join(parts_of(name))


def _absolute(target: str) -> bool:
    return target.startswith(("/", "\\")) or (len(target) > 1 and target[1] == ":")


@dataclass(frozen=True)
class _Node:
    kind: str  # file, dir, symlink, hardlink, other
    link: str = ""
    explicit: bool = True  # False: a folder only implied by a member inside it
    name: str = ""  # as spelled in the archive, for findings


class ExtractedTree:
    """Feed members in archive order with `add`; `finish` judges the links once more."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[str, ...], _Node] = {}
        self.folded: dict[str, str] = {}  # case-folded path -> first spelling
        self.reported: set[tuple[str, ...]] = set()

    def resolve(self, parts: tuple[str, ...], *, folder: bool = False) -> tuple[str, ...]:
        """Where `parts` lands, following the tree's symlinks (the last part's too); raises
        _Escape or _NotADir (also when `folder` and it lands on something that is not a folder)."""
        stack: list[str] = []
        pending = list(parts)
        hops = 0
        while pending:
            part = pending.pop(0)
            if part == "..":
                if not stack:
                    raise _Escape
                stack.pop()
                continue
            stack.append(part)
            node = self.nodes.get(tuple(stack))
            if node is None:
                continue
            if node.kind == "symlink":
                hops += 1
                if hops > MAX_HOPS:
                    raise _NotADir(f"'{'/'.join(stack)}', a symlink loop")
                if _absolute(node.link):
                    raise _Escape
                stack.pop()
                pending = [*parts_of(node.link), *pending]
            elif (pending or folder) and node.kind != "dir":
                raise _NotADir(f"'{'/'.join(stack)}', which is not a folder")
        return tuple(stack)

    def add(self, name: str, kind: str, link: str = "") -> list[str]:
        """Record one member; the problems extracting it would cause."""
        parts = parts_of(name)
        if not parts or ".." in parts or _absolute(name):
            return [] if parts or kind == "dir" else [f"member '{name}' has an empty name"]
        try:
            parent = self.resolve(parts[:-1], folder=True)
        except _Escape:
            return [f"member '{name}' would be written outside the archive through a symlink"]
        except _NotADir as exc:
            return [f"member '{name}' cannot be written through {exc}"]
        path = (*parent, parts[-1])
        problems = self._place(path, name, _Node(kind=kind, link=link, name=name))
        if kind in ("symlink", "hardlink"):
            problems += self._link_problems(path, self.nodes[path])
        return problems

    def _place(self, path: tuple[str, ...], name: str, node: _Node) -> list[str]:
        problems = []
        for depth in range(1, len(path)):  # folders the member implies
            self.nodes.setdefault(
                path[:depth], _Node(kind="dir", explicit=False, name="/".join(path[:depth]))
            )
        old = self.nodes.get(path)
        if old is not None and not (old.kind == node.kind == "dir") and path not in self.reported:
            self.reported.add(path)
            what = "a folder of other members" if not old.explicit else "more than once"
            problems.append(f"member '{name}' is in the archive {what}: extraction keeps the last copy")
        folded = unicodedata.normalize("NFC", "/".join(path)).casefold()
        first = self.folded.setdefault(folded, "/".join(path))
        if first != "/".join(path):
            problems.append(
                f"members '{first}' and '{name}' are the same file on case-insensitive "
                "file systems (macOS, Windows)"
            )
        self.nodes[path] = node
        return problems

    def _link_problems(self, path: tuple[str, ...], node: _Node) -> list[str]:
        """A symlink resolves from its folder, a hardlink names a member from the root."""
        if _absolute(node.link):
            return [f"{node.kind} '{node.name}' points outside the archive ('{node.link}')"]
        base = path[:-1] if node.kind == "symlink" else ()
        try:
            target = self.resolve((*base, *parts_of(node.link)))
        except _Escape:
            return [f"{node.kind} '{node.name}' points outside the archive ('{node.link}')"]
        except _NotADir as exc:
            return [f"{node.kind} '{node.name}' cannot be resolved through {exc}"]
        if node.kind == "hardlink" and self.nodes.get(target, _Node(kind="")).kind not in (
            "file",
            "hardlink",
        ):
            return [f"hardlink '{node.name}' points to '{node.link}', which is not an earlier file member"]
        return []

    def finish(self) -> list[str]:
        """Links judged against the finished tree (a later member may have changed them)."""
        problems = []
        for path, node in list(self.nodes.items()):
            if node.kind == "symlink":
                problems += self._link_problems(path, node)
        return problems
