"""Mutation testing of the judging modules: does a small bug in them turn a test red?

Each mutant is one small change to one module's syntax tree (stdlib `ast`): a comparison
operator swapped (`<` and `<=`, `>` and `>=`, `==` and `!=`, `in` and `not in`, `is` and
`is not`), an integer constant moved by one (n+1 and n-1), `and`/`or` swapped, a `not`
dropped, `True`/`False` flipped, a returned value replaced by None, or a statement removed
(a call made for its effect, `x += ...`, `raise`, `continue`, `break`). The module's fast
non-Docker tests (MODULES in mutation_config.py) then run against it, stopping at the
first failure; a mutant is killed when they fail or outlive 3x the unmutated run plus 10 s
(a mutant that loops), and survives when they pass. Docstrings, annotations, decorators
(dataclass flags) and `if TYPE_CHECKING:` imports are not mutated; every other site is, with
no sampling: the whole run is about 650 mutants, 1-5 s each on 2 shared cores.

Our own runner rather than mutmut: about a hundred lines of `ast`, no tool to configure
around this layout (mutmut runs its own copy of the tree, which the CLI tests' subprocesses,
starting the installed `gate` script, would not import), and the reason each survivor is
equivalent sits beside the mapping in mutation_config.py.

Everything runs in a temporary copy of the checkout (its tracked files and new ones that
git does not ignore; PYTHONPATH points there, so the console scripts started by tests load
the mutant too; pytest's own temp folders go inside it), removed at the end whatever
happens: the checkout is never touched and nothing is left behind (TMPDIR points inside the copy, so
even a test run killed at its timeout leaves no temp folder).

Results go to benchmarks/mutation-results.json (per module: each mutant and what became of
it; a run of some modules replaces only theirs) and benchmarks/mutation-score.md (the
table and every survivor, with why it is equivalent, from mutation_config.EQUIVALENT).
Exit 1 when a survivor is not known to be equivalent, or below --min-score.

Usage: python benchmarks/mutation.py [--module gates/waivers.py ...] [--list] [--render]
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import mutation_report as report  # noqa: E402
from benchmarks.mutation_config import EQUIVALENT, MODULES  # noqa: E402
from harness.process import Command, run  # noqa: E402

RESULTS = ROOT / "benchmarks" / "mutation-results.json"
SCORE = ROOT / "benchmarks" / "mutation-score.md"

SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
SYMBOLS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
REMOVABLE = (ast.Expr, ast.AugAssign, ast.Raise, ast.Continue, ast.Break)


class Mutator(ast.NodeTransformer):
    """Walks a module post-order, numbering every mutation site; applies the `target`-th.

    Children are visited before their parent, so replacing a node never changes how the
    sites after it are numbered: counting and applying walk the same sequence."""

    def __init__(self, target: int = -1) -> None:
        self.target = target
        self.sites: list[tuple[int, str]] = []  # (line, description) per site

    def _site(self, node: ast.AST, description: str) -> bool:
        self.sites.append((getattr(node, "lineno", 0), description))
        return len(self.sites) - 1 == self.target

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            new = SWAPS[type(op)]
            if self._site(node, f"{SYMBOLS[type(op)]} -> {SYMBOLS[new]}"):
                node.ops[i] = new()
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, bool):
            if self._site(node, f"{node.value} -> {not node.value}"):
                return ast.copy_location(ast.Constant(not node.value), node)
        elif isinstance(node.value, int):
            for delta in (1, -1):
                if self._site(node, f"{node.value} -> {node.value + delta}"):
                    return ast.copy_location(ast.Constant(node.value + delta), node)
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        new, name = (ast.Or(), "and -> or") if isinstance(node.op, ast.And) else (ast.And(), "or -> and")
        if self._site(node, name):
            node.op = new
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._site(node, "not x -> x"):
            return node.operand
        return node

    def visit_Return(self, node: ast.Return) -> ast.AST:
        self.generic_visit(node)
        none = isinstance(node.value, ast.Constant) and node.value.value is None
        if node.value is not None and not none and self._site(node, "return x -> return None"):
            node.value = ast.Constant(None)
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return node  # imports for the type checker only
        return self._statement(node)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return node  # a docstring
        if isinstance(node, ast.AnnAssign | ast.arg):
            return node  # annotations are not run (from __future__ import annotations)
        if isinstance(node, REMOVABLE):
            return self._statement(node)
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            # decorators (dataclass flags) declare, and a return annotation is not run
            hidden = node.decorator_list, getattr(node, "returns", None)
            node.decorator_list = []
            if isinstance(node, ast.FunctionDef):
                node.returns = None
            super().generic_visit(node)
            node.decorator_list = hidden[0]
            if isinstance(node, ast.FunctionDef):
                node.returns = hidden[1]
            return node
        return super().generic_visit(node)

    def _statement(self, node: ast.stmt) -> ast.AST:
        super().generic_visit(node)
        if isinstance(node, REMOVABLE) and self._site(node, f"remove `{ast.unparse(node)[:60]}`"):
            return ast.copy_location(ast.Pass(), node)
        return node


@dataclass(frozen=True, kw_only=True)
class Mutant:
    module: str
    index: int
    line: int
    description: str
    code: str  # the original source line, stripped


def mutants(module: str, source: str) -> list[Mutant]:
    counter = Mutator()
    counter.visit(ast.parse(source))
    lines = source.splitlines()
    return [
        Mutant(module=module, index=i, line=line, description=what, code=lines[line - 1].strip())
        for i, (line, what) in enumerate(counter.sites)
    ]


def mutated(source: str, index: int) -> str:
    tree = Mutator(index).visit(copy.deepcopy(ast.parse(source)))
    return ast.unparse(ast.fix_missing_locations(tree))


@contextmanager
def scratch_copy() -> Iterator[Path]:
    """The checkout's files (tracked, and new ones not ignored) in a temporary folder, removed."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    root = Path(tempfile.mkdtemp(prefix="fuse-mutation-"))
    try:
        for name in filter(None, files):
            path = ROOT / os.fsdecode(name)
            if path.is_file():
                (root / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, root / os.fsdecode(name))
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_tests(root: Path, tests: tuple[str, ...], timeout_s: float) -> tuple[int | None, float]:
    """The module's tests against the copy: (exit code or None on a timeout, seconds)."""
    # TMPDIR inside the copy too: a run killed at its timeout cannot clean its own temp folders
    # (the suite's Hypothesis home), and the copy is removed whatever happens
    tmp = root / ".tmp"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(tmp)}
    argv = (sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not docker")
    argv += ("--basetemp", str(root / ".pytest-tmp"), *tests)
    log = root / ".mutation.log"
    done = run(Command(argv=argv, cwd=root, env=env, timeout_s=timeout_s, log_path=log), lambda _: None)
    return (None if done.timed_out else done.exit_code), done.duration_s


def test_module(root: Path, module: str, tests: tuple[str, ...]) -> dict[str, Any]:
    """Every mutant of `module` against its tests; the module's record for the results file."""
    path = root / module
    source = path.read_text()
    started = time.monotonic()
    code, took = run_tests(root, tests, 600)
    if code != 0:
        raise SystemExit(f"mutation: {module}: its tests fail unmutated (exit {code}); fix them first")
    timeout = took * 3 + 10
    found, outcomes = mutants(module, source), []
    try:
        for mutant in found:
            path.write_text(mutated(source, mutant.index))
            code, _ = run_tests(root, tests, timeout)
            how = "timeout" if code is None else "passed" if code == 0 else "failed"
            outcomes.append(
                {"line": mutant.line, "description": mutant.description, "code": mutant.code, "how": how}
            )
            print(
                f"  {mutant.index + 1}/{len(found)} {how:8} {module}:{mutant.line} {mutant.description}",
                flush=True,
            )
    finally:
        path.write_text(source)
    return {
        "date": dt.date.today().isoformat(),
        "seconds": round(time.monotonic() - started),
        "tests": list(tests),
        "mutants": outcomes,
    }


def run_modules(modules: list[str], results: report.Results) -> None:
    with scratch_copy() as root:
        for module in modules:
            results[module] = test_module(root, module, MODULES[module])
            report.save(RESULTS, results)  # a run cut short keeps the modules it finished


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM (a cancelled CI job) cleans up like Ctrl-C


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="only these modules")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--render", action="store_true", help="only write the score from the results")
    parser.add_argument("--min-score", type=float, default=0, help="exit 1 below this score (percent)")
    args = parser.parse_args()
    modules = args.module or list(MODULES)
    if args.list:
        for module in modules:
            for m in mutants(module, (ROOT / module).read_text()):
                print(f"{module}:{m.line} {m.description}")
        return 0
    results = report.load(RESULTS)
    try:
        if not args.render:
            run_modules(modules, results)
    except KeyboardInterrupt:
        print(
            "mutation: interrupted; the copy is removed, finished modules are in the results", file=sys.stderr
        )
        return 130
    now = {m: mutants(m, (ROOT / m).read_text()) for m in MODULES}
    counts = {m: len(found) for m, found in now.items()}
    sites = {(m, x.code, x.description) for m, found in now.items() for x in found}
    for key in sorted(set(EQUIVALENT) - sites):
        print(f"mutation: warning: EQUIVALENT names no mutant any more: {key}", file=sys.stderr)
    SCORE.write_text(report.render(results, counts, EQUIVALENT))
    killed, total, unexplained = report.totals(results, EQUIVALENT)
    print(f"mutation score {report.score(killed, total)}; {unexplained} survivors not known equivalent")
    print(f"written: {RESULTS.relative_to(ROOT)}, {SCORE.relative_to(ROOT)}")
    return 1 if unexplained or 100 * killed < args.min_score * total else 0


if __name__ == "__main__":
    raise SystemExit(main())
