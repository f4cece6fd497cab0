"""The model's reviewer may not approve a bare "no call path" that unresolved calls could
contradict: the answer is completed with the calls the analyzer could not follow."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.cli.test_cli import office
from tests.llm.servers import ScriptedLLMServer, ToolCallReply
from tests.llm.test_llm_office import config, database  # noqa: F401 (a fixture)

DECOMPOSITION = {
    "subtasks": [
        {
            "id": "s1",
            "description": "Trace the calls from main() to target()",
            "tool_hints": ["trace_calls"],
        }
    ]
}
PLAN = {
    "steps": [
        {
            "id": "trace",
            "tool": "trace_calls",
            "inputs": {"root": ".", "start": "main", "end": "target"},
        }
    ],
    "confidence": 0.9,
}
BARE_NO = {
    "decision": "APPROVE",
    "answer": "There is no call path from main() to target().",
    "completeness": 1,
    "accuracy": 1,
    "quality": 0.9,
}


def test_an_approved_no_path_answer_names_the_unresolved_calls(
    database: str,  # noqa: F811
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = tmp_path / "code"
    workspace.mkdir()
    (workspace / "app.py").write_text(
        textwrap.dedent(
            """
            def main(plugin):
                plugin.run()

            def target():
                pass
            """
        ).lstrip()
    )
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", PLAN),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", BARE_NO),
    )
    settings = config(tmp_path, openai_server)
    code, out, err = office(
        ["run", "Trace the call sequence from main() to target()", "--workspace", str(workspace)]
        + ["--config", str(settings), "--json"],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    answer = json.loads(out)["result"]["answer"]
    assert answer.startswith(BARE_NO["answer"])
    assert "no path was found only through statically resolvable calls" in answer
    assert "1 call could not be resolved: plugin.run() at app.py:2" in answer
