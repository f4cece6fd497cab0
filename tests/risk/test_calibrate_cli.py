"""`office risk calibrate` on a generated history of 500 human decisions made by a known
rule: it prints its fit and a held-out AUC well above a coin's, and saved weights are the
ones new runs score with."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from intelligent_office.front_door import Office
from intelligent_office.risk import FEATURES
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from tests.cli.test_cli import office

pytestmark = pytest.mark.timeout(120)


def generate_history(store: Store, decisions: int = 500, seed: int = 7) -> None:
    """Tool approvals a person decided: deletes and writes outside out/ are mostly denied."""
    rng = random.Random(seed)
    store.tasks.create(task_id="history", user_id="ann", description="history", body={})
    for n in range(decisions):
        signals = dict.fromkeys(FEATURES, 0.0)
        signals.update(
            declared_risk=rng.choice([0.0, 0.5, 1.0]),
            policy_asks=float(rng.random() < 0.5),
            plan_doubt=round(rng.random() * 0.5, 2),
            outside_out=float(rng.random() < 0.4),
            network=float(rng.random() < 0.3),
            deletes=float(rng.random() < 0.2),
            size=round(rng.random() * 0.1, 3),
        )
        danger = 2.5 * signals["deletes"] + 1.5 * signals["outside_out"] + signals["network"]
        denied = danger + rng.gauss(0, 0.7) > 1.2
        approval_id = f"h{n}"
        store.approvals.request(
            approval_id=approval_id, task_id="history", run_id=None, kind="tool",
            subject=f"step {n}", detail={"tool": "write_file", "score": 50, "signals": signals},
        )  # fmt: skip
        store.approvals.decide(approval_id, status="denied" if denied else "approved", by="ann")


def test_calibrate_prints_the_fit_and_a_held_out_auc_and_saves_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("OFFICE_DATABASE_URL", url)
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    store = Store.open(url)
    generate_history(store)
    store.close()

    code, out, err = office(["risk", "calibrate", "--save"], capsys, monkeypatch)

    assert code == 0, err
    assert "500 human decisions: fitted on 400, held out 100" in out
    assert re.search(r"train log-loss \d\.\d{3}\s+held-out log-loss \d\.\d{3}", out)
    auc = float(re.search(r"held-out AUC (\d\.\d{3})", out).group(1))  # type: ignore[union-attr]
    assert auc > 0.85, out
    saved = tmp_path / "home" / "risk_weights.json"
    assert saved.is_file() and "saved to" in out
    store = Store.open(url)
    try:
        model = Office(load_settings(None), store).risk_model()
    finally:
        store.close()
    assert model.weights.source == "calibrated on 400 decisions"
    # The rule denies deletes most: the fit weighs them above what it never looked at.
    assert model.weights.weights["deletes"] > model.weights.weights["failure_rate"]
    code, out, _ = office(["risk", "show"], capsys, monkeypatch)
    assert code == 0 and "calibrated on 400 decisions" in out


def test_calibrate_with_too_few_decisions_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_DATABASE_URL", f"sqlite:///{tmp_path / 'office.db'}")
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    code, out, err = office(["risk", "calibrate"], capsys, monkeypatch)
    assert code != 0 and "calibration needs at least 20" in out + err
