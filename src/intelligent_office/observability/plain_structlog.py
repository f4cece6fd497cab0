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
from contextlib import AbstractContextManager
from typing import Any

__all__ = ["bound_contextvars", "get_logger", "load_structlog"]

# What structlog imports from rich only to render tracebacks and locals prettily; rich
# itself when nothing has loaded it (structlog then takes it as not installed).
_RICH_EXTRAS = ("rich", "rich.traceback", "rich.pretty")


def load_structlog() -> None:
    """Import structlog; the first time, with rich's tracebacks hidden from it."""
    if "structlog" in sys.modules:
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


def get_logger(name: str) -> Any:
    """`structlog.get_logger(name)`, structlog loaded as above."""
    load_structlog()
    import structlog

    return structlog.get_logger(name)


def bound_contextvars(**values: object) -> AbstractContextManager[None]:
    """`structlog.contextvars.bound_contextvars`, structlog loaded as above."""
    load_structlog()
    import structlog

    return structlog.contextvars.bound_contextvars(**values)
