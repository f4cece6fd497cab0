"""Whether the Temporal SDK is installed: it is an optional extra.

Nothing else in `intelligent_office` imports temporalio, so the project imports and
runs without it; asking for the temporal runtime without it stops with one line
saying how to install it.
"""

from __future__ import annotations

import importlib.util

from intelligent_office.errors import UserError

__all__ = ["INSTALL_HINT", "require_temporalio", "temporalio_installed"]

INSTALL_HINT = "pip install 'intelligent-office[temporal]'"


def temporalio_installed() -> bool:
    """Whether `import temporalio` would work."""
    try:
        return importlib.util.find_spec("temporalio") is not None
    except ValueError:  # a module set to None in sys.modules (how tests hide it)
        return False


def require_temporalio() -> None:
    """Raise a one-line UserError unless the Temporal SDK is installed."""
    if not temporalio_installed():
        raise UserError(f"the temporal runtime needs the Temporal SDK: {INSTALL_HINT}")
