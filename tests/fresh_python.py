"""Python code run in a fresh interpreter (nothing this test process loaded is loaded
there), its answer read as the JSON it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

__all__ = ["fresh_python"]


def fresh_python(code: str, *args: str) -> Any:
    """Run `python -c CODE ARGS` and return the JSON value it prints on stdout.

    Raises:
        AssertionError: the process failed (its stderr is the message).
    """
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
