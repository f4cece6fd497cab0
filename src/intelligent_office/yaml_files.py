"""User-supplied YAML files (settings, workflows, policies), read with bounded work.

A file is read only if it is a regular file (never a directory, device or pipe, which
could block or never end), at most `MAX_YAML_BYTES` of it, as UTF-8. Parsing refuses
nesting deeper than `MAX_YAML_DEPTH` and documents that, once every alias is expanded,
hold more than `MAX_YAML_VALUES` values: a few hundred bytes of anchors and aliases (a
"billion laughs" file) would otherwise expand to billions of values downstream.
Every problem is one line naming the file, raised as the caller's `UserError` class.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import CollectionNode, MappingNode, Node, SequenceNode

from intelligent_office.errors import ConfigError, UserError

__all__ = [
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_VALUES",
    "load_yaml_file",
    "load_yaml_text",
    "read_yaml_text",
]

MAX_YAML_BYTES = 1024 * 1024
"""The largest YAML file read (1 MiB)."""

MAX_YAML_DEPTH = 64
"""The deepest nesting of mappings and lists, aliases expanded."""

MAX_YAML_VALUES = 100_000
"""The most values (scalars, mappings, lists) a document may hold, aliases expanded."""

_MIB = MAX_YAML_BYTES / 2**20


class _TooLarge(Exception):
    """A document past one of the bounds; the message says which."""


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing nesting past the bound before it can exhaust the stack."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH + 1:  # +1: the scalar inside the deepest list
                raise _TooLarge(f"nesting deeper than {MAX_YAML_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _measure(root: Node) -> None:
    """Refuse a node graph whose expansion is too deep, too large or cyclic."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) when expanded
    open_nodes: set[int] = set()

    def measure(node: Node) -> tuple[int, int]:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if not isinstance(node, CollectionNode):
            return (1, 0)
        if id(node) in open_nodes:
            raise _TooLarge("an alias refers to a node that contains it")
        open_nodes.add(id(node))
        values, depth = 1, 0
        children: list[Node] = (
            [part for pair in node.value for part in pair]
            if isinstance(node, MappingNode)
            else list(node.value)
            if isinstance(node, SequenceNode)
            else []
        )
        for child in children:
            child_values, child_depth = measure(child)
            values += child_values
            depth = max(depth, child_depth + 1)
            if values > MAX_YAML_VALUES:
                raise _TooLarge(
                    f"more than {MAX_YAML_VALUES:,} values once its aliases are expanded"
                )
            if depth > MAX_YAML_DEPTH:
                raise _TooLarge(f"nesting deeper than {MAX_YAML_DEPTH} levels")
        open_nodes.discard(id(node))
        sizes[id(node)] = (values, depth)
        return values, depth

    measure(root)


def load_yaml_text(text: str, *, label: str, error: type[UserError] = ConfigError) -> Any:
    """Parse one YAML document within the bounds; None for an empty one.

    Args:
        text: the YAML.
        label: how messages name the source, e.g. `config file /etc/office.yaml`.
        error: the class raised, with one line naming the problem.
    """
    if len(text) > MAX_YAML_BYTES:
        raise error(f"{label}: larger than {_MIB:g} MiB: is it the right file?")
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _measure(root)
        return loader.construct_document(root)
    except _TooLarge as problem:
        raise error(f"{label}: {problem}: not accepted") from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        detail = getattr(problem, "problem", None)
        raise error(f"{label}{where}: not valid YAML{f': {detail}' if detail else ''}") from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path, *, what: str = "", error: type[UserError] = ConfigError) -> Any:
    """Read and parse a YAML file within the bounds; None for an empty file.

    Args:
        path: the file.
        what: what the file is, for messages (`config file`, `policy file`); none: the path.
        error: the class raised, with one line naming the file and the problem.
    """
    label = f"{what} {path}" if what else str(path)
    return load_yaml_text(read_yaml_text(path, label=label, error=error), label=label, error=error)


def read_yaml_text(path: Path, *, label: str, error: type[UserError] = ConfigError) -> str:
    """The text of a regular file of at most MAX_YAML_BYTES, as UTF-8 (read no further)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{label} does not exist") from None
    except OSError as problem:
        raise error(f"{label} cannot be read: {problem.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise error(f"{label} is not a regular file (a directory, device or pipe)")
        data = b""
        while len(data) <= MAX_YAML_BYTES:
            chunk = os.read(descriptor, MAX_YAML_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as problem:
        raise error(f"{label} cannot be read: {problem.strerror}") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_YAML_BYTES:
        raise error(f"{label} is larger than {_MIB:g} MiB: is it the right file?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(f"{label} is not UTF-8 text (byte {problem.start} is not)") from None
