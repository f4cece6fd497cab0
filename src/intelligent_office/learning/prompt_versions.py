"""Prompt versions: each tier's prompt as numbered records, one of them current.

A version is candidate (proposed, not in use), current (in use; one per tier), retired
(was current) or refused (a candidate the eval gate or a person turned down). For the
offline brain (tier `offline`) a version's text is its rule set: JSON naming the
guidance in effect, `{"guidance": null}` meaning every enabled piece.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from intelligent_office.errors import UserError
from intelligent_office.llm.prompts import AI_TOOL, CHECK_PLAN, DECOMPOSE, PLAN, REVIEW
from intelligent_office.models.guidance import PromptChoice
from intelligent_office.store.schema import prompt_versions_table

__all__ = ["TIERS", "PromptVersion", "PromptVersionRepository", "offline_guidance_ids"]

CANDIDATE, CURRENT, RETIRED, REFUSED = "candidate", "current", "retired", "refused"
OFFLINE = "offline"
_BUILT_IN = {
    OFFLINE: json.dumps({"guidance": None}),
    "planner": PLAN.system,
    "decomposer": DECOMPOSE.system,
    "validator": CHECK_PLAN.system,
    "reviewer": REVIEW.system,
    "ai_tool": AI_TOOL.system,
}
TIERS = tuple(_BUILT_IN)
_table = prompt_versions_table


@dataclass(frozen=True)
class PromptVersion:
    """One stored version of a tier's prompt."""

    id: str
    tier: str
    version: int
    text: str
    model: str | None
    parent_id: str | None
    status: str
    evaluation: dict[str, Any]
    created_at: datetime
    decided_at: datetime | None

    def choice(self) -> PromptChoice:
        """As handed to a planner."""
        return PromptChoice(
            version_id=self.id, tier=self.tier, version=self.version, text=self.text
        )


def offline_guidance_ids(text: str) -> set[str] | None:
    """The guidance an offline version pins; None: every enabled piece."""
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError:
        return None
    listed = loaded.get("guidance") if isinstance(loaded, dict) else None
    return {str(item) for item in listed} if isinstance(listed, list) else None


def _record(row: Row[Any]) -> PromptVersion:
    return PromptVersion(
        id=row.id,
        tier=row.tier,
        version=row.version,
        text=row.text,
        model=row.model,
        parent_id=row.parent_id,
        status=row.status,
        evaluation=dict(row.evaluation),
        created_at=row.created_at,
        decided_at=row.decided_at,
    )


def _check_tier(tier: str) -> None:
    if tier not in _BUILT_IN:
        raise UserError(f"unknown tier {tier!r}: use one of {', '.join(TIERS)}")


class PromptVersionRepository:
    """Prompt versions in the SQL store; version 1 of a tier is its built-in prompt.

    Core statements: every plan of a run asks for the current version, and a run never
    needs SQLAlchemy's ORM.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _seed(self, tier: str) -> None:
        _check_tier(tier)
        try:
            self._add_built_in(tier)
        except IntegrityError:
            pass  # another planner seeded it at the same moment

    def _add_built_in(self, tier: str) -> None:
        with self._engine.begin() as connection:
            if connection.scalar(select(_table.c.id).where(_table.c.tier == tier).limit(1)):
                return
            connection.execute(
                insert(_table).values(
                    id=f"{tier}-v1",
                    tier=tier,
                    version=1,
                    text=_BUILT_IN[tier],
                    model=None,
                    parent_id=None,
                    status=CURRENT,
                    evaluation={},
                    created_at=datetime.now(UTC),
                    decided_at=None,
                )
            )

    def current(self, tier: str) -> PromptVersion:
        """The version in use for the tier (the built-in prompt until another is promoted)."""
        self._seed(tier)
        query = select(_table).where(_table.c.tier == tier, _table.c.status == CURRENT)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise UserError(f"tier {tier} has no current prompt: promote one")
        return _record(row)

    def get(self, version_id: str) -> PromptVersion | None:
        """The version with this id, if any."""
        with self._engine.connect() as connection:
            row = connection.execute(select(_table).where(_table.c.id == version_id)).first()
        return _record(row) if row else None

    def require(self, version_id: str) -> PromptVersion:
        """The version with this id; a UserError naming `office prompts list` if none."""
        found = self.get(version_id)
        if found is None:
            raise UserError(f"no prompt version {version_id!r}: see `office prompts list`")
        return found

    def list(self, tier: str | None = None) -> list[PromptVersion]:
        """Versions, by tier then newest first."""
        for name in [tier] if tier else TIERS:
            self._seed(name)
        query = select(_table).order_by(_table.c.tier, _table.c.version.desc())
        if tier is not None:
            query = query.where(_table.c.tier == tier)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def add_candidate(self, tier: str, text: str, *, model: str | None = None) -> PromptVersion:
        """A new candidate version of the tier, the current one its parent."""
        if not text.strip():
            raise UserError("the candidate prompt is empty: give its text")
        parent = self.current(tier)
        with self._engine.begin() as connection:
            highest = connection.scalar(
                select(func.max(_table.c.version)).where(_table.c.tier == tier)
            )
            version = int(highest or 0) + 1
            added = PromptVersion(
                id=f"{tier}-v{version}",
                tier=tier,
                version=version,
                text=text,
                model=model,
                parent_id=parent.id,
                status=CANDIDATE,
                evaluation={},
                created_at=datetime.now(UTC),
                decided_at=None,
            )
            connection.execute(insert(_table).values(**asdict(added)))
        return added

    def set_evaluation(self, version_id: str, evaluation: dict[str, Any]) -> None:
        """Keep the gate's verdict with the version."""
        with self._engine.begin() as connection:
            connection.execute(
                update(_table).where(_table.c.id == version_id).values(evaluation=evaluation)
            )

    def _set_status(self, version_id: str, status: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(_table)
                .where(_table.c.id == version_id)
                .values(status=status, decided_at=datetime.now(UTC))
            )

    def promote(self, version_id: str) -> PromptVersion:
        """Make a version current; the one it replaces is retired."""
        version = self.require(version_id)
        if version.status == CURRENT:
            return version
        previous = self.current(version.tier)
        self._set_status(previous.id, RETIRED)
        self._set_status(version.id, CURRENT)
        return self.require(version_id)

    def refuse(self, version_id: str) -> PromptVersion:
        """Turn a candidate down."""
        version = self.require(version_id)
        if version.status != CANDIDATE:
            raise UserError(f"{version_id} is {version.status}, not a candidate")
        self._set_status(version_id, REFUSED)
        return self.require(version_id)

    def rollback(self, tier: str) -> tuple[PromptVersion, PromptVersion]:
        """Restore the version the current one replaced; (restored, retired)."""
        current = self.current(tier)
        if current.parent_id is None:
            raise UserError(f"{current.id} is the first version of {tier}: nothing to roll back to")
        parent = self.require(current.parent_id)
        self._set_status(current.id, RETIRED)
        self._set_status(parent.id, CURRENT)
        return self.require(parent.id), self.require(current.id)
