"""`office`'s command group converts only the command a command line runs; what it shows
and runs is what Typer's own group shows and runs."""

from __future__ import annotations

import pytest
import typer.main

from intelligent_office.cli.lazy_commands import LazyCommands, office_group
from intelligent_office.cli.main import app


def _shape(command: object) -> object:
    params = getattr(command, "params", [])
    return (
        getattr(command, "help", None),
        [(p.name, tuple(p.opts), p.required, repr(p.default)) for p in params],
        sorted(getattr(command, "commands", {})),
    )


def test_the_group_has_typers_commands_in_typers_order_converted_alike() -> None:
    eager = typer.main.get_group(app)
    lazy = office_group(app)
    assert list(lazy.commands) == list(eager.commands)
    assert len(lazy.commands) > 30
    for name, command in eager.commands.items():
        assert _shape(lazy.commands[name]) == _shape(command), name


def test_a_command_line_converts_only_its_command(capsys: pytest.CaptureFixture[str]) -> None:
    group = office_group(app)
    commands = group.commands
    assert isinstance(commands, LazyCommands)
    assert commands.converted == []
    with pytest.raises(SystemExit) as stopped:
        group.main(["run", "--help"], prog_name="office")
    assert stopped.value.code == 0
    assert "Usage: office run [OPTIONS]" in capsys.readouterr().out
    assert commands.converted == ["run"]


def test_the_help_lists_every_command_as_typer_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        typer.main.get_group(app).main(["--help"], prog_name="office")
    eager = capsys.readouterr().out
    with pytest.raises(SystemExit):
        office_group(app).main(["--help"], prog_name="office")
    assert capsys.readouterr().out == eager
    assert "run-workflow" in eager and "keys" in eager


def test_an_unknown_command_is_told_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    group = office_group(app)
    with pytest.raises(SystemExit) as stopped:
        group.main(["ru"], prog_name="office")
    assert stopped.value.code == 2
    assert "No such command 'ru'. Did you mean 'run', 'runs'?" in capsys.readouterr().err
    assert isinstance(group.commands, LazyCommands) and group.commands.converted == []
