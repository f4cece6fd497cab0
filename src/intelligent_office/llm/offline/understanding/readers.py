"""One reader per intent: which words ask for it, and which tokens fill its slots.

A reader looks for its slots by how people relate them ("from A to B", "between A and
B", "A -> B", "how does A reach B", "who calls N", "callers of N", "where is N
defined"), in any word order the relation allows, and returns a `Reading`: the intent
and the words it could not account for. A reading that accounts for every word is
confident; one that leaves words over is what the brain proposes when it asks.
"""

from __future__ import annotations

from collections.abc import Callable

from intelligent_office.llm.offline.understanding.calculation import expression_of
from intelligent_office.llm.offline.understanding.documents import read_documents
from intelligent_office.llm.offline.understanding.intent import Intent, IntentKind
from intelligent_office.llm.offline.understanding.reading import Reading
from intelligent_office.llm.offline.understanding.request import FOLDER_NOUNS, Request
from intelligent_office.llm.offline.understanding.slots import Kind, looks_like_path

__all__ = ["READERS", "Reading"]


def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _reading(
    request: Request,
    kind: IntentKind,
    params: dict[str, str],
    vocab: frozenset[str],
    defaults: tuple[str, ...] = (),
) -> Reading:
    return Reading(Intent(kind, params), tuple(request.unexplained(vocab)), defaults)


# --- trace

_TRACE_VERBS = frozenset("trace traces tracing follow track".split())
_TRACE_NOUNS = frozenset(
    "call calls calling caller callers sequence chain path paths route flow graph stack "
    "steps".split()
)
_REACH = frozenset(
    "reach reaches reached reaching lead leads led get gets go goes end ends".split()
)
_TRACE_VOCAB = (
    _TRACE_VERBS
    | _TRACE_NOUNS
    | _REACH
    | _vocabulary(
        "how what which show find explain list give between through until into via towards toward "
        "up arrive arrives understand see know happen happens way from to and functions function "
        "method class invoke invokes invoked called walk take takes step down "
        "sequence order"
    )
)
_TO = ("to", "until", "through", "into", "towards", "toward", "->")


def _pair(request: Request) -> tuple[int, int] | None:
    """The start and end of a call path, by the words that relate them."""
    tokens = request.tokens
    for index, token in enumerate(tokens):
        word = token.word
        if word == "from":
            start = request.name_at(index + 1, framed=True)
            if start >= 0:
                to = _to_word(request, start + 1)
                end = request.name_at(to + 1, framed=True) if to >= 0 else -1
                if end >= 0:
                    return start, end
        elif word == "between":
            start = request.name_at(index + 1, framed=True)
            if start >= 0 and request.word(start + 1) == "and":
                end = request.name_at(start + 2, framed=True)
                if end >= 0:
                    return start, end
        elif word == "->" and index > 0:
            start = request.name_at(index - 1, framed=True)
            end = request.name_at(index + 1, framed=True)
            if start >= 0 and end >= 0:
                return start, end
    return _reach(request) or _verb_to(request)


# Words that may stand between a start and its "to": "from A down to B", "all the way to".
_ON_THE_WAY = frozenset("down all the way straight right".split())


def _to_word(request: Request, index: int) -> int:
    """The index of the "to" word at `index`, past "down"/"all the way"; -1 if none."""
    while request.word(index) in _ON_THE_WAY:
        index += 1
    return index if request.word(index) in _TO else -1


def _reach(request: Request) -> tuple[int, int] | None:
    """ "how does A reach B", "A leads to B", "how A ends up calling B"."""
    asks_how = "how" in request.words()
    for start in range(len(request.tokens)):
        if request.name_at(start) != start:
            continue
        index = start + 1
        if request.word(index) in ("end", "ends") and request.word(index + 1) == "up":
            index += 2
            if request.word(index) in ("calling", "in", "at", "invoking", "with"):
                index += 1
        elif request.word(index) in _REACH:
            index += 1
            if request.word(index) in ("to", "at"):
                index += 1
        elif asks_how and request.word(index) in ("call", "calls", "invoke", "invokes"):
            index += 1
        else:
            continue
        end = request.name_at(index)
        if end >= 0:
            return start, end
    return None


def _verb_to(request: Request) -> tuple[int, int] | None:
    """ "trace A to B", or "A to B: what is the call path?" (the trace words say what)."""
    verb = next((i for i, t in enumerate(request.tokens) if t.word in _TRACE_VERBS), -1)
    for start in range(verb + 1, len(request.tokens)):
        if request.name_at(start) != start or request.word(start + 1) not in _TO:
            continue
        end = request.name_at(start + 2, framed=True)
        if end >= 0:
            return start, end
        if verb >= 0:
            return None
    return None


