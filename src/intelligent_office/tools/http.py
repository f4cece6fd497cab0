"""The http_request tool: GET and POST to an exact host:port allow-list, nothing else.

Model output chooses the URL, so every request (and every redirect) is checked here:

1. the scheme is http or https, and `host:port` exactly as written is on the allow-list;
2. the host is resolved here (an IP literal in any spelling — `2130706433`, `0x7f.1`,
   `127.1`, `[::ffff:127.0.0.1]` — is read as the address it denotes), and every address
   is checked: loopback, private and other non-public addresses are refused unless that
   very address and port are listed too (e.g. "127.0.0.1:8080"); link-local (cloud
   metadata at 169.254.169.254), multicast, unspecified and reserved addresses are
   refused always. IPv4 addresses inside IPv6 ones (mapped, 6to4, Teredo, NAT64) are
   checked as the IPv4 address they carry;
3. the connection goes to the checked address (the Host header and, for https, the TLS
   server name stay the requested host, so certificates are still verified), so DNS
   cannot answer differently the second time;
4. redirects are not followed by the client: each Location is checked by the same rules,
   at most `MAX_REDIRECTS` of them;
5. the body is read raw (no decompression bombs) and cut at `max_bytes`; the whole call
   has a deadline.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypedDict

from intelligent_office.errors import ToolError, UserError
from intelligent_office.models.risk import RiskLevel
from intelligent_office.tools.base import Tool, ToolContext, tool

if TYPE_CHECKING:  # the client loads on the first request, not with every Office run
    import httpx2

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_REDIRECTS",
    "HttpResult",
    "Resolver",
    "http_tool",
    "system_resolver",
]

DEFAULT_MAX_BYTES = 1024 * 1024
"""The most body bytes a call returns unless the caller asks for fewer."""
DEFAULT_TIMEOUT_SECONDS = 30.0
"""The deadline of a whole call, redirects included."""
MAX_REDIRECTS = 5
"""Redirects followed (each one checked) before the call fails."""

Resolver = Callable[[str, int], Sequence[str]]
"""Returns the IP addresses of a host name (the port is a hint, as for getaddrinfo)."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_DROPPED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


class HttpResult(TypedDict):
    """What http_request returns."""

    url: str
    status: int
    headers: dict[str, str]
    content: str
    truncated: bool
    redirects: list[str]


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses getaddrinfo gives for `host` (TCP)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ToolError(f"cannot resolve {host!r}: {error.strerror}") from None
    return [str(info[4][0]) for info in found]


@dataclass(frozen=True)
class _Target:
    """A checked request target: the URL as asked and the address to connect to."""

    url: httpx2.URL
    address: IPAddress


@dataclass(frozen=True)
class _Rules:
    allow: frozenset[str]
    resolver: Resolver
    verify: ssl.SSLContext | bool

    def check(self, url: httpx2.URL) -> _Target:
        """The address to connect to for `url`; ToolError saying why when it is refused."""
        if url.scheme not in ("http", "https"):
            raise ToolError(f"{url}: only http and https URLs are allowed")
        if not url.host:
            raise ToolError(f"{url}: the URL has no host")
        port = url.port or (443 if url.scheme == "https" else 80)
        endpoint = _endpoint(url.host, port)
        if endpoint not in self.allow:
            allowed = ", ".join(sorted(self.allow)) or "nothing"
            raise ToolError(
                f"{endpoint} is not on the http allow-list ({allowed}): "
                "ask for it to be added to the settings, or use an allowed host"
            )
        literal = literal_address(url.host)
        addresses = [literal] if literal else self._resolve(url.host, port)
        for address in addresses:
            reason = forbidden_reason(address)
            if reason is None:
                continue
            # An explicit listing names the address really reached: 127.0.0.1, not ::ffff:7f00:1.
            effective = (
                _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
            )
            listed = _endpoint(str(effective or address), port) in self.allow
            if reason in _NEVER_ALLOWED or not listed:
                raise ToolError(
                    f"{endpoint} resolves to {address}, a {reason} address: refused "
                    "(only public addresses, or an internal one listed by its IP, are allowed)"
                )
        return _Target(url=url, address=addresses[0])

    def _resolve(self, host: str, port: int) -> list[IPAddress]:
        addresses: list[IPAddress] = []
        for text in self.resolver(host, port):
            try:
                addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                raise ToolError(f"{host} resolved to {text!r}, not an IP address") from None
        if not addresses:
            raise ToolError(f"{host} has no addresses")
        return addresses


