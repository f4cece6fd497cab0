"""The Office: the one object a program, the CLI and the API use, built from `Settings`.

    office = Office.from_settings(load_settings())   # the configured database
    office = Office()                                 # throwaway: a private temporary database
    outcome = await office.run_task("What is 2+2?")   # submit, run to the end, the answer
    run = await office.run_workflow(workflow)         # an agent workflow, stored the same way

Every run, a task or an agent workflow, is stored with its events in the Office's store,
so a run started from Python is listed by `office runs`, `GET /runs` and the web UI of the
same database, under its user's name. Tasks run on the durable local runtime (`worker()`
and `submit()` for a caller that drives a worker itself); agent workflows go through the
agent kit's `WorkflowRunner`, which the Office holds and its workers host.
"""

from __future__ import annotations

import getpass
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from intelligent_office.errors import UserError
from intelligent_office.limits import check_description
from intelligent_office.observability import Telemetry
from intelligent_office.office_parts import configured_parts
from intelligent_office.run_kinds import RunKind
from intelligent_office.settings import Settings
from intelligent_office.state_files import open_store, refuse_state_files
from intelligent_office.store import ApprovalRecord, RunRecord, Store, TaskRecord
from intelligent_office.store.throwaway import ThrowawayHome
from intelligent_office.tools.base import ToolRegistry
from intelligent_office.tools.builtin import builtin_tools
from intelligent_office.tools.policy import Policy, default_policy

# The Office loop (activities, brains, memory, learning) loads when a task first needs it,
# the agent kit when an agent workflow does: an Office that runs only tasks stays without
# the kit, one that runs only agent workflows without the loop.
if TYPE_CHECKING:
    from pydantic import JsonValue
    from temporalio.client import Client as TemporalClient

    from intelligent_office.activities import OfficeActivities
    from intelligent_office.agentkit.models import AgentModel
    from intelligent_office.agentkit.workflow import Workflow
    from intelligent_office.agentkit.workflow_run import RunBook, SystemStatus, WorkflowRun
    from intelligent_office.agentkit.workflow_runner import WorkflowRunner
    from intelligent_office.learning.advisor import PlanAdvisor
    from intelligent_office.llm import Brain
    from intelligent_office.memory.embeddings import Embedder
    from intelligent_office.memory.office_memory import OfficeMemory
    from intelligent_office.models import Task
    from intelligent_office.risk import RiskModel
    from intelligent_office.runtime.base import Runtime
    from intelligent_office.runtime.worker import LocalWorker, RunListener
    from intelligent_office.runtime.workflow import WorkflowDef, WorkflowRegistry
    from intelligent_office.task_outcome import TaskOutcome
    from intelligent_office.tools.mcp.toolset import MCPToolset

__all__ = ["Office"]


