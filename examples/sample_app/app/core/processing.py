"""Cleaning order records and totalling them per customer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation


@dataclass
class Summary:
    """Totals per customer, and the rows that could not be used."""

    totals: dict[str, Decimal] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)


def process_data(records: list[dict[str, str]]) -> Summary:
    """Total the amounts per customer; rows with a bad amount are rejected."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    summary = Summary()
    for record in records:
        amount = _parse_amount(record["amount"])
        if amount is None:
            summary.rejected.append(record["order_id"])
            continue
        totals[_normalize_customer(record["customer"])] += amount
    summary.totals = dict(totals)
    return summary


def _parse_amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _normalize_customer(name: str) -> str:
    return " ".join(name.split()).title()