def http_tool(
    allow: Sequence[str],
    *,
    resolver: Resolver = system_resolver,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    verify: ssl.SSLContext | bool = True,
) -> Tool:
    """The http_request tool, confined to the `allow` list of exact "host:port" entries.

    Args:
        allow: e.g. ["api.example.com:443", "127.0.0.1:8080"]; an internal address is
            reachable only when listed by its IP.
        resolver: looks up host names; tests pass a fake one.
        timeout_seconds: the deadline of one call, redirects included.
        max_bytes: the most body bytes a call may return.
        verify: how https certificates are checked (an SSLContext with a private CA, say).

    Raises:
        UserError: an entry is not "host:port".
    """
    rules = _Rules(
        allow=frozenset(_parse_entry(entry) for entry in allow), resolver=resolver, verify=verify
    )
    limit = max_bytes

    def http_request(
        ctx: ToolContext,
        url: str,
        method: Literal["GET", "POST"] = "GET",
        body: str | None = None,
        headers: dict[str, str] | None = None,
        max_bytes: int = limit,
    ) -> HttpResult:
        if not 1 <= max_bytes <= limit:
            raise ToolError(f"max_bytes must be between 1 and {limit}, got {max_bytes}")
        seconds = min(timeout_seconds, ctx.timeout_seconds or timeout_seconds)
        import httpx2

        try:
            parsed = httpx2.URL(url)
        except httpx2.InvalidURL as error:
            raise ToolError(f"invalid URL {url!r}: {error}") from None
        request = _Request(method=method, body=body, headers=_clean_headers(headers or {}))
        return _fetch(rules, parsed, request, deadline=time.monotonic() + seconds, limit=max_bytes)

    allowed = ", ".join(sorted(rules.allow)) or "none"
    http_request.__doc__ = f"""Send an HTTP GET or POST to an allowed host (allowed: {allowed}).

    Args:
        url: the http or https URL; its host:port must be on the allow-list.
        method: GET or POST.
        body: the request body (POST), sent as UTF-8.
        headers: extra request headers.
        max_bytes: the most body bytes to return; `truncated` says when there were more.
    """
    return tool(risk=RiskLevel.MEDIUM, idempotent=False)(http_request)


@dataclass(frozen=True)
class _Request:
    method: str
    body: str | None
    headers: dict[str, str]


def _fetch(
    rules: _Rules, url: httpx2.URL, request: _Request, *, deadline: float, limit: int
) -> HttpResult:
    import httpx2

    redirects: list[str] = []
    # trust_env=False: no proxy from the environment may carry the pinned request elsewhere.
    with httpx2.Client(follow_redirects=False, trust_env=False, verify=rules.verify) as client:
        while True:
            target = rules.check(url)
            result, location = _send_once(client, target, request, deadline=deadline, limit=limit)
            if location is None:
                result["redirects"] = redirects
                return result
            if len(redirects) == MAX_REDIRECTS:
                raise ToolError(f"{url}: more than {MAX_REDIRECTS} redirects")
            following = url.join(location)
            redirects.append(str(following))
            request = _redirected(
                request, result["status"], same_origin=_same_origin(url, following)
            )
            url = following


