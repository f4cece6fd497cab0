"""Upper bounds on the work a file or a flag may ask for, in one place.

Settings, YAML workflows, agent workflows and CLI options validate against these, so a
typo (`max_attempts: 1000000000`, `seconds: 1e308`) is refused with one line naming the
field and the bound instead of running for ever. NaN and infinities are refused too.
The README's "Limits" table lists them; change both together.

The CLI and the HTTP API share the limits on what a user sends (a task's description,
a request body) and on what an error quotes back, so a task one front door takes is
never refused by another, and no error answer echoes a megabyte of input.
"""

from __future__ import annotations

__all__ = [
    "MAX_APPROVAL_TIMEOUT_SECONDS",
    "MAX_ATTEMPTS",
    "MAX_CONCURRENCY",
    "MAX_ERROR_BYTES",
    "MAX_ERROR_EXCERPT_CHARS",
    "MAX_LEASE_SECONDS",
    "MAX_LIST_LIMIT",
    "MAX_REQUEST_TIMEOUT_SECONDS",
    "MAX_REQUEST_BODY_BYTES",
    "MAX_RETRY_DELAY_SECONDS",
    "MAX_RETRY_MULTIPLIER",
    "MAX_SLEEP_SECONDS",
    "MAX_STATS_DAYS",
    "MAX_TASK_DESCRIPTION_CHARS",
    "check_description",
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

MAX_TASK_DESCRIPTION_CHARS = 20_000
"""Characters in a task's description: `office run`, `office dlq retry --description`,
`POST /tasks`, `POST /dlq/{id}/retry`, the chat endpoint, the web UI's forms."""

MAX_REQUEST_BODY_BYTES = 512 * 1024
"""Bytes in one HTTP request body; a larger one is a 413, refused before it is read whole.

Room for the longest description written entirely as `\\uXXXX` escapes (12 bytes for a
character outside the BMP: 240,000 bytes) and a chat conversation around it."""

MAX_ERROR_EXCERPT_CHARS = 80
"""The most of a user's input an error message quotes back (then `...`)."""

MAX_ERROR_BYTES = 2_048
"""The largest error answer of the HTTP API, in bytes of JSON."""


def check_description(description: str, what: str = "bad task: the description") -> None:
    """Refuse a description past MAX_TASK_DESCRIPTION_CHARS, the limit every front door shares.

    Raises:
        UserError: naming its length and the limit.
    """
    if len(description) > MAX_TASK_DESCRIPTION_CHARS:
        # Here, not at the top: errors.py quotes text through safe_text, which reads a limit.
        from intelligent_office.errors import UserError

        raise UserError(
            f"{what} is {len(description):,} characters long, more than"
            f" the {MAX_TASK_DESCRIPTION_CHARS:,} allowed: shorten it, or put the material"
            " in a file in the workspace and name the file in the task"
        )
