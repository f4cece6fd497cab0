"""From a tool-gap report to a registered MCP server: draft, test, review, register.

Every step is written to the audit log (actor, action `tool.drafted`, `tool.tested`,
`tool.approved`, `tool.rejected`, `tool.disabled`, `tool.enabled`, `tool.removed`).
Approval registers the draft's server: the next run's service starts it beside the
configured MCP servers and its tools are in that run's tool snapshot; it also stores
guidance telling the planner to use the tool for requests like the one that lacked it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from intelligent_office.errors import UserError
from intelligent_office.learning.guidance_store import DISABLED, ENABLED, GuidanceRepository
from intelligent_office.llm.config import Tier
from intelligent_office.models.risk import RiskLevel
from intelligent_office.settings import Settings
from intelligent_office.store import Store
from intelligent_office.store.records import ToolGapRecord
from intelligent_office.store.tables import ToolGapRow
from intelligent_office.tools.builder.drafts import DraftStatus, ToolDraft, ToolDraftRepository
from intelligent_office.tools.builder.templates import blueprint_for, render
from intelligent_office.tools.mcp.settings import MCPServerSettings
from intelligent_office.tools.sandbox import SandboxCommand, SandboxProvider

if TYPE_CHECKING:
    from intelligent_office.llm.router import LLMRouter

__all__ = ["ToolBuilder", "tools_dir"]

_TEST_SECONDS = 60.0


def tools_dir(settings: Settings) -> Path:
    """Where drafted tools' files live."""
    return (settings.tools_dir or settings.home / "tools").expanduser()


def _safe_text(text: str) -> str:
    """Text to quote inside a generated docstring."""
    return text.replace('"', "'").replace("\\", "/")


