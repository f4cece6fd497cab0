"""LLM tests talk only to scripted servers on 127.0.0.1: no key, no real provider."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.llm.servers import ANTHROPIC_MESSAGES, OPENAI_CHAT, ScriptedLLMServer

_PROVIDER_ENVIRONMENT = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket path
    try:
        return ipaddress.ip_address(address[0]).is_loopback
    except ValueError:
        return False  # a host name: it would need a DNS lookup, refuse it


@pytest.fixture(autouse=True)
def only_loopback_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection off 127.0.0.1 and hide real keys, so no real LLM call can leak."""
    for name in _PROVIDER_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> None:
        _refuse_off_loopback(address)
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        _refuse_off_loopback(address)
        return connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


def _refuse_off_loopback(address: Any) -> None:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may only connect to 127.0.0.1, not {address!r}")


@pytest.fixture
def openai_server() -> Iterator[ScriptedLLMServer]:
    """A scripted OpenAI Chat Completions server."""
    with ScriptedLLMServer(OPENAI_CHAT) as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[ScriptedLLMServer]:
    """A scripted Anthropic Messages server."""
    with ScriptedLLMServer(ANTHROPIC_MESSAGES) as server:
        yield server
