"""A node body for crash tests: append the node's id to a file, durably, then dawdle."""

from __future__ import annotations

import os
import time


def append_id(node_id: str, path: str, delay: float) -> str:
    """Record that this node ran (once per execution), then take `delay` seconds."""
    with open(path, "a", encoding="utf-8") as log:
        log.write(node_id + "\n")
        log.flush()
        os.fsync(log.fileno())
    time.sleep(delay)
    return node_id
