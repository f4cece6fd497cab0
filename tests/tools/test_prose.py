"""The prose of real files: Markdown, reStructuredText, code and plain text, read as sentences."""

from __future__ import annotations

import pytest

from intelligent_office.tools.prose import document_kind, split_sentences

RST = """\
.. _intro:

=====
Intro
=====

The ``Widget`` class draws boxes, see :class:`~pkg.Widget` and
`the guide <https://example.org/guide>`_ for more. It is fast.

Example::

    widget = Widget()
    widget.draw()

>>> Widget().size
3

.. note::

   A directive's body is not the document's prose.

============  =====
name          size
============  =====
small         1
============  =====

:Author: Ada Lovelace
:Version: 2

- First point, with *emphasis* and **strong** text.
- Second point.
"""

PYTHON = '''\
#!/usr/bin/env python
"""Tools for boxes.

Boxes hold things.
"""
import os  # noqa: F401


class Box:
    """A box that holds items.

    Args:
        size: how many items fit.

    :param size: the same, Sphinx style.
    """

    # Items are kept in order, so the first one in
    # is the first one out.
    def take(self) -> None:
        """Take the first item out."""
'''


def test_rst_titles_directives_literal_blocks_doctests_and_tables_are_not_prose() -> None:
    assert split_sentences(RST, "README.rst") == [
        "The Widget class draws boxes, see pkg.Widget and the guide for more.",
        "It is fast.",
        "Example:",
        "Author: Ada Lovelace",
        "Version: 2",
        "First point, with emphasis and strong text.",
        "Second point.",
    ]


def test_python_prose_is_its_docstrings_and_comments_without_reference_sections() -> None:
    assert split_sentences(PYTHON, "boxes.py") == [
        "Tools for boxes.",
        "Boxes hold things.",
        "A box that holds items.",
        "Items are kept in order, so the first one in is the first one out.",
        "Take the first item out.",
    ]


def test_plain_text_keeps_indented_paragraphs_and_joins_lines() -> None:
    text = "Terms\n\n      (d) If the Work includes a notice,\n          keep it.\n"
    assert split_sentences(text, "LICENSE") == [
        "Terms",
        "(d) If the Work includes a notice, keep it.",
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.md", "markdown"),
        ("a.rst", "rst"),
        ("a.py", "python"),
        ("a.ts", "code"),
        ("LICENSE", "text"),
    ],
)
def test_the_kind_comes_from_the_name(name: str, kind: str) -> None:
    assert document_kind(name) == kind
