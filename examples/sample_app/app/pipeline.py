"""The pipeline: load the records, then run them through the processing stage."""

from __future__ import annotations

from app import loaders
from app.config import Config
from app.core import processing as proc


class Pipeline:
    """Loads orders from the configured source and summarises them."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def run(self) -> proc.Summary:
        """Load, then process."""
        records = loaders.load_records(self.config.source)
        return self._stage(records)

    def _stage(self, records: list[dict[str, str]]) -> proc.Summary:
        if not records:
            raise ValueError(f"no orders in {self.config.source}")
        return proc.process_data(records)
