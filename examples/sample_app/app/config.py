"""Command-line options for one run."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "data" / "orders.csv"


@dataclass(frozen=True)
class Config:
    """Where the orders come from and how many customers the report lists."""

    source: Path
    top: int


def parse_args(argv: list[str] | None = None) -> Config:
    """Read the command line into a Config."""
    parser = argparse.ArgumentParser(prog="app", description="Summarise orders per customer.")
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--top", type=int, default=3, help="customers to list")
    options = parser.parse_args(argv)
    return Config(source=options.source, top=options.top)
