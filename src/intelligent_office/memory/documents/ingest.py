"""Ingesting a folder: read, chunk, embed and index every supported file, incrementally.

A file whose content hash is unchanged since it was last ingested is not read again; a
changed file's chunks are replaced; a file gone from the disk is forgotten (one ingested
by itself before stays, whatever its type). Files are read one at a time and embedded in
batches of about `_BATCH_CHUNKS` chunks across files, so memory stays bounded however
large the folder. A file without an extension is read when it is text; every file not
read (binary, too large, not a regular file) is reported with the reason.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intelligent_office.errors import UserError
from intelligent_office.memory.documents.chunking import chunk_sections
from intelligent_office.memory.documents.readers import (
    SUPPORTED_SUFFIXES,
    UnreadableFile,
    read_document,
)
from intelligent_office.memory.items import ItemKind, NewItem
from intelligent_office.memory.search import MemorySearch
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.safe_text import escape_surrogates
from intelligent_office.store.tables import MemoryDocumentRow

__all__ = ["IngestProgress", "IngestReport", "ingest"]

_SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".mypy_cache"}
)
_BATCH_CHUNKS = 128

IngestProgress = Callable[[str, int, int], None]
"""Called with (path, files done, files in all) as files are handled."""


@dataclass
class IngestReport:
    """What one ingest did."""

    root: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    ignored: int = 0
    """Files of a type ingest does not read (images, archives ...), left alone."""
    chunks: int = 0
    """Chunks written (of added and updated files)."""
    embedded: int = 0
    """Chunks the embedder computed (the rest came from the embedding cache)."""


@dataclass
class _Parsed:
    path: Path
    digest: str
    size: int
    items: list[NewItem]


def _key(path: Path) -> str:
    """How a document's path is stored and shown: valid UTF-8 whatever bytes its name holds."""
    return escape_surrogates(str(path))


def _files(root: Path, report: IngestReport) -> Iterator[Path]:
    """The files to read under `root`, in order; types not read are counted as ignored."""
    if not root.is_dir():
        yield root
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(part in _SKIPPED_DIRS or part.startswith(".") for part in relative[:-1]):
            continue
        if path.is_dir():
            continue
        suffix = path.suffix.lower()
        if suffix in SUPPORTED_SUFFIXES or (not suffix and not path.name.startswith(".")):
            yield path  # no extension: read if it is text (`_read_one` says why not)
        else:
            report.ignored += 1


def _known(session: Session, tenant: str, root: Path) -> dict[str, MemoryDocumentRow]:
    prefix = _key(root) if root.is_file() else _key(root).rstrip("/") + "/"
    query = select(MemoryDocumentRow).where(MemoryDocumentRow.tenant == tenant)
    rows = session.scalars(query)
    return {row.path: row for row in rows if row.path == _key(root) or row.path.startswith(prefix)}


def _parse(
    path: Path, root: Path, data: bytes, digest: str, tenant: str, settings: MemorySettings
) -> _Parsed:
    title, sections = read_document(path, data)
    now = datetime.now(UTC)
    shown = escape_surrogates(str(path.relative_to(root)) if root.is_dir() else path.name)
    chunks = chunk_sections(sections, settings.chunk_size, settings.chunk_overlap)
    items = [
        NewItem(
            tenant=tenant,
            kind=ItemKind.DOCUMENT,
            source=_key(path),
            position=position,
            title=escape_surrogates(title) if title != path.name else shown,
            text=escape_surrogates(chunk.text),  # a PDF's text may hold anything
            created_at=now,
            location={
                "path": shown,
                "line_start": chunk.line_start,
                "line_end": chunk.line_end,
                "page": chunk.page,
            },
            data={"content_hash": digest},
        )
        for position, chunk in enumerate(chunks)
    ]
    return _Parsed(path, digest, len(data), items)


