"""Entry point: `python -m app.main [orders.csv] [--top N]`."""

from __future__ import annotations

import sys

from app.config import parse_args
from app.pipeline import Pipeline
from app.report import format_report


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline on the orders file and print the report."""
    config = parse_args(argv)
    pipeline = Pipeline(config)
    summary = pipeline.run()
    print(format_report(summary, top=config.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
