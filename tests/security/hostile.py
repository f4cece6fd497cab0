"""Hostile YAML shared by the security tests (no project imports: runnable against any build)."""

from __future__ import annotations

__all__ = ["billion_laughs", "deep"]


def billion_laughs() -> str:
    """Nine levels of nine aliases each: 9**9 strings once expanded, from ~350 bytes."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def deep(levels: int) -> str:
    """A mapping whose one value is `levels` nested lists."""
    return "a: " + "[" * levels + "]" * levels + "\n"
