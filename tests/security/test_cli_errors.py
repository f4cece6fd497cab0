"""Hostile arguments, environments and files given to the installed `office` command: each
ends with one readable line on stderr and a non-zero exit, never a traceback or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.security.hostile import billion_laughs, deep

OFFICE = Path(sys.executable).with_name("office")
pytestmark = pytest.mark.slow  # one real `office` process per case


@dataclass(frozen=True)
class Case:
    """One hostile invocation: arguments (bytes allowed), extra environment, expected line."""

    args: tuple[str | bytes, ...]
    problem: str
    env: dict[str, str] = field(default_factory=dict)
    usage_error: bool = False  # Click's own usage message (a few lines), exit 2


def workflow(node: str) -> str:
    return f"name: w\nnodes:\n  - {node}\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Hostile files in a folder, with `{files}` in a case's arguments standing for it."""
    (tmp_path / "laughs.yaml").write_text(billion_laughs())
    (tmp_path / "deep.yaml").write_text(deep(3_000))
    (tmp_path / "binary.yaml").write_bytes(b"\x00\xff\xfe binary")
    (tmp_path / "text.db").write_text("not a database, just some text\n" * 100)
    (tmp_path / "random.db").write_bytes(os.urandom(8192))
    (tmp_path / "retry.yaml").write_text(
        workflow(
            "{id: a, kind: fail, params: {transient: true},"
            " retry: {kind: immediate, max_attempts: 1000000000}}"
        )
    )
    for name, seconds in [("huge", "1e308"), ("nan", ".nan"), ("negative", "-1")]:
        (tmp_path / f"sleep-{name}.yaml").write_text(
            workflow(f"{{id: a, kind: sleep, params: {{seconds: {seconds}}}}}")
        )
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "deep.yaml").write_text(deep(3_000))
    os.mkfifo(tmp_path / "pipe.yaml")
    return tmp_path


CASES = {
    # Out-of-range and non-finite numbers.
    "stats days huge": Case(("stats", "--days", "99999999999"), "--days must be more than 0"),
    "stats days nan": Case(("stats", "--days", "nan"), "--days must be more than 0"),
    "tasks limit huge": Case(
        ("tasks", "--limit", "99999999999999999999"), "--limit", usage_error=True
    ),
    "runs limit huge": Case(
        ("runs", "--limit", "99999999999999999999"), "--limit", usage_error=True
    ),
    "gaps limit huge": Case(
        ("gaps", "--limit", "99999999999999999999"), "--limit", usage_error=True
    ),
    "run max cost inf": Case(
        ("run", "x", "--max-cost", "inf"), "inf is not a finite number", usage_error=True
    ),
    # Files where a file cannot be, or that are not what they claim.
    "schema onto a file": Case(("schema", "/etc/hostname"), "/etc/hostname: File exists"),
    "schema under /proc": Case(("schema", "/proc/nope/out"), "/proc/nope"),
    "database is a text file": Case(
        ("tasks",), "file is not a database", {"OFFICE_DATABASE_URL": "sqlite:///{files}/text.db"}
    ),
    "database is random bytes": Case(
        ("tasks",), "file is not a database", {"OFFICE_DATABASE_URL": "sqlite:///{files}/random.db"}
    ),
    "home under /proc": Case(("tasks",), "/proc/nope", {"OFFICE_HOME": "/proc/nope"}),
    "home is a file": Case(("tasks",), "{files}/text.db", {"OFFICE_HOME": "{files}/text.db"}),
    # Settings files.
    "config /dev/zero": Case(("tasks", "--config", "/dev/zero"), "is not a regular file"),
    "config directory": Case(("tasks", "--config", "{files}"), "is not a regular file"),
    "config pipe": Case(("tasks", "--config", "{files}/pipe.yaml"), "is not a regular file"),
    "config binary": Case(("tasks", "--config", "{files}/binary.yaml"), "is not UTF-8 text"),
    "config deep": Case(("tasks", "--config", "{files}/deep.yaml"), "nesting deeper than 64"),
    "config from env /dev/zero": Case(
        ("tasks",), "is not a regular file", {"OFFICE_CONFIG_FILE": "/dev/zero"}
    ),
    "policy pipe": Case(
        ("doctor",), "is not a regular file", {"OFFICE_POLICY_FILE": "{files}/pipe.yaml"}
    ),
    # YAML workflows.
    "workflow billion laughs": Case(
        ("run-workflow", "{files}/laughs.yaml"), "once its aliases are expanded"
    ),
    "workflow deep": Case(("run-workflow", "{files}/deep.yaml"), "nesting deeper than 64"),
    "workflow /dev/zero": Case(("run-workflow", "/dev/zero"), "is not a regular file"),
    "workflow pipe": Case(("run-workflow", "{files}/pipe.yaml"), "is not a regular file"),
    "workflow binary": Case(("run-workflow", "{files}/binary.yaml"), "is not UTF-8 text"),
    "workflow huge retry": Case(
        ("run-workflow", "{files}/retry.yaml"), "retry.max_attempts: Input should be less than"
    ),
    "workflow huge sleep": Case(
        ("run-workflow", "{files}/sleep-huge.yaml"), "params.seconds: Input should be less than"
    ),
    "workflow nan sleep": Case(
        ("run-workflow", "{files}/sleep-nan.yaml"), "params.seconds: Input should be a finite"
    ),
    "workflow negative sleep": Case(
        ("run-workflow", "{files}/sleep-negative.yaml"), "params.seconds: Input should be greater"
    ),
    "agent workflow pipe": Case(("workflows", "validate", "{files}/pipe.yaml"), "is not a regular"),
    "agent workflows list deep": Case(
        ("workflows", "run", "deep", "--dir", "{files}/agents"), "nesting deeper than 64"
    ),
    # OFFICE_* variables that are not the JSON they must be.
    "settings variable not json": Case(
        ("tasks",), "a list or mapping setting must be JSON", {"OFFICE_LLM": "{nope"}
    ),
    "settings variable deep json": Case(
        ("tasks",), "nested too deeply", {"OFFICE_MCP_SERVERS": "[" * 50_000 + "]" * 50_000}
    ),
    "agent workflows folder is a file": Case(
        ("workflows", "list", "--dir", "{files}/text.db"), "is not a folder"
    ),
    # Text that is not UTF-8.
    "show non-utf-8 id": Case(("show", b"\xff\xfe"), "no run"),
    "tasks non-utf-8 status": Case(
        ("tasks", "--status", b"\xff"), "is not one of", usage_error=True
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_hostile_input_ends_with_one_line_and_a_non_zero_exit(
    name: str, files: Path, tmp_path: Path
) -> None:
    case = CASES[name]
    home = tmp_path / "home"

    def fill(text: str | bytes) -> str | bytes:
        return text.replace("{files}", str(files)) if isinstance(text, str) else text

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("OFFICE_") or key == "OFFICE_SKIP_BROWSER"
    }
    env |= {"OFFICE_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}
    env |= {key: str(fill(value)) for key, value in case.env.items()}
    result = subprocess.run(
        [OFFICE, *(fill(arg) for arg in case.args)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=100,
    )
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode != 0, (result.stdout, err)
    assert "Traceback" not in err, err
    problem = str(fill(case.problem))
    if case.usage_error:
        assert result.returncode == 2 and "Invalid value" in err and problem in err, err
        return
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("office: ") and problem in lines[0], err
