"""Offline understanding (issue 19): normalisation, fuzzy keywords, slots, readers,
clarification and conversation, on phrasings beyond the eval suite's."""

from __future__ import annotations

import pytest

from intelligent_office.llm.offline.understanding import IntentKind, split_requests, understand
from intelligent_office.llm.offline.understanding.conversation import (
    Turn,
    is_confirmation,
    resolve_conversation,
)
from intelligent_office.llm.offline.understanding.fuzzy import correct, within_one_edit
from intelligent_office.llm.offline.understanding.normalise import mask, normalise, prepare
from intelligent_office.llm.offline.understanding.slots import Kind, clean_path, tokenise
from intelligent_office.models.tool_gap import proposed_request_in


def test_normalise_removes_politeness_contractions_and_odd_spacing() -> None:
    assert normalise("Could you please   read app/x.py for me?") == "read app/x.py"
    assert normalise("What’s in data/orders.csv?") == "What is in data/orders.csv"
    assert normalise("Ｔrace main to run please.") == "Trace main to run"  # NFKC
    assert normalise("I'd like to see version.py, thanks!") == "see version.py"
    assert normalise("List files in .") == "List files in ."  # "." is this folder


def test_quoted_text_and_code_are_set_aside_untouched() -> None:
    masked = mask('Write "What’s  up, please?" to out/a.txt and run `x = 1;  y`')
    assert [(lit.quote, lit.text) for lit in masked.literals] == [
        ('"', "What’s  up, please?"),
        ("`", "x = 1;  y"),
    ]
    assert "please" not in masked.text
    # Apostrophes are not quotes.
    assert mask("what's in 'my file.txt'").literals[0].text == "my file.txt"


def test_one_edit_means_insert_delete_substitute_or_swap() -> None:
    assert within_one_edit("trcae", "trace")  # swap
    assert within_one_edit("whre", "where")  # deletion
    assert within_one_edit("sequnce", "sequence")
    assert within_one_edit("serch", "search")
    assert not within_one_edit("tcrae", "trace")  # two edits
    assert correct("Tarce") == "trace"
    assert correct("Calcualte") == "calculate"
    # Real words and short words are left alone, and so is anything ambiguous.
    assert correct("fine") == "fine"
    assert correct("does") == "does"
    assert correct("to") == "to"
    assert correct("frobnicate") == "frobnicate"


def test_slots_names_paths_globs_and_literals() -> None:
    tokens = tokenise(prepare("trace Pipeline.run() to `proc` in app\\core, then *.py README.md"))
    kinds = {t.text: t.kind for t in tokens}
    assert kinds["Pipeline.run()"] is Kind.NAME
    assert kinds["proc"] is Kind.LITERAL
    assert kinds["app\\core"] is Kind.PATH
    assert kinds["*.py"] is Kind.GLOB
    assert kinds["README.md"] is Kind.PATH
    assert {t.text: t.kind for t in tokenise(prepare("from Console.log to ProgressBar"))} == {
        "from": Kind.WORD,
        "Console.log": Kind.NAME,  # a method, not a log file
        "to": Kind.WORD,
        "ProgressBar": Kind.NAME,
    }
    assert clean_path("app\\core\\__init__.py") == "app/core/__init__.py"
    assert clean_path("../../") == "../../"
    assert clean_path("./") == "."


TRACES = [
    "how does entry() end up calling write_row()? look in app",
    "entry() to write_row(): what's the call path? It is in app",
    "path from entry to write_row in the app folder",
    "Trcae entry -> write_row in app",
    "Can you walk me through how entry() reaches write_row() in app?",
    "In app, follow the calls from entry() to write_row()",
    "show me how `entry` gets to `write_row` inside app",
]


@pytest.mark.parametrize("text", TRACES)
def test_traces_in_many_phrasings(text: str) -> None:
    understood = understand(text)
    proposal = understood.clarification.proposal if understood.clarification else None
    intent = understood.intent or proposal
    assert intent is not None, text
    assert (intent.kind, intent.params) == (
        IntentKind.TRACE,
        {"start": "entry", "end": "write_row", "root": "app"},
    )


@pytest.mark.parametrize(
    ("text", "kind", "params"),
    [
        (
            "where is Pipeline.run implemented?",
            IntentKind.FIND_FUNCTION,
            {"name": "Pipeline.run", "root": "."},
        ),
        (
            "what calls write_row in src",
            IntentKind.FIND_FUNCTION,
            {"name": "write_row", "root": "src"},
        ),
        ("who is calling `flush`", IntentKind.FIND_FUNCTION, {"name": "flush", "root": "."}),
        ("open `docs/index.md`", IntentKind.READ_FILE, {"path": "docs/index.md"}),
        ("grep 'TODO' in src", IntentKind.SEARCH, {"pattern": "TODO", "path": "src"}),
        ("compute 2 to the power of 8", IntentKind.CALCULATE, {"expression": "2 ^ 8"}),
        ("what is 10 percent of 250", IntentKind.CALCULATE, {"expression": "10 / 100 * 250"}),
        ("execute this `print(1)`", IntentKind.PYTHON, {"code": "print(1)"}),
        ("ls src/app", IntentKind.LIST_FILES, {"pattern": "*", "path": "src/app"}),
        (
            "create notes.md containing 'hi'",
            IntentKind.WRITE_FILE,
            {"content": "hi", "path": "notes.md"},
        ),
    ],
)
def test_other_requests_in_other_words(text: str, kind: IntentKind, params: dict[str, str]) -> None:
    intent = understand(text).intent
    assert intent is not None and (intent.kind, intent.params) == (kind, params)
    assert understand(intent.describe()).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "Delete app/report.py",
        "Rename process_data to clean_data in app",
        "Send app/report.py to Bob by email",
        "What is the weather in Berlin?",
    ],
)
def test_what_no_tool_does_is_neither_read_nor_proposed(text: str) -> None:
    understood = understand(text)
    assert understood.intent is None and understood.clarification is None


