"""http_request against real HTTP servers on 127.0.0.1, with a fake resolver for host names.

Each refusal test lists the target on the allow-list where it can, so that only the
address or redirect check stands between the request and the server; the servers count
their hits to prove nothing arrived.
"""

from __future__ import annotations

import ipaddress
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from intelligent_office.errors import ToolError, UserError
from intelligent_office.tools import Tool, ToolContext, builtin_tools
from intelligent_office.tools.http import forbidden_reason, http_tool


@dataclass
class Server:
    port: int
    hits: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.record.hits.append(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._send(200, b"POST " + body)

    def do_GET(self) -> None:
        self.server.record.hits.append(self.path)
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/ok":
            self._send(200, f"hello host={self.headers['Host']}".encode())
        elif url.path == "/redirect":
            self.send_response(int(query.get("status", ["302"])[0]))
            self.send_header("Location", query["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/big":
            self._send(200, b"x" * 2_000_000)
        elif url.path == "/slow":
            time.sleep(3)
            self._send(200, b"late")
        elif url.path == "/dribble":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    record: Server

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeouts) is expected here


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    running: list[tuple[_Server, threading.Thread]] = []
    records: list[Server] = []
    for _ in range(2):
        server = _Server(("127.0.0.1", 0), _Handler)
        server.record = Server(port=server.server_address[1])
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        running.append((server, thread))
        records.append(server.record)
    yield records
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def server(servers: list[Server]) -> Server:
    return servers[0]


@pytest.fixture
def other(servers: list[Server]) -> Server:
    return servers[1]


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    return ToolContext(workspace=tmp_path)


def fake_resolver(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise ToolError(f"cannot resolve {host!r}")  # no real DNS in tests
        return table[host]

    return resolve


async def fetch(tool_obj: Tool, ctx: ToolContext, **arguments: Any) -> Any:
    return await tool_obj(ctx, arguments)


async def test_allowed_get_works(ctx: ToolContext, server: Server) -> None:
    result = await fetch(http_tool([server.endpoint]), ctx, url=server.url("/ok"))
    assert result["status"] == 200
    assert result["content"] == f"hello host={server.endpoint}"
    assert result["truncated"] is False
    assert result["redirects"] == []


async def test_post_sends_the_body(ctx: ToolContext, server: Server) -> None:
    tool_obj = http_tool([server.endpoint])
    result = await fetch(tool_obj, ctx, url=server.url("/echo"), method="POST", body="hi")
    assert result["content"] == "POST hi"
    assert tool_obj.spec.idempotent is False
    assert tool_obj.spec.risk_level == "medium"


async def test_a_name_is_pinned_to_its_checked_address(ctx: ToolContext, server: Server) -> None:
    """The connection goes to the resolved address; Host stays the name asked for."""
    tool_obj = http_tool(
        [f"api.example.com:{server.port}", server.endpoint],
        resolver=fake_resolver({"api.example.com": ["127.0.0.1"]}),
    )
    result = await fetch(tool_obj, ctx, url=server.url("/ok", host="api.example.com"))
    assert result["content"] == f"hello host=api.example.com:{server.port}"


async def test_a_host_not_on_the_list_is_refused(ctx: ToolContext, server: Server) -> None:
    tool_obj = http_tool(
        ["api.example.com:443"], resolver=fake_resolver({"public.example.com": ["93.184.216.34"]})
    )
    for url in (server.url("/ok"), "https://public.example.com/", "https://api.example.com:8443/"):
        with pytest.raises(ToolError, match="is not on the http allow-list"):
            await fetch(tool_obj, ctx, url=url)
    assert server.hits == []


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f.1", "127.1", "0x7f000001", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"],
)
async def test_loopback_in_every_spelling_is_refused(
    ctx: ToolContext, server: Server, host: str
) -> None:
    """Even listed as spelled, only a listing by the canonical IP opens a loopback port."""
    tool_obj = http_tool([f"{host}:{server.port}"], resolver=fake_resolver({}))
    with pytest.raises(ToolError, match="loopback address: refused"):
        await fetch(tool_obj, ctx, url=server.url("/ok", host=host))
    assert server.hits == []


async def test_ipv6_loopback_not_listed_is_refused(ctx: ToolContext, server: Server) -> None:
    tool_obj = http_tool([server.endpoint])
    for host in ("[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]"):
        with pytest.raises(ToolError, match="is not on the http allow-list"):
            await fetch(tool_obj, ctx, url=server.url("/ok", host=host))
    assert server.hits == []


async def test_octal_spelling_is_refused(ctx: ToolContext, server: Server) -> None:
    tool_obj = http_tool([f"0177.0.0.1:{server.port}"], resolver=fake_resolver({}))
    with pytest.raises(ToolError):
        await fetch(tool_obj, ctx, url=server.url("/ok", host="0177.0.0.1"))
    assert server.hits == []


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-public"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 around 169.254.169.254
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("::", "unspecified"),
    ],
)
async def test_names_resolving_to_internal_addresses_are_refused(
    ctx: ToolContext, address: str, reason: str
) -> None:
    tool_obj = http_tool(
        ["intranet.example.com:80"], resolver=fake_resolver({"intranet.example.com": [address]})
    )
    with pytest.raises(ToolError, match=f"a {reason} address: refused"):
        await fetch(tool_obj, ctx, url="http://intranet.example.com/")


async def test_one_internal_answer_among_public_ones_is_refused(ctx: ToolContext) -> None:
    resolver = fake_resolver({"mixed.example.com": ["93.184.216.34", "10.0.0.1"]})
    tool_obj = http_tool(["mixed.example.com:80"], resolver=resolver)
    with pytest.raises(ToolError, match="10.0.0.1, a private address"):
        await fetch(tool_obj, ctx, url="http://mixed.example.com/")


