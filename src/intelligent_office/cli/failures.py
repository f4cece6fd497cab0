"""How the `office` command reports a failure a user can cause: one line and an exit code.

A mistake in the input (UserError) exits 2, like a usage error; what the machine refused
(a file that cannot be read or written, a database file that is not one, text that is not
UTF-8, input nested too deeply) exits 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, DBAPIError

from intelligent_office.errors import UserError

__all__ = ["describe"]

USER_MISTAKE = 2
REFUSED = 1
_SHOWN_CHARACTERS = 300


def describe(error: BaseException) -> tuple[str, int] | None:
    """The line to print and the exit code for `error`; None when it is a bug."""
    if isinstance(error, UserError):
        return _flat(str(error)), USER_MISTAKE
    if isinstance(error, DBAPIError):
        return _flat(f"database error: {error.orig}: check OFFICE_DATABASE_URL"), USER_MISTAKE
    if isinstance(error, ArgumentError):
        return _flat(f"database URL not usable: {error}"), USER_MISTAKE
    if isinstance(error, UnicodeError):
        return _unicode(error), REFUSED
    if isinstance(error, OSError):
        return _os_error(error), REFUSED
    if isinstance(error, RecursionError):
        return "input nested too deeply to read: flatten it", REFUSED
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or error.title
        return _flat(f"{where}: {first['msg']}"), REFUSED
    return None


def _os_error(error: OSError) -> str:
    reason = error.strerror or str(error)
    if error.filename is None:
        return _flat(reason)
    return _flat(f"{_shown(str(error.filename))}: {reason}")


def _unicode(error: UnicodeError) -> str:
    if isinstance(error, UnicodeEncodeError | UnicodeDecodeError):
        text = error.object[error.start : error.end]
        return f"text is not valid UTF-8 ({_shown(repr(text))}): pass UTF-8 text and file names"
    return _flat(f"text is not valid UTF-8: {error}")


def _shown(text: str) -> str:
    """`text` printable on any terminal: escaped where it is not UTF-8, and not too long."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(safe) > _SHOWN_CHARACTERS:
        return safe[:_SHOWN_CHARACTERS] + "..."
    return safe


def _flat(text: str) -> str:
    """One line, whatever the message held."""
    return " ".join(text.split())