def read_trace(request: Request) -> Reading | None:
    """A call path between two functions."""
    words = request.words() | {t.word for t in request.tokens if t.kind is Kind.ARROW}
    if not words & (_TRACE_VERBS | _TRACE_NOUNS | _REACH | {"->"}):
        return None
    pair = _pair(request)
    if pair is None:
        return None
    start, end = pair
    request.used.update(range(start, start + 1))
    request.used.add(end)
    root = request.location()
    params = {"start": request.name(start), "end": request.name(end), "root": root or "."}
    return _reading(request, IntentKind.TRACE, params, _TRACE_VOCAB, _unless(root, "root"))


def _unless(given: str | None, parameter: str) -> tuple[str, ...]:
    return () if given is not None else (parameter,)


# --- who calls, where defined

_CALL_VERBS = frozenset(
    "calls call calling uses use using invokes invoke invoking references reference".split()
)
_DEFINED = frozenset(
    "defined define defines definition declared declare implemented implement implementation "
    "located lives live used".split()
)
_FIND_VOCAB = (
    _CALL_VERBS
    | _DEFINED
    | _vocabulary(
        "who what which where find locate show tell list give callers caller usages usage "
        "function functions method methods class places code and the ends end up eventually"
    )
)


# Words between "who" and its verb: "who is calling", "which functions end up using".
_BEFORE_CALL_VERB = frozenset(
    "is are functions methods code places else actually ends end up eventually".split()
)


def _find_name(request: Request) -> int:
    tokens = request.tokens
    for index, token in enumerate(tokens):
        word = token.word
        if word in ("who", "what", "which"):
            after = index + 1
            while request.word(after) in _BEFORE_CALL_VERB:
                after += 1
            if request.word(after) in _CALL_VERBS:
                found = request.name_at(after + 1)
                if found >= 0:
                    return found
        elif (
            word in ("callers", "caller", "usages", "definition")
            and request.word(index + 1) == "of"
        ):
            found = request.name_at(index + 2)
            if found >= 0:
                return found
        elif word == "where":
            after = index + 1
            while request.word(after) in (
                "is",
                "are",
                "do",
                "does",
                "did",
                "we",
                "you",
                "they",
            ) or (request.word(after) in _DEFINED):
                after += 1
            found = request.name_at(after)
            if found >= 0:
                return found
        elif word in ("find", "locate", "show"):
            found = request.name_at(index + 1)
            if found >= 0 and (
                tokens[found].strong_name
                or request.words() & (_DEFINED | {"function", "method", "class"})
            ):
                return found
    return -1


def read_find(request: Request) -> Reading | None:
    """Where a function is defined and who calls it."""
    index = _find_name(request)
    if index < 0:
        return None
    name = request.name(index)
    if name.rsplit(".", 1)[-1].lower() in ("md", "txt", "py", "json", "yaml", "csv"):
        return None
    request.used.add(index)
    if request.word(index + 1) in ("class", "function", "method"):
        request.used.add(index + 1)
    root = request.location()
    params = {"name": name, "root": root or "."}
    return _reading(request, IntentKind.FIND_FUNCTION, params, _FIND_VOCAB, _unless(root, "root"))


# --- list files

_GLOBS = {"python": "*.py", "py": "*.py", "markdown": "*.md", "text": "*.txt"}
_LIST_VOCAB = FOLDER_NOUNS | _vocabulary(
    "list ls dir show display what which files file are there is contain contains have has "
    "every all the give enumerate inside"
)


def _glob(request: Request, files: int) -> str:
    before = files - 1
    if before < 0:
        return "*"
    token = request.tokens[before]
    if token.kind is Kind.GLOB:
        request.used.add(before)
        return token.text if token.text.startswith("*") else f"*{token.text}"
    if token.word in _GLOBS:
        request.used.add(before)
        return _GLOBS[token.word]
    if (
        token.kind is Kind.WORD
        and token.word.isalnum()
        and token.word in ("csv md txt json yaml yml toml html cfg ini rst log sql".split())
    ):
        request.used.add(before)
        return f"*.{token.word}"
    return "*"


