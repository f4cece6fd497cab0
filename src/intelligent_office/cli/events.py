"""The latest events of a task or run, as a table (`office show`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.table import Table

from intelligent_office.models import Event

__all__ = ["events_table"]


def events_table(stream: Sequence[Event], last: int) -> Table:
    """The `last` events of `stream`, oldest first, with the total in the title."""
    table = Table(title=f"latest events ({len(stream)} in all)")
    for column in ("seq", "time", "type", "payload"):
        table.add_column(column)
    for event in stream[-last:] if last else []:
        table.add_row(
            str(event.seq),
            f"{event.time:%H:%M:%S.%f}"[:-3],
            event.type,
            json.dumps(event.payload, default=str)[:90],
        )
    return table
