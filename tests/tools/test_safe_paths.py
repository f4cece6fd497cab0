"""Adversarial file paths: every way out of the workspace is refused, on both ways of opening.

Each test runs twice: with openat2(RESOLVE_BENEATH) and with the O_NOFOLLOW walk used on
kernels without it. Each plants something outside the workspace and checks it is neither
read nor written.
"""

from __future__ import annotations

import ctypes
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.errors import ToolError
from intelligent_office.tools import ToolContext, safe_open
from intelligent_office.tools.file_ops import (
    list_files,
    read_file,
    read_text_file,
    search_files,
    write_file,
)

SECRET = "the password is hunter2"


@pytest.fixture(params=["openat2", "walk"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "openat2":
        if not safe_open.openat2_supported():
            pytest.skip("this kernel has no openat2")
    else:
        monkeypatch.setattr(safe_open, "openat2_supported", lambda: False)
    return str(request.param)


@pytest.fixture
def workspace(tmp_path: Path, backend: str) -> Path:
    root = tmp_path / "workspace"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "guide.md").write_text("inside\n")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    directory = tmp_path / "outside"
    directory.mkdir()
    (directory / "secret.txt").write_text(SECRET + "\n")
    (directory / "guide.md").write_text(SECRET + "\n")
    return directory


@pytest.fixture
def ctx(workspace: Path) -> ToolContext:
    return ToolContext(workspace=workspace)


async def call(tool_obj: Any, ctx: ToolContext, **arguments: Any) -> Any:
    return await tool_obj(ctx, arguments)


@pytest.mark.parametrize("path", ["../outside/secret.txt", "docs/../../outside/secret.txt"])
async def test_read_dot_dot_is_refused(ctx: ToolContext, outside: Path, path: str) -> None:
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path=path)


async def test_read_absolute_path_outside_is_refused(ctx: ToolContext, outside: Path) -> None:
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path=str(outside / "secret.txt"))