def test_public_addresses_pass_the_address_check() -> None:
    for text in ("93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"):
        assert forbidden_reason(ipaddress.ip_address(text)) is None


async def test_redirect_to_another_local_port_is_refused(
    ctx: ToolContext, server: Server, other: Server
) -> None:
    tool_obj = http_tool([server.endpoint])
    with pytest.raises(ToolError, match=f"127.0.0.1:{other.port} is not on the http allow-list"):
        await fetch(tool_obj, ctx, url=server.url(f"/redirect?to={other.url('/ok')}"))
    assert other.hits == []


async def test_redirect_to_cloud_metadata_is_refused_even_when_listed(
    ctx: ToolContext, server: Server
) -> None:
    tool_obj = http_tool([server.endpoint, "169.254.169.254:80"])
    target = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(ToolError, match="169.254.169.254, a link-local address: refused"):
        await fetch(tool_obj, ctx, url=server.url(f"/redirect?to={target}"))


async def test_redirect_to_a_name_resolving_inside_is_refused(
    ctx: ToolContext, server: Server, other: Server
) -> None:
    tool_obj = http_tool(
        [server.endpoint, f"evil.example.com:{other.port}"],
        resolver=fake_resolver({"evil.example.com": ["127.0.0.1"]}),
    )
    target = other.url("/ok", host="evil.example.com")
    with pytest.raises(ToolError, match="loopback address: refused"):
        await fetch(tool_obj, ctx, url=server.url(f"/redirect?to={target}"))
    assert other.hits == []


async def test_an_allowed_redirect_is_followed_and_reported(
    ctx: ToolContext, server: Server
) -> None:
    tool_obj = http_tool([server.endpoint])
    result = await fetch(tool_obj, ctx, url=server.url("/redirect?to=/ok&status=303"))
    assert result["status"] == 200
    assert result["redirects"] == [server.url("/ok")]
    assert result["url"] == server.url("/ok")


async def test_too_many_redirects_are_refused(ctx: ToolContext, server: Server) -> None:
    tool_obj = http_tool([server.endpoint])
    with pytest.raises(ToolError, match="more than 5 redirects"):
        await fetch(tool_obj, ctx, url=server.url("/redirect?to=/redirect%3Fto%3D/loop"))
    assert len(server.hits) == 6


async def test_an_oversize_body_is_capped(ctx: ToolContext, server: Server) -> None:
    tool_obj = http_tool([server.endpoint], max_bytes=10_000)
    result = await fetch(tool_obj, ctx, url=server.url("/big"))
    assert result["truncated"] is True
    assert len(result["content"]) == 10_000
    smaller = await fetch(tool_obj, ctx, url=server.url("/big"), max_bytes=100)
    assert len(smaller["content"]) == 100
    with pytest.raises(ToolError, match="max_bytes must be between 1 and 10000"):
        await fetch(tool_obj, ctx, url=server.url("/big"), max_bytes=20_000)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("path", ["/slow", "/dribble"])
async def test_a_slow_server_times_out(ctx: ToolContext, server: Server, path: str) -> None:
    tool_obj = http_tool([server.endpoint], timeout_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(ToolError, match="timed out"):
        await fetch(tool_obj, ctx, url=server.url(path))
    assert time.monotonic() - started < 2


async def test_other_schemes_are_refused(ctx: ToolContext, server: Server) -> None:
    tool_obj = http_tool([server.endpoint])
    for url in ("file:///etc/passwd", f"ftp://127.0.0.1:{server.port}/"):
        with pytest.raises(ToolError, match="only http and https"):
            await fetch(tool_obj, ctx, url=url)


def test_a_malformed_allow_list_entry_is_a_user_error() -> None:
    for entry in ("api.example.com", "api.example.com:http", ":443", "host:70000"):
        with pytest.raises(UserError, match="is not host:port"):
            http_tool([entry])


def test_builtin_tools_has_http_request_only_with_an_allow_list() -> None:
    assert "http_request" not in builtin_tools()
    assert "http_request" in builtin_tools(http_allow=["api.example.com:443"])


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Server, ssl.SSLContext]]:
    """An https server on 127.0.0.1 whose self-signed certificate names api.example.com."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=api.example.com"]
        + ["-addext", "subjectAltName=DNS:api.example.com"],
        check=True,
        capture_output=True,
    )
    server = _Server(("127.0.0.1", 0), _Handler)
    server.record = Server(port=server.server_address[1])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.record, ssl.create_default_context(cafile=str(cert))
    server.shutdown()
    server.server_close()
    thread.join()


async def test_https_is_pinned_and_still_verified_against_the_name(
    ctx: ToolContext, tls_server: tuple[Server, ssl.SSLContext]
) -> None:
    server, trust = tls_server
    resolver = fake_resolver({"api.example.com": ["127.0.0.1"], "wrong.example.com": ["127.0.0.1"]})
    allow = [f"api.example.com:{server.port}", f"wrong.example.com:{server.port}", server.endpoint]
    tool_obj = http_tool(allow, resolver=resolver, verify=trust)
    url = f"https://api.example.com:{server.port}/ok"
    result = await fetch(tool_obj, ctx, url=url)
    assert result["content"] == f"hello host=api.example.com:{server.port}"
    with pytest.raises(ToolError, match="CERTIFICATE_VERIFY_FAILED.*mismatch"):
        await fetch(tool_obj, ctx, url=f"https://wrong.example.com:{server.port}/ok")
