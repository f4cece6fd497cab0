"""summarize_file on a real markdown document: sentence splitting, scoring, refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from intelligent_office.errors import ToolError
from intelligent_office.tools import ToolContext
from intelligent_office.tools.summarize import split_sentences, summarize_file

ARTICLE = """\
# Photosynthesis

Photosynthesis is the process by which plants, algae and some bacteria turn light into
chemical energy. The process takes place in the chloroplasts of plant cells. Energy from
light is stored in sugar, which the plant later uses to grow.

## The two stages

The light-dependent reactions capture light energy in the thylakoid membranes of the
chloroplasts. Water is split during these reactions, and oxygen is released as a by-product.
The Calvin cycle then uses that captured energy to fix carbon dioxide into sugar.

- Chlorophyll absorbs mostly blue and red light, which is why leaves look green.
- The Calvin cycle does not need light directly
- See [the glossary](https://example.org/glossary) for terms.

```python
def photosynthesis(light, water, carbon_dioxide):
    return "sugar and oxygen. Not a sentence."
```

| Input | Output |
|-------|--------|
| water | oxygen |

Dr. Melvin Calvin mapped the cycle, e.g. with radioactive carbon, and won a Nobel Prize.
Nearly all life on Earth depends on the sugar and oxygen that photosynthesis produces.
"""


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "photosynthesis.md").write_text(ARTICLE)
    return ToolContext(workspace=tmp_path)


async def summarize(ctx: ToolContext, **arguments: Any) -> Any:
    return await summarize_file(ctx, arguments)


def test_splits_markdown_into_prose_sentences() -> None:
    sentences = split_sentences(ARTICLE)
    assert sentences[0] == (
        "Photosynthesis is the process by which plants, algae and some bacteria turn light "
        "into chemical energy."
    )
    assert "The Calvin cycle does not need light directly" in sentences
    assert "See the glossary for terms." in sentences
    assert (
        "Dr. Melvin Calvin mapped the cycle, e.g. with radioactive carbon, and won a Nobel Prize."
        in sentences
    )
    joined = " ".join(sentences)
    for dropped in ("#", "def photosynthesis", "Not a sentence", "|", "https://"):
        assert dropped not in joined
    assert len(sentences) == 11


async def test_summary_picks_central_sentences_in_document_order(ctx: ToolContext) -> None:
    result = await summarize(ctx, path="notes/photosynthesis.md")
    assert result == {
        "path": "notes/photosynthesis.md",
        "summary": [
            "Photosynthesis is the process by which plants, algae and some bacteria turn light "
            "into chemical energy.",
            "Energy from light is stored in sugar, which the plant later uses to grow.",
            "The light-dependent reactions capture light energy in the thylakoid membranes "
            "of the chloroplasts.",
        ],
        "sentence_count": 11,
        "method": "extractive: word-frequency sentence scoring",
        "truncated": False,
    }


async def test_more_sentences_than_the_text_has_returns_all(ctx: ToolContext) -> None:
    result = await summarize(ctx, path="notes/photosynthesis.md", sentences=50)
    assert result["summary"] == split_sentences(ARTICLE)


async def test_plain_text_without_punctuation_at_the_end(ctx: ToolContext) -> None:
    (ctx.workspace / "one.txt").write_text("just one line without a full stop")
    result = await summarize(ctx, path="one.txt")
    assert result["summary"] == ["just one line without a full stop"]
    assert result["sentence_count"] == 1


async def test_empty_and_code_only_files_are_errors(ctx: ToolContext) -> None:
    (ctx.workspace / "empty.md").write_text("  \n\n")
    with pytest.raises(ToolError, match="empty.md is empty: there is nothing to summarize"):
        await summarize(ctx, path="empty.md")
    (ctx.workspace / "code.md").write_text("# Title\n```\nprint('hi')\n```\n")
    with pytest.raises(ToolError, match="code.md has no prose to summarize"):
        await summarize(ctx, path="code.md")


async def test_refuses_what_read_file_refuses(ctx: ToolContext, tmp_path: Path) -> None:
    (ctx.workspace / "image.bin").write_bytes(b"\x00\x01")
    with pytest.raises(ToolError, match="image.bin is a binary file"):
        await summarize(ctx, path="image.bin")
    with pytest.raises(ToolError, match="outside the workspace"):
        await summarize(ctx, path="../secret.md")
    with pytest.raises(ToolError, match="did you mean 'notes/photosynthesis.md'"):
        await summarize(ctx, path="notes/photosynthesis.txt")


@pytest.mark.parametrize("count", [0, 51])
async def test_rejects_a_bad_sentence_count(ctx: ToolContext, count: int) -> None:
    with pytest.raises(ToolError, match="sentences must be between 1 and 50"):
        await summarize(ctx, path="notes/photosynthesis.md", sentences=count)


async def test_long_sentences_are_shortened_and_large_files_flagged(ctx: ToolContext) -> None:
    long_sentence = "Rivers " + "carry water to the sea " * 30 + "eventually."
    (ctx.workspace / "long.txt").write_text((long_sentence + "\n") * 2000)  # over 1 MB
    result = await summarize(ctx, path="long.txt", sentences=1)
    assert len(result["summary"][0]) == 500
    assert result["summary"][0].endswith("…")
    assert result["truncated"] is True