@dataclass
class ToolBuilder:
    """Drafts tools from gap reports, tests them in the sandbox, and registers approved ones."""

    settings: Settings
    store: Store
    router: LLMRouter | None = None
    """The builder agent's models; None (or no planner model): the templates."""
    sandbox: SandboxProvider | None = None

    def __post_init__(self) -> None:
        self.drafts = ToolDraftRepository(self.store.engine)
        self.guidance = GuidanceRepository(self.store.engine)

    def gap(self, gap_id: int) -> ToolGapRecord:
        """The gap report with this id; a UserError naming `office gaps` if none."""
        with self.store.engine.connect() as connection:
            row = connection.execute(select(ToolGapRow).where(ToolGapRow.id == gap_id)).first()
        if row is None:
            raise UserError(f"no tool-gap report {gap_id}: `office gaps` lists them with their ids")
        return ToolGapRecord(
            id=row.id,
            task_id=row.task_id,
            subtask_id=row.subtask_id,
            created_at=row.created_at,
            report=row.report,
        )

    def _audit(self, draft: ToolDraft, action: str, by: str, reason: str = "") -> None:
        self.store.audit.add(
            actor=by,
            action=action,
            subject=f"tool draft {draft.id} ({draft.name}: {', '.join(draft.tool_names)})",
            reason=reason,
            task_id=self.gap(draft.gap_id).task_id,
            run_id=None,
            detail={"draft_id": draft.id, "gap_id": draft.gap_id, "status": draft.status},
        )

    async def build(self, gap_id: int, *, by: str) -> ToolDraft:
        """Draft a tool for the gap (model or template), write its files and test it."""
        gap = self.gap(gap_id)
        request = str(gap.report.get("request") or "")
        if self.router is not None and self.router.serves(Tier.PLANNER):
            spec, name, shape, risk = await self._model_spec(gap, request)
        else:
            spec, name, shape, risk = self._template_spec(gap, request)
        draft = self.drafts.add(gap_id=gap_id, name=name, shape=shape, risk=risk, spec=spec)
        folder = tools_dir(self.settings) / draft.id
        folder.mkdir(parents=True, exist_ok=True)
        for file, text in draft.files.items():
            (folder / file).write_text(text, encoding="utf-8")
        server = MCPServerSettings(
            name=name,
            command=sys.executable,
            args=[str(folder / "server.py")],
            cwd=str(folder),
            risk=RiskLevel(risk),
            path_arguments=["path"] if shape == "file_transform" else [],
        )
        spec = {**spec, "folder": str(folder), "server": server.model_dump(mode="json")}
        draft = self.drafts.update(draft.id, spec=spec)
        self._audit(draft, "tool.drafted", by, f"{shape} from gap {gap_id}: {request[:200]}")
        return await self.test(draft.id, by=by)

    def _template_spec(
        self, gap: ToolGapRecord, request: str
    ) -> tuple[dict[str, Any], str, str, str]:
        missing = gap.report.get("missing_tools") or []
        blueprint = blueprint_for(request, missing[0].get("name") if missing else None)
        if blueprint is None:
            raise UserError(
                f"gap {gap.id}: no template fits {request[:120]!r} (templates: an HTTP JSON API"
                " named by its URL, a `command` to run, a file to transform); configure a"
                " planner model to have the builder agent draft it"
            )
        files, schema = render(blueprint, gap_id=gap.id, request=_safe_text(request))
        spec = {
            "author": "template",
            "request": request,
            "tools": [
                {"name": blueprint.tool, "description": blueprint.description, "parameters": schema}
            ],
            "inputs": blueprint.inputs,
            "files": files,
        }
        return spec, blueprint.server, blueprint.shape, blueprint.risk

    async def _model_spec(
        self, gap: ToolGapRecord, request: str
    ) -> tuple[dict[str, Any], str, str, str]:
        from intelligent_office.tools.builder.agent import draft_with_model

        assert self.router is not None
        drafted, model = await draft_with_model(self.router, gap.report, gap.task_id)
        for name, text in (
            ("logic.py", drafted.logic_py),
            ("server.py", drafted.server_py),
            ("test_tool.py", drafted.test_py),
        ):
            try:
                compile(text, name, "exec")
            except SyntaxError as error:
                raise UserError(f"the builder agent's {name} does not compile: {error}") from None
        spec = {
            "author": f"model:{model}",
            "request": request,
            "tools": [
                {
                    "name": drafted.tool,
                    "description": drafted.description,
                    "parameters": drafted.parameters,
                }
            ],
            "inputs": drafted.inputs,
            "files": {
                "logic.py": drafted.logic_py,
                "server.py": drafted.server_py,
                "test_tool.py": drafted.test_py,
            },
        }
        return spec, drafted.server, "model", drafted.risk

    async def test(self, draft_id: str, *, by: str) -> ToolDraft:
        """Run the draft's tests in the sandbox (a copy of its files); tested or failed."""
        draft = self.drafts.require(draft_id)
        provider = self.sandbox or SandboxProvider(settings=self.settings.sandbox)
        sandbox = await provider.get()
        scratch = Path(tempfile.mkdtemp(prefix="office-tool-test-"))
        try:
            scratch.chmod(0o755)
            for file, text in draft.files.items():
                (scratch / file).write_text(text, encoding="utf-8")
                (scratch / file).chmod(0o644)
            run = await sandbox.run(
                SandboxCommand(
                    argv=[sandbox.python(), "-I", "-S", "test_tool.py", "-v"],
                    workspace=scratch,
                    timeout_seconds=_TEST_SECONDS,
                    env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(scratch)},
                )
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        passed = run.exit_code == 0 and not run.timed_out
        result = {
            "passed": passed,
            "exit_code": run.exit_code,
            "timed_out": run.timed_out,
            "output": (run.stdout + run.stderr).decode("utf-8", errors="replace")[-8000:],
            "sandbox": run.report(),
        }
        status = DraftStatus.TESTED if passed else DraftStatus.FAILED
        draft = self.drafts.update(draft_id, status=status, spec={**draft.spec, "test": result})
        self._audit(
            draft,
            "tool.tested",
            by,
            f"tests {'passed' if passed else 'failed'} in sandbox tier {run.tier.value}",
        )
        return draft

    def approve(self, draft_id: str, *, by: str, comment: str = "") -> ToolDraft:
        """Register a tested draft: its server joins the next run, with guidance to use it."""
        draft = self.drafts.require(draft_id)
        if draft.status != DraftStatus.TESTED:
            raise UserError(
                f"draft {draft_id} is {draft.status}: only a draft whose tests passed can be"
                " approved (`office tools review` shows the test output)"
            )
        clash = [
            d.id for d in self.drafts.recent(status=DraftStatus.REGISTERED) if d.name == draft.name
        ]
        if clash or any(s.name == draft.name for s in self.settings.mcp_servers):
            raise UserError(
                f"an MCP server named {draft.name!r} is registered already: remove it first"
            )
        draft = self.drafts.update(draft_id, status=DraftStatus.REGISTERED)
        gap = self.gap(draft.gap_id)
        request = str(gap.report.get("request") or "")
        tool = draft.tool_names[0]
        self.guidance.upsert(
            cause=f"tool_gap|{draft.gap_id}|{draft.id}",
            text=(
                f"Requests like this one are answered by the tool {tool}"
                f" (built for gap {draft.gap_id})."
            ),
            intent="unknown",
            tool=tool,
            adjustment={"kind": "use_tool", "tool": tool, "inputs": draft.spec.get("inputs") or {}},
            examples=[request],
            evidence={"gap_id": draft.gap_id, "draft_id": draft.id},
        )
        self._audit(draft, "tool.approved", by, comment)
        return draft

    def reject(self, draft_id: str, *, by: str, reason: str = "") -> ToolDraft:
        """Turn a draft down; its files stay for reference until removed."""
        draft = self.drafts.require(draft_id)
        if draft.status == DraftStatus.REGISTERED:
            raise UserError(f"draft {draft_id} is registered: disable or remove it instead")
        draft = self.drafts.update(draft_id, status=DraftStatus.REJECTED)
        self._audit(draft, "tool.rejected", by, reason)
        return draft

    def _guidance_status(self, draft: ToolDraft, status: str) -> None:
        for record in self.guidance.all():
            if record.evidence.get("draft_id") == draft.id:
                self.guidance.set_status(record.id, status)

    def disable(self, draft_id: str, *, by: str) -> ToolDraft:
        """Stop starting a registered tool's server (the next run no longer has its tools)."""
        draft = self.drafts.require(draft_id)
        if draft.status != DraftStatus.REGISTERED:
            raise UserError(f"draft {draft_id} is {draft.status}, not registered")
        draft = self.drafts.update(draft_id, status=DraftStatus.DISABLED)
        self._guidance_status(draft, DISABLED)
        self._audit(draft, "tool.disabled", by)
        return draft

    def enable(self, draft_id: str, *, by: str) -> ToolDraft:
        """Register a disabled tool again."""
        draft = self.drafts.require(draft_id)
        if draft.status != DraftStatus.DISABLED:
            raise UserError(f"draft {draft_id} is {draft.status}, not disabled")
        draft = self.drafts.update(draft_id, status=DraftStatus.REGISTERED)
        self._guidance_status(draft, ENABLED)
        self._audit(draft, "tool.enabled", by)
        return draft

    def remove(self, draft_id: str, *, by: str) -> ToolDraft:
        """Unregister a tool and delete its files and guidance."""
        draft = self.drafts.require(draft_id)
        folder = draft.spec.get("folder")
        if isinstance(folder, str) and Path(folder).parent == tools_dir(self.settings):
            shutil.rmtree(folder, ignore_errors=True)
        for record in self.guidance.all():
            if record.evidence.get("draft_id") == draft.id:
                self.guidance.delete(record.id)
        draft = self.drafts.update(draft_id, status=DraftStatus.REMOVED)
        self._audit(draft, "tool.removed", by)
        return draft
