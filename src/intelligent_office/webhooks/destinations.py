"""Where webhooks may POST: public addresses only, unless the operator allows private ones.

A webhook URL is user input, and the server POSTs to it: without this check a user
could make the server reach its own admin ports, a cloud metadata service or the
internal network (server-side request forgery). The same address rules as the
http_request tool apply: loopback, private, link-local, multicast, reserved and other
non-global addresses are refused in every spelling (127.1, 0x7f.1, ::ffff:127.0.0.1 ...).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from intelligent_office.errors import ToolError
from intelligent_office.tools.http import forbidden_reason, literal_address, system_resolver

__all__ = ["literal_problem", "resolved_problem"]

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def literal_problem(url: str) -> str | None:
    """Why the URL's host is refused without a DNS lookup (an IP literal or localhost)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return f"{host} is this machine"
    address = literal_address(host)
    if address is None:
        return None
    reason = forbidden_reason(address)
    return f"{host} is a {reason} address" if reason else None


def resolved_problem(
    url: str, resolver: Callable[[str, int], list[str]] = system_resolver
) -> str | None:
    """Why the URL's host is refused once resolved; None when every address is public.

    Blocking (DNS): call it off the event loop.
    """
    problem = literal_problem(url)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = resolver(host, parts.port or (443 if parts.scheme == "https" else 80))
    except ToolError as error:
        return str(error)
    for text in addresses:
        address = literal_address(text.split("%", 1)[0])
        reason = forbidden_reason(address) if address is not None else "unparsable"
        if reason is not None:
            return f"{host} resolves to {text}, a {reason} address"
    return None
