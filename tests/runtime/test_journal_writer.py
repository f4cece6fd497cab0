"""The journal writer's group commit on SQLite: quick steps finishing together share one
transaction, and each is durable when its `record` returns."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from intelligent_office.runtime.journal_writer import JournalWriter
from intelligent_office.store import JournalEntry, Store
from intelligent_office.store.tables import JournalRow


async def test_steps_finishing_in_one_loop_turn_share_one_commit(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    writer = JournalWriter(store)
    try:
        store.tasks.create(task_id="t", user_id="u", description="d")
        store.runs.create(run_id="r", task_id="t", workflow="w", input={})
        durable: list[bool] = []

        async def step(index: int) -> None:
            entry = JournalEntry(key=f"k{index}", activity="a", ok=True, output={"i": index})
            await writer.record("r", None, 30.0, entry)
            durable.append(f"k{index}" in store.journal.load("r"))

        await asyncio.gather(*(step(index) for index in range(50)))
        assert durable == [True] * 50
        with store.engine.connect() as connection:
            stamps = set(connection.scalars(select(JournalRow.recorded_at)))
        assert len(stamps) == 1  # one transaction: every row has its commit's time
        await step(50)  # a step alone still commits at once
        assert durable[-1]
    finally:
        writer.close()
        store.close()
