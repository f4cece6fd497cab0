"""structlog, loaded without rich's tracebacks: those load pygments and attrs (tens of ms).

structlog's console renderer formats exceptions with rich when rich is importable. A CLI
command or a library's worker binds log context on every run but rarely logs; the first
import of structlog through here makes its renderer use plain tracebacks instead. If rich
is not loaded yet, structlog does not load it at all (rich.console alone is ~40 modules
and ~1 MiB, imported by structlog only to find rich's tracebacks missing). If structlog is
already loaded (`office serve` configures logging at start), it is used as it is.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["at_least", "bound_contextvars", "get_logger", "lazy_logger", "load_structlog"]

# What structlog imports from rich only to render tracebacks and locals prettily; rich
# itself when nothing has loaded it (structlog then takes it as not installed).
_RICH_EXTRAS = ("rich", "rich.traceback", "rich.pretty")

# structlog's prefix of its context variables' names (`structlog.contextvars`).
_PREFIX = "structlog_"


def load_structlog() -> None:
    """Import structlog; the first time, with rich's tracebacks hidden from it."""
    if "structlog" in sys.modules:
        _share_variables()
        return
    hidden = [name for name in _RICH_EXTRAS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import` raise ImportError
    try:
        import structlog  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]  # importable again, for whoever wants rich's tracebacks
    _share_variables()
    if _LEVELS:  # asked for while structlog was not loaded: in force from its first line
        _BEFORE.append(structlog.get_config())
        _filter(_LEVELS[-1])


@contextmanager
def at_least(level: int) -> Iterator[None]:
    """Only lines of `level` and above from structlog's loggers inside; the config back after.

    Without loading structlog: a command that logs nothing (most runs) never imports it
    (a hundredth of a second). If it loads inside (through `load_structlog`, as every
    `get_logger` here does), the level applies from its first line.
    """
    if "structlog" in sys.modules:
        import structlog

        previous = structlog.get_config()
        _filter(level)
        try:
            yield
        finally:
            structlog.configure(**previous)
        return
    _LEVELS.append(level)
    loaded_before = len(_BEFORE)
    try:
        yield
    finally:
        _LEVELS.pop()
        if len(_BEFORE) > loaded_before:  # structlog loaded inside: its config as it was
            import structlog

            previous = _BEFORE.pop()
            structlog.configure(**previous)
            if _LEVELS:  # inside an outer one, which restores it in its turn
                _BEFORE.append(previous)
                _filter(_LEVELS[-1])


# Levels `at_least` asked for before structlog loaded (innermost last), and the config
# structlog had when it then loaded inside one.
_LEVELS: list[int] = []
_BEFORE: list[dict[str, Any]] = []


def _filter(level: int) -> None:
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level))


def get_logger(name: str) -> Any:
    """`structlog.get_logger(name)`, structlog loaded as above."""
    load_structlog()
    import structlog

    return structlog.get_logger(name)


class _LazyLogger:
    """A module's logger: structlog loads (through `load_structlog`) at its first line."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: Any = None

    def __getattr__(self, method: str) -> Any:
        if self._logger is None:
            self._logger = get_logger(self._name)
        return getattr(self._logger, method)


def lazy_logger(name: str) -> Any:
    """A module-level logger (`log = lazy_logger(__name__)`) that imports nothing until used.

    structlog then loads as `load_structlog` loads it: without rich's tracebacks, and under
    the level of an `at_least` block it loads inside (`office run` shows warnings only).
    """
    return _LazyLogger(name)


def bound_contextvars(**values: object) -> AbstractContextManager[None]:
    """`structlog.contextvars.bound_contextvars`, without loading structlog if it is not loaded.

    structlog finds its context by the variables' names (`structlog_<key>`), so a run's
    context bound here is in every line logged inside it, whenever structlog loads.
    """
    if "structlog" in sys.modules:
        _share_variables()
        import structlog

        return structlog.contextvars.bound_contextvars(**values)
    return _bound_without_structlog(values)


# The variables bound before structlog was loaded, by structlog's name for them.
_VARIABLES: dict[str, ContextVar[Any]] = {}


@contextmanager
def _bound_without_structlog(values: dict[str, object]) -> Iterator[None]:
    tokens = []
    for key, value in values.items():
        name = f"{_PREFIX}{key}"
        variable = _VARIABLES.get(name)
        if variable is None:
            # Ellipsis is structlog's "unbound".
            variable = _VARIABLES.setdefault(name, ContextVar(name, default=Ellipsis))
        tokens.append((variable, variable.set(value)))
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


def _share_variables() -> None:
    """Let structlog bind the variables made here, not new ones under the same names."""
    if _VARIABLES:
        import structlog.contextvars

        known = structlog.contextvars._CONTEXT_VARS
        for name, variable in _VARIABLES.items():
            known.setdefault(name, variable)
