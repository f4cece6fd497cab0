"""An answer as a model writes it: `answer.delta` events on the task, a few per second.

The reviewer writes a subtask's answer inside its JSON draft (`{"decision": ...,
"answer": "..."}`); the synthesizer writes the final answer as plain text. `AnswerStream`
takes the reply's text so far (the router's `on_text`), pulls out the answer (the JSON
field, read from partial JSON, or the whole text), and stores what is new as an
`answer.delta` event: `{"agent", "subtask_id", "attempt", "text"}`. A reply that is
re-asked starts a new `attempt`, so a reader can drop the text of a rejected one.
The chat front door and the task page show the deltas as they arrive.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

from pydantic_core import from_json

from intelligent_office.llm.budget import CallScope
from intelligent_office.store import Store

__all__ = ["ANSWER_DELTA", "AnswerStream"]

ANSWER_DELTA = "answer.delta"
_INTERVAL_SECONDS = 0.15
"""At most about this often a delta is stored: tokens come faster than anyone reads."""


def _json_field(name: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        try:
            value = from_json(text, allow_partial=True)
        except ValueError:
            return ""
        answer = value.get(name) if isinstance(value, dict) else None
        return answer if isinstance(answer, str) else ""

    return read


class AnswerStream:
    """Turns one role's streamed replies into `answer.delta` events on its task."""

    def __init__(
        self,
        store: Store,
        scope: CallScope,
        *,
        json_field: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.scope = scope
        self._answer_of: Callable[[str], str] = (
            _json_field(json_field) if json_field else lambda text: text
        )
        self._clock = clock
        self._stream_id = uuid.uuid4().hex[:12]
        self._attempt = 1
        self._sent = ""
        self._pending = ""
        self._last_write = 0.0
        self._count = 0

    async def __call__(self, text: str, final: bool) -> None:
        """The router's `on_text`: the reply's text so far; `final` when it is complete."""
        if self.scope.task_id is None:
            return
        answer = self._answer_of(text)
        known = self._sent + self._pending
        if answer.startswith(known):
            self._pending += answer[len(known) :]
        due = final or self._clock() - self._last_write >= _INTERVAL_SECONDS
        if self._pending and due:
            await self._write(self._pending)
            self._sent += self._pending
            self._pending = ""
        if final:  # the next reply, if any, is a re-ask: a new attempt from the start
            self._attempt += 1
            self._sent = self._pending = ""

    async def _write(self, delta: str) -> None:
        self._last_write = self._clock()
        self._count += 1
        task_id = self.scope.task_id
        assert task_id is not None
        await asyncio.to_thread(
            self.store.events.append,
            task_id=task_id,
            run_id=self.scope.run_id,
            type=ANSWER_DELTA,
            payload={
                "agent": self.scope.agent,
                "subtask_id": self.scope.subtask_id,
                "attempt": self._attempt,
                "text": delta,
            },
            dedup_key=f"answer/{self._stream_id}/{self._count}",
        )
