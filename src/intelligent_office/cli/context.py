"""What every command needs: settings, the store and the Office over it, built at the edge."""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:  # loaded by the commands that open them, so `office --help` stays light
    from intelligent_office.front_door import Office
    from intelligent_office.memory.embeddings import Embedder
    from intelligent_office.runtime.worker import LocalWorker, RunListener
    from intelligent_office.settings import Settings
    from intelligent_office.store import Store

__all__ = ["AppContext", "ConfigOption", "console", "finite", "open_store", "quiet_logs"]

# Piped output is read by scripts and people alike: keep ids and rows whole.
console = Console(width=None if sys.stdout.isatty() else 160)
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="YAML settings file (else OFFICE_* variables).")
]


def finite(value: float | None) -> float | None:
    """Option callback: refuse NaN and infinities, which a Typer float range lets through."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a finite number")
    return value


@contextlib.contextmanager
def quiet_logs() -> Iterator[None]:
    """Only warnings and errors from the worker's log while a command shows its own progress.

    The worker's info lines (a run released on Ctrl-C, ...) are for a server's log; a
    command says what happened in its own words. The configuration is restored after,
    so a program (or a test) that runs commands in-process keeps its own.
    """
    import logging

    from intelligent_office.observability.plain_structlog import at_least

    with at_least(logging.WARNING):  # structlog loads only if something logs
        yield


def open_store(settings: Settings) -> Store:
    """The database the settings name, opened and migrated (the state directory made 0700)."""
    from intelligent_office.state_files import open_store as open_settings_store

    return open_settings_store(settings)


@dataclass
class AppContext:
    """Settings, an open store and the Office over them."""

    settings: Settings
    store: Store
    office: Office

    @classmethod
    def open(cls, config_file: Path | None) -> AppContext:
        """Load settings and open (and migrate) the database."""
        from intelligent_office.settings import load_settings

        return cls.from_settings(load_settings(config_file))

    @classmethod
    def from_settings(
        cls, settings: Settings, *, memory_embedder: Embedder | None = None
    ) -> AppContext:
        """Open (and migrate) the database these settings name, and the Office over it.

        `memory_embedder` replaces the embedder the memory settings name (one already
        loading, `early_embedder`).
        """
        if settings.sandbox.require_tier is not None:
            from intelligent_office.tools.sandbox.probe import probe_soon

            # The Office probes the sandbox when it is built (to refuse a weaker one):
            # start that now, in a thread, so its children run on the other core while
            # the Office's modules load. Without a required tier it waits for a snippet.
            probe_soon(settings.sandbox)
        from intelligent_office.front_door import Office
        from intelligent_office.observability.telemetry import Telemetry

        store = open_store(settings)
        # Spans go where the settings say (nowhere by default); flushed at exit by the provider.
        # A command's metrics would die with it unread: none are counted (`office serve`'s are).
        telemetry = Telemetry.from_settings(settings.observability, counting=False)
        office = Office.from_settings(
            settings, store, telemetry=telemetry, memory_embedder=memory_embedder
        )
        return cls(settings=settings, store=store, office=office)

    def worker(self, listener: RunListener | None = None) -> LocalWorker:
        """A local worker on this store that can run every workflow."""
        return self.office.worker(listener)
