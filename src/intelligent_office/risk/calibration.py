"""Calibration: fit the risk model's weights to the approve/deny decisions people made.

Method: each decided tool approval stored its step's signals; a decision is a sample
(x = the signals in `FEATURES` order, y = 1 if the person denied). The samples are
shuffled with a fixed seed and split 80/20. L2-regularised logistic regression is
fitted on the 80% by full-batch gradient descent (numpy): minimise mean log-loss +
l2/2 * |w|^2 (the bias is not penalised). The held-out 20% measure how well the
fitted scores predict the decisions: AUC (the chance a denied step scores above an
approved one; 0.5 is a coin) and log-loss, next to the same numbers for the current
weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from intelligent_office.errors import UserError
from intelligent_office.risk.model import FEATURES, RiskModel, RiskWeights

__all__ = ["Calibration", "Sample", "auc", "calibrate", "samples_from_approvals"]

Floats = NDArray[np.float64]
MIN_SAMPLES = 20


@dataclass(frozen=True)
class Sample:
    """One human decision on a scored step."""

    signals: dict[str, float]
    denied: bool


@dataclass(frozen=True)
class Calibration:
    """The fitted weights and how well they (and the old ones) predict held-out decisions."""

    weights: RiskWeights
    train_size: int
    test_size: int
    train_log_loss: float
    test_log_loss: float
    test_auc: float
    previous_test_auc: float
    previous_test_log_loss: float


def samples_from_approvals(approvals: list[tuple[str, dict[str, object]]]) -> list[Sample]:
    """Samples from (status, detail) of decided tool approvals that stored their signals."""
    samples = []
    for status, detail in approvals:
        signals = detail.get("signals")
        if status not in ("approved", "denied") or not isinstance(signals, dict):
            continue
        values = {name: float(signals.get(name, 0.0) or 0.0) for name in FEATURES}
        samples.append(Sample(signals=values, denied=status == "denied"))
    return samples


def auc(scores: Floats, labels: NDArray[np.bool_]) -> float:
    """Area under the ROC curve by ranks (Mann-Whitney U), ties counted as half."""
    positives, negatives = scores[labels], scores[~labels]
    if len(positives) == 0 or len(negatives) == 0:
        return float("nan")
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positives) * len(negatives)))


def _sigmoid(z: Floats) -> Floats:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _log_loss(p: Floats, y: Floats) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _fit(x: Floats, y: Floats, l2: float, steps: int, rate: float) -> tuple[float, Floats]:
    weights, bias = np.zeros(x.shape[1]), float(np.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3)))
    for _ in range(steps):
        error = _sigmoid(x @ weights + bias) - y
        weights -= rate * (x.T @ error / len(y) + l2 * weights)
        bias -= rate * float(error.mean())
    return bias, weights


def calibrate(
    samples: list[Sample],
    current: RiskModel,
    *,
    l2: float = 0.01,
    steps: int = 3000,
    rate: float = 0.5,
    seed: int = 0,
) -> Calibration:
    """Fit weights on 80% of the samples and measure them on the other 20%.

    Raises:
        UserError: too few decisions, or all of one kind, to fit anything.
    """
    if len(samples) < MIN_SAMPLES:
        raise UserError(
            f"{len(samples)} scored human decisions: calibration needs at least {MIN_SAMPLES};"
            " decide more approvals (`office approvals`) and run it again"
        )
    x = np.array([[s.signals[name] for name in FEATURES] for s in samples], dtype=np.float64)
    y = np.array([1.0 if s.denied else 0.0 for s in samples])
    if y.min() == y.max():
        raise UserError("every decision was the same: calibration needs approvals and denials")
    order = np.random.default_rng(seed).permutation(len(samples))
    cut = int(round(0.8 * len(samples)))
    train, test = order[:cut], order[cut:]
    bias, weights = _fit(x[train], y[train], l2, steps, rate)
    fitted = RiskWeights(
        bias=round(bias, 4),
        weights={name: round(float(w), 4) for name, w in zip(FEATURES, weights, strict=True)},
        source=f"calibrated on {len(train)} decisions",
    )
    old = np.array([current.probability(s.signals) for s in samples])
    new = _sigmoid(x @ weights + bias)
    labels = y.astype(bool)
    return Calibration(
        weights=fitted,
        train_size=len(train),
        test_size=len(test),
        train_log_loss=_log_loss(new[train], y[train]),
        test_log_loss=_log_loss(new[test], y[test]),
        test_auc=auc(new[test], labels[test]),
        previous_test_auc=auc(old[test], labels[test]),
        previous_test_log_loss=_log_loss(old[test], y[test]),
    )
