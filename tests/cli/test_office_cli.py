"""`office run`, `office tasks`, `office show` and `office dlq` end to end, in-process, on a
real SQLite file: answers, exit codes, and bad input that ends with one readable line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intelligent_office.store import Store, migrations
from tests.cli.test_cli import REPO, office

TRACE = "Trace the call sequence from main() to process_data() in examples/sample_app"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "todos.txt").write_text("buy milk\n")
    return root


def test_run_traces_the_sample_app_and_prints_file_and_line(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = office(["run", TRACE, "--workspace", str(REPO)], capsys, monkeypatch)
    assert code == 0
    assert "-> app.core.processing.process_data()" in out
    assert "examples/sample_app/app/pipeline.py:" in out


def test_run_json_and_show_and_tasks(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = office(["run", TRACE, "--workspace", str(REPO), "--json"], capsys, monkeypatch)
    assert code == 0
    body = json.loads(out)
    assert body["result"]["status"] == "completed"
    paths = body["result"]["subtasks"]["s1"]["details"]["paths"]
    assert paths[0]["functions"][0] == "app.main.main"
    task_id = body["task_id"]
    code, out, _ = office(["tasks"], capsys, monkeypatch)
    assert code == 0 and task_id in out and "completed" in out
    code, out, _ = office(["show", task_id], capsys, monkeypatch)
    assert code == 0
    for expected in (
        "iteration 1: plan s1-plan-1",
        "trace_calls",
        "review: APPROVE",
        "task.completed",
    ):
        assert expected in out
    code, by_run, _ = office(["show", body["run_id"]], capsys, monkeypatch)
    assert code == 0 and f"task {task_id}" in by_run and "review: APPROVE" in by_run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "   "], "bad task: description must not be empty"),
        (
            ["run", "List files", "--workspace", "/no/such/dir"],
            "workspace /no/such/dir does not exist",
        ),
        (["dlq", "show", "nope"], "no dead letter 'nope'"),
        (["dlq", "retry", "nope"], "no dead letter 'nope'"),
    ],
)
def test_bad_input_ends_with_one_line_and_exit_2(
    database: str,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = office(args, capsys, monkeypatch)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    store = Store.open(database)
    assert store.tasks.recent() == []  # nothing stored


def test_dead_letter_then_retry_with_a_corrected_description(
    database: str, notes: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = office(
        ["run", "Read the file notes/todo.txt", "--workspace", str(notes)], capsys, monkeypatch
    )
    assert code == 1 and "dead_lettered" in out
    store = Store.open(database)
    (letter,) = store.dead_letters.recent()
    assert letter.category == "review"
    code, out, _ = office(["dlq", "list"], capsys, monkeypatch)
    assert letter.id in out
    code, out, _ = office(["dlq", "show", letter.id, "--json"], capsys, monkeypatch)
    shown = json.loads(out)
    # A missing file is a permanent error: the plan planned again is not run again.
    assert len(shown["history"]["subtasks"]["s1"]["iterations"]) == 2
    code, out, _ = office(
        ["dlq", "retry", letter.id, "--description", "Read the file notes/todos.txt", "--json"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    body = json.loads(out)
    assert body["result"]["status"] == "completed" and "buy milk" in body["result"]["answer"]
    retried = store.dead_letters.require(letter.id)
    assert retried.retry_task_id == body["task_id"] and retried.retried_at is not None
    assert store.tasks.get(letter.task_id).status == "dead_lettered"  # type: ignore[union-attr]
    assert store.tasks.get(body["task_id"]).status == "completed"  # type: ignore[union-attr]
    code, _, err = office(["dlq", "retry", letter.id], capsys, monkeypatch)
    assert code == 2 and f"already retried as task {body['task_id']}; pass --again" in err


def test_tools_lists_every_builtin_tool_with_its_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = office(["tools", "--json"], capsys, monkeypatch)
    assert code == 0
    specs = {spec["name"]: spec for spec in json.loads(out)}
    assert {"trace_calls", "read_file", "calculate", "python_exec"} <= set(specs)
    assert specs["python_exec"]["risk_level"] == "high" and not specs["python_exec"]["idempotent"]
    assert specs["trace_calls"]["parameters"]["required"] == ["root", "start", "end"]


def test_an_unsupported_task_leaves_a_tool_gap_report_for_office_gaps(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = tmp_path / "project"  # beside the state directory, not holding it
    workspace.mkdir()
    code, out, _ = office(
        ["run", "Send an email to Bob about the release", "--workspace", str(workspace), "--json"],
        capsys,
        monkeypatch,
    )
    assert code == 1
    assert json.loads(out)["result"]["status"] == "unsupported"

    code, out, _ = office(["gaps", "--json"], capsys, monkeypatch)

    assert code == 0
    (report,) = json.loads(out)
    (tool,) = report["missing_tools"]
    assert (tool["name"], tool["estimated_risk"]) == ("send_email", "high")
    assert set(tool["inputs"]) == {"to", "subject", "body"}
    assert "write_file" in report["existing_tools_checked"]
    assert "email MCP server" in report["proposed_mcp_server"]
    code, out, _ = office(["gaps"], capsys, monkeypatch)
    assert code == 0 and "send_email" in out


def test_doctor_reports_every_layer(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = office(["doctor"], capsys, monkeypatch)
    assert code == 0, out
    versions = Path(migrations.__file__).parent / "versions"
    newest = max(path.name[:4] for path in versions.glob("0*.py"))
    for expected in (
        "database: sqlite",
        f"schema revision {newest}",
        "runtime: local",
        "models: none configured: the offline brain answers",
        "tool policy: default_policy.yaml (shipped)",
        "sandbox: tier",
        "MCP servers: none configured",
    ):
        assert expected in out


def test_doctor_flags_a_missing_key(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "office.yaml"
    config.write_text(
        "llm:\n  providers: {p: {kind: openai, api_key_env: DOCTOR_KEY}}\n"
        "  tiers: {default: ['p:gpt-4o-mini']}\n"
    )
    monkeypatch.delenv("DOCTOR_KEY", raising=False)
    code, out, _ = office(["doctor", "--config", str(config)], capsys, monkeypatch)
    assert code == 1
    assert "key DOCTOR_KEY: MISSING" in out and "planner: p:gpt-4o-mini" in out
