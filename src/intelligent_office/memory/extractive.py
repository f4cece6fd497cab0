"""Extractive answers: the sentences of the found passages that answer a question, or an
honest "not found".

Every sentence of the passages is scored by the question's words it holds, the words its
passage (and title) holds, its embedding similarity to the question and, for a question
asking for a quantity or a date ("how many", "when"), whether it holds a number. The best
is the answer only above a bar; below it the documents do not answer the question, and
the answer says so instead of quoting the nearest text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from intelligent_office.memory.embeddings.base import Embedder, Vector
from intelligent_office.memory.index import keyword_terms
from intelligent_office.memory.search import Hit
from intelligent_office.memory.sentences import split_sentences

__all__ = ["NOT_FOUND", "Extract", "Picked", "extract_answer"]

NOT_FOUND = "I could not find this in your documents."
_QUANTITY = re.compile(
    r"\b(how (many|much|long|old|big|large|far)|what (year|date|number|size|percentage))\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred"
    r"|thousand|million|dozen|half)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_COUNT = re.compile(r"\b(number of|total|count)\b[^.]*\d|\d+\s+(in|of)\s", re.IGNORECASE)
# Words a question and its answer use for the same thing (by their first five letters, as
# `_stems` cuts them): "how many samples" is answered by "Number of Instances: 150".
_SAME: tuple[frozenset[str], ...] = (
    frozenset({"sampl", "insta", "recor", "rows", "obser", "examp", "entri"}),
    frozenset({"featu", "attri", "colum", "varia"}),
    frozenset({"class", "label", "categ"}),
    frozenset({"creat", "autho", "made", "wrote", "write"}),
    frozenset({"kept", "keep", "retai", "store"}),
    frozenset({"cost", "price", "fee", "fees", "charg"}),
)
_MAX_SENTENCES = 3
_PER_PASSAGE = 2
_SENTENCES_EMBEDDED = 60
"""Candidates embedded per answer: a few passages' sentences, a fraction of a second."""


@dataclass(frozen=True)
class Picked:
    """A sentence chosen for the answer: its text and the hit (by rank) it came from."""

    text: str
    rank: int
    score: float


@dataclass(frozen=True)
class Extract:
    """The chosen sentences (best first), or none when the documents do not answer."""

    sentences: list[Picked]

    @property
    def found(self) -> bool:
        """Whether anything answers the question."""
        return bool(self.sentences)


@dataclass(frozen=True)
class _Candidate:
    text: str
    rank: int
    order: int
    words: float
    passage: float
    heading: bool
    """A title: a few words without a verb's punctuation, saying what follows, not a fact."""


def _stems(text: str) -> set[str]:
    return {word[:5] for word in keyword_terms(text)}


def _with_synonyms(stems: set[str]) -> set[str]:
    """The stems and, for each, the stems of words that mean the same (`_SAME`)."""
    wider = set(stems)
    for group in _SAME:
        if stems & group:
            wider |= group
    return wider


def _cosine(a: Vector, b: Vector) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _is_heading(sentence: str) -> bool:
    """A title: a few words, no number, no closing punctuation; it names, it does not answer."""
    short = len(sentence.split()) <= 5 and not _NUMBER.search(sentence)
    return short and not sentence.rstrip().endswith((".", "!", "?"))


def _terms(text: str) -> set[str]:
    """The words (cut to five letters) and the numbers of `text`."""
    return _stems(text) | set(_DIGITS.findall(text))


def _covered(wanted: set[str], text: str) -> float:
    """The share of the question's terms (or a word meaning the same) that `text` holds."""
    own = _terms(text)
    hit = sum(1 for term in wanted if _with_synonyms({term}) & own)
    return hit / max(len(wanted), 1)


def _candidates(question: str, hits: Sequence[Hit]) -> list[_Candidate]:
    wanted = _terms(question)
    found: list[_Candidate] = []
    seen: set[str] = set()
    for rank, hit in enumerate(hits):
        passage = _covered(wanted, f"{hit.item.title} {hit.item.text}")
        for order, sentence in enumerate(split_sentences(hit.item.text)):
            key = " ".join(sentence.lower().split())
            if key in seen:  # overlapping chunks repeat sentences: each is said once
                continue
            seen.add(key)
            words = _covered(wanted, sentence)
            heading = _is_heading(sentence)
            found.append(_Candidate(sentence, rank, order, words, passage, heading))
    return found


def _answers(best: _Candidate, similarity: float) -> bool:
    """The bar: close in meaning, or in a passage about the question that the sentence fits."""
    if similarity >= 0.55:
        return True
    return best.passage >= 0.5 and (best.words > 0 or similarity >= 0.3)


def extract_answer(
    question: str, question_vector: Vector, hits: Sequence[Hit], embedder: Embedder
) -> Extract:
    """The sentences of `hits` that answer `question`, best first; none below the bar."""
    candidates = _candidates(question, hits)
    if not candidates:
        return Extract([])
    # Embed the likeliest sentences only: passage order, then words in common.
    candidates.sort(key=lambda c: (-(c.words + c.passage), c.rank, c.order))
    candidates = candidates[:_SENTENCES_EMBEDDED]
    vectors = embedder.embed([c.text for c in candidates])
    wants_number = _QUANTITY.search(question) is not None
    scored: list[tuple[float, float, _Candidate]] = []
    for candidate, vector in zip(candidates, vectors, strict=True):
        similarity = _cosine(question_vector, vector)
        score = 0.35 * candidate.words + 0.25 * candidate.passage + 0.4 * similarity
        if wants_number:  # a quantity is answered by a number, best by a count
            score += 0.1 if _NUMBER.search(candidate.text) else -0.1
            score += 0.1 if _COUNT.search(candidate.text) else 0.0
        if candidate.heading:
            score -= 0.25
        scored.append((score, similarity, candidate))
    # A title names what follows and answers nothing: the best sentence under it may.
    scored = [entry for entry in scored if not entry[2].heading]
    if not scored:
        return Extract([])
    scored.sort(key=lambda s: (-s[0], s[2].rank, s[2].order))
    top_score, top_similarity, top = scored[0]
    if not _answers(top, top_similarity):
        return Extract([])
    chosen: list[Picked] = []
    per_passage: dict[int, int] = {}
    for score, _, candidate in scored:
        if len(chosen) == _MAX_SENTENCES or score < 0.85 * top_score:
            break
        if candidate.passage < top.passage:  # a passage less about the question: not cited
            continue
        if per_passage.get(candidate.rank, 0) < _PER_PASSAGE:
            per_passage[candidate.rank] = per_passage.get(candidate.rank, 0) + 1
            chosen.append(Picked(candidate.text, candidate.rank, score))
    return Extract(chosen)
