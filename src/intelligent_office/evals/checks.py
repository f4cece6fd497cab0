"""Checks on a case's outcome, computed against the real workspace where they can be."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from intelligent_office.evals.chains import (
    Chain,
    GraphCache,
    answer_chains,
    names_match,
    proved_chains,
)
from intelligent_office.evals.suite import (
    CallChainCheck,
    Checks,
    CitesCallsCheck,
    DefinedAtCheck,
    FileContentCheck,
    ListsFilesCheck,
)
from intelligent_office.tools.code_analyzer import match_definitions
from intelligent_office.tools.code_analyzer.name_match import name_uses

__all__ = ["CheckResult", "Outcome", "run_checks"]

_WITH_METHODS = frozenset({"__enter__", "__exit__", "__aenter__", "__aexit__"})
_CITATION = re.compile(r"(?P<file>[\w./-]+\.\w+):(?P<line>\d+)\b")


class CheckResult(BaseModel):
    """One check: passed or not, and why."""

    check: str
    passed: bool
    detail: str = ""


@dataclass
class Outcome:
    """What a case's run produced, as the checks see it."""

    status: str
    answer: str
    workspace: Path
    tools: set[str] = field(default_factory=set)
    gap_capabilities: set[str] = field(default_factory=set)
    failure_category: str | None = None
    iterations: int = 0
    cost_usd: float = 0.0


def run_checks(checks: Checks, outcome: Outcome, graphs: GraphCache) -> list[CheckResult]:
    """Every check the case gives, in a stable order."""
    return list(_results(checks, outcome, graphs))


def _results(checks: Checks, out: Outcome, graphs: GraphCache) -> Iterator[CheckResult]:
    if checks.status is not None:
        yield _result("status", out.status == checks.status, f"{out.status}, not {checks.status}")
    for text in checks.answer_contains:
        yield _result("answer_contains", text in out.answer, f"the answer lacks {text!r}")
    for text in checks.answer_not_contains:
        yield _result("answer_not_contains", text not in out.answer, f"the answer has {text!r}")
    if checks.answer_matches is not None:
        found = re.search(checks.answer_matches, out.answer, re.MULTILINE) is not None
        yield _result("answer_matches", found, f"no match for /{checks.answer_matches}/")
    computed: list[tuple[str, object, Callable[[Outcome, GraphCache], str | None]]] = [
        ("call_chain", checks.call_chain, lambda o, g: _call_chain(checks.call_chain, o, g)),
        ("defined_at", checks.defined_at, lambda o, g: _defined_at(checks.defined_at, o, g)),
        ("cites_calls", checks.cites_calls, lambda o, _: _cites_calls(checks.cites_calls, o)),
        ("cites_real_lines", checks.cites_real_lines or None, lambda o, _: _cites_real_lines(o)),
        ("shows_file", checks.shows_file, lambda o, _: _shows_file(checks.shows_file, o)),
        ("lists_files", checks.lists_files, lambda o, _: _lists_files(checks.lists_files, o)),
        ("file_content", checks.file_content, lambda o, _: _file_content(checks.file_content, o)),
    ]
    for name, given, compute in computed:
        if given is not None:
            problem = compute(out, graphs)
            yield CheckResult(check=name, passed=problem is None, detail=problem or "")
    yield from _tools_and_limits(checks, out)


def _tools_and_limits(checks: Checks, out: Outcome) -> Iterator[CheckResult]:
    used = ", ".join(sorted(out.tools)) or "none"
    for tool in checks.tool_used:
        yield _result("tool_used", tool in out.tools, f"{tool} was not used (used: {used})")
    for tool in checks.tool_not_used:
        yield _result("tool_not_used", tool not in out.tools, f"{tool} was used")
    named = ", ".join(sorted(out.gap_capabilities)) or "no tool-gap report"
    for capability in checks.gap_missing:
        yield _result(
            "gap_missing", capability in out.gap_capabilities, f"{capability} not in: {named}"
        )
    if checks.failure_category is not None:
        yield _result(
            "failure_category",
            out.failure_category == checks.failure_category,
            f"category {out.failure_category}, not {checks.failure_category}",
        )
    if checks.max_iterations is not None:
        yield _result(
            "max_iterations",
            out.iterations <= checks.max_iterations,
            f"{out.iterations} iterations > {checks.max_iterations}",
        )
    if checks.max_cost is not None:
        yield _result(
            "max_cost",
            out.cost_usd <= checks.max_cost,
            f"${out.cost_usd:.6f} > ${checks.max_cost:.6f}",
        )


def _result(check: str, passed: bool, why_not: str) -> CheckResult:
    return CheckResult(check=check, passed=passed, detail="" if passed else why_not)


def _inside(workspace: Path, relative: str) -> Path | None:
    """`relative` under the workspace, or None when it points out of it."""
    path = (workspace / relative).resolve()
    return path if path.is_relative_to(workspace.resolve()) else None


def _source_line(workspace: Path, file: str, line: int) -> str | None:
    path = _inside(workspace, file)
    if path is None or not path.is_file() or line < 1:
        return None
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines[line - 1] if line <= len(lines) else None


