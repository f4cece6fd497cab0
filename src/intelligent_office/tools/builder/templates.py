"""Templates for the common shapes of a missing tool, used when no model drafts it.

- `http_json`: GET a JSON document from one allow-listed host (the URL the request names);
- `shell`: run one command with fixed arguments, no shell, and return its output;
- `file_transform`: read a text file in the workspace and return it transformed.

Each template writes three files: `logic.py` (standard library only: the tool's work),
`server.py` (the MCP server around it, over stdio) and `test_tool.py` (unittest, standard
library only, no network: the draft's tests run in the sandbox).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Blueprint", "blueprint_for", "render"]

_URL = re.compile(r"https?://[^\s'\"<>`)]+")
_COMMAND = re.compile(r"`([^`]+)`")
_TRANSFORMS = {
    "upper": ("upper", "text.upper()"),
    "uppercase": ("upper", "text.upper()"),
    "lower": ("lower", "text.lower()"),
    "lowercase": ("lower", "text.lower()"),
    "sort": ("sort_lines", "'\\n'.join(sorted(text.splitlines()))"),
    "reverse": ("reverse_lines", "'\\n'.join(reversed(text.splitlines()))"),
}


@dataclass(frozen=True)
class Blueprint:
    """What to build: the shape, the server's and tool's names, risk and the fixed values."""

    shape: str
    server: str
    tool: str
    description: str
    risk: str
    values: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    """The arguments a plan should call the tool with for the request that lacked it."""


def _slug(text: str, fallback: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "_".join(words)[:40].strip("_")
    return slug if slug and slug[0].isalpha() else fallback


def blueprint_for(request: str, missing_tool: str | None = None) -> Blueprint | None:
    """The template that fits a request, from the URL, command or file it names; None if none."""
    url = _URL.search(request)
    if url is not None:
        parts = urlsplit(url.group(0).rstrip(".,;"))
        if parts.scheme in ("http", "https") and parts.netloc:
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            stem = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1].split(".")[0]
            server = _slug(parts.hostname or "", "") or _slug(stem, "json")
            server = server.replace("_", "-")
            return Blueprint(
                shape="http_json",
                server=f"api-{server}"[:40],
                tool="get_json",
                description=(
                    f"GET a JSON document from {parts.scheme}://{parts.netloc} (only that host)."
                ),
                risk="low",
                values={"scheme": parts.scheme, "host": parts.netloc, "path": path},
                inputs={"path": path},
            )
    command = _COMMAND.search(request)
    if command is not None and any(w in request.lower() for w in ("run", "command", "execute")):
        argv = shlex.split(command.group(1))
        if argv:
            return Blueprint(
                shape="shell",
                server=f"cmd-{_slug(argv[0], 'cmd').replace('_', '-')}",
                tool="run_command",
                description=(
                    f"Run `{shlex.join(argv)}` (fixed arguments, no shell) and return its output."
                ),
                risk="high",
                values={"argv": argv},
            )
    for word, (name, expression) in _TRANSFORMS.items():
        if re.search(rf"\b{word}\b", request.lower()) and "file" in request.lower():
            return Blueprint(
                shape="file_transform",
                server=f"file-{name.replace('_', '-')}",
                tool=name,
                description=(
                    f"Read a text file in the workspace and return it transformed ({name})."
                ),
                risk="medium",
                values={"expression": expression},
            )
    return None


_HEADER = '''"""{description}

Drafted by `office tools build` from tool-gap report {gap_id}: {request!r}.
"""
'''

_HTTP_LOGIC = '''
from __future__ import annotations

import json
import urllib.request
from urllib.parse import urljoin, urlsplit

BASE_URL = {base!r}
ALLOWED_HOSTS = frozenset({{{host!r}}})
DEFAULT_PATH = {path!r}
TIMEOUT_SECONDS = 10
MAX_BYTES = 1_000_000


def check_url(url: str) -> str:
    """The URL, if it is http(s) on an allowed host; ValueError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc not in ALLOWED_HOSTS:
        raise ValueError(f"{{url}} is not on an allowed host ({{sorted(ALLOWED_HOSTS)}})")
    return url


def get_json(path: str = DEFAULT_PATH, opener=urllib.request.urlopen):
    """GET `path` on the allowed host and return the parsed JSON."""
    url = check_url(urljoin(BASE_URL, path))
    with opener(url, timeout=TIMEOUT_SECONDS) as response:
        body = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError(f"the response is larger than {{MAX_BYTES}} bytes")
    return json.loads(body)
