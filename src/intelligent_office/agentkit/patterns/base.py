"""What every pattern shares: its outcome, verdict parsing and running a few nodes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from intelligent_office.agentkit.runner import AgentOutput, PromptBuilder
from intelligent_office.engine import FailureMode, Graph, GraphResult, Node, NodeResult, run_graph
from intelligent_office.runtime.base import Runtime

__all__ = ["PatternOutcome", "Verdict", "fixed", "output_of", "run_nodes"]


@dataclass
class PatternOutcome:
    """What a pattern produced.

    Attributes:
        output: the final answer, when there is one.
        results: (agent name, node result) for every node run, in order.
        notes: what happened on the way, e.g. a gate's rejection, the vote's counts.
        failure: why the pattern did not finish, when it did not.
        partial: finished, but not as asked (a gate or critic never approved, a worker failed).
    """

    output: str | None = None
    results: list[tuple[str, NodeResult]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failure: str | None = None
    partial: bool = False

    def add(self, agents: Mapping[str, str], result: GraphResult) -> None:
        """Record a graph's node results; `agents` maps node id to agent name."""
        for node_id, node_result in result.nodes.items():
            self.results.append((agents[node_id], node_result))


@dataclass(frozen=True, slots=True)
class Verdict:
    """A gate's or critic's reply: approved, or the feedback to act on."""

    approved: bool
    feedback: str

    @classmethod
    def parse(cls, text: str) -> Verdict:
        """APPROVE / PASS / LGTM at the start approves; anything else is feedback."""
        head = text.lstrip().upper()
        if head.startswith(("APPROVE", "PASS", "LGTM")):
            return cls(True, "")
        feedback = text.strip()
        for word in ("REVISE", "FAIL", "REJECT"):
            if feedback.upper().startswith(word):
                feedback = feedback[len(word) :].lstrip(" :-\n")
        return cls(False, feedback or text.strip())


def fixed(text: str) -> PromptBuilder:
    """A prompt that does not depend on other nodes."""
    return lambda _outputs: text


def output_of(result: GraphResult, node_id: str) -> AgentOutput:
    """The agent output of a completed node."""
    output = result.nodes[node_id].output
    assert isinstance(output, AgentOutput)
    return output


async def run_nodes(
    runtime: Runtime,
    nodes: Iterable[Node],
    *,
    prefix: str,
    max_parallel: int,
    failure_mode: FailureMode = "fail_fast",
) -> GraphResult:
    """Run nodes as one engine graph under the key prefix `prefix`."""
    return await run_graph(
        Graph(nodes),
        runtime,
        max_parallel=max_parallel,
        failure_mode=failure_mode,
        key_prefix=prefix,
    )
