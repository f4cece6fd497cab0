"""The CLI imports only what a command uses: no provider SDK, server or model for --help or run.

Each case runs the real `office` entry point in a fresh interpreter (a subprocess) and
reads back which modules it loaded. A module-level import of a heavy package anywhere on
these paths fails here, naming the package.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.probe import probe
from tests.fresh_python import fresh_python

# Loaded only when a configured feature needs it: a model provider, MCP servers, Temporal,
# the server, the local embedder, trace exporters.
HEAVY = (
    "anthropic",
    "openai",
    "pydantic_ai",
    "mcp",
    "temporalio",
    "torch",
    "sentence_transformers",
    "transformers",
    "fastapi",
    "uvicorn",
    "starlette",
    "sse_starlette",
    "jinja2",
    "opentelemetry.exporter",
    "opentelemetry.sdk",
    "httpx",
    "httpx2",
    "croniter",
    "pypdf",
    "docx",
    "numpy",
    "tokenizers",
    "safetensors",
)
# `--help` opens no database, builds no service and prints plain Click help (Typer's Rich
# help renderer, rich.markdown with it, costs a tenth of a second): not even these. (Typer
# itself loads pydantic to convert some option types, so a command's own --help may.)
HELP_ALSO = (
    "sqlalchemy",
    "alembic",
    "intelligent_office.front_door",
    "rich.markdown",
    "pygments",
)

# A command's metrics would die with it unread: it counts none, so Prometheus never loads
# (`office serve` builds its registry at the first count or scrape). A task's run loads
# no agent kit and no YAML graph workflow (the worker's registry loads a workflow's code
# when a run of it needs it), no code analyzer until a step calls it, and neither
# `office ask` nor `office ingest`'s machinery. Nor SQLAlchemy's ORM and the mapped
# classes (0.1 s): what a run reads and writes, memory included, goes through Core
# statements on `store.schema`'s tables.
RUN_ALSO = (
    "sqlalchemy.orm",
    "intelligent_office.store.tables",
    "prometheus_client",
    "intelligent_office.agentkit",
    "intelligent_office.workflows.graph_workflow",
    "intelligent_office.tools.code_analyzer.callgraph",
    "intelligent_office.memory.answer",
    "intelligent_office.memory.documents",
)
# Nor rich's tracebacks for structlog's renderer (with pygments and attrs): a command's
# log lines show plain tracebacks. Nor Alembic (with Mako and pygments), from the first
# command on a new home: a new database is made from the table definitions and stamped.
# Nor, on SQLite, SQLAlchemy's PostgreSQL dialect: the store's ON CONFLICT statements are
# built per dialect on first use.
PLAIN_RUN_ALSO = (
    "alembic",
    "mako",
    "pygments",
    "attr",
    "rich.traceback",
    "rich.pretty",
    "sqlalchemy.dialects.postgresql",
)


def _office(args: list[str], home: Path, cwd: Path, **settings: str) -> tuple[int, str, list[str]]:
    """Run `office ARGS` in a fresh interpreter; exit code, output, loaded modules."""
    done = probe(args, report='{"modules": sorted(sys.modules)}', home=home, cwd=cwd, **settings)
    return done.code, done.output, done.report["modules"]


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted(
        name for name in names if any(m == name or m.startswith(name + ".") for m in modules)
    )


def test_help_imports_no_heavy_module(tmp_path: Path) -> None:
    code, output, modules = _office(["--help"], tmp_path / "home", tmp_path)
    assert code == 0, output
    assert "run" in output and "serve" in output
    assert _loaded(modules, (*HEAVY, *HELP_ALSO, "pydantic")) == []


@pytest.mark.parametrize("command", ["run", "serve", "worker", "workflows", "ingest", "doctor"])
def test_command_help_imports_no_heavy_module(tmp_path: Path, command: str) -> None:
    args = [command, "--help"] if command != "workflows" else [command, "run", "--help"]
    code, output, modules = _office(args, tmp_path / "home", tmp_path)
    assert code == 0, output
    assert _loaded(modules, HEAVY + HELP_ALSO) == []


# With memory off a run loads none of memory's machinery (search, indexes, the cache).
MEMORY = (
    "intelligent_office.memory.office_memory",
    "intelligent_office.memory.search",
    "intelligent_office.memory.embeddings.cache",
)


def test_offline_run_imports_no_heavy_module(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"  # the workspace never holds the state
    work.mkdir()
    done = probe(["run", "What is 2+2?"], report=_STARTED, home=home, cwd=work)
    assert done.code == 0, done.output
    assert "2+2 = 4" in done.output
    assert _loaded(done.report["modules"], HEAVY + RUN_ALSO + PLAIN_RUN_ALSO) == []
    # Nor does it start a process: the sandbox is probed (bubblewrap's children, and
    # `ldconfig` to find libseccomp) at the first snippet, and a new home has no plans
    # to recall, so no embedder's helper.
    assert done.report["started"] == []
    # The database was new: this run made it. The next commands find it at the head
    # revision and do not import Alembic either. (With memory on, a second run embeds its
    # subtask to recall similar plans, which loads the local model: memory is off here.)
    code, output, modules = _office(["tasks"], home, work)
    assert code == 0, output
    assert "What is 2+2?" in output
    assert _loaded(modules, HEAVY + ("alembic", "sqlalchemy.dialects.postgresql")) == []
    done = probe(["run", "What is 3*7?"], report=_STARTED, home=home, cwd=work, memory=OFF)
    assert done.code == 0, done.output
    assert "21" in done.output
    assert _loaded(done.report["modules"], HEAVY + RUN_ALSO + PLAIN_RUN_ALSO + MEMORY) == []
    assert done.report["started"] == []


# The settings are loaded by every command that does anything: they name the packages'
# settings modules only, never what those packages do (the store's ORM tables, metrics,
# logging, the brains, the tools).
SETTINGS_NEVER = (
    "sqlalchemy",
    "prometheus_client",
    "structlog",
    "opentelemetry",
    "intelligent_office.store.store",
    "intelligent_office.observability.telemetry",
    "intelligent_office.llm.base",
    "intelligent_office.memory.base",
    "intelligent_office.tools.base",
    "intelligent_office.risk.model",
)


def test_settings_import_only_settings() -> None:
    probe = "import json, sys, intelligent_office.settings; print(json.dumps(sorted(sys.modules)))"
    assert _loaded(fresh_python(probe), HEAVY + SETTINGS_NEVER) == []


def test_cli_temporal_defaults_are_the_runtimes() -> None:
    # Repeated in the CLI so its option defaults do not load the runtime package.
    from intelligent_office.cli import temporal as cli
    from intelligent_office.runtime.temporal import messages

    assert cli.DEFAULT_ADDRESS == messages.DEFAULT_ADDRESS
    assert cli.DEFAULT_TASK_QUEUE == messages.DEFAULT_TASK_QUEUE


# A library's worker (no Telemetry given) counts nothing and logs nothing on a run that
# succeeds: no Prometheus client (with http.server, wsgiref and email), no structlog, no
# rich; and the store's repositories a run does not use stay unloaded, as does SQLAlchemy's
# ORM (a run's repositories write Core statements on `store.schema`'s tables).
LIBRARY_RUN_NEVER = (
    "sqlalchemy.orm",
    "intelligent_office.store.tables",
    "prometheus_client",
    "wsgiref",
    "http.server",
    "structlog",
    "rich",
    "intelligent_office.store.approvals",
    "intelligent_office.store.webhooks",
    "intelligent_office.store.evals",
    "intelligent_office.store.api_keys",
    "intelligent_office.store.feedback",
    "intelligent_office.store.usage",
)

_LIBRARY_PROBE = """
import asyncio, json, sys
from pydantic import BaseModel
from intelligent_office.runtime import Runtime, WorkflowRegistry, activity, workflow_def
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.store import Store

