"""Reading order records from a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

REQUIRED_COLUMNS = ("order_id", "customer", "amount")


def load_records(source: Path) -> list[dict[str, str]]:
    """Every row of the CSV file as a dict; the required columns must be present."""
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        _check_columns(reader.fieldnames or [], source)
        return [dict(row) for row in reader]


def _check_columns(columns: list[str], source: Path) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ValueError(f"{source}: missing columns {', '.join(missing)}")