def ingest(
    search: MemorySearch,
    root: Path,
    *,
    tenant: str,
    settings: MemorySettings,
    progress: IngestProgress | None = None,
) -> IngestReport:
    """Bring memory in line with the files under `root` (a folder or one file).

    Raises:
        UserError: `root` does not exist.
    """
    if not root.exists():
        raise UserError(f"{root} does not exist: pass a folder or a file to ingest")
    root = root.resolve()
    report = IngestReport(root=_key(root))
    with Session(search.engine) as session:
        known = {path: row.content_hash for path, row in _known(session, tenant, root).items()}
    files = list(_files(root, report))
    walked = {_key(path) for path in files}
    # A file ingested by itself before (of any type) stays while it exists: checked again.
    files += [Path(key) for key in sorted(set(known) - walked) if Path(key).is_file()]
    pending: list[_Parsed] = []
    for done, path in enumerate(files, 1):
        _read_one(path, root, known, tenant, settings, report, pending)
        if sum(len(p.items) for p in pending) >= _BATCH_CHUNKS:
            _write(search, pending, tenant, report, known)
            pending = []
        if progress is not None:
            progress(_key(path), done, len(files))
    _write(search, pending, tenant, report, known)
    present = {_key(path) for path in files}
    for gone in sorted(set(known) - present):  # no longer on the disk
        search.remove_source(tenant, ItemKind.DOCUMENT, gone)
        with Session(search.engine) as session, session.begin():
            session.execute(
                delete(MemoryDocumentRow).where(
                    MemoryDocumentRow.tenant == tenant, MemoryDocumentRow.path == gone
                )
            )
        report.removed.append(gone)
    return report


def _read_one(
    path: Path,
    root: Path,
    known: dict[str, str],
    tenant: str,
    settings: MemorySettings,
    report: IngestReport,
    pending: list[_Parsed],
) -> None:
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            report.skipped[_key(path)] = "not a regular file (a device, pipe or socket)"
            return
        if status.st_size > settings.max_file_bytes:
            report.skipped[_key(path)] = (
                f"{status.st_size} bytes, larger than memory.max_file_bytes"
                f" ({settings.max_file_bytes})"
            )
            return
        data = path.read_bytes()
    except OSError as error:
        report.skipped[_key(path)] = f"cannot read: {error.strerror or error}"
        return
    digest = hashlib.sha256(data).hexdigest()
    if known.get(_key(path)) == digest:
        report.unchanged += 1
        return
    try:
        parsed = _parse(path, root, data, digest, tenant, settings)
    except UnreadableFile as error:
        kind = "" if path.suffix else " (no extension, not text)"
        report.skipped[_key(path)] = f"{error}{kind}"
        return
    if not parsed.items and _key(path) not in known:
        report.skipped[_key(path)] = "no text in it"
        return
    pending.append(parsed)


def _write(
    search: MemorySearch,
    parsed: list[_Parsed],
    tenant: str,
    report: IngestReport,
    known: dict[str, str],
) -> None:
    if not parsed:
        return
    texts = [item.text for p in parsed for item in p.items]
    before = _computed(search)
    vectors = search.embedder.embed(texts)
    report.embedded += _computed(search) - before
    offset = 0
    for p in parsed:
        mine = vectors[offset : offset + len(p.items)]
        offset += len(p.items)
        search.replace_source(tenant, ItemKind.DOCUMENT, _key(p.path), p.items, mine)
        _record_document(search, tenant, p)
        (report.updated if _key(p.path) in known else report.added).append(_key(p.path))
        report.chunks += len(p.items)


def _computed(search: MemorySearch) -> int:
    return int(getattr(search.embedder, "computed", 0))


def _record_document(search: MemorySearch, tenant: str, parsed: _Parsed) -> None:
    now = datetime.now(UTC)
    with Session(search.engine) as session, session.begin():
        row = session.scalars(
            select(MemoryDocumentRow).where(
                MemoryDocumentRow.tenant == tenant, MemoryDocumentRow.path == _key(parsed.path)
            )
        ).first()
        if row is None:
            row = MemoryDocumentRow(tenant=tenant, path=_key(parsed.path))
            session.add(row)
        row.content_hash = parsed.digest
        row.size = parsed.size
        row.chunks = len(parsed.items)
        row.ingested_at = now
