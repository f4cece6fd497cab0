"""Documents in memory: readers, chunking and incremental ingest."""

from __future__ import annotations

from intelligent_office.memory.documents.chunking import Chunk, chunk_sections
from intelligent_office.memory.documents.ingest import IngestProgress, IngestReport, ingest
from intelligent_office.memory.documents.readers import SUPPORTED_SUFFIXES, read_document

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Chunk",
    "IngestProgress",
    "IngestReport",
    "chunk_sections",
    "ingest",
    "read_document",
]
