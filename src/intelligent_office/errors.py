"""Every error the project raises, in one place.

    OfficeError
    ├── UserError              bad input or configuration; the message says what to do
    │   ├── ConfigError        settings, config files, database URLs
    │   ├── GraphError         a DAG that cannot run: duplicate id, unknown dependency, cycle
    │   ├── WorkflowFileError  a YAML workflow that cannot be loaded
    │   └── SuiteError         an eval suite that cannot be loaded
    └── RunError               a failure while running; `retryable` says if a retry may help
        ├── TransientError     raise from an activity for a failure worth retrying
        ├── PermanentError     raise from an activity for a failure a retry will not fix
        │   └── ModelNeeded    offline, an agent cannot do what was asked without a model
        ├── ActivityError      an activity's final error, as handed back or replayed
        ├── ToolError          a tool call failed (bad arguments, missing file, timeout ...)
        ├── ModelUnavailable   no model of a tier answered (errors, timeouts, 429s, open circuits)
        ├── BudgetExceeded     a budget is spent: the task stops (dead letter, resource)
        ├── BudgetApprovalRequired  a budget is nearly spent: a human must approve going on
        ├── SignalTimeout      no signal arrived within the timeout
        ├── Stalled            an activity made no progress past its timeout plus grace
        └── LeaseLost          another worker took over this run

Retry intent lives on the error: `retryable` is read by the engine's retry policies.
"""

from __future__ import annotations

from intelligent_office.safe_text import escape_surrogates

__all__ = [
    "ActivityError",
    "BudgetApprovalRequired",
    "BudgetExceeded",
    "ConfigError",
    "GraphError",
    "LeaseLost",
    "ModelNeeded",
    "ModelUnavailable",
    "OfficeError",
    "PermanentError",
    "RunError",
    "SignalTimeout",
    "Stalled",
    "SuiteError",
    "ToolError",
    "TransientError",
    "UserError",
    "WorkflowFileError",
    "is_retryable",
]


class OfficeError(Exception):
    """Base of every error raised by Intelligent Office."""

    retryable: bool = False


class UserError(OfficeError):
    """A usage mistake: bad input or configuration. The message names the fix."""


class ConfigError(UserError):
    """Settings or a configuration file are invalid."""


class GraphError(UserError):
    """A DAG that cannot run: duplicate id, unknown dependency or a cycle."""


class WorkflowFileError(UserError):
    """A YAML workflow file that cannot be loaded."""


class SuiteError(UserError):
    """An eval suite file that cannot be loaded: the message names the case and the field."""


class RunError(OfficeError):
    """A failure while running a workflow."""

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        # A message may name a file whose name is not UTF-8: it is stored and shown.
        super().__init__(escape_surrogates(message))
        if retryable is not None:
            self.retryable = retryable


class TransientError(RunError):
    """A failure worth retrying (network blip, rate limit, timeout)."""

    retryable = True


class PermanentError(RunError):
    """A failure that a retry will not fix."""

    retryable = False


class ModelNeeded(PermanentError):
    """Offline, an agent was asked for what only a model can do; the message says what."""


class ActivityError(RunError):
    """An activity's final error, as the runtime hands it back or replays it from its journal.

    Attributes:
        key: the activity's stable key.
        error_type: the class name of the original exception.
    """

    def __init__(self, key: str, error_type: str, message: str, *, retryable: bool) -> None:
        super().__init__(f"{key}: {error_type}: {message}", retryable=retryable)
        self.key = key
        self.error_type = error_type
        self.detail = message


class ToolError(RunError):
    """A tool call failed; the message says why, `retryable` whether trying again may help."""

    retryable = False


class ModelUnavailable(RunError):
    """Every model of a tier failed; the message lists each one's reason."""

    retryable = True


class BudgetExceeded(RunError):
    """A task's or agent's budget is spent; no further model call is made for it."""

    retryable = False


class BudgetApprovalRequired(RunError):
    """A budget passed its approval threshold: the task waits for a human to approve more."""

    retryable = False


class SignalTimeout(RunError):
    """No signal arrived before the timeout."""

    retryable = False


class Stalled(RunError):
    """An activity showed no progress for longer than its timeout plus the grace: cancelled."""

    retryable = True


class LeaseLost(RunError):
    """Another worker holds this run's lease now; this worker must stop running it."""

    retryable = True


# Exceptions from outside the project that usually clear up on their own.
_TRANSIENT_BUILTINS: tuple[type[BaseException], ...] = (TimeoutError, ConnectionError)


def is_retryable(error: BaseException) -> bool:
    """Whether a retry may help: the error's own `retryable`, else transient for timeouts and
    connection errors, permanent for everything else."""
    if isinstance(error, OfficeError):
        return error.retryable
    return isinstance(error, _TRANSIENT_BUILTINS)
