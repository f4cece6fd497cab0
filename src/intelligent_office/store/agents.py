"""Agents created over the HTTP API: their spec, owner and execution counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from intelligent_office.store.tables import AgentRow

__all__ = ["AgentRecord", "AgentRepository"]


@dataclass(frozen=True, slots=True)
class AgentRecord:
    """A stored agent."""

    id: str
    user_id: str
    name: str
    archetype: str
    spec: dict[str, Any]
    executions: int
    successes: int
    last_state: str | None
    created_at: datetime
    last_run_at: datetime | None

    @property
    def success_rate(self) -> float | None:
        """Completed executions over all executions; None before the first."""
        return self.successes / self.executions if self.executions else None


def _record(row: Any) -> AgentRecord:
    return AgentRecord(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        archetype=row.archetype,
        spec=row.spec,
        executions=row.executions,
        successes=row.successes,
        last_state=row.last_state,
        created_at=row.created_at,
        last_run_at=row.last_run_at,
    )


class AgentRepository:
    """Create, read, count the executions of and delete API agents."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self, *, user_id: str, name: str, archetype: str, spec: dict[str, Any]
    ) -> AgentRecord:
        """Store a new agent for `user_id`."""
        values = {
            "id": uuid.uuid4().hex,
            "user_id": user_id,
            "name": name,
            "archetype": archetype,
            "spec": spec,
            "executions": 0,
            "successes": 0,
            "created_at": datetime.now(UTC),
        }
        with self._engine.begin() as connection:
            connection.execute(insert(AgentRow).values(**values))
            row = connection.execute(select(AgentRow).where(AgentRow.id == values["id"])).one()
        return _record(row)

    def get(self, agent_id: str) -> AgentRecord | None:
        """The agent, or None."""
        with self._engine.connect() as connection:
            row = connection.execute(select(AgentRow).where(AgentRow.id == agent_id)).one_or_none()
        return _record(row) if row is not None else None

    def record_execution(self, agent_id: str, state: str) -> None:
        """Count one execution that ended in `state` (a success when completed)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(AgentRow)
                .where(AgentRow.id == agent_id)
                .values(
                    executions=AgentRow.executions + 1,
                    successes=AgentRow.successes + (1 if state == "completed" else 0),
                    last_state=state,
                    last_run_at=datetime.now(UTC),
                )
            )

    def delete(self, agent_id: str) -> bool:
        """Remove the agent; False when there was none."""
        with self._engine.begin() as connection:
            return connection.execute(delete(AgentRow).where(AgentRow.id == agent_id)).rowcount > 0
