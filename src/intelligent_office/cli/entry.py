"""The `office` executable's entry point: it loads the command, then runs it.

Loading is most of a short command's time; a Ctrl-C while it loads ends with one line
and the shell's code for SIGINT, as a Ctrl-C anywhere else does, not a traceback.
"""

from __future__ import annotations

import sys

from intelligent_office.cli import collector

__all__ = ["main"]


def main() -> None:
    """Load the `office` command and run it."""
    collector.hold_back()  # until the command has loaded what it runs (see collector)
    collector.freeze_at_exit()
    try:
        from intelligent_office.cli.main import main as office
    except KeyboardInterrupt:
        print("office: interrupted", file=sys.stderr)
        sys.exit(130)
    office()
