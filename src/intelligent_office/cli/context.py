"""What every command needs: settings, the store and a worker, built at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from intelligent_office.runtime.worker import LocalWorker, RunListener
from intelligent_office.runtime.workflow import WorkflowRegistry
from intelligent_office.settings import Settings, load_settings
from intelligent_office.store import Store
from intelligent_office.workflows.graph_workflow import run_spec

__all__ = ["AppContext", "default_registry"]


def default_registry() -> WorkflowRegistry:
    """Every workflow the local runtime can run or resume."""
    return WorkflowRegistry([run_spec])


@dataclass
class AppContext:
    """Settings and an open store."""

    settings: Settings
    store: Store

    @classmethod
    def open(cls, config_file: Path | None) -> AppContext:
        """Load settings and open (and migrate) the database."""
        settings = load_settings(config_file)
        store = Store.open(
            settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous
        )
        return cls(settings=settings, store=store)

    def worker(self, listener: RunListener | None = None) -> LocalWorker:
        """A local worker on this store."""
        return LocalWorker(
            self.store,
            default_registry(),
            max_concurrent_runs=self.settings.max_concurrent_runs,
            lease_seconds=self.settings.lease_seconds,
            listener=listener,
        )
