"""YAML workflows: the file format, the node kinds, and the durable graph workflow."""

from intelligent_office.workflows.spec import (
    NODE_KINDS,
    NodeSpec,
    WorkflowSpec,
    load_workflow_file,
    parse_workflow,
)

__all__ = ["NODE_KINDS", "NodeSpec", "WorkflowSpec", "load_workflow_file", "parse_workflow"]
