"""After a run: strip setuid/setgid bits and delete FIFOs, devices and sockets it left."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ScrubReport", "scrub_workspace"]


@dataclass
class ScrubReport:
    """Workspace-relative paths that were changed."""

    removed: list[str] = field(default_factory=list)
    stripped: list[str] = field(default_factory=list)


def scrub_workspace(workspace: Path) -> ScrubReport:
    """Walk `workspace` without following symlinks and make what the run left inert."""
    report = ScrubReport()
    for directory, dirnames, filenames in os.walk(workspace, followlinks=False):
        for name in [*dirnames, *filenames]:
            path = os.path.join(directory, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            relative = os.path.relpath(path, workspace)
            mode = info.st_mode
            if (
                stat.S_ISFIFO(mode)
                or stat.S_ISCHR(mode)
                or stat.S_ISBLK(mode)
                or stat.S_ISSOCK(mode)
            ):
                os.unlink(path)
                report.removed.append(relative)
            elif not stat.S_ISLNK(mode) and mode & (stat.S_ISUID | stat.S_ISGID):
                os.chmod(
                    path, stat.S_IMODE(mode) & ~(stat.S_ISUID | stat.S_ISGID)
                )  # not a symlink, and nothing runs now
                report.stripped.append(relative)
    return report
