"""Budgets: checked before every model call, from what the task has already spent.

For each budget that applies to a call (the task's, and its agent's within the task):

- at `warn_at` (70 %) of money or tokens: a `budget.warning` event, once;
- at `approve_at` (90 %): `BudgetApprovalRequired` until a human approves the task's
  budget (the Office workflow waits durably for that decision);
- at 100 %: `BudgetExceeded`, and the task stops.

The check runs before the call and the call's cost is recorded after it, so a budget is
never exceeded by more than one call.
"""

from __future__ import annotations

from dataclasses import dataclass

from intelligent_office.errors import BudgetApprovalRequired, BudgetExceeded
from intelligent_office.llm.config import Budget, BudgetSettings
from intelligent_office.store import Spend, Store

__all__ = ["BUDGET_APPROVAL", "BudgetGuard", "CallScope"]

BUDGET_APPROVAL = "budget"
"""The approval kind that lets a task's calls go on past `approve_at`."""


@dataclass(frozen=True)
class CallScope:
    """Who a model call is for: costs are attributed to it and its budgets apply."""

    agent: str
    task_id: str | None = None
    run_id: str | None = None
    subtask_id: str | None = None
    task_budget: Budget | None = None  # the task's own limits; read from the stored task if None


@dataclass(frozen=True)
class _Limit:
    label: str
    budget: Budget
    agent: str | None


def _fraction(spent: Spend, budget: Budget) -> float:
    parts = [0.0]
    if budget.max_cost_usd is not None:
        parts.append(spent.cost_usd / budget.max_cost_usd if budget.max_cost_usd else float("inf"))
    if budget.max_tokens is not None:
        parts.append(spent.tokens / budget.max_tokens)
    return max(parts)


def _describe(spent: Spend, budget: Budget) -> str:
    parts = []
    if budget.max_cost_usd is not None:
        parts.append(f"${spent.cost_usd:.4f} of ${budget.max_cost_usd:.4f}")
    if budget.max_tokens is not None:
        parts.append(f"{spent.tokens} of {budget.max_tokens} tokens")
    return ", ".join(parts)


@dataclass
class BudgetGuard:
    """Checks a call's budgets against the ledger in the store."""

    store: Store
    settings: BudgetSettings

    def _stored_budget(self, task_id: str) -> Budget:
        record = self.store.tasks.get(task_id)
        constraints = (record.body.get("constraints") or {}) if record else {}
        return Budget(
            max_cost_usd=constraints.get("max_cost"), max_tokens=constraints.get("max_tokens")
        )

    def _limits(self, scope: CallScope, task_id: str) -> list[_Limit]:
        defaults = self.settings.task
        own = scope.task_budget or self._stored_budget(task_id)
        task = Budget(
            max_cost_usd=own.max_cost_usd
            if own.max_cost_usd is not None
            else defaults.max_cost_usd,
            max_tokens=own.max_tokens if own.max_tokens is not None else defaults.max_tokens,
        )
        limits = [_Limit("task", task, None)]
        agent_budget = self.settings.agents.get(scope.agent)
        if agent_budget is not None:
            limits.append(_Limit(f"agent {scope.agent}", agent_budget, scope.agent))
        return [
            limit
            for limit in limits
            if limit.budget.max_cost_usd is not None or limit.budget.max_tokens is not None
        ]

    def check(self, scope: CallScope) -> None:
        """Let the call go ahead, or raise.

        Raises:
            BudgetExceeded: a budget is spent.
            BudgetApprovalRequired: a budget passed `approve_at` and no human approved more.
        """
        if scope.task_id is None:
            return
        for limit in self._limits(scope, scope.task_id):
            spent = self.store.llm_calls.spent(scope.task_id, limit.agent)
            used = _fraction(spent, limit.budget)
            where = f"task {scope.task_id}: {limit.label} budget"
            if used >= 1:
                raise BudgetExceeded(
                    f"{where} is spent ({_describe(spent, limit.budget)}); raise the budget"
                    " (task constraints or budgets in the settings) and retry the dead letter"
                )
            if used >= self.settings.approve_at and not self.store.approvals.granted(
                scope.task_id, BUDGET_APPROVAL
            ):
                raise BudgetApprovalRequired(
                    f"{where} is {used:.0%} spent ({_describe(spent, limit.budget)});"
                    " approve to let the task go on to its limit"
                )
            if used >= self.settings.warn_at:
                self.store.events.append(
                    task_id=scope.task_id,
                    run_id=scope.run_id,
                    type="budget.warning",
                    payload={
                        "budget": limit.label,
                        "used": round(used, 4),
                        "spent_usd": spent.cost_usd,
                        "spent_tokens": spent.tokens,
                        "max_cost_usd": limit.budget.max_cost_usd,
                        "max_tokens": limit.budget.max_tokens,
                    },
                    dedup_key=f"budget/{limit.label}/warning",
                )
