"""A Telemetry that counts builds its Prometheus registry at the first count; one that does
not (the default: a library's, a CLI command's) never builds it."""

from __future__ import annotations

import pytest

from intelligent_office.observability.telemetry import LLMCallFacts, Telemetry

_CALL = LLMCallFacts(
    tier="fast",
    agent="planner",
    provider="offline",
    model="rules",
    input_tokens=3,
    output_tokens=5,
    cost_usd=0.0,
    duration_seconds=0.01,
    waited_seconds=0.0,
    cache_hit=False,
)


def test_counting_telemetry_counts_in_its_registry() -> None:
    telemetry = Telemetry(counting=True)
    with telemetry.tool_call("calculate"):
        pass
    telemetry.llm_call(_CALL)
    registry = telemetry.metrics.registry
    assert (
        registry.get_sample_value("office_tool_calls_total", {"tool": "calculate", "outcome": "ok"})
        == 1
    )
    labels = {"model": "offline:rules", "tier": "fast", "direction": "output"}
    assert registry.get_sample_value("office_llm_tokens_total", labels) == 5


def test_telemetry_that_does_not_count_builds_no_registry() -> None:
    telemetry = Telemetry()
    with pytest.raises(ValueError), telemetry.tool_call("calculate"):
        raise ValueError("the tool failed")
    telemetry.llm_call(_CALL)
    telemetry.run_trace(task_id="t", run_id="r", workflow="office").finish("completed")
    assert telemetry._metrics is None
    # Asked for, the registry exists (empty): nothing was counted in it.
    names = telemetry.metrics.names()
    assert "office_tool_calls_total" in names
    assert (
        telemetry.metrics.registry.get_sample_value(
            "office_tool_calls_total", {"tool": "calculate", "outcome": "error"}
        )
        is None
    )
