"""Stored records for tests that seed a store: an LLM call as billed, with its fields'
usual values, so that a test names only the fields it is about."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from intelligent_office.store import LLMCallRecord


def llm_call(**fields: Any) -> LLMCallRecord:
    """A planner call of task t1 that went well: 100 tokens in, 20 out, no cost."""
    usual = LLMCallRecord(
        call_id=uuid.uuid4().hex,
        task_id="t1",
        run_id=None,
        subtask_id="s1",
        agent="planner",
        tier="planner",
        provider="openai",
        model="gpt-4o-mini",
        prompt_id="plan",
        prompt_version=1,
        input_tokens=100,
        output_tokens=20,
        cost_usd=0.0,
        cache_hit=False,
        ok=True,
        error=None,
        duration_seconds=0.5,
        created_at=datetime.now(UTC),
    )
    return replace(usual, **fields)