'''

_HTTP_TEST = """
import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import logic  # noqa: E402


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class GetJsonTest(unittest.TestCase):
    def test_parses_the_json_of_the_allowed_host(self):
        seen = []

        def opener(url, timeout):
            seen.append(url)
            return FakeResponse(b'{{"answer": 42}}')

        self.assertEqual(logic.get_json(logic.DEFAULT_PATH, opener=opener), {{"answer": 42}})
        self.assertEqual(len(seen), 1)
        self.assertTrue(seen[0].startswith(logic.BASE_URL))

    def test_refuses_another_host(self):
        def opener(url, timeout):
            raise AssertionError("no request may leave for another host")

        with self.assertRaises(ValueError):
            logic.get_json("http://example.invalid/x", opener=opener)

    def test_refuses_a_response_too_large(self):
        def opener(url, timeout):
            return FakeResponse(b"1" * (logic.MAX_BYTES + 10))

        with self.assertRaises(ValueError):
            logic.get_json(opener=opener)


if __name__ == "__main__":
    unittest.main()
"""

_SHELL_LOGIC = '''
from __future__ import annotations

import subprocess

ARGV = {argv!r}
TIMEOUT_SECONDS = 30


def run_command(runner=subprocess.run):
    """Run the fixed command (no shell) and return its exit code and output."""
    done = runner(ARGV, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    out, err = done.stdout[-20000:], done.stderr[-5000:]
    return {{"exit_code": done.returncode, "stdout": out, "stderr": err}}
'''

_SHELL_TEST = """
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import logic  # noqa: E402


class RunCommandTest(unittest.TestCase):
    def test_runs_exactly_the_fixed_arguments_without_a_shell(self):
        calls = []

        def runner(argv, **options):
            calls.append((argv, options))
            return subprocess.CompletedProcess(argv, 0, stdout="ok\\n", stderr="")

        result = logic.run_command(runner=runner)
        self.assertEqual(result["exit_code"], 0)
        self.assertEqual(calls[0][0], logic.ARGV)
        self.assertNotIn("shell", calls[0][1])


if __name__ == "__main__":
    unittest.main()
"""

_FILE_LOGIC = '''
from __future__ import annotations

MAX_BYTES = 5_000_000


def transform(text: str) -> str:
    """The transformation this tool applies."""
    return {expression}


def {tool}(path: str) -> dict:
    """Read the text file at `path` (resolved in the task's workspace) and transform it."""
    with open(path, encoding="utf-8") as file:
        text = file.read(MAX_BYTES + 1)
    if len(text) > MAX_BYTES:
        raise ValueError(f"{{path}} is larger than {{MAX_BYTES}} characters")
    return {{"path": path, "text": transform(text)}}
'''

_FILE_TEST = """
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import logic  # noqa: E402


class TransformTest(unittest.TestCase):
    def test_reads_and_transforms_a_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "in.txt")
            with open(path, "w", encoding="utf-8") as file:
                file.write("b line\\na line")
            result = logic.{tool}(path)
        self.assertEqual(result["text"], logic.transform("b line\\na line"))


if __name__ == "__main__":
    unittest.main()
"""

_SERVER = '''
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mcp.server.mcpserver import MCPServer  # noqa: E402

import logic  # noqa: E402

server = MCPServer({server!r}, log_level="WARNING")


@server.tool()
def {tool}({parameters}) -> dict:
    """{description}"""
    return {call}


if __name__ == "__main__":
    server.run("stdio")
'''


def render(
    blueprint: Blueprint, *, gap_id: int, request: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """The files of the draft and the JSON schema of its tool's parameters."""
    header = _HEADER.format(description=blueprint.description, gap_id=gap_id, request=request[:200])
    values, tool = blueprint.values, blueprint.tool
    if blueprint.shape == "http_json":
        base = f"{values['scheme']}://{values['host']}"
        logic = _HTTP_LOGIC.format(base=base, host=values["host"], path=values["path"])
        test = _HTTP_TEST.format()
        parameters, call = "path: str = logic.DEFAULT_PATH", "{'data': logic.get_json(path)}"
        schema = {
            "type": "object",
            "properties": {"path": {"type": "string", "default": values["path"]}},
        }
    elif blueprint.shape == "shell":
        logic, test = _SHELL_LOGIC.format(argv=values["argv"]), _SHELL_TEST.format()
        parameters, call = "", "logic.run_command()"
        schema = {"type": "object", "properties": {}}
    else:
        logic = _FILE_LOGIC.format(expression=values["expression"], tool=tool)
        test = _FILE_TEST.format(tool=tool)
        parameters, call = "path: str", f"logic.{tool}(path)"
        schema = {
            "type": "object",
            "properties": {"path": {"type": "string"}},
            "required": ["path"],
        }
    server = _SERVER.format(
        server=blueprint.server,
        tool=tool,
        parameters=parameters,
        description=blueprint.description.replace('"""', "'''"),
        call=call,
    )
    files = {
        "logic.py": header + logic,
        "server.py": header + server,
        "test_tool.py": header + test,
    }
    return files, schema