def _send_once(
    client: httpx2.Client, target: _Target, request: _Request, *, deadline: float, limit: int
) -> tuple[HttpResult, str | None]:
    """Send one request to the pinned address; the result and a redirect's Location."""
    import httpx2

    url = target.url
    extensions: dict[str, object] = {}
    if url.scheme == "https" and literal_address(url.host) is None:
        extensions["sni_hostname"] = url.host  # certificates are checked against the name
    headers = {
        **request.headers,
        "Host": url.netloc.decode("ascii"),
        "Accept-Encoding": "identity",  # raw bytes are what we count: no decompression bomb
    }
    retry = request.method == "GET"  # a POST that failed midway may have had its effect
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ToolError(f"{url}: timed out")
    try:
        with client.stream(
            request.method,
            url.copy_with(host=str(target.address)),
            headers=headers,
            content=request.body.encode("utf-8") if request.body is not None else None,
            timeout=httpx2.Timeout(remaining),
            extensions=extensions,
        ) as response:
            if response.status_code in _REDIRECT_STATUSES and "location" in response.headers:
                return _result(url, response, b"", truncated=False), response.headers["location"]
            data, truncated = _read_capped(response, deadline=deadline, limit=limit)
            return _result(url, response, data, truncated=truncated), None
    except httpx2.TimeoutException:
        raise ToolError(f"{url}: timed out", retryable=retry) from None
    except httpx2.HTTPError as error:
        raise ToolError(f"{url}: {type(error).__name__}: {error}", retryable=retry) from None


def _read_capped(response: httpx2.Response, *, deadline: float, limit: int) -> tuple[bytes, bool]:
    data = bytearray()
    for chunk in response.iter_raw():
        data += chunk
        if len(data) > limit:
            return bytes(data[:limit]), True
        if time.monotonic() > deadline:
            raise ToolError(f"{response.request.url}: timed out while reading the body")
    return bytes(data), False


def _result(
    url: httpx2.URL, response: httpx2.Response, data: bytes, *, truncated: bool
) -> HttpResult:
    return {
        "url": str(url),
        "status": response.status_code,
        "headers": dict(response.headers.items()),
        "content": data.decode(response.charset_encoding or "utf-8", errors="replace"),
        "truncated": truncated,
        "redirects": [],
    }


def _redirected(request: _Request, status: int, *, same_origin: bool) -> _Request:
    """The request to send to a redirect's Location, as browsers do."""
    to_get = status == 303 or (status in (301, 302) and request.method == "POST")
    return _Request(
        method="GET" if to_get else request.method,
        body=None if to_get else request.body,
        headers=request.headers if same_origin else {},  # credentials stay with their origin
    )


def _same_origin(first: httpx2.URL, second: httpx2.URL) -> bool:
    return (first.scheme, first.host, first.port) == (second.scheme, second.host, second.port)


def _clean_headers(headers: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key.lower() not in _DROPPED_HEADERS}


_NEVER_ALLOWED = frozenset({"link-local", "multicast", "unspecified", "reserved"})


def forbidden_reason(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return forbidden_reason(embedded)
    checks = (
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("link-local", address.is_link_local),
        ("loopback", address.is_loopback),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    )
    return next((reason for reason, applies in checks if applies), None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo client, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address `host` denotes if it is an IP literal in any spelling inet_aton accepts."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))  # 127.1, 0x7f.1, 2130706433
    except OSError:
        return None


def _endpoint(host: str, port: int) -> str:
    """`host:port` as allow-list entries are compared: lower case, canonical IPv6 in brackets."""
    host = host.strip("[]").lower().rstrip(".")
    try:
        host = str(ipaddress.IPv6Address(host))
    except ValueError:
        pass
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _parse_entry(entry: str) -> str:
    """An allow-list entry as compared (see `_endpoint`); UserError when it is not host:port."""
    host, separator, port = entry.strip().rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(
            f"http allow-list entry {entry!r} is not host:port: write e.g. "
            '"api.example.com:443" or "[::1]:8080"'
        )
    return _endpoint(host, int(port))
