"""The `office` command group, each subcommand converted from its Typer function when used.

Typer turns every command's signature into click parameters before it reads a word of
the command line: about 60 ms for `office`'s forty commands and groups, though a command
line runs one of them. `office_group(app)` is the same group with a mapping of commands
that converts each on first lookup. `office --help` lists them all, so it converts all.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, MutableMapping
from functools import partial
from typing import TYPE_CHECKING

import typer
from typer import main as typer_main

if TYPE_CHECKING:
    from typer import _click
    from typer.core import TyperGroup

__all__ = ["LazyCommands", "office_group"]


class LazyCommands(MutableMapping[str, "_click.Command"]):
    """A Typer app's commands and command groups by name, each converted when first used."""

    def __init__(self, app: typer.Typer) -> None:
        convert: dict[str, Callable[[], _click.Command]] = {}
        for info in app.registered_commands:
            assert info.callback is not None, "a command has a function"
            name = info.name or typer_main.get_command_name(info.callback.__name__)
            convert[name] = partial(
                typer_main.get_command_from_info,
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        for group in app.registered_groups:
            if not isinstance(group.name, str):
                raise TypeError("every command group needs a name: add_typer(..., name=...)")
            convert[group.name] = partial(
                typer_main.get_group_from_info,
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
        self._convert = convert
        self._converted: dict[str, _click.Command] = {}

    def __getitem__(self, name: str) -> _click.Command:
        command = self._converted.get(name)
        if command is None:
            command = self._converted[name] = self._convert[name]()
        return command

    def __setitem__(self, name: str, command: _click.Command) -> None:
        self._converted[name] = command
        self._convert.setdefault(name, lambda: command)

    def __delitem__(self, name: str) -> None:
        del self._convert[name]
        self._converted.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._convert)

    def __len__(self) -> int:
        return len(self._convert)

    @property
    def converted(self) -> list[str]:
        """The names converted so far."""
        return list(self._converted)


def office_group(app: typer.Typer) -> TyperGroup:
    """The click group Typer makes of `app`, its commands converted when first used."""
    bare = copy.copy(app)  # the group's own settings and callback, no commands yet
    bare.registered_commands = []
    bare.registered_groups = []
    group = typer_main.get_group(bare)
    group.commands = LazyCommands(app)
    return group
