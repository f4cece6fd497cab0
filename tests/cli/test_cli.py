"""The `office` command end to end, in-process: good runs, and bad input that ends with
one readable line, a non-zero exit, and nothing stored."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from intelligent_office.cli.main import main
from intelligent_office.models.schema_export import CONTRACTS
from intelligent_office.store import RunStatus, Store

REPO = Path(__file__).resolve().parents[2]


def office(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["office", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "workflow.yaml"
    path.write_text(text)
    return path


BAD_WORKFLOWS = {
    "cycle": (
        """
name: loop
nodes:
  - {id: a, kind: echo, dependencies: [c]}
  - {id: b, kind: echo, dependencies: [a]}
  - {id: c, kind: echo, dependencies: [b]}
""",
        "cycle: a -> b -> c -> a",
    ),
    "unknown dependency": (
        """
name: missing
nodes:
  - {id: a, kind: echo, dependencies: [ghost]}
""",
        "node 'a' depends on unknown node 'ghost'",
    ),
    "duplicate id": (
        """
name: twice
nodes:
  - {id: a, kind: echo}
  - {id: a, kind: sleep}
""",
        "duplicate node id 'a'",
    ),
    "unknown kind": (
        """
name: odd
nodes:
  - {id: a, kind: echo}
  - {id: b, kind: teleport}
""",
        "nodes[1] (id 'b'): unknown node kind 'teleport' (known kinds: echo, fail, python, sleep)",
    ),
    "malformed yaml": (
        "name: broken\nnodes:\n  - id: a\n    kind: [echo\n",
        "line 5: not valid YAML",
    ),
    "python without callable": (
        "name: p\nnodes:\n  - {id: a, kind: python}\n",
        "kind python needs `callable: module:function`",
    ),
    "bad retry": (
        "name: r\nnodes:\n  - {id: a, kind: echo, retry: {kind: sometimes}}\n",
        "nodes[0] (id 'a').retry.kind",
    ),
}


@pytest.mark.parametrize("case", BAD_WORKFLOWS)
def test_bad_workflow_exits_with_one_line_naming_the_problem(
    case: str,
    tmp_path: Path,
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text, expected = BAD_WORKFLOWS[case]
    code, out, err = office(["run-workflow", str(write(tmp_path, text))], capsys, monkeypatch)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("office: ") and expected in err
    store = Store.open(database)
    assert store.tasks.recent() == [] and store.runs.recent() == []  # nothing stored


def test_missing_workflow_file(
    tmp_path: Path,
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = office(["run-workflow", str(tmp_path / "nope.yaml")], capsys, monkeypatch)
    assert code == 2 and "nope.yaml does not exist" in err


def test_bad_database_url_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_DATABASE_URL", "mysql://nobody@nowhere/db")
    code, _, err = office(["runs"], capsys, monkeypatch)
    assert code == 2
    assert err.strip() == (
        "office: database 'mysql' is not supported: use a sqlite:/// or postgresql:// URL"
    )


def test_bad_setting_names_the_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database: str
) -> None:
    monkeypatch.setenv("OFFICE_MAX_CONCURRENT_RUNS", "zero")
    code, _, err = office(["runs"], capsys, monkeypatch)
    assert code == 2 and err.startswith("office: setting max_concurrent_runs:")


def test_run_workflow_runs_the_example_and_shows_it(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    example = REPO / "examples" / "workflows" / "release.yaml"
    code, out, _ = office(["run-workflow", str(example), "--json"], capsys, monkeypatch)
    assert code == 0
    body = json.loads(out)
    assert body["status"] == "completed"
    nodes = body["result"]["nodes"]
    assert nodes["upload"]["attempts"] == 2  # failed transiently once, then retried
    assert nodes["upload"]["output"].startswith("uploaded ")
    assert nodes["build"]["output"]["python"] == nodes["python-version"]["output"]
    assert body["result"]["completion_order"][-1] == "announce"

    code, out, _ = office(["runs"], capsys, monkeypatch)
    assert code == 0 and body["run_id"] in out and "office.graph:release" in out

    code, out, _ = office(["show", body["run_id"]], capsys, monkeypatch)
    assert code == 0
    assert "upload" in out and "node.retrying" in out and "run.completed" in out


def test_a_failing_workflow_exits_non_zero(
    tmp_path: Path,
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "name: f\nnodes:\n  - {id: a, kind: fail, params: {message: disk full}}\n"
    code, out, _ = office(["run-workflow", str(write(tmp_path, text))], capsys, monkeypatch)
    assert code == 1
    assert "disk full" in out
    [run] = Store.open(database).runs.recent()
    assert run.status is RunStatus.COMPLETED and run.result is not None
    assert run.result["status"] == "failed"


def test_show_and_resume_unknown_run(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = office(["show", "nope"], capsys, monkeypatch)
    assert code == 2 and "no run 'nope'" in err
    code, out, _ = office(["resume"], capsys, monkeypatch)
    assert code == 0 and "nothing to resume" in out


def test_schema_writes_every_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = office(["schema", str(tmp_path / "schemas")], capsys, monkeypatch)
    assert code == 0
    names = sorted(path.name for path in (tmp_path / "schemas").iterdir())
    assert names == [f"{name}.schema.json" for name in sorted(CONTRACTS)]
    plan = json.loads((tmp_path / "schemas" / "plan.schema.json").read_text())
    assert "steps" in plan["properties"]
