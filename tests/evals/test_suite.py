"""The suite format: valid suites load, workspaces resolve, and every mistake is one line
naming the file, the case and the field."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from intelligent_office.errors import SuiteError
from intelligent_office.evals import load_suite
from tests.evals.conftest import REPO, SAMPLE_APP, write_suite

GOOD = """
name: mine
cases:
  - id: trace-1
    capability: trace
    tags: smoke
    task: Trace the call sequence from main() to process_data() in app
    workspace: {path: examples/sample_app}
    checks: {status: completed, call_chain: {from: main, to: process_data, root: app}}
  - id: click-1
    capability: who_calls
    task: Who calls make_context?
    workspace: {package: click}
    allowed_tools: find_function
    checks: {defined_at: {name: make_context}, tool_used: find_function}
  - id: write-1
    capability: write_file
    task: Write "a" to out/a.txt
    workspace: {scratch: {"notes/x.txt": "x"}}
    approvals: approve
    checks: {file_content: {path: out/a.txt, equals: a}}
"""


def test_a_valid_suite_loads_and_its_workspaces_resolve(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path, GOOD.replace("examples/sample_app", str(SAMPLE_APP))))
    assert suite.name == "mine"
    trace, click_case, write = suite.cases
    assert trace.tags == ["smoke"] and click_case.allowed_tools == ["find_function"]
    assert suite.workspace_of(trace) == SAMPLE_APP
    spec = importlib.util.find_spec("click")
    assert spec is not None and spec.submodule_search_locations is not None
    assert suite.workspace_of(click_case) == Path(spec.submodule_search_locations[0])
    assert suite.workspace_of(write) is None  # made per run
    assert write.approvals == "approve"
    assert [case.id for case in suite.select(tags=["smoke"])] == ["trace-1"]
    assert [case.id for case in suite.select(ids=["click-1"])] == ["click-1"]
    with pytest.raises(SuiteError, match="no case 'nope' in this suite"):
        suite.select(ids=["nope"])


def test_the_shipped_suite_loads_with_paths_relative_to_a_folder_above_it() -> None:
    suite = load_suite(REPO / "evals" / "office.yaml")
    assert len(suite.cases) >= 150
    assert suite.workspace_of(suite.cases[0]) == SAMPLE_APP  # examples/ is next to evals/
    packages = {case.workspace.package for case in suite.cases} - {None}
    assert len(packages) >= 4
    assert 8 <= len(suite.select(tags=["smoke"])) <= 15


def _case(body: str, case_id: str = "bad-case") -> str:
    return f"cases:\n  - id: {case_id}\n    capability: trace\n{body}"


def _checked(workspace: str) -> str:
    return _case(f"    task: t\n    workspace: {workspace}\n    checks: {{status: completed}}\n")


BAD = {
    "missing task": (
        _case("    workspace: {path: .}\n    checks: {status: completed}\n"),
        "case 'bad-case' (cases[0]): task: Field required",
    ),
    "unknown check": (
        _case("    task: t\n    workspace: {path: .}\n    checks: {statuss: completed}\n"),
        "case 'bad-case' (cases[0]): checks.statuss: Extra inputs are not permitted",
    ),
    "bad status": (
        _case("    task: t\n    workspace: {path: .}\n    checks: {status: done}\n"),
        "case 'bad-case' (cases[0]): checks.status: Input should be 'completed',",
    ),
    "two workspaces": (
        _checked("{path: ., package: click}"),
        "case 'bad-case' (cases[0]): workspace: give exactly one of path, package or scratch",
    ),
    "half a chain": (
        _case("    task: t\n    workspace: {path: .}\n    checks: {call_chain: {from: main}}\n"),
        "case 'bad-case' (cases[0]): checks.call_chain: give either from and to, or hops",
    ),
    "bad regex": (
        _case("    task: t\n    workspace: {path: .}\n    checks: {answer_matches: '('}\n"),
        "case 'bad-case' (cases[0]): checks.answer_matches: not a valid regular expression",
    ),
    "no checks": (
        _case("    task: t\n    workspace: {path: .}\n    checks: {}\n"),
        "case 'bad-case' (cases[0]): checks: a case needs at least one check",
    ),
    "unknown package": (
        _checked("{package: no_such_pkg_xyz}"),
        "case 'bad-case': workspace.package 'no_such_pkg_xyz' is not installed",
    ),
    "missing folder": (
        _checked("{path: no/such/dir}"),
        "case 'bad-case': workspace.path 'no/such/dir' is not a folder",
    ),
    "duplicate ids": (
        _checked("{path: .}")
        + "  - {id: bad-case, capability: x, task: t, workspace: {path: .},"
        + " checks: {status: completed}}\n",
        "suite: case id 'bad-case' is used twice",
    ),
    "no id": (
        "cases:\n  - {capability: x, task: t, workspace: {path: .}, checks: {status: completed}}\n",
        "case #1 (cases[0]): id: Field required",
    ),
    "document out of its folder": (
        _case(
            "    task: t\n    workspace: {path: .}\n    documents: {'../x.md': hi}\n"
            "    checks: {status: completed}\n"
        ),
        "case 'bad-case' (cases[0]): documents: document '../x.md': give a relative path",
    ),
    "not yaml": ("cases: [\n", "malformed YAML at line 2"),
    "no cases": ("name: x\n", "expected a mapping with a list of cases"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_suite_is_one_line_naming_the_case_and_field(tmp_path: Path, name: str) -> None:
    text, expected = BAD[name]
    path = write_suite(tmp_path, text)
    with pytest.raises(SuiteError) as raised:
        load_suite(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected.replace("Value error, ", "") in message
