"""Evals: how often the Office gets a task right, checked against the workspace itself."""

from intelligent_office.evals.checks import CheckResult, Outcome, run_checks
from intelligent_office.evals.html_report import render_html
from intelligent_office.evals.results import CaseResult, Comparison, EvalReport, compare
from intelligent_office.evals.runner import EvalRunner, brain_label
from intelligent_office.evals.suite import EvalCase, Suite, load_suite

__all__ = [
    "CaseResult",
    "CheckResult",
    "Comparison",
    "EvalCase",
    "EvalReport",
    "EvalRunner",
    "Outcome",
    "Suite",
    "brain_label",
    "compare",
    "load_suite",
    "render_html",
    "run_checks",
]
