"""An extractive summary of a text file: its most representative sentences, in order.

No model is involved. The file's prose is split into sentences by `prose.py` (Markdown,
reStructuredText, plain text, and the docstrings and comments of code; inline markup is
removed and lines are joined),
words are counted without stopwords, each word is weighted by its count over the top
count, and a sentence scores the sum of its words' weights over the square root of its
word count, so neither very short nor very long sentences win by length alone. The top
sentences are returned in document order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TypedDict

from intelligent_office.errors import ToolError
from intelligent_office.tools.base import ToolContext, tool
from intelligent_office.tools.file_ops import read_text_file
from intelligent_office.tools.prose import split_sentences

__all__ = ["METHOD", "SummaryResult", "split_sentences", "summarize_file", "top_sentences"]

METHOD = "extractive: word-frequency sentence scoring"
MAX_INPUT_BYTES = 1_000_000
"""Only the first megabyte of a file is summarized (`truncated` says so)."""
MAX_SENTENCES = 50
MAX_SENTENCE_CHARS = 500

_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either else even ever every few for from further get gets got had has have having he
    her here hers herself him himself his how however i if in into is it its itself just
    let like made make makes many may me might more most much must my myself neither no
    nor not now of off on once one only or other others our ours ourselves out over own
    per quite rather really same say says see seen shall she should since so some such
    than that the their theirs them themselves then there these they thing things this
    those though through thus to too under until up upon us use used uses using very via
    was way we well were what when where whether which while who whom whose why will with
    within without would yet you your yours yourself yourselves
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")


class SummaryResult(TypedDict):
    """What summarize_file returns."""

    path: str
    summary: list[str]
    sentence_count: int
    method: str
    truncated: bool


@tool(path_parameters=["path"])
def summarize_file(ctx: ToolContext, path: str, sentences: int = 3) -> SummaryResult:
    """Summarize a text, Markdown, reStructuredText or code file by its key sentences.

    Args:
        path: the file to summarize, relative to the workspace.
        sentences: how many sentences the summary holds, at most 50.
    """
    if not 1 <= sentences <= MAX_SENTENCES:
        raise ToolError(f"sentences must be between 1 and {MAX_SENTENCES}, got {sentences}")
    text = read_text_file(ctx.workspace, path, MAX_INPUT_BYTES)
    if not text.content.strip():
        raise ToolError(f"{text.path} is empty: there is nothing to summarize")
    # A sentence said twice (a repeated docstring, a license header) is one unit.
    units = list(dict.fromkeys(split_sentences(text.content, text.path)))
    if not units:
        raise ToolError(
            f"{text.path} has no prose to summarize (only code without docstrings or comments,"
            " headings or tables): use read_file to see it"
        )
    return {
        "path": text.path,
        "summary": [_shorten(sentence) for sentence in top_sentences(units, sentences)],
        "sentence_count": len(units),
        "method": METHOD,
        "truncated": text.truncated,
    }


def top_sentences(sentences: list[str], count: int) -> list[str]:
    """The `count` best-scoring sentences in document order (earlier wins a tie)."""
    words_by_sentence = [_content_words(sentence) for sentence in sentences]
    frequency = Counter(word for words in words_by_sentence for word in words)
    top = max(frequency.values(), default=1)
    scores = [
        sum(frequency[word] / top for word in words) / math.sqrt(len(words)) if words else 0.0
        for words in words_by_sentence
    ]
    ranked = sorted(range(len(sentences)), key=lambda index: (-scores[index], index))
    return [sentences[index] for index in sorted(ranked[:count])]


def _content_words(sentence: str) -> list[str]:
    return [
        _singular(word)
        for word in _WORD.findall(sentence.lower())
        if word not in _STOPWORDS and len(word) > 1 and not word.isdigit()
    ]


def _singular(word: str) -> str:
    """A crude plural fold, so "agents" and "agent" count as one word."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _shorten(sentence: str) -> str:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return sentence
    return sentence[: MAX_SENTENCE_CHARS - 1].rstrip() + "…"
