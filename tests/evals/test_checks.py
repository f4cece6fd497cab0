"""The checks themselves: each kind passes on a right outcome and fails on a wrong one, and
call chains are held against the code analyzer's proof on the real sample app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from intelligent_office.evals import Outcome, run_checks
from intelligent_office.evals.chains import GraphCache, answer_chains
from intelligent_office.evals.suite import Checks
from tests.evals.conftest import SAMPLE_APP

RIGHT_CHAIN = """Call sequence from main() to process_data() (3 calls):
  app.main.main()
  -> app.pipeline.Pipeline.run()    called at app/main.py:16
  -> app.pipeline.Pipeline._stage()    called at app/pipeline.py:19
  -> app.core.processing.process_data()    called at app/pipeline.py:24"""

SKIPS_A_HOP = """Call sequence from main() to process_data() (2 calls):
  app.main.main()
  -> app.pipeline.Pipeline.run()    called at app/main.py:16
  -> app.core.processing.process_data()    called at app/pipeline.py:24"""

WRONG_LINE = RIGHT_CHAIN.replace("app/pipeline.py:19", "app/pipeline.py:13")

GRAPHS = GraphCache()


def check(
    checks: dict[str, Any], answer: str = "", workspace: Path = SAMPLE_APP, **facts: Any
) -> list[str]:
    """The details of the failed checks (empty: all passed)."""
    outcome = Outcome(
        status=facts.pop("status", "completed"), answer=answer, workspace=workspace, **facts
    )
    results = run_checks(Checks.model_validate(checks), outcome, GRAPHS)
    assert results, "a check was given, so a result must come back"
    return [f"{r.check}: {r.detail}" for r in results if not r.passed]


def test_the_answer_chain_is_read_back_from_the_office_format() -> None:
    (chain,) = answer_chains("Intro line\n" + RIGHT_CHAIN + "\n\nsomething else")
    assert chain.functions[0] == "app.main.main"
    assert chain.sites == (("app/main.py", 16), ("app/pipeline.py", 19), ("app/pipeline.py", 24))


PROVED = {"call_chain": {"from": "main", "to": "process_data", "root": "app"}}


def test_a_chain_equal_to_the_analyzers_passes() -> None:
    assert check(PROVED, RIGHT_CHAIN) == []


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (SKIPS_A_HOP, "is not the analyzer's app.main.main -> app.pipeline.Pipeline.run"),
        (WRONG_LINE, "is not the analyzer's"),
        ("I think main calls process_data directly.", "the answer gives no chain"),
    ],
)
def test_a_chain_that_differs_from_the_analyzers_fails(answer: str, why: str) -> None:
    (problem,) = check(PROVED, answer)
    assert problem.startswith("call_chain: ") and why in problem


def test_a_deliberately_wrong_expected_chain_fails_against_a_right_answer() -> None:
    # The right answer, checked against an expectation the code does not bear out.
    (problem,) = check(
        {"call_chain": {"from": "main", "to": "format_report", "root": "app"}}, RIGHT_CHAIN
    )
    assert (
        "the answer gives no chain; the analyzer proves app.main.main -> app.report.format_report"
        in problem
    )
    (problem,) = check(
        {"call_chain": {"hops": ["main", "load_records", "process_data"]}}, RIGHT_CHAIN
    )
    assert "does not pass through load_records" in problem


def test_a_chain_to_a_name_that_does_not_exist_passes_only_when_the_answer_gives_none() -> None:
    missing = {"call_chain": {"from": "main", "to": "teleport", "root": "app"}}
    assert check(missing, "Not found: teleport() is not defined in app.") == []
    fake = RIGHT_CHAIN.replace("app.core.processing.process_data()", "app.core.teleport()")
    fake = fake.replace("to process_data()", "to teleport()")
    (problem,) = check(missing, fake)
    assert "the analyzer proves no chain" in problem


HOPS = {"call_chain": {"hops": ["main", "Pipeline._stage", "process_data"]}}


def test_required_hops_pass_when_each_is_on_its_cited_line() -> None:
    assert check(HOPS, RIGHT_CHAIN) == []


def test_a_missing_hop_fails() -> None:
    (problem,) = check(HOPS, SKIPS_A_HOP)
    assert "does not pass through Pipeline._stage" in problem


def test_a_hop_cited_at_a_line_without_the_call_fails() -> None:
    (problem,) = check(HOPS, WRONG_LINE)
    assert problem == "call_chain: no call to _stage at app/pipeline.py:13"


FIND_ANSWER = """process_data() is defined at:
  app/core/processing.py:18  app.core.processing.process_data (function)
