"""The Office as a service: submit tasks, run them durably, retry dead letters.

Built at the edge from `Settings` and an open `Store`; the CLI calls it today and the
API will call the same methods.
"""

from __future__ import annotations

import getpass
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import JsonValue, ValidationError

from intelligent_office.activities import OfficeActivities, StoreRecords
from intelligent_office.approval_decisions import check_response
from intelligent_office.errors import UserError
from intelligent_office.learning.advisor import PlanAdvisor
from intelligent_office.limits import check_description
from intelligent_office.llm import Brain, OfflineBrain
from intelligent_office.llm.config import Tier
from intelligent_office.memory.base import NoMemory
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.models import Criterion, CriterionKind, Task, TaskConstraints
from intelligent_office.observability import Telemetry
from intelligent_office.office import OFFICE_WORKFLOW, OfficeInput, office_workflow
from intelligent_office.risk import RiskModel, RiskWeights
from intelligent_office.runtime.worker import LocalWorker, RunListener
from intelligent_office.runtime.workflow import WorkflowRegistry
from intelligent_office.settings import Settings
from intelligent_office.store import ApprovalRecord, RunRecord, Store, TaskRecord
from intelligent_office.store.approvals import approval_signal
from intelligent_office.tools.base import ToolRegistry
from intelligent_office.tools.builder.registry import registered_servers
from intelligent_office.tools.builtin import builtin_tools
from intelligent_office.tools.policy import Policy, default_policy, load_policy
from intelligent_office.tools.sandbox.probe import for_machine
from intelligent_office.workflows.graph_workflow import run_spec

if TYPE_CHECKING:
    from intelligent_office.memory.embeddings import Embedder
    from intelligent_office.tools.mcp.toolset import MCPToolset

__all__ = ["OfficeService", "new_task"]

_log = logging.getLogger(__name__)


