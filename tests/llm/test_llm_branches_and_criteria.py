"""A model's plan with `when` and `for_each`, and its verdict on text criteria, end to end:
`office run` against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import office
from tests.llm.servers import ScriptedLLMServer, ToolCallReply
from tests.llm.test_llm_office import DECOMPOSITION, config

PLAN = {
    "steps": [
        {"id": "ls", "tool": "list_files", "inputs": {"path": "notes"}},
        {
            "id": "read",
            "tool": "read_file",
            "inputs": {"path": "${item}"},
            "dependencies": ["ls"],
            "for_each": "steps.ls.output.files",
        },
        {
            "id": "save",
            "tool": "write_file",
            "inputs": {"path": "out/empty.txt", "content": "no notes"},
            "dependencies": ["ls"],
            "when": "len(steps.ls.output.files) == 0",
        },
    ],
    "confidence": 0.8,
}
APPROVE = {
    "decision": "APPROVE",
    "answer": "a.txt says alpha; b.txt says beta",
    "completeness": 1,
    "accuracy": 1,
    "quality": 1,
    "criteria": [{"criterion": "Quote every note", "passed": True, "reason": "both quoted"}],
}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("OFFICE_DATABASE_URL", url)
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOCAL_LLM_KEY", "sk-test-office-0123456789")
    return url


def test_a_model_plan_branches_and_loops_and_its_criteria_verdict_is_kept(
    database: str,
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = tmp_path / "ws"
    (workspace / "notes").mkdir(parents=True)
    (workspace / "notes" / "a.txt").write_text("alpha\n")
    (workspace / "notes" / "b.txt").write_text("beta\n")
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", PLAN),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", APPROVE),
    )
    args = ["run", "Read my notes", "--workspace", str(workspace), "--json"]
    args += ["--config", str(config(tmp_path, openai_server)), "--criterion", "Quote every note"]
    args += ["--check", "regex:alpha.*beta"]
    code, out, err = office(args, capsys, monkeypatch)
    assert code == 0, err
    body = json.loads(out)
    iteration = body["result"]["subtasks"]["s1"]["iterations"][0]
    plan = {step["step_id"]: step for step in iteration["plan"]["steps"]}
    assert plan["read"]["for_each"] == "steps.ls.output.files"
    assert plan["save"]["when"] == "len(steps.ls.output.files) == 0"
    steps = {step["step_id"]: step for step in iteration["execution"]["steps"]}
    assert steps["save"]["status"] == "skipped"
    assert [r["content"] for r in steps["read"]["tool_calls"][0]["result"]] == [
        "alpha\n",
        "beta\n",
    ]
    assert not (workspace / "out" / "empty.txt").exists()
    criteria = iteration["review"]["criteria"]
    assert [(c["criterion"]["kind"], c["passed"], c["judged_by"]) for c in criteria] == [
        ("text", True, "reviewer model"),
        ("regex", True, "check"),
    ]
    # The reviewer model was asked about the text criterion.
    assert "Quote every note" in json.dumps(openai_server.requests[3])
