"""Answers are Markdown: rendered on the server with raw HTML turned off.

Answers are often line by line, so a line break is kept as one (`breaks`). An answer is
model output, so it is untrusted: markdown-it-py escapes any HTML in it
(`html=False`), links may only go to http(s) or stay on this server, and images are
not rendered (the CSP would block other servers' images anyway). The result is safe
to insert into an autoescaped template.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

__all__ = ["render_markdown", "safe_link"]

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_ALLOWED_SCHEMES = frozenset({"http", "https"})


def safe_link(url: str) -> bool:
    """Whether a link may be followed: http(s), or relative to this server."""
    cleaned = "".join(url.split()).replace("\\", "/")  # browsers drop blanks inside schemes
    if cleaned.startswith("//"):  # protocol-relative: another server
        return False
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in _ALLOWED_SCHEMES


def _renderer() -> MarkdownIt:
    renderer = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    renderer.enable(["table", "strikethrough"]).disable("image")
    renderer.validateLink = safe_link  # type: ignore[method-assign]
    return renderer


_RENDERER = _renderer()


def render_markdown(text: str) -> Markup:
    """Markdown as HTML in which nothing from `text` is markup of its own."""
    return Markup(_RENDERER.render(text))  # markdown-it escaped it (html=False)
