"""The four agent patterns (and the plain DAG), each built on the engine's graphs."""

from intelligent_office.agentkit.patterns.base import PatternOutcome, Verdict
from intelligent_office.agentkit.patterns.dag import run_dag
from intelligent_office.agentkit.patterns.parallel import run_parallel, vote
from intelligent_office.agentkit.patterns.pipeline import run_pipeline
from intelligent_office.agentkit.patterns.reflective import run_reflective
from intelligent_office.agentkit.patterns.supervisor import assign, run_supervisor

__all__ = [
    "PatternOutcome",
    "Verdict",
    "assign",
    "run_dag",
    "run_parallel",
    "run_pipeline",
    "run_reflective",
    "run_supervisor",
    "vote",
]
