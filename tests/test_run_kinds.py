"""The kinds' workflow names are the names the workflows register under."""

from intelligent_office.agentkit.durable import AGENT_WORKFLOW
from intelligent_office.office import OFFICE_WORKFLOW
from intelligent_office.run_kinds import RunKind, run_kind
from intelligent_office.workflows.graph_workflow import WORKFLOW_NAME


def test_each_kind_names_its_registered_workflow() -> None:
    assert RunKind.TASK.workflow == OFFICE_WORKFLOW
    assert RunKind.GRAPH.workflow == WORKFLOW_NAME
    assert RunKind.AGENTS.workflow == AGENT_WORKFLOW
    assert [run_kind(kind.workflow) for kind in RunKind] == list(RunKind)