class Office:
    """Tasks and agent workflows over one store: run, submit, approve, retry, report."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: Store | None = None,
        *,
        brain: Brain | None = None,
        model: AgentModel | None = None,
        tools: ToolRegistry | None = None,
        agent_tools: ToolRegistry | None = None,
        policy: Policy | None = None,
        mcp: MCPToolset | None = None,
        memory: OfficeMemory | None = None,
        telemetry: Telemetry | None = None,
        advisor: PlanAdvisor | None = None,
        root: Path | None = None,
        workspace: Path | None = None,
        user_id: str | None = None,
    ) -> None:
        """An Office over `store`, as `settings` say; the parts not given are the offline ones.

        With no `settings`, a throwaway Office: default settings whose home is a new
        temporary directory (removed by `close()`, or at exit) holding a private database;
        nothing is written to OFFICE_HOME. With no `store`, the database the settings name
        is opened here (and closed by `close()`). `Office.from_settings` builds the parts
        the settings configure (models, memory, MCP servers, the tool policy); here they are:

        Args:
            settings: limits, timeouts, sign-off and risk rules, the database.
            store: the database, already open.
            brain: decomposes, plans and reviews tasks (the offline brain when None).
            model: answers agents (the labelled offline fallback when None).
            tools: what tasks' steps may call (the built-in tools when None).
            agent_tools: what agents may call (`tools` when None, else the built-in tools).
            policy: the tool policy of both (the shipped default when None).
            mcp: MCP servers whose tools are in `tools`.
            memory: plan memory and documents (None: the Office remembers nothing).
            telemetry: where spans and metrics go (none exported or counted when None).
            advisor: learned planner guidance (None: built from the store).
            root: where agents' `sources` resolve (the current directory when None).
            workspace: where agents' tools work (the current directory when None; a
                workflow's own wins).
            user_id: whose runs these are (the login name when None): the tenant the API
                and the UI show them to.
        """
        self._throwaway: ThrowawayHome | None = None
        if settings is None:
            self._throwaway = ThrowawayHome()
            settings = Settings(
                home=self._throwaway.directory, database_url=self._throwaway.database_url
            )
            if store is None:
                self._throwaway.create_database()
        self._owns_store = store is None
        self.settings = settings
        self.store = store if store is not None else open_store(settings)
        self._brain = brain
        self.mcp = mcp
        """The configured MCP servers, whose tools are in `tools`."""
        self.memory = memory
        """Plan memory and documents; None: the Office remembers nothing."""
        self.telemetry = telemetry if telemetry is not None else Telemetry()
        """Where spans and metrics of this Office's runs go."""
        self.advisor = advisor
        """Learned guidance and prompt versions for the planner; None: built from the store."""
        self.user_id = user_id
        self._tools = tools
        self._policy = policy if policy is not None else default_policy()
        # The agent workflow runner's parts, until it is built (`workflow_runner`).
        self._model = model
        self._agent_tools = agent_tools if agent_tools is not None else tools
        self._root = root
        self._workspace = workspace
        self._runner: WorkflowRunner | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        store: Store | None = None,
        *,
        memory_embedder: Embedder | None = None,
        telemetry: Telemetry | None = None,
        root: Path | None = None,
        user_id: str | None = None,
    ) -> Office:
        """The Office the settings describe: models when a tier has one, else offline.

        `store` is the settings' database already open (else it is opened here, and closed
        by `close()`). `memory_embedder` replaces the embedder the memory settings name (a
        model already loaded by the caller, e.g. shared by several Offices in one process).
        `telemetry` receives spans and metrics (default: none exported, nothing counted).

        Raises:
            ConfigError: a provider's key is missing from the environment.
        """
        opened = store is None
        store = store if store is not None else open_store(settings)
        telemetry = telemetry if telemetry is not None else Telemetry()
        try:
            parts = configured_parts(settings, store, telemetry, memory_embedder)
            office = cls(
                settings,
                store,
                brain=parts.brain,
                model=parts.model,
                tools=parts.tools,
                agent_tools=parts.agent_tools,
                policy=parts.policy,
                mcp=parts.mcp,
                memory=parts.memory,
                telemetry=telemetry,
                root=root,
                user_id=user_id,
            )
        except BaseException:
            if opened:
                store.close()
            raise
        office._owns_store = opened
        return office

    # -- the parts ---------------------------------------------------------------------

    @property
    def brain(self) -> Brain:
        """Decomposes, plans and reviews tasks: the offline brain unless given another."""
        if self._brain is None:
            from intelligent_office.llm import OfflineBrain

            self._brain = OfflineBrain()
        return self._brain

    @property
    def tools(self) -> ToolRegistry:
        """What tasks' steps may call: the built-in tools unless the Office was given others."""
        if self._tools is None:
            self._tools = builtin_tools()
        return self._tools

    @property
    def policy(self) -> Policy:
        """The tool policy every call goes through."""
        return self._policy

    @property
    def workflow_runner(self) -> WorkflowRunner:
        """Runs agent workflows: the Office's model, tools and policy (hosted by its workers).

        Built on first use, with the agent kit: a task's run needs neither.
        """
        if self._runner is None:
            from intelligent_office.agentkit.workflow_run import RunBook
            from intelligent_office.agentkit.workflow_runner import WorkflowRunner

            self._runner = WorkflowRunner(
                self._model,
                root=self._root,
                tools=self._agent_tools,
                policy=self._policy,
                workspace=self._workspace,
                book=RunBook(),
            )
        return self._runner

    @property
    def _book(self) -> RunBook:
        """Agent workflow runs this Office made, by id, as they go and once ended."""
        book = self.workflow_runner.book
        assert book is not None  # the runner is built with one
        return book

    @property
    def model(self) -> AgentModel:
        """What answers agents: the router's model, a pydantic-ai model or the offline fallback."""
        return self.workflow_runner.model

    def activities(self) -> OfficeActivities:
        """The Office loop's activities, recording into the store (and into memory, if any)."""
        from intelligent_office.activities import OfficeActivities, StoreRecords
        from intelligent_office.learning.advisor import PlanAdvisor
        from intelligent_office.memory.base import NoMemory

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
        from intelligent_office.risk import RiskModel, RiskWeights

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
        """Every workflow a worker of this Office can run or resume: Office tasks, YAML
        graph workflows and agent workflows."""
        from intelligent_office.office import office_workflow
        from intelligent_office.runtime.workflow import WorkflowRegistry

        registry = WorkflowRegistry([office_workflow(self.activities())])
        # Loaded when a run of theirs is first run or resumed: a task's run needs neither.
        registry.defer(RunKind.GRAPH.workflow, _graph_workflow)
        registry.defer(RunKind.AGENTS.workflow, self._agent_workflow)
        return registry

    def _agent_workflow(self) -> WorkflowDef[Any, Any]:
        from intelligent_office.agentkit.durable import agent_workflow

        return agent_workflow(self.workflow_runner)

    # -- tasks -------------------------------------------------------------------------

    def worker(self, listener: RunListener | None = None) -> LocalWorker:
        """A local worker on the store."""
        from intelligent_office.runtime.worker import LocalWorker

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
        from intelligent_office.models import Task
        from intelligent_office.office import OFFICE_WORKFLOW, OfficeInput

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

    async def run_task(
        self,
        task: str | Task,
        *,
        workspace: Path | None = None,
        user_id: str | None = None,
        listener: RunListener | None = None,
    ) -> TaskOutcome:
        """Submit a task and run it to its end on the local runtime, in this process.

        `task` is a description (a task in `workspace`, the current directory when None,
        for `user_id`, else the Office's user, else the login name) or a Task (`new_task`
        builds one with every option). A step that needs approval waits for a decision
        (`decide_approval` from another coroutine, `office approve`, the web UI) up to
        the settings' approval timeout. `listener` hears every event as it happens.

        Raises:
            UserError: a bad description or workspace, or one holding the Office's own files.
        """
        from intelligent_office.task_input import new_task
        from intelligent_office.task_outcome import TaskOutcome

        if isinstance(task, str):
            task = new_task(
                task, workspace=workspace or Path.cwd(), user_id=user_id or self.user_id
            )
        # The tools must never see the database or the settings file.
        refuse_state_files(self.settings, Path(str(task.context.get("workspace", "."))))
        worker = self.worker(listener)
        record, run = self.submit(worker, task)
        finished = await worker.run(run.run_id)
        return TaskOutcome.of(record.task_id, finished)

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
        from pydantic import ValidationError

        from intelligent_office.models import Task

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
        from intelligent_office.approval_decisions import decide

        return decide(self.store, approval_id, decision, by=by, comment=comment, edits=edits)

    # -- agent workflows ---------------------------------------------------------------

    async def run_workflow(
        self,
        workflow: Workflow,
        *,
        input: str | None = None,
        root: Path | None = None,
        user_id: str | None = None,
        runtime: Runtime | None = None,
        temporal: TemporalClient | None = None,
        task_queue: str | None = None,
    ) -> WorkflowRun:
        """Run `workflow` to the end and return its run (also kept for `workflow_status`).

        The run is stored as a task of kind agent workflow with its events, on the local
        runtime (every agent call journaled, `office resume` goes on after a crash).

        Args:
            workflow: what to run.
            input: replaces the workflow's `input` for this run.
            root: where its agents' `sources` resolve (the Office's root when None).
            user_id: whose run it is (the Office's user, else the login name, when None).
            runtime: run on this runtime instead, not stored by the Office (e.g. a
                worker's run handle, or an `InlineRuntime` for no journal at all).
            temporal: a connected Temporal client: the run goes to a Temporal worker that
                serves `task_queue` and hosts agent workflows (`office worker --runtime
                temporal`), each agent call an activity; a worker with a store stores the
                run as this user's; needs the `temporal` extra.
            task_queue: the Temporal task queue (default: the Office's).
        """
        from intelligent_office.agentkit.durable import run_stored

        if temporal is not None:
            from intelligent_office.agentkit.temporal import run_agent_workflow
            from intelligent_office.runtime.temporal.messages import DEFAULT_TASK_QUEUE

            run = await run_agent_workflow(
                temporal,
                workflow,
                input=input,
                task_queue=task_queue or DEFAULT_TASK_QUEUE,
                user_id=user_id or self.user_id,
            )
            self._book.finish(run)
            return run
        if runtime is not None:
            return await self.workflow_runner.run(workflow, input=input, runtime=runtime, root=root)
        run = await run_stored(
            self.workflow_runner,
            self.store,
            workflow,
            input=input,
            root=root,
            user_id=user_id or self.user_id or getpass.getuser(),
            lease_seconds=self.settings.lease_seconds,
            telemetry=self.telemetry,
        )
        self._book.finish(run)  # the stored copy from now on: what `workflow_status` returns
        return run

    def workflow_status(self, run_id: str) -> WorkflowRun:
        """The agent workflow run `run_id` as it is now (it may still be running).

        A run this Office made, or any agent workflow run in its store.

        Raises:
            UserError: no agent workflow run has that id.
        """
        from intelligent_office.agentkit.durable import stored_workflow_run

        run = self._book.get(run_id)
        if run is not None:
            return run
        stored = self.store.runs.get(run_id)
        if stored is None or stored.workflow != RunKind.AGENTS.workflow:
            raise UserError(f"no workflow run {run_id!r}: use an id run_workflow returned")
        return stored_workflow_run(stored)

    def system_status(self) -> SystemStatus:
        """Over the agent workflows this Office ran: workflows and agents by state; calls,
        tokens, cost and mean agent time."""
        return self._book.status()

    # -- closing -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the store if this Office opened it; a throwaway Office's files are deleted."""
        if self._owns_store:
            self.store.close()
        if self._throwaway is not None:
            self._throwaway.remove()

    async def aclose(self) -> None:
        """Stop the MCP servers' sessions, then `close()`."""
        if self.mcp is not None:
            await self.mcp.aclose()
        self.close()

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    async def __aenter__(self) -> Office:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


def _graph_workflow() -> WorkflowDef[Any, Any]:
    from intelligent_office.workflows.graph_workflow import run_spec

    return run_spec