def read_list(request: Request) -> Reading | None:
    """The files in a folder."""
    words = request.words()
    files = request.find("files", "file")
    if (
        files < 0
        and not words & {"ls", "dir"}
        and not (words & FOLDER_NOUNS and words & {"what", "contain", "contains"})
    ):
        return None
    pattern = _glob(request, files) if files >= 0 else "*"
    given = request.location()
    path = given if given is not None else _bare_folder(request)
    params = {"pattern": pattern, "path": path}
    defaults = ("path",) if given is None and path == "." else ()
    return _reading(request, IntentKind.LIST_FILES, params, _LIST_VOCAB, defaults)


def _bare_folder(request: Request) -> str:
    """ "ls app", "the data directory": a folder named without "in"."""
    for index, token in enumerate(request.tokens):
        if index in request.used:
            continue
        follows_ls = request.word(index - 1) in ("ls", "dir")
        before_noun = request.word(index + 1) in FOLDER_NOUNS
        if (
            (follows_ls or before_noun)
            and token.path() is not None
            and token.word not in FOLDER_NOUNS
        ):
            if token.kind is Kind.WORD and token.word in _LIST_VOCAB | {"the", "this"}:
                continue
            request.used.update({index, index + 1} if before_noun else {index})
            return token.path() or "."
    return "."


# --- read, summarize

_READ_VERBS = frozenset("read show display open cat print view see contents content".split())
_READ_VOCAB = _READ_VERBS | _vocabulary("out of file the what is in like look at me")
_SUMMARY_WORDS = frozenset("summarize summarise summary overview tldr gist sum".split())
_SUMMARY_VOCAB = _SUMMARY_WORDS | _vocabulary(
    "give me a an of the file up short quick brief make write"
)


def _one_file(request: Request, *, folder_ok: bool = False) -> str | None:
    found = [
        index
        for index, token in enumerate(request.tokens)
        if token.kind in (Kind.PATH, Kind.LITERAL) and token.path() is not None
    ]
    if len(found) != 1:
        named = request.find("file")
        after = named + 1 if named >= 0 else -1
        if found or after < 0 or after >= len(request.tokens):
            return None
        token = request.tokens[after]
        if (
            token.kind is not Kind.WORD
            or token.path() is None
            or token.word in ("it", "this", "that")
        ):
            return None
        found = [after]
    index = found[0]
    token = request.tokens[index]
    path = token.path()
    if path is None:
        return None
    if token.kind is Kind.LITERAL and not looks_like_path(path) and request.find("file") < 0:
        return None
    if not folder_ok and not looks_like_path(path) and request.find("file") < 0:
        return None
    request.used.add(index)
    return path


def read_read(request: Request) -> Reading | None:
    """One file's content."""
    words = request.words()
    if not words & _READ_VERBS and not ({"what", "in"} <= words):
        return None
    if words & FOLDER_NOUNS:
        return None
    path = _one_file(request)
    if path is None or path.endswith("/") or path in (".", ".."):
        return None
    return _reading(request, IntentKind.READ_FILE, {"path": path}, _READ_VOCAB)


def read_summary(request: Request) -> Reading | None:
    """A short summary of one file."""
    words = request.words()
    if not words & _SUMMARY_WORDS or ("sum" in words and "up" not in words):
        return None
    path = _one_file(request)
    if path is None:
        return None
    return _reading(request, IntentKind.SUMMARIZE, {"path": path}, _SUMMARY_VOCAB)


# --- search

_SEARCH_WORDS = frozenset(
    "search grep look occurrences occurrence mentioned mentions mention appear appears "
    "appearing".split()
)
_SEARCH_VOCAB = _SEARCH_WORDS | _vocabulary(
    "for find all of the word text string where is does are used every up place places spot "
    "spots line lines containing contain contains show list"
)
_PATTERN_NOUNS = (
    "the",
    "word",
    "text",
    "string",
    "all",
    "occurrences",
    "occurrence",
    "of",
    "every",
    "mentions",
)


# What a search finds, named after "find"/"show"/"list": "find all lines containing 'x'".
_TEXT_NOUNS = frozenset("text word string occurrences mentions lines line".split())