async def test_read_planted_file_symlink_is_refused(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    (workspace / "innocent.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path="innocent.txt")


async def test_read_through_a_directory_symlink_in_the_middle_is_refused(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    (workspace / "docs" / "more").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path="docs/more/secret.txt")
    result = await call(search_files, ctx, pattern="hunter2")
    assert result["matches"] == []
    assert "docs/more/secret.txt" not in (await call(list_files, ctx))["files"]


async def test_dangling_symlink_is_neither_read_nor_written(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    (workspace / "dangling.txt").symlink_to(outside / "created.txt")
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path="dangling.txt")
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(write_file, ctx, path="dangling.txt", content="pwned")
    assert not (outside / "created.txt").exists()


async def test_hard_link_to_an_outside_file_is_refused_for_read_and_write(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    os.link(outside / "secret.txt", workspace / "linked.txt")
    with pytest.raises(ToolError, match="linked.txt has 2 hard links"):
        await call(read_file, ctx, path="linked.txt")
    with pytest.raises(ToolError, match="linked.txt has 2 hard links"):
        await call(write_file, ctx, path="linked.txt", content="pwned")
    result = await call(search_files, ctx, pattern="hunter2")
    assert result["matches"] == []
    assert (outside / "secret.txt").read_text() == SECRET + "\n"


@pytest.mark.timeout(10)
async def test_a_fifo_is_refused_without_hanging(ctx: ToolContext, workspace: Path) -> None:
    os.mkfifo(workspace / "pipe")
    with pytest.raises(ToolError, match="pipe is not a regular file"):
        await call(read_file, ctx, path="pipe")
    result = await call(search_files, ctx, pattern="x")
    assert [skipped["file"] for skipped in result["skipped"]] == ["pipe"]
    with pytest.raises(ToolError, match="pipe is not a regular file"):
        await call(write_file, ctx, path="pipe", content="x")


@pytest.mark.timeout(10)
async def test_dev_zero_through_a_symlink_is_refused(ctx: ToolContext, workspace: Path) -> None:
    (workspace / "zero").symlink_to("/dev/zero")
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path="zero")


@pytest.mark.timeout(10)
async def test_a_device_node_inside_is_refused(ctx: ToolContext, workspace: Path) -> None:
    try:
        os.mknod(workspace / "zero", 0o600 | 0o020000, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("cannot create device nodes here")
    with pytest.raises(ToolError, match="zero is not a regular file"):
        await call(read_file, ctx, path="zero")


@pytest.mark.timeout(10)
async def test_a_socket_is_refused(ctx: ToolContext, workspace: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(workspace / "sock"))
        listener.listen()
        with pytest.raises(ToolError, match="sock is not a regular file"):
            await call(read_file, ctx, path="sock")
    finally:
        listener.close()


async def test_write_through_a_symlink_is_refused(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    (workspace / "out.txt").symlink_to(outside / "secret.txt")
    (workspace / "alias.md").symlink_to("docs/guide.md")
    (workspace / "outdir").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(write_file, ctx, path="out.txt", content="pwned")
    with pytest.raises(ToolError, match="alias.md is a symbolic link"):
        await call(write_file, ctx, path="alias.md", content="pwned")
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(write_file, ctx, path="outdir/new.txt", content="pwned")
    assert (outside / "secret.txt").read_text() == SECRET + "\n"
    assert (workspace / "docs" / "guide.md").read_text() == "inside\n"
    assert sorted(os.listdir(outside)) == ["guide.md", "secret.txt"]


def _exchange(first: Path, second: Path) -> None:
    """Swap two names atomically: renameat2(RENAME_EXCHANGE), so `docs` always exists."""
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, rename_exchange = -100, 2
    if libc.renameat2(at_fdcwd, bytes(first), at_fdcwd, bytes(second), rename_exchange) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


@pytest.fixture
def swapping(workspace: Path, outside: Path) -> Iterator[None]:
    """Keep swapping workspace/docs with a symlink to the outside directory and back."""
    stop = threading.Event()
    docs, link = workspace / "docs", workspace / "docs.link"
    link.symlink_to(outside, target_is_directory=True)
    try:
        _exchange(docs, link)
        _exchange(docs, link)
    except (OSError, AttributeError):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")

    def swap() -> None:
        while not stop.is_set():
            _exchange(docs, link)
            time.sleep(0)  # let the reader in while docs is one or the other
            _exchange(docs, link)
            time.sleep(0)

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    try:
        yield
    finally:
        stop.set()
        swapper.join()


@pytest.mark.timeout(60)
@pytest.mark.usefixtures("swapping")
def test_rename_race_never_reads_outside(workspace: Path) -> None:
    """read_text_file under the race; the realpath check narrows the window, the kernel shuts it."""
    escapes = inside = attempts = 0
    while attempts < 5000 or (inside == 0 and attempts < 100_000):
        attempts += 1
        try:
            text = read_text_file(workspace, "docs/guide.md", 100)
        except ToolError:
            continue
        escapes += SECRET in text.content
        inside += text.content == "inside\n"
    assert escapes == 0
    assert inside > 0


@pytest.mark.timeout(60)
@pytest.mark.usefixtures("swapping")
def test_rename_race_never_opens_outside_without_the_realpath_check(workspace: Path) -> None:
    """open_beneath alone holds the line: the kernel, not a prior check, confines the path."""
    escapes = inside = attempts = 0
    while attempts < 5000 or (inside == 0 and attempts < 100_000):
        attempts += 1
        try:
            descriptor = safe_open.open_beneath(workspace, "docs/guide.md", os.O_RDONLY)
        except OSError:
            continue
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read()
        escapes += SECRET.encode() in data
        inside += data == b"inside\n"
    assert escapes == 0
    assert inside > 0


def test_open_beneath_refuses_dot_dot_and_absolute_paths(workspace: Path, outside: Path) -> None:
    for path in ("../outside/secret.txt", str(outside / "secret.txt")):
        with pytest.raises(OSError) as caught:
            safe_open.open_beneath(workspace, path, os.O_RDONLY)
        assert caught.value.errno == 18  # EXDEV


async def test_writes_stay_inside_and_leave_no_temporary_files(
    ctx: ToolContext, workspace: Path
) -> None:
    result = await call(write_file, ctx, path="new/deeper/file.txt", content="hello")
    assert result == {"path": "new/deeper/file.txt", "bytes_written": 5, "created": True}
    assert (workspace / "new" / "deeper" / "file.txt").read_text() == "hello"
    assert os.listdir(workspace / "new" / "deeper") == ["file.txt"]


@pytest.mark.timeout(60)
@pytest.mark.usefixtures("swapping")
async def test_rename_race_never_writes_outside(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    written = 0
    for index in range(1000):
        try:
            await call(write_file, ctx, path=f"docs/new-{index}.txt", content="x")
        except ToolError:
            continue
        written += 1
    assert [name for name in os.listdir(outside) if name.startswith(("new-", ".new-"))] == []
    assert written > 0
