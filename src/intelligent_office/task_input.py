"""A Task from plain input: a description, a workspace, options from the CLI or a program."""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from intelligent_office.errors import UserError
from intelligent_office.limits import check_description
from intelligent_office.models import Criterion, CriterionKind, Task, TaskConstraints

__all__ = ["criteria_from_options", "new_task"]


def new_task(
    description: str,
    *,
    workspace: Path,
    allowed_tools: list[str] | None = None,
    priority: int = 5,
    user_id: str | None = None,
    max_cost: float | None = None,
    max_tokens: int | None = None,
    signoff: bool = False,
    criteria: list[Criterion] | None = None,
    max_duration: float | None = None,
    deadline: datetime | None = None,
) -> Task:
    """A Task from plain input; a UserError says what is wrong with it.

    With `signoff`, each of its validated plans waits for a person before it runs.

    Raises:
        UserError: an empty or too long description, or a workspace that is not a directory.
    """
    check_description(description)
    if not workspace.is_dir():
        raise UserError(
            f"workspace {workspace} does not exist or is not a directory: pass --workspace DIR"
        )
    try:
        return Task(
            description=description,
            user_id=user_id or getpass.getuser(),
            priority=priority,
            deadline=deadline,
            constraints=TaskConstraints(
                allowed_tools=allowed_tools,
                max_cost=max_cost,
                max_tokens=max_tokens,
                max_duration=max_duration,
            ),
            context={"workspace": str(workspace.resolve())}
            | ({"signoff": True} if signoff else {}),
            criteria=criteria or [],
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise UserError(f"bad task: {first['msg']}") from None


def criteria_from_options(texts: list[str], checks: list[str]) -> list[Criterion]:
    """Criteria from `--criterion TEXT` and `--check KIND:VALUE` options.

    Raises:
        UserError: a check without a known kind, or a regex that does not compile.
    """
    criteria = [Criterion(kind=CriterionKind.TEXT, value=text) for text in texts if text.strip()]
    for spec in checks:
        try:
            criterion = Criterion.parse(spec)
        except ValidationError as error:
            raise UserError(f"bad --check {spec!r}: {error.errors()[0]['msg']}") from None
        if not criterion.machine:
            raise UserError(
                f"bad --check {spec!r}: start it with regex:, file: or command:"
                " (use --criterion for a criterion in words)"
            )
        criteria.append(criterion)
    return criteria
