"""What running a graph produced: each node's status and output, and the graph's verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel

__all__ = ["GraphResult", "GraphStatus", "NodeResult", "NodeStatus"]


class NodeStatus(StrEnum):
    """Where a node is in its life; completed, failed, skipped and cancelled are final."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class GraphStatus(StrEnum):
    """The verdict on a whole run: completed, partial (some nodes failed or skipped) or failed."""

    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"


@dataclass(slots=True)
class NodeResult:
    """One node's outcome.

    Attributes:
        node_id: the node this is about.
        status: where the node ended up.
        output: the activity's output when completed.
        error: `ErrorType: message` of the last attempt when failed.
        retryable: whether that last error was transient (retries ran out) or permanent.
        attempts: how many attempts were started.
        skip_reason: why the node was skipped or cancelled, e.g. "dependency 'b' failed".
        by_condition: skipped by its own condition, or after a dependency that was: a
            branch not taken, which does not count against the run.
    """

    node_id: str
    status: NodeStatus = NodeStatus.PENDING
    output: BaseModel | None = None
    error: str | None = None
    retryable: bool | None = None
    attempts: int = 0
    skip_reason: str | None = None
    by_condition: bool = False


@dataclass(slots=True)
class GraphResult:
    """The outcome of `run_graph`.

    Attributes:
        status: completed, partial or failed.
        nodes: every node's result, in declaration order.
        completion_order: ids of the completed nodes, in the order they completed.
        failure_reason: why the graph failed, when it did.
    """

    status: GraphStatus
    nodes: dict[str, NodeResult]
    completion_order: list[str] = field(default_factory=list)
    failure_reason: str | None = None

    @property
    def succeeded(self) -> bool:
        """Whether every node completed."""
        return self.status is GraphStatus.COMPLETED

    @property
    def outputs(self) -> dict[str, BaseModel]:
        """The output of every completed node, by id."""
        return {
            node_id: result.output
            for node_id, result in self.nodes.items()
            if result.output is not None
        }

    @property
    def failed_nodes(self) -> list[str]:
        """Ids of the nodes that failed, in declaration order."""
        return self._with_status(NodeStatus.FAILED)

    @property
    def skipped_nodes(self) -> list[str]:
        """Ids of the nodes that were skipped, in declaration order."""
        return self._with_status(NodeStatus.SKIPPED)

    @property
    def cancelled_nodes(self) -> list[str]:
        """Ids of the nodes cancelled while running, in declaration order."""
        return self._with_status(NodeStatus.CANCELLED)

    def _with_status(self, status: NodeStatus) -> list[str]:
        return [node_id for node_id, result in self.nodes.items() if result.status is status]