def test_when_unsure_it_asks_with_the_closest_request() -> None:
    understood = understand("entry() and write_row() in app?")
    assert understood.intent is None and understood.clarification is not None
    question = understood.clarification.question()
    assert question == "Did you mean: Trace the call sequence from entry() to write_row() in app?"
    assert "entry()" in understood.clarification.understood
    assert proposed_request_in(f"Not sure.\n{question}") == (
        "Trace the call sequence from entry() to write_row() in app"
    )
    # A qualifier it cannot honour is not dropped silently: it asks.
    unsure = understand("Trace from main() to run() in src excluding tests")
    assert unsure.intent is None and unsure.clarification is not None


def test_a_task_splits_into_requests_and_scene_setting_is_dropped() -> None:
    parts = split_requests("I'm chasing a bug. What is 2^8 and who calls write_row in src?")
    assert [understand(p).intent.kind for p, _ in parts] == [  # type: ignore[union-attr]
        IntentKind.CALCULATE,
        IntentKind.FIND_FUNCTION,
    ]
    assert split_requests("Add 19 and 23") == [("Add 19 and 23", False)]
    code = "Calculate 1 + 1 then run `a = 1; print(a) if a else None`"
    assert split_requests(code) == [
        ("Calculate 1 + 1", False),
        ("run `a = 1; print(a) if a else None`", True),
    ]


def test_a_conversation_carries_folder_function_and_proposal_forward() -> None:
    history = [
        Turn("user", "trace main to process_data in examples/sample_app"),
        Turn("assistant", "Call sequence from main() to process_data() ..."),
    ]
    follow_up = resolve_conversation([*history, Turn("user", "and who calls process_data?")])
    assert follow_up == (
        "Find where process_data() is defined and who calls it in examples/sample_app"
    )
    assert resolve_conversation([*history, Turn("user", "what about load_records?")]) == (
        "Trace the call sequence from main() to load_records() in examples/sample_app"
    )
    asked = [
        Turn("user", "main() and run() in src?"),
        Turn("assistant", "Did you mean: Trace the call sequence from main() to run() in src?"),
    ]
    assert resolve_conversation([*asked, Turn("user", "Yes please!")]) == (
        "Trace the call sequence from main() to run() in src"
    )
    # A request that stands on its own is left as written.
    assert resolve_conversation([*history, Turn("user", "List files in data")]) == (
        "List files in data"
    )
    assert is_confirmation("yep") and not is_confirmation("yes, but in src")


@pytest.mark.parametrize(
    ("text", "kind", "params"),
    [
        (
            "Walk me through how main gets to process_data in app",
            IntentKind.TRACE,
            {"start": "main", "end": "process_data", "root": "app"},
        ),
        (
            "what path does the code take from main() into process_data()? (folder app)",
            IntentKind.TRACE,
            {"start": "main", "end": "process_data", "root": "app"},
        ),
        (
            "What are the steps from main() down to process_data() in app?",
            IntentKind.TRACE,
            {"start": "main", "end": "process_data", "root": "app"},
        ),
        (
            "who ends up calling process_data? search app",
            IntentKind.FIND_FUNCTION,
            {"name": "process_data", "root": "app"},
        ),
        (
            "look up every place 'process_data' appears in app",
            IntentKind.SEARCH,
            {"pattern": "process_data", "path": "app"},
        ),
        (
            "find all lines containing 'import' in app",
            IntentKind.SEARCH,
            {"pattern": "import", "path": "app"},
        ),
        (
            "What does `print(len('hello'))` print?",
            IntentKind.PYTHON,
            {"code": "print(len('hello'))"},
        ),
        ("what's the output of `print(2 ** 10)`?", IntentKind.PYTHON, {"code": "print(2 ** 10)"}),
    ],
)
def test_everyday_phrasings_of_each_intent_are_read_for_sure(
    text: str, kind: IntentKind, params: dict[str, str]
) -> None:
    intent = understand(text).intent
    assert intent is not None, text
    assert (intent.kind, intent.params) == (kind, params)


def test_a_closing_place_or_folder_noun_does_not_swallow_what_the_request_is_about() -> None:
    # "search app for X": app is the place, X the pattern, as before.
    intent = understand("search app for steps").intent
    assert intent is not None and intent.params == {"pattern": "steps", "path": "app"}
    # "the data directory contain": data is the folder, "contain" is not a place.
    intent = understand("Which files does the data directory contain?").intent
    assert intent is not None and intent.params["path"] == "data"
    # Asking what code prints without any code is not a Python request.
    assert understand("what does the report print?").intent is None
