"""A corpus of real text files for the ingest benchmark, copied from installed packages.

The Markdown, reStructuredText, text and Python files of a few packages every install of
the project has (click, jinja2, alembic, sqlalchemy ...), taken in a fixed order up to a
file count and a byte total, so two runs on the same install ingest the same bytes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["build_corpus"]

PACKAGES = ("click", "jinja2", "alembic", "h11", "idna", "croniter", "sqlalchemy", "pydantic")
SUFFIXES = (".py", ".md", ".rst", ".txt")


def _files(package: str) -> list[tuple[Path, Path]]:
    """(the package's parent folder, file) for each text file of the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    return [(root.parent, path) for path in found]


def build_corpus(folder: Path, *, files: int = 165, total_bytes: int = 1_600_000) -> dict[str, int]:
    """Copy up to `files` files (500 B to 30 kB each) of `total_bytes` at most into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    count = size = 0
    for package in PACKAGES:
        for parent, path in _files(package):
            length = path.stat().st_size
            if not 500 <= length <= 30_000 or size + length > total_bytes:
                continue
            target = folder / "_".join(path.relative_to(parent).parts)
            target.write_bytes(path.read_bytes())
            count, size = count + 1, size + length
            if count == files:
                return {"files": count, "bytes": size}
    return {"files": count, "bytes": size}
