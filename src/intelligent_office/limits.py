"""Upper bounds on the work a file or a flag may ask for, in one place.

Settings, YAML workflows, agent workflows and CLI options validate against these, so a
typo (`max_attempts: 1000000000`, `seconds: 1e308`) is refused with one line naming the
field and the bound instead of running for ever. NaN and infinities are refused too.
The README's "Limits" table lists them; change both together.
"""

from __future__ import annotations

__all__ = [
    "MAX_APPROVAL_TIMEOUT_SECONDS",
    "MAX_ATTEMPTS",
    "MAX_CONCURRENCY",
    "MAX_LEASE_SECONDS",
    "MAX_LIST_LIMIT",
    "MAX_REQUEST_TIMEOUT_SECONDS",
    "MAX_RETRY_DELAY_SECONDS",
    "MAX_RETRY_MULTIPLIER",
    "MAX_SLEEP_SECONDS",
    "MAX_STATS_DAYS",
    "MAX_TIMEOUT_SECONDS",
    "MAX_WORKFLOW_AGENTS",
    "MAX_WORKFLOW_NODES",
]

DAY = 86_400.0

MAX_ATTEMPTS = 100
"""Attempts of one node or activity, retries included (`retry.max_attempts`)."""

MAX_RETRY_DELAY_SECONDS = 3_600.0
"""The longest wait between two attempts (`retry.delay_seconds`, `retry.max_delay_seconds`)."""

MAX_RETRY_MULTIPLIER = 10.0
"""The fastest growth of an exponential retry delay (`retry.multiplier`)."""

MAX_SLEEP_SECONDS = DAY
"""The longest `sleep` node of a YAML workflow (`params.seconds`)."""

MAX_TIMEOUT_SECONDS = DAY
"""The longest per-attempt timeout of a workflow node or an agent (`timeout`)."""

MAX_REQUEST_TIMEOUT_SECONDS = 3_600.0
"""The longest timeout of one outgoing request (model, embedder, MCP server, webhook)."""

MAX_WORKFLOW_NODES = 1_000
"""Nodes in one YAML workflow."""

MAX_WORKFLOW_AGENTS = 100
"""Agents in one agent workflow."""

MAX_CONCURRENCY = 1_000
"""Any `max_parallel*` or `max_concurrent*` setting: things done at once."""

MAX_LEASE_SECONDS = 3_600.0
"""How long a crashed worker's runs wait before another worker takes them over."""

MAX_APPROVAL_TIMEOUT_SECONDS = 30 * DAY
"""How long a task may wait for a human decision."""

MAX_LIST_LIMIT = 10_000
"""Rows one CLI listing (`--limit`, `--events`, `--top`) may ask for."""

MAX_STATS_DAYS = 36_500.0
"""The widest window of `office stats --days` (a hundred years)."""
