"""`office risk`: the risk model's weights and thresholds, and fitting them to past decisions."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console

__all__ = ["register"]

risk_app = typer.Typer(help="The risk score: its weights, thresholds and calibration.")


def register(app: typer.Typer) -> None:
    """Add `office risk` to the app."""
    app.add_typer(risk_app, name="risk")


@risk_app.command("show")
def show(config: ConfigOption = None) -> None:
    """The weights in use (default or calibrated) and the thresholds that decide."""
    app = AppContext.open(config)
    model = app.office.risk_model()
    console.print(
        f"weights: {model.weights.source}  bias {model.weights.bias}  ask at"
        f" {model.ask_threshold}  refuse at {model.refuse_threshold}"
    )
    table = Table()
    table.add_column("signal")
    table.add_column("weight", justify="right")
    for name, weight in model.weights.weights.items():
        table.add_row(name, f"{weight:.3f}")
    console.print(table)


@risk_app.command("calibrate")
def calibrate(
    save: Annotated[
        bool, typer.Option("--save", help="Save the fitted weights; new runs use them.")
    ] = False,
    l2: Annotated[float, typer.Option(min=0, help="L2 penalty on the weights.")] = 0.01,
    seed: Annotated[int, typer.Option(help="Seed of the 80/20 split.")] = 0,
    limit: Annotated[int, typer.Option(min=1, help="Newest decisions to use at most.")] = 100_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Fit the weights to the approve/deny decisions people made; print fit and held-out AUC."""
    from intelligent_office.risk.calibration import calibrate as fit
    from intelligent_office.risk.calibration import samples_from_approvals

    app = AppContext.open(config)
    decided = app.store.approvals.list(status=None, limit=limit)
    samples = samples_from_approvals(
        [(a.status, a.detail) for a in decided if a.kind == "tool" and a.status != "pending"]
    )
    current = app.office.risk_model()
    result = fit(samples, current, l2=l2, seed=seed)
    path = app.settings.risk_weights_file
    if save:
        result.weights.save(path)
    if as_json:
        body = {
            "samples": len(samples),
            "train": result.train_size,
            "test": result.test_size,
            "train_log_loss": result.train_log_loss,
            "test_log_loss": result.test_log_loss,
            "test_auc": result.test_auc,
            "previous_test_auc": result.previous_test_auc,
            "weights": result.weights.model_dump(),
            "saved": str(path) if save else None,
        }
        typer.echo(json.dumps(body, indent=2))
        return
    console.print(
        f"{len(samples)} human decisions: fitted on {result.train_size}, held out"
        f" {result.test_size} (80/20, seed {seed}), L2 {l2}"
    )
    console.print(
        f"fit: train log-loss {result.train_log_loss:.3f}  held-out log-loss"
        f" {result.test_log_loss:.3f}"
    )
    console.print(
        f"held-out AUC {result.test_auc:.3f}  (weights in use: {result.previous_test_auc:.3f},"
        f" log-loss {result.previous_test_log_loss:.3f})"
    )
    table = Table(title="fitted weights")
    table.add_column("signal")
    table.add_column("weight", justify="right")
    table.add_row("bias", f"{result.weights.bias:.3f}")
    for name, weight in result.weights.weights.items():
        table.add_row(name, f"{weight:.3f}")
    console.print(table)
    console.print(f"saved to {path}" if save else "not saved: pass --save to use these weights")