Called from 1 place(s):
  app/pipeline.py:24  in app.pipeline.Pipeline._stage"""


@pytest.mark.parametrize(
    ("checks", "right", "wrong"),
    [
        ({"defined_at": {"name": "process_data", "root": "app"}}, FIND_ANSWER,
         FIND_ANSWER.replace("processing.py:18", "processing.py:19")),
        ({"cites_real_lines": True}, FIND_ANSWER,
         FIND_ANSWER.replace("pipeline.py:24", "pipeline.py:999")),
        ({"cites_real_lines": True}, FIND_ANSWER, "defined somewhere in app"),
        ({"shows_file": "data/orders.csv"}, "data/orders.csv:\norder_id,customer,amount\n1001,...",
         "the file has orders"),
        ({"lists_files": {"path": "app", "glob": "*.py"}},
         "app/__init__.py app/config.py app/loaders.py app/main.py app/pipeline.py app/report.py",
         "app/__init__.py app/config.py"),
        ({"answer_contains": ["42", "done"]}, "42, done", "42"),
        ({"answer_not_contains": "root:"}, "refused", "root:x:0:0"),
        ({"answer_matches": r"^\d+ file\(s\)"}, "3 file(s) matching", "files: 3"),
    ],
)  # fmt: skip
def test_each_answer_check_passes_and_fails(checks: dict[str, Any], right: str, wrong: str) -> None:
    assert check(checks, right) == []
    assert len(check(checks, wrong)) == 1


@pytest.mark.parametrize(
    ("checks", "right", "wrong"),
    [
        ({"status": "unsupported"}, {"status": "unsupported"}, {"status": "completed"}),
        ({"tool_used": "trace_calls"}, {"tools": {"trace_calls"}}, {"tools": {"search_files"}}),
        ({"tool_not_used": "write_file"}, {"tools": {"read_file"}}, {"tools": {"write_file"}}),
        ({"gap_missing": "send_email"}, {"gap_capabilities": {"send_email"}},
         {"gap_capabilities": set()}),
        ({"failure_category": "policy"}, {"failure_category": "policy"},
         {"failure_category": "review"}),
        ({"max_iterations": 1}, {"iterations": 1}, {"iterations": 2}),
        ({"max_cost": 0.01}, {"cost_usd": 0.005}, {"cost_usd": 0.02}),
    ],
)  # fmt: skip
def test_each_outcome_check_passes_and_fails(
    checks: dict[str, Any], right: dict[str, Any], wrong: dict[str, Any]
) -> None:
    assert check(checks, **right) == []
    assert len(check(checks, **wrong)) == 1


def test_file_content_is_read_from_the_workspace_after_the_run(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.txt").write_text("hello")
    assert (
        check({"file_content": {"path": "out/a.txt", "equals": "hello"}}, workspace=tmp_path) == []
    )
    assert (
        check({"file_content": {"path": "out/a.txt", "contains": "ell"}}, workspace=tmp_path) == []
    )
    assert check({"file_content": {"path": "out/b.txt", "absent": True}}, workspace=tmp_path) == []
    assert check(
        {"file_content": {"path": "out/a.txt", "equals": "hello!"}}, workspace=tmp_path
    ) == ["file_content: out/a.txt holds 'hello', not 'hello!'"]
    assert check({"file_content": {"path": "out/a.txt", "absent": True}}, workspace=tmp_path) == [
        "file_content: out/a.txt exists"
    ]
    assert check({"file_content": {"path": "../x", "absent": True}}, workspace=tmp_path) == [
        "file_content: file_content.path '../x' points out of the workspace"
    ]


def test_cites_calls_needs_every_textual_call_of_the_name_cited() -> None:
    # process_data is called once, at app/pipeline.py:24 (`proc.process_data(records)`).
    checks = {"cites_calls": {"name": "process_data"}}
    complete = "Called from 1 place(s):\n  app/pipeline.py:24  in app.pipeline.Pipeline._stage"
    assert check(checks, complete) == []
    assert check(checks, "No callers found.") == [
        "cites_calls: the answer misses 1 of 1 calls, e.g. app/pipeline.py:24"
    ]
    assert check({"cites_calls": {"name": "no_such_function"}}, complete) == [
        "cites_calls: no line calls no_such_function: the check cannot hold"
    ]


def test_a_hop_through_a_with_statement_is_on_the_with_line(tmp_path: Path) -> None:
    (tmp_path / "res.py").write_text(
        "class Res:\n    def __exit__(self, *exc):\n        pass\n\n"
        "def use():\n    with Res():\n        pass\n"
    )
    answer = (
        "Call sequence from use() to Res.__exit__() (1 calls):\n  res.use()\n"
        "  -> res.Res.__exit__()    called at res.py:6  (with statement: __enter__/__exit__)"
    )
    hops = {"call_chain": {"hops": ["use", "Res.__exit__"]}}
    assert check(hops, answer, workspace=tmp_path) == []
    assert check(hops, answer.replace("res.py:6", "res.py:5"), workspace=tmp_path) == [
        "call_chain: no call to with at res.py:5"
    ]