def read_search(request: Request) -> Reading | None:
    """Lines of text that contain a pattern."""
    words = request.words()
    literal_text = words & {"find", "show", "list"} and words & _TEXT_NOUNS
    if not words & _SEARCH_WORDS and not literal_text:
        return None
    tokens = request.tokens
    pattern_at = next(
        (
            i
            for i, t in enumerate(tokens)
            if t.kind is Kind.LITERAL and t.literal and not t.literal.quote == "```"
        ),
        -1,
    )
    if pattern_at < 0:
        cue = next((i for i, t in enumerate(tokens) if t.word in ("for", "of")), -1)
        if cue < 0:
            cue = next(
                (i for i, t in enumerate(tokens) if t.word in ("search", "find", "grep")), -1
            )
        if cue < 0:
            return None
        pattern_at = cue + 1
        while request.word(pattern_at) in _PATTERN_NOUNS:
            pattern_at += 1
        if pattern_at >= len(tokens) or tokens[pattern_at].kind in (Kind.PUNCT, Kind.ARROW):
            return None
        if tokens[pattern_at].word in ("in", "within", "it", "this", "that", "my"):
            return None
    request.used.add(pattern_at)
    pattern = tokens[pattern_at].text
    given = request.location()
    path = given if given is not None else _searched_place(request)
    defaults = ("path",) if given is None and path == "." else ()
    params = {"pattern": pattern, "path": path}
    return _reading(request, IntentKind.SEARCH, params, _SEARCH_VOCAB, defaults)


def _searched_place(request: Request) -> str:
    """ "search app for X": the place between the verb and "for"."""
    verb = request.find("search", "grep")
    if verb >= 0 and request.word(verb + 2) == "for" and verb + 1 not in request.used:
        path = request.tokens[verb + 1].path()
        if path is not None and request.tokens[verb + 1].word not in ("for", "the"):
            request.used.add(verb + 1)
            return path
    return "."


# --- calculate, python, write


def read_calculation(request: Request) -> Reading | None:
    """Arithmetic."""
    if request.masked.literals:
        return None
    expression = expression_of(request.masked.text)
    if expression is None:
        return None
    return Reading(Intent(IntentKind.CALCULATE, {"expression": expression}), ())


_RUN_WORDS = frozenset("run execute exec eval evaluate".split())
_PYTHON_VOCAB = _RUN_WORDS | _vocabulary(
    "this the following python code snippet script in with using my a it and print show "
    "output outputs result what does would will prints show shows return returns give gives "
    "of"
)


# Asking what code does when run: "what does `x` print", "the output of `x`".
_RESULT_WORDS = frozenset(
    "print prints output outputs show shows return returns give gives".split()
)


def read_python(request: Request) -> Reading | None:
    """A Python snippet to run."""
    words = request.words()
    asks_result = "what" in words and words & _RESULT_WORDS
    if not words & _RUN_WORDS and not asks_result:
        return None
    code = [i for i, t in enumerate(request.tokens) if t.literal is not None and t.literal.is_code]
    if len(code) != 1:
        return None
    literal = request.tokens[code[0]].literal
    assert literal is not None
    if not literal.text.strip():
        return None
    request.used.add(code[0])
    return _reading(request, IntentKind.PYTHON, {"code": literal.text}, _PYTHON_VOCAB)


_WRITE_VERBS = frozenset("write save put store create overwrite make".split())
_WRITE_VOCAB = _WRITE_VERBS | _vocabulary(
    "the text line content contents string to into in as a an file new containing contains "
    "with that says named called"
)


def read_write(request: Request) -> Reading | None:
    """Text written to a file."""
    if not request.words() & _WRITE_VERBS:
        return None
    tokens = request.tokens
    quoted = [i for i, t in enumerate(tokens) if t.kind is Kind.LITERAL]
    paths = [
        i
        for i, t in enumerate(tokens)
        if (t.kind is Kind.PATH)
        or (t.kind is Kind.LITERAL and t.literal and t.literal.is_code and looks_like_path(t.text))
    ]
    if not paths:
        after = request.find("file")
        if after >= 0 and after + 1 < len(tokens) and tokens[after + 1].kind is Kind.WORD:
            paths = [after + 1]
    contents = [i for i in quoted if i not in paths]
    if len(contents) != 1 or len(paths) != 1:
        return None
    content_token, path_token = tokens[contents[0]], tokens[paths[0]]
    path = path_token.path()
    if path is None:
        return None
    request.used.update({contents[0], paths[0]})
    params = {"content": content_token.text, "path": path}
    return _reading(request, IntentKind.WRITE_FILE, params, _WRITE_VOCAB)


# In order of precedence when two readers are equally sure.
READERS: tuple[Callable[[Request], Reading | None], ...] = (
    read_documents,
    read_python,
    read_write,
    read_trace,
    read_find,
    read_search,
    read_summary,
    read_list,
    read_read,
    read_calculation,
)
