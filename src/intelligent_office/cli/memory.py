"""Memory commands: `office feedback`, `office ingest` and `office ask`."""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from intelligent_office.cli.context import ConfigOption, console, open_store

if TYPE_CHECKING:
    from intelligent_office.llm.router import LLMRouter
    from intelligent_office.memory.office_memory import OfficeMemory
    from intelligent_office.settings import Settings
    from intelligent_office.store import Store

__all__ = ["register"]

UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Whose memory (default: you, as `office run` records tasks)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def register(app: typer.Typer) -> None:
    """Add the memory commands to the app."""
    app.command("feedback")(feedback)
    app.command("ingest")(ingest)
    app.command("ask")(ask)


@dataclass
class _MemoryContext:
    """Settings, the store, memory and (with models configured) the router: no Office."""

    settings: Settings
    store: Store
    memory: OfficeMemory
    router: LLMRouter | None

    @classmethod
    def open(cls, config: Path | None) -> _MemoryContext:
        from intelligent_office.memory.office_memory import OfficeMemory
        from intelligent_office.settings import load_settings

        settings = load_settings(config)
        store = open_store(settings)
        # Works with memory.enabled false too: that switch is the Office loop's use of memory.
        memory = OfficeMemory.open(settings.memory, store)
        router = None
        if settings.llm.enabled:  # pydantic-ai and the vendors' SDKs: only with a model
            from intelligent_office.llm.router import LLMRouter

            router = LLMRouter(settings.llm, settings.budgets, store)
        return cls(settings, store, memory, router)


def feedback(
    task_id: Annotated[str, typer.Argument(help="The task to rate (see `office tasks`).")],
    rating: Annotated[int | None, typer.Option(min=1, max=5, help="1 (bad) to 5 (great).")] = None,
    comment: Annotated[str, typer.Option(help="What was good or wrong.")] = "",
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Rate a task's answer: poor ratings make memory less willing to reuse its plans."""
    app = _MemoryContext.open(config)
    stored = app.memory.add_feedback(
        task_id, user_id=getpass.getuser(), rating=rating, comment=comment
    )
    if as_json:
        typer.echo(json.dumps({**asdict(stored), "created_at": stored.created_at.isoformat()}))
        return
    rated = f"rated {stored.rating}/5" if stored.rating is not None else "commented"
    console.print(f"feedback {stored.id} on task {task_id}: {rated}")


def ingest(
    path: Annotated[Path, typer.Argument(help="A folder (crawled) or one file.")],
    user: UserOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Read, chunk, embed and index documents (md, txt, html, pdf, docx, code, text files
    without an extension); only what changed since the last ingest is read again, deleted
    files are forgotten, and every file not read is listed with the reason."""
    memory = _MemoryContext.open(config).memory
    tenant = user or getpass.getuser()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    if as_json:
        report = memory.ingest(path, tenant=tenant)
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("ingesting", total=None)

        def advance(current: str, done: int, total: int) -> None:
            shown = Path(current).name[:40]
            progress.update(bar, completed=done, total=total, description=escape(shown))

        report = memory.ingest(path, tenant=tenant, progress=advance)
    console.print(
        f"ingested {escape(report.root)}: {len(report.added)} added, {len(report.updated)}"
        f" updated, {report.unchanged} unchanged, {len(report.removed)} removed,"
        f" {len(report.skipped)} skipped"
        + (f", {report.ignored} of other types ignored" if report.ignored else "")
        + f"; {report.chunks} chunks"
        f" ({report.embedded} embedded, the rest from the cache)"
    )
    for skipped, reason in sorted(report.skipped.items()):
        console.print(f"  skipped {escape(skipped)}: {escape(reason)}", style="yellow")


def ask(
    question: Annotated[str, typer.Argument(help="A question about your documents or tasks.")],
    user: UserOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Answer from memory with citations: documents, what was ingested when, past tasks."""
    import asyncio

    app = _MemoryContext.open(config)
    result = asyncio.run(
        app.memory.ask(question, tenant=user or getpass.getuser(), router=app.router)
    )
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    console.print(escape(result.answer))
    if result.citations:
        console.print()
        for citation in result.citations:
            console.print(
                f"[bold][{citation.number}][/] {escape(citation.location)}"
                f"  [dim]{escape(citation.snippet[:120])}[/]"
            )
    period = f", {result.period}" if result.period else ""
    console.print(f"[dim]({result.route.value}{period}; answered by {result.answered_by})[/]")
