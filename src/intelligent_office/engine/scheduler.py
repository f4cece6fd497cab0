"""The scheduler: runs a graph's nodes through the runtime, as soon as each one is ready.

This is deterministic workflow code (ARCHITECTURE.md rule 1): it reads no clock, draws
no random numbers and does no I/O. Every effect goes through the runtime under a stable
key built from the graph's structure:

    {prefix}node/{id}/attempt/{n}            the n-th attempt's activity call
    {prefix}node/{id}/attempt/{n}/backoff    the sleep before attempt n + 1
    {prefix}node/{id}/attempt/{n}/started    events, keyed so a replay records them once

A node starts when its own dependencies have completed (not when its level has), within
`max_parallel` running nodes; among ready nodes higher priority goes first, then
declaration order.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Awaitable
from typing import Literal

from pydantic import BaseModel, JsonValue

from intelligent_office.engine.graph import Graph, Node
from intelligent_office.engine.result import GraphResult, GraphStatus, NodeResult, NodeStatus
from intelligent_office.errors import ActivityError, UserError
from intelligent_office.runtime.base import Runtime

__all__ = ["FailureMode", "run_graph"]

FailureMode = Literal["fail_fast", "continue"]
"""fail_fast: the first failed node stops the graph. continue: run what still can run."""

DEFAULT_MAX_PARALLEL = 10


async def run_graph(
    graph: Graph,
    runtime: Runtime,
    *,
    max_parallel: int = DEFAULT_MAX_PARALLEL,
    failure_mode: FailureMode = "fail_fast",
    key_prefix: str = "",
) -> GraphResult:
    """Run every node of `graph` through `runtime` and report what happened.

    Args:
        graph: the validated DAG to run.
        runtime: where activities, sleeps and events go.
        max_parallel: how many nodes may run at once.
        failure_mode: "fail_fast" cancels running nodes and skips the rest at the first
            failed node; "continue" skips only the failed node's dependents, and fails the
            graph if a critical node failed or more than half of the nodes failed.
        key_prefix: prepended to every key, e.g. "subtask/s2/", so that one run can hold
            several graphs.

    Raises:
        UserError: `max_parallel` or `failure_mode` is invalid.
    """
    if max_parallel < 1:
        raise UserError(f"max_parallel must be at least 1, got {max_parallel}")
    if failure_mode not in ("fail_fast", "continue"):
        raise UserError(f"failure_mode must be 'fail_fast' or 'continue', got {failure_mode!r}")
    return await _GraphRun(graph, runtime, max_parallel, failure_mode, key_prefix).run()


class _GraphRun:
    """The state of one `run_graph` call."""

    def __init__(
        self,
        graph: Graph,
        runtime: Runtime,
        max_parallel: int,
        failure_mode: FailureMode,
        key_prefix: str,
    ) -> None:
        self._graph = graph
        self._runtime = runtime
        self._max_parallel = max_parallel
        self._continue = failure_mode == "continue"
        self._prefix = key_prefix
        self._results = {node.id: NodeResult(node.id) for node in graph}
        self._outputs: dict[str, BaseModel] = {}
        self._completion_order: list[str] = []
        self._waiting = {node.id: len(node.dependencies) for node in graph}
        # Heap of (-priority, declaration index, id): highest priority, then earliest.
        self._ready: list[tuple[int, int, str]] = []
        self._running: dict[asyncio.Task[None], str] = {}
        self._finished: deque[asyncio.Task[None]] = deque()
        self._wakeup = asyncio.Event()
        self._stop_reason: str | None = None

    async def run(self) -> GraphResult:
        """Schedule until nothing is running and nothing is ready, then judge the run."""
        for node in self._graph:
            if not node.dependencies:
                self._make_ready(node)
        try:
            while True:
                self._start_ready()
                if not self._running:
                    break
                await self._wakeup.wait()
                self._wakeup.clear()
                while self._finished and self._stop_reason is None:
                    await self._settle(self._finished.popleft())
                if self._stop_reason is not None:
                    await self._stop(self._stop_reason)
                    break
        finally:
            # Only non-empty when run() itself was cancelled or a node raised unexpectedly.
            await self._cancel_running()
        return self._verdict()

    def _make_ready(self, node: Node) -> None:
        heapq.heappush(self._ready, (-node.priority, self._graph.index(node.id), node.id))

    def _start_ready(self) -> None:
        while self._ready and len(self._running) < self._max_parallel:
            node_id = heapq.heappop(self._ready)[2]
            result = self._results[node_id]
            if result.status is not NodeStatus.PENDING:
                continue
            result.status = NodeStatus.RUNNING
            task = asyncio.create_task(self._run_node(self._graph[node_id]), name=node_id)
            self._running[task] = node_id
            task.add_done_callback(self._on_done)

    def _on_done(self, task: asyncio.Task[None]) -> None:
        self._finished.append(task)
        self._wakeup.set()

    async def _settle(self, task: asyncio.Task[None]) -> None:
        """Act on a finished node: release its dependents, or handle its failure."""
        node_id = self._running.pop(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error  # not a node failure (those are in the result): e.g. a lost lease
        result = self._results[node_id]
        if result.status is NodeStatus.COMPLETED:
            for dependent in self._graph.dependents[node_id]:
                self._waiting[dependent] -= 1
                if self._waiting[dependent] == 0:
                    self._make_ready(self._graph[dependent])
        elif result.status is NodeStatus.FAILED:
            if self._continue:
                await self._skip_dependents(node_id)
            else:
                self._stop_reason = f"node '{node_id}' failed: {result.error}"
        elif result.status is NodeStatus.SKIPPED and result.by_condition:
            await self._after_condition_skip(node_id)

    async def _after_condition_skip(self, skipped_id: str) -> None:
        """A branch not taken: its dependents skip too, unless they run after skips."""
        released: deque[str] = deque([skipped_id])
        while released:
            node_id = released.popleft()
            for dependent in self._graph.dependents[node_id]:
                if self._results[dependent].status is not NodeStatus.PENDING:
                    continue
                if self._graph[dependent].run_after_skipped:
                    self._waiting[dependent] -= 1
                    if self._waiting[dependent] == 0:
                        self._make_ready(self._graph[dependent])
                    continue
                await self._skip(dependent, f"dependency '{node_id}' was skipped")
                self._results[dependent].by_condition = True
                released.append(dependent)

    async def _run_node(self, node: Node) -> None:
        """Run one node's attempts, retrying retryable errors as its policy allows."""
        result = self._results[node.id]
        base = f"{self._prefix}node/{node.id}"
        if node.condition is not None and await self._skipped_by_condition(node, base):
            return
        value = await self._input_for(node, base)
        if value is None:
            return
        attempt = 0
        while True:
            attempt += 1
            result.attempts = attempt
            key = f"{base}/attempt/{attempt}"
            await self._emit("node.started", key, node_id=node.id, attempt=attempt)
            try:
                output = await self._runtime.activity(
                    key, node.activity, value, timeout_seconds=node.timeout_seconds
                )
            except ActivityError as error:
                message = f"{error.error_type}: {error.detail}"
                if not (error.retryable and node.retry.allows_retry(attempt)):
                    await self._fail(node, base, message, retryable=error.retryable)
                    return
                delay = node.retry.delay(attempt, base)
                await self._emit(
                    "node.retrying",
                    key,
                    node_id=node.id,
                    attempt=attempt,
                    delay_seconds=delay,
                    error=message,
                )
                if delay > 0:
                    await self._runtime.sleep(f"{key}/backoff", delay)
                continue
            result.output = output
            result.status = NodeStatus.COMPLETED
            self._outputs[node.id] = output
            self._completion_order.append(node.id)
            await self._emit("node.completed", key, node_id=node.id, attempt=attempt)
            return

    async def _skipped_by_condition(self, node: Node, base: str) -> bool:
        """Skip the node if its condition says so; a condition that raises fails it."""
        assert node.condition is not None
        try:
            reason = node.condition(self._results)
        except Exception as error:  # noqa: BLE001 - a broken condition fails its node
            message = f"the condition failed: {type(error).__name__}: {error}"
            await self._fail(node, base, message, retryable=False)
            return True
        if reason is None:
            return False
        await self._skip(node.id, reason)
        self._results[node.id].by_condition = True
        return True

    async def _input_for(self, node: Node, base: str) -> BaseModel | None:
        """The node's input, built from its dependencies' outputs if it is a callable.

        A callable that raises or returns the wrong type fails the node permanently.
        """
        if isinstance(node.input, BaseModel):
            return node.input
        try:
            value = node.input(
                {dep: self._outputs[dep] for dep in node.dependencies if dep in self._outputs}
            )
        except Exception as error:  # noqa: BLE001 - a broken input builder fails its node
            message = f"building the input failed: {type(error).__name__}: {error}"
        else:
            expected: type[BaseModel] = node.activity.input_type
            if isinstance(value, expected):
                return value
            message = (
                f"building the input failed: got {type(value).__name__}, "
                f"activity '{node.activity.name}' takes {expected.__name__}"
            )
        await self._fail(node, base, message, retryable=False)
        return None

    async def _fail(self, node: Node, base: str, message: str, *, retryable: bool) -> None:
        result = self._results[node.id]
        result.status = NodeStatus.FAILED
        result.error = message
        result.retryable = retryable
        await self._event(
            "node.failed",
            {
                "node_id": node.id,
                "attempts": result.attempts,
                "error": message,
                "retryable": retryable,
            },
            key=f"{base}/failed",
        )

    async def _skip_dependents(self, failed_id: str) -> None:
        """Skip everything downstream of a failed node, naming the dependency that blocked it."""
        blocked: deque[tuple[str, str]] = deque([(failed_id, "failed")])
        while blocked:
            node_id, outcome = blocked.popleft()
            for dependent in self._graph.dependents[node_id]:
                if self._results[dependent].status is NodeStatus.PENDING:
                    await self._skip(dependent, f"dependency '{node_id}' {outcome}")
                    blocked.append((dependent, "skipped"))

    async def _skip(self, node_id: str, reason: str) -> None:
        result = self._results[node_id]
        result.status = NodeStatus.SKIPPED
        result.skip_reason = reason
        await self._event(
            "node.skipped",
            {"node_id": node_id, "reason": reason},
            key=f"{self._prefix}node/{node_id}/skipped",
        )

    async def _stop(self, reason: str) -> None:
        """Fail fast: cancel the running nodes and skip every node that has not started."""
        stopped = list(self._running.values())
        await self._cancel_running()
        self._finished.clear()
        self._ready.clear()
        why = f"graph stopped: {reason}"
        for node_id in stopped:
            result = self._results[node_id]
            if result.status is NodeStatus.RUNNING:
                result.status = NodeStatus.CANCELLED
                result.skip_reason = why
                await self._event(
                    "node.cancelled",
                    {"node_id": node_id, "reason": why},
                    key=f"{self._prefix}node/{node_id}/cancelled",
                )
        for node_id, result in self._results.items():
            if result.status is NodeStatus.PENDING:
                await self._skip(node_id, why)

    async def _cancel_running(self) -> None:
        """Cancel every node task still held and wait for them; re-raise unexpected errors."""
        tasks = list(self._running)
        if not tasks:
            return
        self._running.clear()
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome

    # Plain functions handing back the runtime's own awaitable: two events per node, and a
    # coroutine per wrapper per event is work a fan-out of hundreds of nodes repeats.
    def _emit(self, event_type: str, key: str, **payload: JsonValue) -> Awaitable[None]:
        suffix = event_type.removeprefix("node.")
        return self._event(event_type, payload, key=f"{key}/{suffix}")

    def _event(
        self, event_type: str, payload: dict[str, JsonValue], *, key: str
    ) -> Awaitable[None]:
        """Emit a node event; with a key prefix, `scope` says which graph of the run it is."""
        if self._prefix:
            payload = {**payload, "scope": self._prefix.rstrip("/")}
        return self._runtime.emit(event_type, payload, key=key)

    def _not_done(self) -> list[str]:
        return [
            r.node_id
            for r in self._results.values()
            if r.status is NodeStatus.FAILED
            or (r.status is NodeStatus.SKIPPED and not r.by_condition)
        ]

    def _verdict(self) -> GraphResult:
        """Judge the run: see `run_graph` for the rules."""
        status, reason = GraphStatus.COMPLETED, self._stop_reason
        failed = [r.node_id for r in self._results.values() if r.status is NodeStatus.FAILED]
        critical = [node_id for node_id in failed if self._graph[node_id].critical]
        if reason is not None:
            status = GraphStatus.FAILED
        elif critical:
            status, reason = GraphStatus.FAILED, f"critical node '{critical[0]}' failed"
        elif 2 * len(not_done := self._not_done()) > len(self._graph):
            # A node skipped because its dependency failed did not get done either.
            status = GraphStatus.FAILED
            reason = (
                f"{len(not_done)} of {len(self._graph)} nodes failed or were skipped "
                f"(more than half): {len(failed)} failed"
            )
        elif any(
            r.status is not NodeStatus.COMPLETED and not r.by_condition
            for r in self._results.values()
        ):
            status = GraphStatus.PARTIAL
        return GraphResult(
            status=status,
            nodes=self._results,
            completion_order=self._completion_order,
            failure_reason=reason,
        )
