"""Bounded work from any file: settings, YAML workflows, agent workflows and the tool policy
refuse huge retries and sleeps, NaN, oversized files, alias bombs, deep nesting, devices,
directories, pipes and binary files with one line naming the file and the problem."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from intelligent_office.agentkit.files import discover, load_agent_workflow
from intelligent_office.engine import RetryPolicy
from intelligent_office.errors import ConfigError, UserError, WorkflowFileError
from intelligent_office.limits import MAX_ATTEMPTS, MAX_SLEEP_SECONDS
from intelligent_office.settings import load_settings
from intelligent_office.tools.policy import load_policy
from intelligent_office.workflows import load_workflow_file
from intelligent_office.yaml_files import MAX_YAML_BYTES, MAX_YAML_DEPTH
from tests.security.hostile import billion_laughs, deep


def workflow(node: str) -> str:
    return f"name: w\nnodes:\n  - {node}\n"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)  # nobody ever writes: reading it would wait for ever
    return path


# Every reader of a user-supplied YAML file, and the class of error it raises.
READERS: dict[str, tuple[Callable[[Path], Any], type[UserError]]] = {
    "settings": (load_settings, ConfigError),
    "policy": (load_policy, ConfigError),
    "workflow": (load_workflow_file, WorkflowFileError),
    "agent workflow": (load_agent_workflow, WorkflowFileError),
}

HOSTILE_TEXT = {
    "billion laughs": (billion_laughs(), "aliases are expanded"),
    "deep nesting": (deep(10_000), f"nesting deeper than {MAX_YAML_DEPTH} levels"),
    "recursive alias": ("a: &a [1, *a]\n", "refers to a node that contains it"),
    "binary": (None, "is not UTF-8 text"),
    "too large": ("a: " + "x" * MAX_YAML_BYTES + "\n", "larger than 1 MiB"),
}


def assert_one_line(raised: pytest.ExceptionInfo[UserError], path: Path, problem: str) -> None:
    message = str(raised.value)
    assert "\n" not in message
    assert str(path) in message and problem in message, message


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", HOSTILE_TEXT)
def test_hostile_yaml_is_refused_with_one_line(reader: str, case: str, tmp_path: Path) -> None:
    load, error = READERS[reader]
    text, problem = HOSTILE_TEXT[case]
    path = tmp_path / "file.yaml"
    if text is None:
        path.write_bytes(b"name: \xff\xfe\x00binary\n")
    else:
        path.write_text(text)
    with pytest.raises(error) as raised:
        load(path)
    assert_one_line(raised, path, problem)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("kind", ["device", "directory", "fifo"])
def test_devices_directories_and_pipes_are_not_read(
    reader: str, kind: str, tmp_path: Path, fifo: Path
) -> None:
    load, error = READERS[reader]
    path = {"device": Path("/dev/zero"), "directory": tmp_path, "fifo": fifo}[kind]
    with pytest.raises(error) as raised:
        load(path)  # /dev/zero never ends, a FIFO blocks: both must return at once
    assert_one_line(raised, path, "is not a regular file")


def test_the_config_file_named_by_the_environment_is_bounded_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OFFICE_CONFIG_FILE", "/dev/zero")
    with pytest.raises(ConfigError, match="config file /dev/zero is not a regular file"):
        load_settings()


def test_agent_workflow_discovery_lists_a_hostile_file_without_reading_it_whole(
    tmp_path: Path,
) -> None:
    (tmp_path / "bomb.yaml").write_text(billion_laughs())
    (tmp_path / "deep.yaml").write_text(deep(5_000))
    assert discover(tmp_path) == [tmp_path / "bomb.yaml", tmp_path / "deep.yaml"]


def test_anchors_and_aliases_within_the_bounds_still_load(tmp_path: Path) -> None:
    path = tmp_path / "shared-retry.yaml"
    path.write_text(
        "name: w\nnodes:\n"
        "  - {id: a, kind: echo, retry: &retry {kind: constant, max_attempts: 3}}\n"
        "  - {id: b, kind: echo, retry: *retry}\n"
    )
    spec = load_workflow_file(path)
    assert [node.retry.max_attempts for node in spec.nodes] == [3, 3]


@pytest.mark.parametrize(
    ("node", "problem"),
    [
        (
            "{id: a, kind: fail, params: {transient: true},"
            " retry: {kind: immediate, max_attempts: 1000000000}}",
            f"retry.max_attempts: Input should be less than or equal to {MAX_ATTEMPTS}",
        ),
        (
            "{id: a, kind: echo, retry: {kind: constant, delay_seconds: 1e308}}",
            "retry.delay_seconds: Input should be less than or equal to 3600",
        ),
        (
            "{id: a, kind: echo, retry: {kind: exponential, multiplier: .inf}}",
            "retry.multiplier: Input should be a finite number",
        ),
        (
            "{id: a, kind: sleep, params: {seconds: 1e308}}",
            f"params.seconds: Input should be less than or equal to {MAX_SLEEP_SECONDS:g}",
        ),
        (
            "{id: a, kind: sleep, params: {seconds: .nan}}",
            "params.seconds: Input should be a finite",
        ),
        (
            "{id: a, kind: sleep, params: {seconds: .inf}}",
            "params.seconds: Input should be a finite",
        ),
        ("{id: a, kind: sleep, params: {seconds: -1}}", "params.seconds: Input should be greater"),
        ("{id: a, kind: echo, timeout: 1e308}", "timeout: Input should be less than or equal to"),
        ("{id: a, kind: echo, timeout: .nan}", "timeout: Input should be a finite number"),
    ],
    ids=[
        "attempts",
        "delay",
        "multiplier",
        "sleep-huge",
        "sleep-nan",
        "sleep-inf",
        "sleep-negative",
        "timeout-huge",
        "timeout-nan",
    ],
)
def test_a_runaway_workflow_is_refused_when_loaded(tmp_path: Path, node: str, problem: str) -> None:
    path = tmp_path / "runaway.yaml"
    path.write_text(workflow(node))
    with pytest.raises(WorkflowFileError) as raised:
        load_workflow_file(path)
    assert_one_line(raised, path, problem)
    assert "nodes[0] (id 'a')" in str(raised.value)


def test_a_workflow_has_at_most_a_thousand_nodes(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_text(
        "name: w\nnodes:\n" + "".join(f"  - {{id: n{i}, kind: echo}}\n" for i in range(1001))
    )
    with pytest.raises(WorkflowFileError, match="nodes: List should have at most 1000 items"):
        load_workflow_file(path)


def test_retry_policies_in_code_are_bounded_too() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        RetryPolicy.immediate(max_attempts=1_000_000_000)
    with pytest.raises(ValidationError, match="finite number"):
        RetryPolicy.constant(float("nan"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("lease_seconds: .nan\n", "setting lease_seconds: Input should be a finite number"),
        ("lease_seconds: 1e308\n", "setting lease_seconds: Input should be less than or equal"),
        ("approval_timeout_seconds: .inf\n", "setting approval_timeout_seconds: Input should be"),
        ("max_concurrent_runs: 1000000000\n", "setting max_concurrent_runs: Input should be less"),
        (
            "webhooks: {base_delay_seconds: 1e308}\n",
            "setting webhooks.base_delay_seconds: Input should be less than or equal to 3600",
        ),
        (
            "mcp_servers: [{name: m, command: x, timeout_seconds: .inf}]\n",
            "setting mcp_servers.0.timeout_seconds: Input should be a finite number",
        ),
        (
            "llm: {providers: {p: {kind: openai, timeout_seconds: 1e12}}}\n",
            "setting llm.providers.p.timeout_seconds: Input should be less than or equal to 3600",
        ),
    ],
)
def test_settings_have_upper_bounds(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "office.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_agent_workflow_timeouts_and_sizes_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "agents.yaml"
    path.write_text("agents:\n  - {name: a, archetype: writer, timeout: 1e308}\n")
    with pytest.raises(WorkflowFileError, match="agents.0.timeout: Input should be less than"):
        load_agent_workflow(path)
    many = "".join(f"  - {{name: a{i}, archetype: writer}}\n" for i in range(101))
    path.write_text("agents:\n" + many)
    with pytest.raises(WorkflowFileError, match="agents: List should have at most 100 items"):
        load_agent_workflow(path)
