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
    name: str = ""  # as spelled in the archive, for findings ("" for an implied folder)


ROOT = 0  # the path id of the extraction root
IMPLIED = _Node(kind="dir", explicit=False)  # a folder only a member inside it made


class ExtractedTree:
    """Feed members in archive order with `add`; `finish` judges the links once more.

    Paths are interned: each path the tree holds has an id, found from its folder's id and
    its last component, so a lookup costs the same at any depth and a member costs time in
    proportion to its name (a 64 KiB name of 32,768 folders is read as fast as any other)."""

    def __init__(self) -> None:
        self.nodes: dict[int, _Node] = {}  # path id -> what extraction writes there
        self._ids: dict[tuple[int, str], int] = {}  # (folder's path id, component) -> path id
        self._up: list[int] = [ROOT]  # path id -> its folder's path id
        self._part: list[str] = [""]  # path id -> its last component
        self.folded: dict[str, str] = {}  # case-folded path -> first spelling
        self.reported: set[int] = set()
        self._links: set[int] = set()  # path ids a symlink was written to

    def _parts(self, pid: int) -> list[str]:
        out = []
        while pid != ROOT:
            out.append(self._part[pid])
            pid = self._up[pid]
        return out[::-1]

    def _text(self, pid: int) -> str:
        return "/".join(self._parts(pid))

    def _child(self, folder: int, part: str) -> int:
        """The id of `folder`/`part`, interned on first use."""
        pid = self._ids.get((folder, part))
        return self._new(folder, part) if pid is None else pid

    def _new(self, folder: int, part: str) -> int:
        pid = self._ids[(folder, part)] = len(self._up)
        self._up.append(folder)
        self._part.append(part)
        return pid

    def resolve(
        self, parts: tuple[str, ...] | list[str], *, folder: bool = False
    ) -> tuple[int, tuple[str, ...]]:
        """Where `parts` lands, following the tree's symlinks (the last part's too): the
        deepest path the tree holds (its id) and the components below it that it does not
        hold. Raises _Escape or _NotADir (also when `folder` and it lands on something that
        is not a folder).

        Only paths of nodes are interned, and every node's folders are nodes, so once a
        component is not in the tree nothing below it is either."""
        held = [ROOT]  # ids of the path so far that the tree holds
        beyond: list[str] = []  # the rest of the path so far, not in the tree
        pending = list(reversed(parts))  # popped from the end: next component last
        hops = 0
        while pending:
            part = pending.pop()
            if part == "..":
                if beyond:
                    beyond.pop()
                elif len(held) > 1:
                    held.pop()
                else:
                    raise _Escape
                continue
            pid = None if beyond else self._ids.get((held[-1], part))
            if pid is None:
                beyond.append(part)
                continue
            held.append(pid)
            node = self.nodes[pid]
            if node.kind == "symlink":
                hops += 1
                if hops > MAX_HOPS:
                    raise _NotADir(f"'{self._text(pid)}', a symlink loop")
                if _absolute(node.link):
                    raise _Escape
                held.pop()
                pending.extend(reversed(parts_of(node.link)))
            elif (pending or folder) and node.kind != "dir":
                raise _NotADir(f"'{self._text(pid)}', which is not a folder")
        return held[-1], tuple(beyond)

    def add(self, name: str, kind: str, link: str = "") -> list[str]:
        """Record one member; the problems extracting it would cause."""
        parts = parts_of(name)
        if not parts or ".." in parts or _absolute(name):
            return [] if parts or kind == "dir" else [f"member '{name}' has an empty name"]
        try:
            parent, missing = self.resolve(parts[:-1], folder=True)
        except _Escape:
            return [f"member '{name}' would be written outside the archive through a symlink"]
        except _NotADir as exc:
            return [f"member '{name}' cannot be written through {exc}"]
        for part in missing:  # folders the member implies (none of them is in the tree yet)
            parent = self._new(parent, part)
            self.nodes[parent] = IMPLIED
        pid = self._child(parent, parts[-1])
        problems = self._place(pid, name, _Node(kind=kind, link=link, name=name))
        if kind in ("symlink", "hardlink"):
            self._links.add(pid)
            problems += self._link_problems(pid, self.nodes[pid])
        return problems

    def _place(self, pid: int, name: str, node: _Node) -> list[str]:
        problems = []
        old = self.nodes.get(pid)
        if old is not None and not (old.kind == node.kind == "dir") and pid not in self.reported:
            self.reported.add(pid)
            what = "a folder of other members" if not old.explicit else "more than once"
            problems.append(f"member '{name}' is in the archive {what}: extraction keeps the last copy")
        text = self._text(pid)
        first = self.folded.setdefault(unicodedata.normalize("NFC", text).casefold(), text)
        if first != text:
            problems.append(
                f"members '{first}' and '{name}' are the same file on case-insensitive "
                "file systems (macOS, Windows)"
            )
        self.nodes[pid] = node
        return problems

    def _link_problems(self, pid: int, node: _Node) -> list[str]:
        """A symlink resolves from its folder, a hardlink names a member from the root."""
        if _absolute(node.link):
            return [f"{node.kind} '{node.name}' points outside the archive ('{node.link}')"]
        base = self._parts(self._up[pid]) if node.kind == "symlink" else []
        try:
            target, missing = self.resolve([*base, *parts_of(node.link)])
        except _Escape:
            return [f"{node.kind} '{node.name}' points outside the archive ('{node.link}')"]
        except _NotADir as exc:
            return [f"{node.kind} '{node.name}' cannot be resolved through {exc}"]
        kind = "" if missing else self.nodes.get(target, _Node(kind="")).kind
        if node.kind == "hardlink" and kind not in ("file", "hardlink"):
            return [f"hardlink '{node.name}' points to '{node.link}', which is not an earlier file member"]
        return []

    def finish(self) -> list[str]:
        """Links judged against the finished tree (a later member may have changed them)."""
        problems = []
        for pid in sorted(self._links):  # ids are given in the order paths enter the tree
            node = self.nodes[pid]
            if node.kind == "symlink":
                problems += self._link_problems(pid, node)
        return problems
