"""The garbage collector while a command loads: held back, then told what loaded for good.

Loading a command that runs a task creates some hundred thousand objects (classes,
functions, pydantic and SQLAlchemy schemas) that live as long as the process, and next
to no garbage. The collector runs after every 700 new container objects and walks the
young ones each time, and all of them now and then: about a tenth of an offline
`office run`'s CPU time went to walking objects that could never be garbage.

`office` (`cli/entry.py`) raises the collector's first threshold before anything loads
(`hold_back()`). A command that goes on working after it has loaded (a task's loop, the
server, a worker) calls `loaded()` first: what exists by then moves to the permanent
generation, which no collection walks, and the usual thresholds return. A command that
never calls it still collects, less often: the raised threshold bounds what garbage can
pile up. (200,000: an offline `office run` makes about 180,000 container objects while it
loads, so none of them is walked before `loaded()`.)
"""

from __future__ import annotations

import atexit
import gc

__all__ = ["LOADING_THRESHOLD", "freeze_at_exit", "hold_back", "loaded"]

LOADING_THRESHOLD = 200_000
"""New container objects between two young collections while a command loads."""
_USUAL_THRESHOLD = 700
"""CPython's own first threshold."""


def hold_back() -> None:
    """Collect rarely until `loaded()`: loading makes objects that stay, not garbage."""
    _, *older = gc.get_threshold()
    gc.set_threshold(LOADING_THRESHOLD, *older)


def loaded() -> None:
    """The command has loaded: set what exists aside for good and collect as usual again.

    Does nothing unless `hold_back()` was called (in tests, say, where the command runs
    inside pytest's process).
    """
    first, *older = gc.get_threshold()
    if first == LOADING_THRESHOLD:
        gc.freeze()
        gc.set_threshold(_USUAL_THRESHOLD, *older)


def freeze_at_exit() -> None:
    """At exit, after every other exit handler, set what exists aside from the last collection.

    The interpreter collects once more as it ends, walking every object made since
    `loaded()` only to free what the process's end frees anyway (7 ms of an offline
    `office run`, measured). What must happen at exit does not wait for it: files and the
    database are closed by the code that opened them, and exit handlers (registered later,
    so run earlier) have run. Python never promised to finalize what is left in a cycle at
    exit; with this, nothing left in one is.
    """
    atexit.register(gc.freeze)  # handlers run last-registered first: this one last
