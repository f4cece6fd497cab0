"""Answers rendered as Markdown with nothing of the answer's own HTML getting through."""

from __future__ import annotations

import pytest

from intelligent_office.api.ui.markdown import render_markdown, safe_link


def test_markdown_becomes_headings_lists_code_and_tables() -> None:
    html = render_markdown(
        "## s1: Trace\n\n- **main()** calls `run()`\n\n```\nx = 1 < 2\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert "<h2>s1: Trace</h2>" in html
    assert "<li><strong>main()</strong> calls <code>run()</code></li>" in html
    assert "<pre><code>x = 1 &lt; 2\n</code></pre>" in html
    assert "<table>" in html and "<td>2</td>" in html


def test_html_in_an_answer_is_shown_as_text() -> None:
    html = render_markdown(
        '<script>alert("x")</script>\n\nsee <img src=x onerror=alert(1)> and <b>bold</b>\n\n'
        "<div onclick=alert(1)>block</div>"
    )
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "<div" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "//evil.example/",
        "file:///etc/passwd",
    ],
)
def test_only_http_and_relative_links_are_links(url: str) -> None:
    assert not safe_link(url)
    html = render_markdown(f"[click]({url}) <{url}>")
    assert "<a " not in html


@pytest.mark.parametrize(
    "url", ["https://example.com/a?b=1", "http://x.test", "/ui/dlq", "notes.md", "#top"]
)
def test_http_and_relative_links_stay_links(url: str) -> None:
    assert safe_link(url)
    assert f'<a href="{url}">click</a>' in render_markdown(f"[click]({url})")


def test_images_are_not_loaded() -> None:
    assert "<img" not in render_markdown("![chart](https://example.com/c.png)")
