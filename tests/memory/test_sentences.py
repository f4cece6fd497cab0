"""Sentences as a reader sees them: wrapped lines joined, items apart, borders dropped."""

from __future__ import annotations

from intelligent_office.memory.sentences import split_sentences
from tests.memory.datasets import BACKUPS, IRIS


def test_wrapped_lines_are_one_sentence_and_list_items_stay_apart() -> None:
    sentences = split_sentences(BACKUPS)

    assert sentences == [  # the one-word heading is no sentence
        "The production database is copied every night at 02:00 to an offsite bucket.",
        "Copies are kept for 35 days.",
        "The ops team tests a full restore on the first Monday of every month.",
        "| server | schedule |",  # a table row is a unit of its own, its border dropped
        "| db-1   | nightly  |",
    ]


def test_fields_initials_and_table_borders_of_a_dataset_description() -> None:
    sentences = split_sentences(IRIS)

    assert "Number of Instances: 150 (50 in each of three classes)" in sentences
    assert "Creator: R.A. Fisher" in sentences
    assert "The famous Iris database, first used by Sir R.A. Fisher." in sentences
    assert (
        "This is perhaps the best known database to be found in the pattern recognition"
        " literature." in sentences
    )
    assert not any(s.startswith(("=", "..", "-")) for s in sentences)
    assert len(sentences) == len(set(sentences))


def test_a_sentence_repeated_in_the_text_is_given_once() -> None:
    text = "Backups run nightly. They are kept.\n\nBackups run nightly. Restores are monthly."

    assert split_sentences(text) == [
        "Backups run nightly.",
        "They are kept.",
        "Restores are monthly.",
    ]
