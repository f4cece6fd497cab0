"""`office ingest`: every supported format, chunk positions, and incremental re-ingest (only a
changed file is embedded again; a deleted file is forgotten), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelligent_office.errors import UserError
from intelligent_office.memory.embeddings import LocalMiniLM
from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import ItemKind
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.store import Store
from tests.cli.test_cli import office
from tests.memory.files import write_docx, write_pdf

DOCUMENTS = Scope("alice", (ItemKind.DOCUMENT,))


def make_folder(root: Path) -> Path:
    docs = root / "docs"
    (docs / "guides").mkdir(parents=True)
    (docs / ".git").mkdir()
    (docs / "backups.md").write_text(
        "# Backups\n\nThe database is copied every night at 02:00.\n\n"
        "Restores are tested monthly.\n"
    )
    (docs / "guides" / "leave.txt").write_text("Employees get 25 days of paid leave a year.\n")
    (docs / "release.html").write_text(
        "<html><head><title>Release guide</title><style>p{}</style></head><body>"
        "<h1>Releasing</h1><p>Tag the commit and run make release.</p>"
        "<script>alert('not text')</script></body></html>"
    )
    write_pdf(docs / "warranty.pdf", ["The warranty lasts two years.", "Returns within 30 days."])
    write_docx(docs / "minutes.docx", ["Board minutes", "The budget for 2027 was approved."])
    (docs / "retry.py").write_text(
        "def backoff(attempt):\n"
        "    '''Exponential backoff in seconds.'''\n"
        "    return 2 ** attempt\n"
    )
    (docs / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")  # not a supported type
    (docs / "binary.txt").write_bytes(b"\0\1\2 not text")
    (docs / ".git" / "config.txt").write_text("never ingested")
    return docs


def best(memory: OfficeMemory, query: str) -> tuple[str, dict[str, object]]:
    hit = memory.search.search(query, DOCUMENTS, 1)[0]
    return Path(hit.item.source).name, hit.item.location


def test_every_format_is_read_chunked_and_found_with_its_position(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    docs = make_folder(tmp_path)

    report = memory.ingest(docs, tenant="alice")

    names = sorted(Path(p).name for p in report.added)
    expected = ["backups.md", "leave.txt", "minutes.docx", "release.html", "retry.py"]
    assert names == sorted([*expected, "warranty.pdf"])
    assert report.skipped == {str(docs / "binary.txt"): "binary content"}
    assert report.embedded == report.chunks > 0
    assert best(memory, "how long is the product guarantee?") == (
        "warranty.pdf",
        {"path": "warranty.pdf", "line_start": 1, "line_end": 1, "page": 1},
    )
    name, where = best(memory, "when are restores tested")
    assert name == "backups.md" and where["line_start"] == 1 and where["line_end"] == 5
    assert best(memory, "was the budget approved")[0] == "minutes.docx"
    assert best(memory, "how do I publish a release")[0] == "release.html"
    assert best(memory, "exponential backoff function")[0] == "retry.py"
    html = memory.search.search("release", DOCUMENTS, 1)[0].item
    assert html.title == "Release guide" and "alert" not in html.text


def test_re_ingest_embeds_only_the_changed_file_and_forgets_deleted_ones(
    store: Store, minilm: LocalMiniLM, tmp_path: Path
) -> None:
    memory = OfficeMemory.open(MemorySettings(), store, embedder=minilm)
    docs = make_folder(tmp_path)
    first = memory.ingest(docs, tenant="alice")
    assert first.embedded == first.chunks

    (docs / "guides" / "leave.txt").write_text("Employees get 30 days of paid leave a year.\n")
    (docs / "retry.py").unlink()
    model_before = minilm.texts_embedded
    second = memory.ingest(docs, tenant="alice")

    assert second.updated == [str(docs / "guides" / "leave.txt")]
    assert second.added == [] and second.unchanged == 4
    assert second.removed == [str(docs / "retry.py")]
    # Only the changed file's one chunk went through the model.
    assert second.embedded == 1 and minilm.texts_embedded - model_before == 1
    hit = memory.search.search("how many days of leave", DOCUMENTS, 1)[0]
    assert "30 days" in hit.item.text
    sources = {Path(h.item.source).name for h in memory.search.search("backoff", DOCUMENTS, 10)}
    assert "retry.py" not in sources

    third = memory.ingest(docs, tenant="alice")
    assert (third.added, third.updated, third.removed, third.embedded) == ([], [], [], 0)
    assert third.unchanged == 5


def test_a_changed_file_reuses_the_embeddings_of_its_unchanged_chunks(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    settings = MemorySettings(chunk_size=200, chunk_overlap=0)
    memory = OfficeMemory.open(settings, memory.store, embedder=memory.embedder.inner)
    paragraphs = [f"Paragraph {i} talks about topic number {i} at some length." for i in range(8)]
    path = tmp_path / "long.md"
    path.write_text("\n\n".join(paragraphs))
    first = memory.ingest(path, tenant="alice")
    assert first.chunks > 2

    path.write_text("\n\n".join([*paragraphs, "A new closing paragraph."]))
    second = memory.ingest(path, tenant="alice")

    assert second.updated == [str(path)]
    assert 1 <= second.embedded < second.chunks  # the untouched chunks came from the cache


def test_ingesting_a_missing_path_says_what_to_pass(memory: OfficeMemory, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist: pass a folder or a file"):
        memory.ingest(tmp_path / "nope", tenant="alice")


def test_files_without_an_extension_are_read_when_text_and_every_other_is_accounted_for(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README").write_text("The staging server restarts every Sunday at 04:00.\n")
    (docs / "blob").write_bytes(b"\x7fELF\0\0\0\x02binary")
    (docs / "empty.md").write_text("")
    (docs / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (docs / "archive.zip").write_bytes(b"PK\3\4")

    report = memory.ingest(docs, tenant="alice")

    assert report.added == [str(docs / "README")]
    assert report.skipped == {
        str(docs / "blob"): "binary content (no extension, not text)",
        str(docs / "empty.md"): "no text in it",
    }
    assert report.ignored == 2
    assert best(memory, "when does staging restart")[0] == "README"


def test_a_file_ingested_alone_is_kept_when_its_folder_is_ingested(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.tex").write_text("The experiment ran for 14 weeks in the north lab.\n")
    (docs / "notes.md").write_text("Lunch is served from noon in the canteen.\n")
    alone = memory.ingest(docs / "thesis.tex", tenant="alice")
    assert alone.added == [str(docs / "thesis.tex")]

    folder = memory.ingest(docs, tenant="alice")

    assert folder.removed == [] and folder.unchanged == 1
    assert folder.added == [str(docs / "notes.md")]
    assert best(memory, "how long did the experiment run")[0] == "thesis.tex"
    (docs / "thesis.tex").unlink()  # gone from the disk: now it is forgotten
    assert memory.ingest(docs, tenant="alice").removed == [str(docs / "thesis.tex")]


def test_a_device_or_a_file_over_the_limit_is_skipped_with_the_reason(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    zero = memory.ingest(Path("/dev/zero"), tenant="alice")
    assert zero.added == [] and zero.chunks == 0
    assert zero.skipped == {"/dev/zero": "not a regular file (a device, pipe or socket)"}

    small = OfficeMemory.open(
        MemorySettings(max_file_bytes=1000), memory.store, embedder=memory.embedder.inner
    )
    (tmp_path / "big.txt").write_text("word " * 1000)
    big = small.ingest(tmp_path / "big.txt", tenant="alice")
    assert big.skipped == {
        str(tmp_path / "big.txt"): "5000 bytes, larger than memory.max_file_bytes (1000)"
    }


def test_the_cli_shows_why_nothing_was_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    code, out, err = office(["ingest", "/dev/zero"], capsys, monkeypatch)

    assert code == 0, err
    assert "0 added, 0 updated, 0 unchanged, 0 removed, 1 skipped; 0 chunks" in out
    assert "skipped /dev/zero: not a regular file (a device, pipe or socket)" in out
