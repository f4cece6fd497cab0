"""A request being read: its tokens, which of them a reader has used, and where things are."""

from __future__ import annotations

from dataclasses import dataclass, field

from intelligent_office.llm.offline.understanding.fuzzy import KEYWORDS
from intelligent_office.llm.offline.understanding.normalise import Masked
from intelligent_office.llm.offline.understanding.slots import Kind, Token, looks_like_path

__all__ = ["COMMON", "FOLDER_NOUNS", "NOT_NAMES", "Request"]

# Words any request may carry without changing what it asks.
COMMON = frozenset(
    """
    the a an this that these those me us my our your i we you it its is are was were be
    been do does did can could would will should shall may might there here of for in
    within inside under on at to from and also just all any some out up please now then
    thanks first next quickly actually really exactly kindly code
    """.split()
)
FOLDER_NOUNS = frozenset(
    "folder folders directory directories dir package module subfolder project repo "
    "repository codebase tree source sources".split()
)
# Words that never name a function or a folder, however they are written.
NOT_NAMES = (
    COMMON
    | KEYWORDS
    | FOLDER_NOUNS
    | frozenset(
        "them they he she how why when get gets got go goes going end ends ended up down "
        "way ways all every each me".split()
    )
)
_FRAMED_NOT_NAMES = COMMON | FOLDER_NOUNS | frozenset("them they how why when every each".split())
# Verbs that, closing a request, point at where to look: "... search app".
_LOOK_VERBS = frozenset("search scan check grep".split())
# Words before a name that say what kind of thing it is.
_NAME_NOUNS = frozenset("the a function functions method methods class classes def".split())


@dataclass
class Request:
    """The tokens of one request, and the ones a reader has accounted for."""

    masked: Masked
    tokens: list[Token]
    used: set[int] = field(default_factory=set)

    def fork(self) -> Request:
        """A fresh reading of the same tokens."""
        return Request(self.masked, self.tokens)

    def word(self, index: int) -> str:
        """The keyword at `index`, or "" past either end."""
        return self.tokens[index].word if 0 <= index < len(self.tokens) else ""

    def words(self) -> set[str]:
        """Every word of the request (not its names, paths or literals)."""
        return {t.word for t in self.tokens if t.kind is Kind.WORD}

    def find(self, *words: str, start: int = 0) -> int:
        """The index of the first of `words` at or after `start`, or -1."""
        for index in range(start, len(self.tokens)):
            if self.tokens[index].word in words:
                return index
        return -1

    def name_at(self, index: int, *, framed: bool = False) -> int:
        """The index of the name at `index`, after "the function"-like words; -1 if none.

        `framed`: the words around say a name stands here ("from A to B"), so a keyword
        is a name too ("from main to run").
        """
        while 0 <= index < len(self.tokens) and self.tokens[index].word in _NAME_NOUNS:
            index += 1
        if not 0 <= index < len(self.tokens) or index in self.used:
            return -1
        token = self.tokens[index]
        stop = _FRAMED_NOT_NAMES if framed else NOT_NAMES
        if token.name() is None or (token.kind is Kind.WORD and token.word in stop):
            return -1
        return index

    def name(self, index: int) -> str:
        """The name at `index` (it was found by `name_at`)."""
        name = self.tokens[index].name()
        assert name is not None
        return name

    def location(self) -> str | None:
        """The folder or file a request points at: "in app", "under the orm folder",
        "(folder app)", or a closing "... search app"."""
        for index, token in enumerate(self.tokens):
            if token.word not in ("in", "within", "inside", "under", "into"):
                continue
            found = self._place(index + 1)
            if found is not None:
                where, last = found
                first = index - 1 if self.word(index - 1) in ("look", "looking") else index
                self.used.update(range(first, last + 1))
                return where
        return self._named_folder() or self._closing_place()

    def _named_folder(self) -> str | None:
        """ "(folder app)", "directory `src`": the noun first, then the place.

        Not "the data directory contains": a name before the noun is the place itself.
        """
        for index, token in enumerate(self.tokens):
            if token.word not in FOLDER_NOUNS or index in self.used:
                continue
            before = self.tokens[index - 1] if index > 0 else None
            if before is not None and before.kind is not Kind.PUNCT and before.word != "the":
                continue
            found = self._place(index + 1)
            if found is not None and found[1] == index + 1:
                self.used.update({index, index + 1})
                return found[0]
        return None

    def _closing_place(self) -> str | None:
        """ "who calls X? search app": a look-verb and a place that end the request."""
        words = [i for i, t in enumerate(self.tokens) if t.kind is not Kind.PUNCT]
        if len(words) < 3 or self.word(words[-2]) not in _LOOK_VERBS:
            return None
        found = self._place(words[-1])
        if found is None:
            return None
        self.used.update({words[-2], words[-1]})
        return found[0]

    def _place(self, index: int) -> tuple[str, int] | None:
        """A place starting at `index`: "app", "the app folder", "this package", "`src`"."""
        start = index
        while self.word(index) in ("the", "this", "that", "my", "our", "its"):
            index += 1
        if index >= len(self.tokens) or index in self.used:
            return None
        token = self.tokens[index]
        if token.word in FOLDER_NOUNS:  # "in this package", "in the codebase"
            return (".", index) if index > start else None
        if token.kind is Kind.NAME and token.text.endswith("()"):
            return None
        path = token.path()
        if path is None or (token.kind is Kind.WORD and token.word in NOT_NAMES):
            return None
        if token.kind is Kind.NAME and "." in token.text and not looks_like_path(token.text):
            return None  # "in Pipeline.run" names code; "in sample_app" is a folder
        last = index + 1 if self.word(index + 1) in FOLDER_NOUNS else index
        return path, last

    def unexplained(self, vocabulary: frozenset[str]) -> list[str]:
        """The words no slot used and neither `vocabulary` nor COMMON accounts for."""
        return [
            token.text
            for index, token in enumerate(self.tokens)
            if index not in self.used
            and token.kind
            in (Kind.WORD, Kind.NAME, Kind.PATH, Kind.GLOB, Kind.LITERAL, Kind.NUMBER)
            and token.word not in vocabulary
            and token.word not in COMMON
        ]
