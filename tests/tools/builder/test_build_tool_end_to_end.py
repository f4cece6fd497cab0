"""Must show, offline (template path): a task only an HTTP JSON API on 127.0.0.1 can answer
reports a gap; the gap becomes an MCP tool whose tests pass in the sandbox; a person
approves; the retried task completes using the new tool. Then disable and remove."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.front_door import Office
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.tools.builder.builder import ToolBuilder, tools_dir
from intelligent_office.tools.builder.drafts import DraftStatus
from intelligent_office.tools.builder.registry import registered_servers
from intelligent_office.tools.builder.retry import retry_gap_task
from tests.learning.conftest import OfficeUnderTest, open_office
from tests.tools.builder.conftest import RatesAPI


def request_for(api: RatesAPI) -> str:
    port = api.server_address[1]
    return f"What is the USD rate in the JSON at http://127.0.0.1:{port}/rates.json?"


async def run_retry(office: OfficeUnderTest, gap_id: int) -> tuple[str, OfficeOutput, Office]:
    """Retry the gap's task on a new service (as the next `office` command would build it)."""
    service = Office.from_settings(office.settings, office.store)
    worker = service.worker()
    try:
        gap = ToolBuilder(office.settings, office.store).gap(gap_id)
        record, submitted = retry_gap_task(service, worker, gap)
        finished = await worker.run(submitted.run_id)
    finally:
        await worker.shutdown()
    return record.task_id, OfficeOutput.model_validate(finished.result), service


def tools_called(output: OfficeOutput) -> list[str]:
    """Every tool the task's executions called, in order."""
    return [
        call.tool
        for subtask in output.subtasks.values()
        for iteration in subtask.iterations
        for step in (iteration.execution.steps if iteration.execution else [])
        for call in step.tool_calls
    ]


async def test_a_gap_becomes_an_approved_mcp_tool_and_the_retried_task_completes_with_it(
    tmp_path: Path, rates_api: RatesAPI
) -> None:
    office = open_office(tmp_path / "home")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    first, task_id = await office.run(request_for(rates_api), workspace)
    assert first.status is TaskStatus.UNSUPPORTED
    [gap] = office.store.tool_gaps.recent(task_id=task_id)
    assert "http_fetch" in gap.report["missing_capabilities"]
    assert rates_api.hits == []  # nothing could reach the API yet

    builder = ToolBuilder(office.settings, office.store)
    draft = await builder.build(gap.id, by="alice")

    assert draft.status == DraftStatus.TESTED, draft.spec["test"]["output"]
    assert (draft.shape, draft.risk, draft.name) == ("http_json", "low", "api-rates")
    assert draft.tool_names == ["api-rates.get_json"]
    test = draft.spec["test"]
    assert test["passed"] and "Ran 3 tests" in test["output"] and "OK" in test["output"]
    assert test["sandbox"]["tier"] in {"A", "B", "process"}
    host = f"127.0.0.1:{rates_api.server_address[1]}"
    assert f"ALLOWED_HOSTS = frozenset({{'{host}'}})" in draft.files["logic.py"]
    assert sorted(p.name for p in (tools_dir(office.settings) / draft.id).iterdir()) == [
        "logic.py",
        "server.py",
        "test_tool.py",
    ]
    assert registered_servers(office.store) == []  # not before a person approves

    approved = builder.approve(draft.id, by="alice", comment="reviewed the code")
    assert approved.status == DraftStatus.REGISTERED
    assert [s.name for s in registered_servers(office.store)] == ["api-rates"]

    retried_id, output, service = await run_retry(office, gap.id)
    try:
        assert output.status is TaskStatus.COMPLETED, output.answer
        assert "1.0842" in output.answer
        assert tools_called(output) == ["api-rates.get_json"]
        assert rates_api.hits == ["/rates.json"]
        [listed] = office.events(retried_id, "mcp.tools")
        assert "api-rates.get_json" in [tool["name"] for tool in listed["tools"]]
        [used] = office.events(retried_id, "guidance.used")
        assert "api-rates.get_json" in used["guidance"][0]["text"]
    finally:
        if service.mcp is not None:
            await service.mcp.aclose()
    actions = [entry.action for entry in office.store.audit.recent(limit=100)]
    for action in ("tool.drafted", "tool.tested", "tool.approved", "tool.gap_retried"):
        assert action in actions

    builder.disable(draft.id, by="alice")
    assert registered_servers(office.store) == []
    removed = builder.remove(draft.id, by="alice")
    assert removed.status == DraftStatus.REMOVED
    assert not (tools_dir(office.settings) / draft.id).exists()
    office.store.close()


async def test_a_draft_whose_tests_fail_cannot_be_approved(
    tmp_path: Path, rates_api: RatesAPI
) -> None:
    office = open_office(tmp_path / "home")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    _, task_id = await office.run(request_for(rates_api), workspace)
    [gap] = office.store.tool_gaps.recent(task_id=task_id)
    builder = ToolBuilder(office.settings, office.store)
    draft = await builder.build(gap.id, by="alice")
    broken = dict(draft.spec)
    broken["files"] = {**draft.files, "logic.py": "raise SystemExit('broken on purpose')\n"}
    builder.drafts.update(draft.id, spec=broken)

    tested = await builder.test(draft.id, by="alice")

    assert tested.status == DraftStatus.FAILED and not tested.spec["test"]["passed"]
    try:
        builder.approve(draft.id, by="alice")
    except Exception as error:  # a UserError naming what to do
        assert "only a draft whose tests passed" in str(error)
    else:
        raise AssertionError("a failed draft was approved")
    assert registered_servers(office.store) == []
    office.store.close()