class Number(BaseModel):
    value: int

@activity("probe.double")
async def double(number: Number) -> Number:
    return Number(value=number.value * 2)

@workflow_def("probe.twice")
async def twice(runtime: Runtime, number: Number) -> Number:
    once = await runtime.activity("first", double, number)
    return await runtime.activity("second", double, once)

store = Store.open(sys.argv[1])
store.tasks.create(task_id="t1", user_id="probe", description="double twice")
worker = LocalWorker(store, WorkflowRegistry([twice]))
run_id = worker.submit("probe.twice", Number(value=3), task_id="t1").run_id
record = asyncio.run(worker.run(run_id))
print(json.dumps({"status": record.status.value, "result": record.result,
                  "modules": sorted(sys.modules)}))
"""


def test_library_worker_run_loads_no_metrics_logging_or_cold_repositories(tmp_path: Path) -> None:
    report = fresh_python(_LIBRARY_PROBE, f"sqlite:///{tmp_path / 'office.db'}")
    assert report["status"] == "completed"
    assert report["result"] == {"value": 12}
    assert _loaded(report["modules"], LIBRARY_RUN_NEVER) == []


def test_memory_on_run_loads_the_embedder_in_its_helper_process(tmp_path: Path) -> None:
    # With plans to recall, the second run's plan is recalled with the local MiniLM, loaded
    # in a helper process started early (`early_embedder`): the command's own process loads
    # neither numpy nor the tokenizer. The helper lives until the command's process exits.
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    code, output, _ = _office(["run", "What is 3*7?"], home, work)
    assert code == 0, output
    done = probe(["run", "What is 2+2?"], report=_CHILDREN, home=home, cwd=work)
    assert done.code == 0, done.output
    assert "2+2 = 4" in done.output
    assert _loaded(done.report["modules"], HEAVY + RUN_ALSO + PLAIN_RUN_ALSO) == []
    [(pid, command)] = done.report["children"]
    assert "intelligent_office.memory.embeddings.embedder_process" in command
    assert done.report["started"] == [command.strip()]  # the helper, and nothing else
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # Memory off: no helper.
    done = probe(["run", "What is 2+3?"], report=_CHILDREN, home=home, cwd=work, memory=OFF)
    assert done.code == 0, done.output
    assert done.report["children"] == [] and done.report["started"] == []


OFF = '{"enabled": false}'
# The command's modules and the command lines of the processes it started.
_STARTED = '{"modules": sorted(sys.modules), "started": started}'
# The same, and its child processes (pid, command line) still running.
_CHILDREN = """{
    "modules": sorted(sys.modules),
    "started": started,
    "children": [
        (int(pid), open(f"/proc/{pid}/cmdline").read().replace("\\0", " "))
        for pid in open(f"/proc/self/task/{__import__('os').getpid()}/children").read().split()
    ],
}"""
