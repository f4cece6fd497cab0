"""Where webhooks may POST: public addresses only, unless the operator allows private ones.

A webhook URL is user input, and the server POSTs to it: without this check a user
could make the server reach its own admin ports, a cloud metadata service or the
internal network (server-side request forgery). The same address rules as the
http_request tool apply: loopback, private, link-local, multicast, reserved and other
non-global addresses are refused in every spelling (127.1, 0x7f.1, ::ffff:127.0.0.1 ...).

A host is judged and reached as one name: a trailing dot (`name.`, the fully qualified
spelling) is dropped before anything else, so `localhost.` is `localhost` and
`127.0.0.1.` is `127.0.0.1`. A delivery looks the name up once (`pin`) and connects to
the address it checked, so DNS cannot answer a public address to the check and a
private one to the connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx2

from intelligent_office.errors import ToolError
from intelligent_office.tools.http import (
    IPAddress,
    forbidden_reason,
    literal_address,
    system_resolver,
)

__all__ = [
    "DestinationRefused",
    "PinnedDestination",
    "Resolver",
    "literal_problem",
    "pin",
    "resolved_problem",
]

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")

Resolver = Callable[[str, int], Sequence[str]]


class DestinationRefused(Exception):
    """The webhook's host is (or resolves to) an address webhooks may not reach."""


@dataclass(frozen=True)
class PinnedDestination:
    """A delivery's target: the URL with its host replaced by the checked address."""

    url: httpx2.URL
    host_header: str
    """The Host header: the name as registered, without its trailing dot."""
    extensions: dict[str, object] = field(default_factory=dict)
    """httpx request extensions: for https to a name, the TLS server name to verify."""


def _host(url: str) -> str:
    """The URL's host as judged and looked up: lower case, without trailing dots."""
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def literal_problem(url: str) -> str | None:
    """Why the URL's host is refused without a DNS lookup (an IP literal or localhost)."""
    host = _host(url)
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return f"{host} is this machine"
    address = literal_address(host)
    if address is None:
        return None
    reason = forbidden_reason(address)
    return f"{host} is a {reason} address" if reason else None


def _addresses(url: str, resolver: Resolver) -> list[tuple[str, IPAddress | None]]:
    """Each address the host denotes, as text and parsed (None: not an IP address).

    Raises:
        ToolError: the name does not resolve.
    """
    host = _host(url)
    literal = literal_address(host)
    if literal is not None:
        return [(host, literal)]
    found = resolver(host, _port(url))
    if not found:
        raise ToolError(f"{host} has no addresses")
    return [(text, literal_address(text.split("%", 1)[0])) for text in found]


def _address_problem(url: str, text: str, address: IPAddress | None) -> str | None:
    """Why one of the host's addresses is refused; None when it is public."""
    reason = forbidden_reason(address) if address is not None else "unparsable"
    if reason is None:
        return None
    host = _host(url)
    if text == host:
        return f"{host} is a {reason} address"
    return f"{host} resolves to {text}, a {reason} address"


def resolved_problem(url: str, resolver: Resolver = system_resolver) -> str | None:
    """Why the URL's host is refused once resolved; None when every address is public.

    Blocking (DNS): call it off the event loop.
    """
    problem = literal_problem(url)
    if problem is not None:
        return problem
    try:
        addresses = _addresses(url, resolver)
    except ToolError as error:
        return str(error)
    return next(
        (
            problem
            for text, address in addresses
            if (problem := _address_problem(url, text, address)) is not None
        ),
        None,
    )


def pin(
    url: str, *, allow_private: bool, resolver: Resolver = system_resolver
) -> PinnedDestination:
    """Look the host up once, check every address, and aim the request at the first one.

    Blocking (DNS): call it off the event loop.

    Raises:
        DestinationRefused: an address is not public (and private ones are not allowed),
            or, with the check on, the name does not resolve.
        ToolError: the name does not resolve now, with private addresses allowed (a
            failed attempt, tried again later).
    """
    if not allow_private:
        problem = literal_problem(url)
        if problem is not None:
            raise DestinationRefused(problem)
    try:
        addresses = _addresses(url, resolver)
    except ToolError as error:
        if allow_private:
            raise
        raise DestinationRefused(str(error)) from None
    for text, address in addresses:
        problem = _address_problem(url, text, address)
        if problem is not None and (not allow_private or address is None):
            raise DestinationRefused(problem)
    address = next(address for _, address in addresses if address is not None)
    requested = httpx2.URL(url)
    host = _host(url)
    named = f"[{host}]" if ":" in host else host
    explicit_port = urlsplit(url).port
    extensions: dict[str, object] = {}
    if requested.scheme == "https" and literal_address(host) is None:
        extensions["sni_hostname"] = host  # the certificate is checked against the name
    return PinnedDestination(
        url=requested.copy_with(host=str(address)),
        host_header=named if explicit_port is None else f"{named}:{explicit_port}",
        extensions=extensions,
    )