def _call_chain(check: CallChainCheck | None, out: Outcome, graphs: GraphCache) -> str | None:
    assert check is not None
    given = answer_chains(out.answer)
    if check.hops is not None:
        return _through_hops(check.hops, given, out.workspace)
    assert check.start is not None and check.end is not None
    root = _inside(out.workspace, check.root)
    if root is None or not root.exists():
        return f"call_chain.root {check.root!r} is not in the workspace"
    proved = proved_chains(graphs.graph(root, out.workspace), check.start, check.end)
    stated = [
        chain
        for chain in given
        if names_match(chain.functions[0], check.start)
        and names_match(chain.functions[-1], check.end)
    ]
    if not proved:
        return None if not stated else f"the analyzer proves no chain; the answer gives {stated[0]}"
    if not stated:
        return f"the answer gives no chain; the analyzer proves {proved[0]}"
    for chain in stated:
        if chain not in proved:
            return f"the answer's chain {chain} is not the analyzer's {proved[0]}"
    return None


def _through_hops(hops: list[str], given: list[Chain], workspace: Path) -> str | None:
    if not given:
        return "the answer gives no call chain"
    problems = [_hop_problem(hops, chain, workspace) for chain in given]
    return None if None in problems else problems[0]


def _hop_problem(hops: list[str], chain: Chain, workspace: Path) -> str | None:
    if not names_match(chain.functions[0], hops[0]):
        return f"the chain starts at {chain.functions[0]}, not {hops[0]}"
    if not names_match(chain.functions[-1], hops[-1]):
        return f"the chain ends at {chain.functions[-1]}, not {hops[-1]}"
    position = 0
    for hop in hops:
        while position < len(chain.functions) and not names_match(chain.functions[position], hop):
            position += 1
        if position == len(chain.functions):
            return f"the chain {chain} does not pass through {hop} (in this order)"
    for callee, (file, line) in zip(chain.functions[1:], chain.sites, strict=True):
        parts = callee.split(".")
        called = parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1]
        text = _source_line(workspace, file, line)
        if called in _WITH_METHODS:
            called = "with"  # `with x:` calls x.__enter__ and x.__exit__
        if text is None or called not in text:
            return f"no call to {called} at {file}:{line}"
    return None


def _defined_at(check: DefinedAtCheck | None, out: Outcome, graphs: GraphCache) -> str | None:
    assert check is not None
    root = _inside(out.workspace, check.root)
    if root is None or not root.exists():
        return f"defined_at.root {check.root!r} is not in the workspace"
    graph = graphs.graph(root, out.workspace)
    definitions = [graph.definitions[name] for name in match_definitions(graph, check.name)]
    cited = {(m["file"], int(m["line"])) for m in _CITATION.finditer(out.answer)}
    if not definitions:
        return None if not cited else f"{check.name} is defined nowhere, yet the answer cites lines"
    for definition in definitions:
        if (definition.file, definition.line) not in cited:
            where = f"{definition.file}:{definition.line}"
            return f"the answer does not cite {definition.qualname} at {where}"
    return None


def _cites_calls(check: CitesCallsCheck | None, out: Outcome) -> str | None:
    assert check is not None
    root = _inside(out.workspace, check.root)
    if root is None or not root.exists():
        return f"cites_calls.root {check.root!r} is not in the workspace"
    calls = name_uses(root, out.workspace.resolve(), check.name, calls_only=True)
    if not calls:
        return f"no line calls {check.name}: the check cannot hold"
    cited = {(m["file"], int(m["line"])) for m in _CITATION.finditer(out.answer)}
    missing = [f"{use.file}:{use.line}" for use in calls if (use.file, use.line) not in cited]
    if missing:
        return f"the answer misses {len(missing)} of {len(calls)} calls, e.g. {missing[0]}"
    return None


def _cites_real_lines(out: Outcome) -> str | None:
    cited = [(m["file"], int(m["line"])) for m in _CITATION.finditer(out.answer)]
    if not cited:
        return "the answer cites no file:line"
    for file, line in cited:
        if _source_line(out.workspace, file, line) is None:
            return f"the answer cites {file}:{line}, which does not exist"
    return None


def _shows_file(path: str | None, out: Outcome) -> str | None:
    assert path is not None
    file = _inside(out.workspace, path)
    if file is None or not file.is_file():
        return f"shows_file: {path} is not a file of the workspace"
    lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    return None if first in out.answer else f"the answer does not show {path} ({first[:40]!r})"


def _lists_files(check: ListsFilesCheck | None, out: Outcome) -> str | None:
    assert check is not None
    folder = _inside(out.workspace, check.path)
    if folder is None or not folder.is_dir():
        return f"lists_files.path {check.path!r} is not a folder of the workspace"
    names = sorted(path.name for path in folder.glob(check.glob) if path.is_file())
    if not names:
        return f"no file matches {check.glob} in {check.path}: the check cannot hold"
    missing = [name for name in names if name not in out.answer]
    return f"the answer lacks {missing[0]} ({len(missing)} of {len(names)})" if missing else None


def _file_content(check: FileContentCheck | None, out: Outcome) -> str | None:
    assert check is not None
    file = _inside(out.workspace, check.path)
    if file is None:
        return f"file_content.path {check.path!r} points out of the workspace"
    if check.absent:
        return f"{check.path} exists" if file.exists() else None
    if not file.is_file():
        return f"{check.path} does not exist"
    text = file.read_text(encoding="utf-8", errors="replace")
    if check.equals is not None and text != check.equals:
        return f"{check.path} holds {text[:60]!r}, not {check.equals[:60]!r}"
    if check.contains is not None and check.contains not in text:
        return f"{check.path} lacks {check.contains!r}"
    return None
