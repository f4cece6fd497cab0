"""Fakes for engine tests: activities that record what ran, and a runtime that records calls."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, JsonValue

from intelligent_office.engine import Node
from intelligent_office.runtime import Activity, InlineRuntime

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)


class Work(BaseModel):
    """Input of the fake activities: which node, and values handed down by dependencies."""

    node: str
    inputs: dict[str, int] = {}


class Done(BaseModel):
    """Output of the fake activities."""

    node: str
    value: int


# One entry per attempt: a latency in seconds, or an exception to raise at once.
Script = Sequence[float | BaseException]


class Recorder:
    """Builds fake activities that log `start x` / `end x` and count concurrency."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.calls: Counter[str] = Counter()
        self.running = 0
        self.max_running = 0

    def activity(
        self, name: str, *, latency: float = 0.0, value: int = 1, script: Script = ()
    ) -> Activity[Work, Done]:
        """An activity that follows `script` attempt by attempt, then sleeps `latency`."""

        async def run(work: Work) -> Done:
            attempt = self.calls[name]
            self.calls[name] += 1
            step = script[attempt] if attempt < len(script) else latency
            self.log.append(f"start {name}")
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            try:
                if isinstance(step, BaseException):
                    raise step
                await asyncio.sleep(step)
            finally:
                self.running -= 1
            self.log.append(f"end {name}")
            return Done(node=name, value=value + sum(work.inputs.values()))

        return Activity(name=name, fn=run, input_type=Work, output_type=Done)

    def node(
        self,
        node_id: str,
        *dependencies: str,
        latency: float = 0.0,
        value: int = 1,
        script: Script = (),
        **options: Any,
    ) -> Node:
        """A node running this recorder's activity named after the node."""
        return Node(
            node_id,
            self.activity(node_id, latency=latency, value=value, script=script),
            input=Work(node=node_id),
            dependencies=dependencies,
            **options,
        )

    def index(self, entry: str) -> int:
        """Where `entry` (e.g. "start b") appears in the log."""
        return self.log.index(entry)


class RecordingRuntime(InlineRuntime):
    """The inline runtime, recording activity keys and sleeps; sleeps return at once."""

    def __init__(self) -> None:
        super().__init__()
        self.activity_keys: list[str] = []
        self.sleeps: list[tuple[str, float]] = []

    async def activity(
        self,
        key: str,
        activity: Activity[InT, OutT],
        value: InT,
        *,
        timeout_seconds: float | None = None,
    ) -> OutT:
        self.activity_keys.append(key)
        return await super().activity(key, activity, value, timeout_seconds=timeout_seconds)

    async def sleep(self, key: str, seconds: float) -> None:
        self.sleeps.append((key, seconds))

    def of_type(self, event_type: str) -> list[dict[str, JsonValue]]:
        """Payloads of the recorded events of one type, in order."""
        return [payload for kind, payload in self.events if kind == event_type]


def sum_inputs(node_id: str) -> Any:
    """An input builder handing each dependency's `value` to the node."""

    def build(outputs: Mapping[str, BaseModel]) -> Work:
        values = {dep: output.value for dep, output in outputs.items() if isinstance(output, Done)}
        return Work(node=node_id, inputs=values)

    return build
