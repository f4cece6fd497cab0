"""Reading files as text: Markdown and plain text, HTML, PDF (pypdf), DOCX (python-docx), code.

Each reader returns sections with where they start (line, page), so chunks can cite
`notes/setup.md:12-18` or `manual.pdf p. 3`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["SUPPORTED_SUFFIXES", "Section", "UnreadableFile", "read_document"]

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text", ".rst", ".csv", ".log"})
CODE_SUFFIXES = frozenset(
    """.py .pyi .js .mjs .ts .tsx .jsx .go .rs .java .kt .kts .scala .c .h .cc .cpp .hpp .cs
    .rb .php .swift .lua .r .sh .bash .zsh .sql .yaml .yml .toml .json .ini .cfg .conf
    .css .scss .vue .svelte .tf .proto .graphql .mk""".split()
)
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | CODE_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}


class UnreadableFile(Exception):
    """A file that cannot be read as text (binary, corrupt, encrypted)."""


@dataclass(frozen=True)
class Section:
    """A stretch of a document's text and where it starts."""

    text: str
    line: int = 1
    page: int | None = None


def read_document(path: Path, data: bytes) -> tuple[str, list[Section]]:
    """The document's title and its sections of text.

    Raises:
        UnreadableFile: the bytes are not a readable document of this type.
    """
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return path.name, _pdf(data)
    if suffix == ".docx":
        return path.name, _docx(data)
    text = _decode(data)
    if suffix in HTML_SUFFIXES:
        title, body = _html(text)
        return title or path.name, [Section(body)]
    return path.name, [Section(text)]


def _decode(data: bytes) -> str:
    if b"\0" in data[:8192]:
        raise UnreadableFile("binary content")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("not UTF-8 text") from None


def _pdf(data: bytes) -> list[Section]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableFile("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as error:
        raise UnreadableFile(f"unreadable PDF: {error}") from None
    return [Section(text, page=number) for number, text in enumerate(pages, 1) if text.strip()]


def _docx(data: bytes) -> list[Section]:
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"unreadable DOCX: {error}") from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    return [Section("\n".join(lines))]


class _TextOfHtml(HTMLParser):
    """Visible text, a line break per block element; the <title> kept apart."""

    _BLOCKS = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer pre".split()
    )
    _HIDDEN = frozenset({"script", "style", "noscript", "template", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._hidden:
            self.parts.append(data)


def _html(text: str) -> tuple[str, str]:
    parser = _TextOfHtml()
    parser.feed(text)
    parser.close()
    raw = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in raw.splitlines()]
    body = "\n".join(line for line in lines if line)
    return " ".join(parser.title.split()), body
