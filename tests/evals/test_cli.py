"""`office eval` end to end: a suite through the real Office loop on a SQLite file, runs
listed and compared, and the shipped smoke subset through the `office` command itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from intelligent_office.cli.main import main
from intelligent_office.store import Store
from tests.evals.conftest import REPO, SAMPLE_APP, write_suite

SUITE = f"""
name: mini
cases:
  - id: trace
    capability: trace
    task: Trace the call sequence from main() to process_data() in app
    workspace: {{path: {SAMPLE_APP}}}
    checks: {{status: completed, call_chain: {{from: main, to: process_data, root: app}}}}
  - id: find
    capability: who_calls
    task: Who calls load_records in app?
    workspace: {{path: {SAMPLE_APP}}}
    checks: {{status: completed, defined_at: {{name: load_records, root: app}}}}
  - id: write-denied
    capability: write_file
    task: Write "draft" to notes.md
    workspace: {{scratch: {{}}}}
    checks: {{file_content: {{path: out/notes.md, equals: draft}}}}
  - id: gap
    capability: unsupported
    task: Send an email to Bob
    workspace: {{scratch: {{}}}}
    checks: {{status: unsupported, gap_missing: send_email}}
"""


def office(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["office", *args])
    code: object = 0
    try:
        main()
    except SystemExit as exited:
        code = exited.code
    out, err = capsys.readouterr()
    return (code if isinstance(code, int) else 1), out, err


def test_runs_are_stored_listed_and_compared(
    tmp_path: Path,
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = write_suite(tmp_path, SUITE, "a.yaml")
    # Run B: `trace` now expects a chain the code does not have (a regression), `find` is
    # dropped and `extra` is new.
    wrong = SUITE.replace("to: process_data, root: app}}", "to: format_report, root: app}}")
    second = write_suite(tmp_path, wrong.replace("id: find", "id: extra"), "b.yaml")

    code, out, err = office(["eval", str(first), "--json"], capsys, monkeypatch)  # the shortcut
    assert code == 0, err
    run_a = json.loads(out)
    assert (run_a["passed"], run_a["cases"], run_a["brain"]) == (4, 4, "offline")
    by_case = {case["case_id"]: case for case in run_a["results"]}
    assert by_case["trace"]["tools"] == ["trace_calls"] and by_case["trace"]["iterations"] == 1
    assert by_case["write-denied"]["iterations"] == 2  # denied, then written under out/
    assert by_case["gap"]["status"] == "unsupported"

    code, out, _ = office(
        ["eval", "run", str(second), "--json", "--min-pass-rate", "1"], capsys, monkeypatch
    )
    assert code == 1  # a case failed
    run_b = json.loads(out)
    assert run_b["passed"] == 3
    failed = next(case for case in run_b["results"] if not case["passed"])
    assert failed["case_id"] == "trace"
    assert (
        "call_chain: the answer gives no chain; the analyzer proves app.main.main -> app.report"
        in failed["why"]
    )

    store = Store.open(database)
    task = store.tasks.get(by_case["trace"]["task_id"])
    assert task is not None and task.body["context"]["eval"]["case"] == "trace"
    written = by_case["write-denied"]["task_id"]
    denied = [
        entry for entry in store.audit.recent(task_id=written) if entry.actor == "office-eval"
    ]
    assert [entry.action for entry in denied] == ["approval.denied"]
    store.close()

    code, out, _ = office(["eval", "runs", "--json"], capsys, monkeypatch)
    assert [run["run_id"] for run in json.loads(out)] == [run_b["run_id"], run_a["run_id"]]

    code, out, _ = office(
        ["eval", "compare", run_a["run_id"][:8], run_b["run_id"], "--json"], capsys, monkeypatch
    )
    comparison = json.loads(out)
    assert [change["case_id"] for change in comparison["broken"]] == ["trace"]
    assert [change["case_id"] for change in comparison["added"]] == ["extra"]
    assert [change["case_id"] for change in comparison["removed"]] == ["find"]
    assert comparison["fixed"] == []

    code, out, _ = office(
        ["eval", "compare", run_a["run_id"], run_b["run_id"]], capsys, monkeypatch
    )
    assert code == 0
    assert "worse (passed in A, fail in B): 1" in out and "trace (trace)" in out

    code, _, err = office(["eval", "compare", "nope", run_b["run_id"]], capsys, monkeypatch)
    assert code == 2 and "no eval run has id 'nope'" in err


def test_a_bad_suite_ends_with_one_line_and_exit_code_2(
    tmp_path: Path,
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = write_suite(
        tmp_path, "cases:\n  - {id: x, capability: c, task: t, workspace: {path: .}}\n"
    )
    code, _, err = office(["eval", str(bad)], capsys, monkeypatch)
    assert code == 2
    assert err == f"office: {bad}: case 'x' (cases[0]): checks: Field required\n"


@pytest.mark.timeout(180)
def test_the_smoke_subset_passes_through_the_office_command(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "OFFICE_HOME": str(tmp_path / "home"),
        "OFFICE_DATABASE_URL": f"sqlite:///{tmp_path / 'office.db'}",
    }
    html = tmp_path / "report.html"
    command = [sys.executable, "-m", "intelligent_office.cli", "eval", "evals/office.yaml"]
    command += ["--tag", "smoke", "--min-pass-rate", "1", "--json", "--html", str(html)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["cases"] >= 10 and report["passed"] == report["cases"]
    assert report["filters"]["tags"] == ["smoke"]
    assert len(report["by_capability"]) >= 10
    assert html.read_text().startswith("<!doctype html>")


DOCUMENT_SUITE = """
name: docs
cases:
  - id: leave
    capability: documents
    task: What do my notes say about paid leave?
    workspace: {scratch: {}}
    documents:
      hr/leave.md: "# Leave\\n\\nEveryone gets 25 days of paid leave a year.\\n"
      ops/backups.md: "# Backups\\n\\nCopies are kept for 35 days.\\n"
    checks: {status: completed, answer_contains: ["25 days", "hr/leave.md"]}
  - id: someone-else
    capability: documents
    task: Search my documents for paid leave
    workspace: {scratch: {}}
    documents:
      ops/backups.md: "# Backups\\n\\nCopies are kept for 35 days.\\n"
    checks: {status: completed, answer_contains: could not find, answer_not_contains: 25 days}
  - id: no-documents
    capability: documents
    task: Search my documents for paid leave
    workspace: {scratch: {}}
    checks: {status: unsupported, gap_missing: search_documents}
"""


def test_a_case_brings_its_own_documents_and_no_other_case_sees_them(
    tmp_path: Path,
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suite = write_suite(tmp_path, DOCUMENT_SUITE, "docs.yaml")
    code, out, err = office(["eval", str(suite), "--json"], capsys, monkeypatch)
    assert code == 0, err
    report = json.loads(out)
    by_case = {case["case_id"]: case for case in report["results"]}
    assert report["passed"] == 3, [case["why"] for case in report["results"]]
    assert by_case["leave"]["tools"] == ["search_documents"]
    store = Store.open(database)
    users = {
        name: (task := store.tasks.get(case["task_id"])) and task.user_id
        for name, case in by_case.items()
    }
    store.close()
    # Each document case ran as a user of its own; the plain case as the usual user.
    assert users["leave"] != users["someone-else"]
    assert all(str(users[name]).startswith("eval-") for name in ("leave", "someone-else"))
    assert not str(users["no-documents"]).startswith("eval-")
