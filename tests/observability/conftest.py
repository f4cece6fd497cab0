"""Telemetry with an in-memory span exporter, and an Office on a SQLite file of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from intelligent_office.front_door import Office
from intelligent_office.observability import Telemetry
from intelligent_office.settings import Settings, load_settings
from intelligent_office.store import Store, TaskRecord
from intelligent_office.task_input import new_task

SAMPLE_APP = Path(__file__).resolve().parents[2] / "examples" / "sample_app"
TRACE_TASK = "Trace the call sequence from main() to process_data() in " + str(SAMPLE_APP)


@dataclass
class Traced:
    """An Office whose spans land in `exporter`."""

    settings: Settings
    store: Store
    service: Office
    telemetry: Telemetry
    exporter: InMemorySpanExporter

    async def run(self, description: str = TRACE_TASK, workspace: Path = SAMPLE_APP) -> TaskRecord:
        """Submit a task, run it to the end on a local worker, return its stored record."""
        worker = self.service.worker()
        record, _ = self.service.submit(worker, new_task(description, workspace=workspace))
        await worker.run_until_idle()
        return self.store.tasks.get(record.task_id) or record

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        None, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'office.db'}"
    )


@pytest.fixture
def traced(settings: Settings) -> Iterator[Traced]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry = Telemetry.with_provider(provider)
    store = Store.open(settings.resolved_database_url)
    service = Office.from_settings(settings, store, telemetry=telemetry)
    try:
        yield Traced(settings, store, service, telemetry, exporter)
    finally:
        telemetry.shutdown()
        store.close()