def new_task(
    description: str,
    *,
    workspace: Path,
    allowed_tools: list[str] | None = None,
    priority: int = 5,
    user_id: str | None = None,
    max_cost: float | None = None,
    max_tokens: int | None = None,
    signoff: bool = False,
    criteria: list[Criterion] | None = None,
    max_duration: float | None = None,
    deadline: datetime | None = None,
) -> Task:
    """A Task from plain input; a UserError says what is wrong with it.

    With `signoff`, each of its validated plans waits for a person before it runs.

    Raises:
        UserError: an empty or too long description, or a workspace that is not a directory.
    """
    check_description(description)
    if not workspace.is_dir():
        raise UserError(
            f"workspace {workspace} does not exist or is not a directory: pass --workspace DIR"
        )
    try:
        return Task(
            description=description,
            user_id=user_id or getpass.getuser(),
            priority=priority,
            deadline=deadline,
            constraints=TaskConstraints(
                allowed_tools=allowed_tools,
                max_cost=max_cost,
                max_tokens=max_tokens,
                max_duration=max_duration,
            ),
            context={"workspace": str(workspace.resolve())}
            | ({"signoff": True} if signoff else {}),
            criteria=criteria or [],
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise UserError(f"bad task: {first['msg']}") from None


def criteria_from_options(texts: list[str], checks: list[str]) -> list[Criterion]:
    """Criteria from `--criterion TEXT` and `--check KIND:VALUE` options.

    Raises:
        UserError: a check without a known kind, or a regex that does not compile.
    """
    criteria = [Criterion(kind=CriterionKind.TEXT, value=text) for text in texts if text.strip()]
    for spec in checks:
        try:
            criterion = Criterion.parse(spec)
        except ValidationError as error:
            raise UserError(f"bad --check {spec!r}: {error.errors()[0]['msg']}") from None
        if not criterion.machine:
            raise UserError(
                f"bad --check {spec!r}: start it with regex:, file: or command:"
                " (use --criterion for a criterion in words)"
            )
        criteria.append(criterion)
    return criteria


@dataclass
class OfficeService:
    """Tasks in, answers out, on the durable local runtime."""

    settings: Settings
    store: Store
    brain: Brain = field(default_factory=OfflineBrain)
    tools: ToolRegistry = field(default_factory=builtin_tools)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        store: Store,
        *,
        memory_embedder: Embedder | None = None,
        telemetry: Telemetry | None = None,
    ) -> OfficeService:
        """The service the settings describe: models when a tier has one, else offline.

        `memory_embedder` replaces the embedder the memory settings name (a model already
        loaded by the caller, e.g. shared by several services in one process). `telemetry`
        receives spans and metrics (default: none exported, a private registry).

        Raises:
            ConfigError: a provider's key is missing from the environment.
        """
        policy = load_policy(settings.policy_file)
        # Probe the sandbox now: a machine weaker than `require_tier` stops here, clearly.
        tools = builtin_tools(sandbox=for_machine(settings.sandbox), http_allow=settings.http_allow)
        memory = None
        if settings.memory.enabled:
            try:  # the model itself loads on first use, not here
                memory = OfficeMemory.open(settings.memory, store, embedder=memory_embedder)
            except UserError as error:
                # Without the `memory` extra the Office still runs, without memory; the memory
                # commands say how to install it.
                _log.warning("memory is off: %s", error)
            else:
                tools.register(memory.search_tool())
        mcp = None
        # Tools built from gap reports and approved (`office tools build`) join the servers.
        servers = [*settings.mcp_servers, *registered_servers(store)]
        if servers:
            from intelligent_office.tools.mcp.toolset import MCPToolset  # the MCP SDK: only now

            # The planners need every tool's spec up front: list the servers now.
            mcp = MCPToolset(servers, tools)
            mcp.start_blocking()
        telemetry = telemetry if telemetry is not None else Telemetry()
        if not settings.llm.enabled:
            return cls(
                settings,
                store,
                tools=tools,
                policy=policy,
                mcp=mcp,
                memory=memory,
                telemetry=telemetry,
            )
        # pydantic-ai and the vendors' SDKs load only when a model is configured.
        from intelligent_office.llm.llm_brain import LLMBrain
        from intelligent_office.llm.router import LLMRouter
        from intelligent_office.tools.ai_tool import ai_tool

        router = LLMRouter(settings.llm, settings.budgets, store, telemetry=telemetry)
        if router.serves(Tier.AI_TOOL):
            tools.register(ai_tool(router))
        return cls(
            settings,
            store,
            brain=LLMBrain(router),
            tools=tools,
            policy=policy,
            mcp=mcp,
            memory=memory,
            telemetry=telemetry,
        )

    policy: Policy = field(default_factory=default_policy)
    mcp: MCPToolset | None = None
    """The configured MCP servers, whose tools are in `tools`."""
    memory: OfficeMemory | None = None
    """Plan memory and documents; None: the Office remembers nothing."""
    telemetry: Telemetry = field(default_factory=Telemetry)
    """Where spans and metrics of this service's runs go."""
    advisor: PlanAdvisor | None = None
    """Learned guidance and prompt versions for the planner; None: built from the store."""

    def agents(self) -> OfficeActivities:
        """The Office's agents, recording into the store (and into memory, if any)."""
        return OfficeActivities(
            brain=self.brain,
            tools=self.tools,
            records=StoreRecords(self.store),
            retriever=self.memory.plans if self.memory is not None else NoMemory(),
            policy=self.policy,
            mcp=self.mcp,
            telemetry=self.telemetry,
            advisor=self.advisor or PlanAdvisor(self.store, self.settings.learning),
            risk=self.risk_model(),
        )

    def risk_model(self) -> RiskModel:
        """The risk thresholds of the settings, with calibrated weights when some are saved."""
        path = self.settings.risk_weights_file
        weights = RiskWeights.load(path) if path.is_file() else RiskWeights()
        return RiskModel(
            weights=weights,
            ask_threshold=self.settings.risk.ask_threshold,
            refuse_threshold=self.settings.risk.refuse_threshold,
        )

    def _signoff(self, task: Task) -> Literal["never", "always"]:
        """Whether the task's plans wait for sign-off: asked by the task, its tenant or all."""
        wanted = self.settings.signoff
        if wanted.mode == "always" or task.context.get("signoff") is True:
            return "always"
        return "always" if (task.user_id or "local") in wanted.users else "never"

    def registry(self) -> WorkflowRegistry:
        """Every workflow a worker of this service can run or resume: Office tasks, YAML
        graph workflows and agent workflows."""
        from intelligent_office.agentkit.build import agent_model
        from intelligent_office.agentkit.durable import agent_workflow
        from intelligent_office.agentkit.office import Office

        agents_office = Office(
            agent_model(self.settings, self.store),
            tools=self.tools,
            policy=self.policy,
            store=self.store,
        )
        return WorkflowRegistry(
            [run_spec, office_workflow(self.agents()), agent_workflow(agents_office)]
        )

    def worker(self, listener: RunListener | None = None) -> LocalWorker:
        """A local worker on the store."""
        return LocalWorker(
            self.store,
            self.registry(),
            max_concurrent_runs=self.settings.max_concurrent_runs,
            lease_seconds=self.settings.lease_seconds,
            listener=listener,
            telemetry=self.telemetry,
            stall_grace_seconds=self.settings.stall_grace_seconds,
            stall_default_timeout_seconds=self.settings.stall_default_timeout_seconds,
        )

    def submit(
        self,
        worker: LocalWorker,
        task: Task,
        *,
        request_hash: str | None = None,
        submitted: dict[str, JsonValue] | None = None,
    ) -> tuple[TaskRecord, RunRecord]:
        """Store the task and queue its run; a known idempotency key returns the first run.

        `request_hash` (the API's digest of the request) is stored with a new task so a
        reused idempotency key with a different request can be told apart. `submitted`,
        when given, is stored as the new task's `task.submitted` event before its run is
        queued, so it is the task's first event whatever the worker does.
        """
        record, created = self.store.tasks.create(
            task_id=task.task_id,
            user_id=task.user_id or "local",
            description=task.description,
            priority=task.priority,
            body=task.model_dump(mode="json"),
            idempotency_key=task.idempotency_key,
            request_hash=request_hash,
        )
        if not created:
            runs = self.store.runs.recent(task_id=record.task_id, limit=1)
            if runs:
                return record, runs[0]
        if submitted is not None:
            self.store.events.append(
                task_id=record.task_id,
                run_id=None,
                type="task.submitted",
                payload=dict(submitted),
                dedup_key="task/submitted",
            )
        stored = Task.model_validate(record.body)
        run = worker.submit(
            OFFICE_WORKFLOW,
            OfficeInput(
                task=stored,
                max_iterations=self.settings.max_iterations,
                max_parallel_subtasks=self.settings.max_parallel_subtasks,
                approval_timeout_seconds=self.settings.approval_timeout_seconds,
                remember=self.memory is not None,
                signoff=self._signoff(stored),
                signoff_risk_threshold=self.settings.signoff.risk_threshold,
                loop_repeats=self.settings.loop_repeats,
                max_for_each_items=self.settings.max_for_each_items,
            ),
            task_id=record.task_id,
            priority=record.priority,
        )
        return record, run

    def retry_dead_letter(
        self,
        worker: LocalWorker,
        dead_letter_id: str,
        description: str | None = None,
        *,
        again: bool = False,
    ) -> tuple[TaskRecord, RunRecord]:
        """Resubmit a dead letter's task as a new task, with an edited description if given.

        The dead letter is marked as retried by the new task. A dead letter already
        retried is refused unless `again` is set, so a repeated command does not run
        the task twice by accident.
        """
        letter = self.store.dead_letters.require(dead_letter_id)
        if letter.retry_task_id is not None and not again:
            raise UserError(
                f"dead letter {dead_letter_id} was already retried as task"
                f" {letter.retry_task_id}; pass --again to retry it once more"
            )
        stored = letter.history.get("task")
        if not isinstance(stored, dict):
            raise UserError(f"dead letter {dead_letter_id} holds no task to resubmit")
        changes: dict[str, object] = {"task_id": uuid.uuid4().hex, "idempotency_key": None}
        if description is not None:
            check_description(description)
            changes["description"] = description
        try:
            task = Task.model_validate({**stored, **changes})
        except ValidationError as error:
            raise UserError(f"bad task: {error.errors()[0]['msg']}") from None
        submitted = self.submit(worker, task)
        self.store.dead_letters.mark_retried(dead_letter_id, task.task_id)
        return submitted

    def decide_approval(
        self,
        approval_id: str,
        decision: Literal["approved", "denied", "revised"],
        *,
        by: str,
        comment: str | None = None,
        edits: dict[str, dict[str, JsonValue]] | None = None,
    ) -> ApprovalRecord:
        """Record a human decision and signal the run waiting for it.

        `revised` sends an escalation back for another iteration with `comment` as the
        feedback; `edits` (step id -> new input) changes a plan's steps as it is signed
        off. Deciding again the way it was decided only re-sends the signal, so a
        decision whose signal was cut off by a crash still reaches the run.

        Raises:
            UserError: no such approval, it was decided otherwise (or expired), or the
                decision does not fit its kind.
        """
        current = self.store.approvals.require(approval_id)
        response = check_response(current, decision, edits)
        if current.status != decision or current.run_id is None:
            current = self.store.approvals.decide(
                approval_id, status=decision, by=by, comment=comment, response=response
            )
            self.store.audit.add(
                actor=by,
                action=f"approval.{decision}",
                subject=current.subject,
                reason=comment or "",
                task_id=current.task_id,
                run_id=current.run_id,
                detail={
                    "approval_id": approval_id,
                    "kind": current.kind,
                    **{k: current.detail[k] for k in ("tool", "score") if k in current.detail},
                    **(response or {}),
                },
            )
        if current.run_id is not None:
            payload: dict[str, JsonValue] = {"decision": decision, "by": by, "comment": comment}
            if current.response:
                payload["response"] = current.response
            self.store.signals.send(current.run_id, approval_signal(approval_id), payload)
        return current
