"""Text that is always valid UTF-8, whatever bytes a file name or an argv held.

Python reads a name that is not UTF-8 (b"\\xff.txt") as a str with a lone surrogate
("\\udcff.txt", PEP 383's surrogateescape), and so does an argv. That str opens the file
again, so tools keep it as it is in memory; but it cannot be encoded as UTF-8, so it
must never reach JSON, the database, a log line or a web page as it is. There it is
shown escaped: a byte the name held as `\\xff`, any other lone surrogate as `\\udXXX`.
`unescape_name` turns a shown name back into the one that opens the file.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring
from typing import Any

from intelligent_office.limits import MAX_ERROR_EXCERPT_CHARS

__all__ = ["dumps_json", "escape_surrogates", "excerpt", "one_line_json", "unescape_name"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_ESCAPED_BYTE = re.compile(r"\\x([89a-fA-F][0-9a-fA-F])")
# One encoder for every call: `json.dumps` with an option builds a new one each time,
# and the journal encodes a few documents per step.
_ENCODER = json.JSONEncoder(ensure_ascii=False)
# Its C encoder, built once too: `JSONEncoder.encode` builds one per call, which cost
# more than encoding a small document (the journal's rows hold one or two each). Built
# without a table of the containers being encoded (shared by threads, it could not be
# trusted), so a document that contains itself fails with RecursionError, not ValueError.
_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)  # None: no C accelerator
_C_ENCODE: Any = (
    None
    if _make_encoder is None
    else _make_encoder(
        None,
        _ENCODER.default,
        encode_basestring,
        None,
        _ENCODER.key_separator,
        _ENCODER.item_separator,
        False,
        False,
        True,
    )
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte surrogateescape kept: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def escape_surrogates(text: str) -> str:
    """`text` with each lone surrogate written as an escape (unchanged when it has none)."""
    if text.isascii():  # O(1) in CPython: the common case costs nothing
        return text
    return _LONE_SURROGATE.sub(_escape, text)


def unescape_name(shown: str) -> str:
    """The name `escape_surrogates` showed as `shown`: each `\\xNN` (NN >= 80) a raw byte."""
    return _ESCAPED_BYTE.sub(lambda match: chr(0xDC00 + int(match.group(1), 16)), shown)


def _escape_in_json(match: re.Match[str]) -> str:
    return _escape(match).replace("\\", "\\\\")  # inside a JSON string: the backslash escaped


def dumps_json(value: Any) -> str:
    """`value` as JSON text that is valid UTF-8: lone surrogates in it arrive escaped."""
    text = _ENCODER.encode(value) if _C_ENCODE is None else "".join(_C_ENCODE(value, 0))
    if text.isascii():
        return text
    # A raw surrogate can only be inside a string literal, where its escape is safe.
    return _LONE_SURROGATE.sub(_escape_in_json, text)


def one_line_json(text: str) -> str:
    """JSON text with the characters `str.splitlines` breaks at escaped (JSON escapes the
    rest): a client that splits a stream into lines that way still gets whole messages."""
    return text if text.isascii() else text.translate(_LINE_BREAKS)


def excerpt(text: str, limit: int = MAX_ERROR_EXCERPT_CHARS) -> str:
    """What an error message may quote of a user's input: at most `limit` characters of
    `text` on one line, lone surrogates escaped, and `...` where it was cut."""
    head = text[: limit * 2]  # whitespace runs collapse: a little more than the limit
    flat = " ".join(head.split())
    cut = len(flat) > limit or len(head) < len(text)
    return escape_surrogates(flat[:limit]) + ("..." if cut else "")
