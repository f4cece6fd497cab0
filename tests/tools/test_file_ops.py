"""File tools on real files: listing, reading, searching, writing, and workspace confinement."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.errors import ToolError
from intelligent_office.tools import ToolContext
from intelligent_office.tools.file_ops import list_files, read_file, search_files, write_file


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    (root / "docs").mkdir(parents=True)
    (root / "src" / "pkg").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "src" / "pkg" / "__pycache__").mkdir()
    (root / "README.md").write_text("# Project\nHello world\n")
    (root / "docs" / "guide.md").write_text("Install it.\nThen say hello.\n")
    (root / "src" / "pkg" / "core.py").write_text("def hello():\n    return 'HELLO'\n")
    (root / ".git" / "config").write_text("hello from git\n")
    (root / "src" / "pkg" / "__pycache__" / "core.pyc").write_bytes(b"\x00hello")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00hello")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("the password is hunter2\n")
    return secret


@pytest.fixture
def ctx(workspace: Path) -> ToolContext:
    return ToolContext(workspace=workspace)


async def call(tool_obj: Any, ctx: ToolContext, **arguments: Any) -> Any:
    return await tool_obj(ctx, arguments)


# list_files


async def test_list_files_sorted_and_skips_hidden_and_cache_directories(ctx: ToolContext) -> None:
    result = await call(list_files, ctx)
    assert result == {
        "path": ".",
        "files": ["README.md", "docs/guide.md", "logo.png", "src/pkg/core.py"],
        "truncated": False,
    }


async def test_list_files_pattern_subdirectory_and_non_recursive(ctx: ToolContext) -> None:
    assert (await call(list_files, ctx, pattern="*.md"))["files"] == ["README.md", "docs/guide.md"]
    assert (await call(list_files, ctx, path="src"))["files"] == ["src/pkg/core.py"]
    assert (await call(list_files, ctx, path="src", pattern="pkg/*"))["files"] == [
        "src/pkg/core.py"
    ]
    assert (await call(list_files, ctx, recursive=False))["files"] == ["README.md", "logo.png"]


async def test_list_files_truncates(ctx: ToolContext) -> None:
    result = await call(list_files, ctx, max_entries=2)
    assert result["files"] == ["README.md", "docs/guide.md"]
    assert result["truncated"] is True


async def test_list_files_refuses_a_file_and_a_missing_directory(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="README.md is a file, not a directory"):
        await call(list_files, ctx, path="README.md")
    with pytest.raises(ToolError, match="nowhere not found"):
        await call(list_files, ctx, path="nowhere")


async def test_list_files_leaves_out_links_pointing_outside(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    (workspace / "docs" / "leak.txt").symlink_to(outside)
    (workspace / "docs" / "alias.md").symlink_to(workspace / "README.md")
    assert (await call(list_files, ctx, path="docs"))["files"] == [
        "docs/alias.md",
        "docs/guide.md",
    ]


# read_file


async def test_read_file_returns_text_and_size(ctx: ToolContext) -> None:
    result = await call(read_file, ctx, path="docs/guide.md")
    assert result == {
        "path": "docs/guide.md",
        "content": "Install it.\nThen say hello.\n",
        "size": 28,
        "truncated": False,
    }


async def test_read_file_truncates_without_splitting_a_character(
    ctx: ToolContext, workspace: Path
) -> None:
    (workspace / "accents.txt").write_text("aé" * 10)  # é is two bytes in UTF-8
    result = await call(read_file, ctx, path="accents.txt", max_bytes=4)
    assert result["content"] == "aéa"
    assert result["truncated"] is True
    assert result["size"] == 30


@pytest.mark.parametrize("path", ["../secret.txt", "docs/../../secret.txt"])
async def test_read_file_refuses_dot_dot(ctx: ToolContext, outside: Path, path: str) -> None:
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path=path)


async def test_read_file_refuses_absolute_path_outside(ctx: ToolContext, outside: Path) -> None:
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path=str(outside))


async def test_read_file_accepts_absolute_path_inside(ctx: ToolContext, workspace: Path) -> None:
    result = await call(read_file, ctx, path=str(workspace / "README.md"))
    assert result["path"] == "README.md"


async def test_read_file_refuses_symlink_pointing_outside(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    (workspace / "innocent.txt").symlink_to(outside)
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(read_file, ctx, path="innocent.txt")


async def test_read_file_refuses_binary_files(ctx: ToolContext, workspace: Path) -> None:
    with pytest.raises(ToolError, match="logo.png is a binary file"):
        await call(read_file, ctx, path="logo.png")
    (workspace / "latin1.txt").write_bytes("café".encode("latin-1"))
    with pytest.raises(ToolError, match="latin1.txt is a binary file"):
        await call(read_file, ctx, path="latin1.txt")


async def test_read_file_refuses_a_directory(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="docs is a directory"):
        await call(read_file, ctx, path="docs")


async def test_read_file_not_found_suggests_similar_names(ctx: ToolContext) -> None:
    with pytest.raises(ToolError) as caught:
        await call(read_file, ctx, path="docs/guid.md")
    message = str(caught.value)
    assert message.startswith("file 'docs/guid.md' not found")
    assert "'docs/guide.md'" in message
    assert caught.value.retryable is False


async def test_read_file_not_found_without_similar_names(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="not found in the workspace: use list_files"):
        await call(read_file, ctx, path="zzzzqqqq.xyz")


async def test_read_file_rejects_bad_max_bytes(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="max_bytes must be between 1 and"):
        await call(read_file, ctx, path="README.md", max_bytes=0)


# search_files


async def test_search_files_finds_lines_and_reports_binary_files(ctx: ToolContext) -> None:
    result = await call(search_files, ctx, pattern="hello", ignore_case=True)
    assert result["matches"] == [
        {"file": "README.md", "line": 2, "text": "Hello world"},
        {"file": "docs/guide.md", "line": 2, "text": "Then say hello."},
        {"file": "src/pkg/core.py", "line": 1, "text": "def hello():"},
        {"file": "src/pkg/core.py", "line": 2, "text": "return 'HELLO'"},
    ]
    assert result["files_searched"] == 3
    assert result["skipped"] == [{"file": "logo.png", "reason": "binary"}]
    assert result["truncated"] is False
    assert result["pattern"] == "hello"
    assert result["path"] == "."


async def test_search_files_is_case_sensitive_by_default_and_filters_by_glob(
    ctx: ToolContext,
) -> None:
    result = await call(search_files, ctx, pattern=r"hel+o\b", glob="*.py")
    assert [(m["file"], m["line"]) for m in result["matches"]] == [("src/pkg/core.py", 1)]
    assert result["files_searched"] == 1


async def test_search_files_in_one_file(ctx: ToolContext) -> None:
    result = await call(search_files, ctx, pattern="Install", path="docs/guide.md")
    assert result["path"] == "docs/guide.md"
    assert result["matches"] == [{"file": "docs/guide.md", "line": 1, "text": "Install it."}]


async def test_search_files_truncates_matches_and_long_lines(
    ctx: ToolContext, workspace: Path
) -> None:
    (workspace / "many.txt").write_text(("x" * 500 + "\n") * 10)
    result = await call(search_files, ctx, pattern="x", path="many.txt", max_matches=3)
    assert len(result["matches"]) == 3
    assert result["truncated"] is True
    assert len(result["matches"][0]["text"]) == 300


async def test_search_files_reports_an_invalid_regex(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match=r"invalid regular expression '\(unclosed': missing \)"):
        await call(search_files, ctx, pattern="(unclosed")


async def test_search_files_does_not_follow_links_outside(
    ctx: ToolContext, workspace: Path, outside: Path
) -> None:
    (workspace / "leak.txt").symlink_to(outside)
    (workspace / "leakdir").symlink_to(outside.parent, target_is_directory=True)
    result = await call(search_files, ctx, pattern="hunter2")
    assert result["matches"] == []
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(search_files, ctx, pattern="hunter2", path="leak.txt")
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(search_files, ctx, pattern="hunter2", path="../")


# write_file


async def test_write_file_creates_parents_and_reports_created(
    ctx: ToolContext, workspace: Path
) -> None:
    result = await call(write_file, ctx, path="out/notes/today.md", content="é\n")
    assert result == {"path": "out/notes/today.md", "bytes_written": 3, "created": True}
    assert (workspace / "out" / "notes" / "today.md").read_text() == "é\n"


async def test_write_file_twice_is_harmless(ctx: ToolContext, workspace: Path) -> None:
    await call(write_file, ctx, path="a.txt", content="same")
    again = await call(write_file, ctx, path="a.txt", content="same")
    assert again["created"] is False
    assert (workspace / "a.txt").read_text() == "same"
    assert sorted(os.listdir(workspace)) == sorted(
        [".git", "README.md", "a.txt", "docs", "logo.png", "src"]
    ), "no temporary files are left behind"


async def test_write_file_keeps_the_mode_of_an_existing_file(
    ctx: ToolContext, workspace: Path
) -> None:
    script = workspace / "run.sh"
    script.write_text("old")
    script.chmod(0o755)
    await call(write_file, ctx, path="run.sh", content="new")
    assert script.stat().st_mode & 0o777 == 0o755


async def test_write_file_without_overwrite_refuses_an_existing_file(
    ctx: ToolContext, workspace: Path
) -> None:
    with pytest.raises(ToolError, match="README.md already exists: pass overwrite=true"):
        await call(write_file, ctx, path="README.md", content="x", overwrite=False)
    assert (workspace / "README.md").read_text().startswith("# Project")


async def test_write_file_refuses_a_directory(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="docs is a directory"):
        await call(write_file, ctx, path="docs", content="x")


@pytest.mark.parametrize("path", ["../evil.txt", "docs/../../evil.txt"])
async def test_write_file_refuses_dot_dot(ctx: ToolContext, tmp_path: Path, path: str) -> None:
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(write_file, ctx, path=path, content="x")
    assert not (tmp_path / "evil.txt").exists()


async def test_write_file_refuses_absolute_path_outside(ctx: ToolContext, tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="outside the workspace"):
        await call(write_file, ctx, path=str(tmp_path / "evil.txt"), content="x")
    assert not (tmp_path / "evil.txt").exists()


async def test_write_file_refuses_symlinks_pointing_outside(
    ctx: ToolContext, workspace: Path, outside: Path, tmp_path: Path
) -> None:
    (workspace / "innocent.txt").symlink_to(outside)
    (workspace / "dangling.txt").symlink_to(tmp_path / "created-outside.txt")
    (workspace / "outdir").symlink_to(tmp_path, target_is_directory=True)
    for path in ("innocent.txt", "dangling.txt", "outdir/new.txt"):
        with pytest.raises(ToolError, match="outside the workspace"):
            await call(write_file, ctx, path=path, content="pwned")
    assert outside.read_text() == "the password is hunter2\n"
    assert not (tmp_path / "created-outside.txt").exists()
    assert not (tmp_path / "new.txt").exists()


async def test_write_file_refuses_to_write_through_a_link_inside(
    ctx: ToolContext, workspace: Path
) -> None:
    link = workspace / "alias.md"
    link.symlink_to(workspace / "README.md")
    with pytest.raises(ToolError, match="alias.md is a symbolic link: write_file does not"):
        await call(write_file, ctx, path="alias.md", content="new")
    assert link.is_symlink()
    assert (workspace / "README.md").read_text().startswith("# Project")


async def test_write_file_under_a_file_is_an_error(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="cannot write README.md/x.txt"):
        await call(write_file, ctx, path="README.md/x.txt", content="x")


def test_specs_mark_write_as_medium_risk_and_paths_as_confined() -> None:
    assert write_file.spec.risk_level == "medium"
    assert write_file.spec.idempotent is True
    for tool_obj in (list_files, read_file, search_files, write_file):
        assert tool_obj.spec.path_parameters == ["path"]
    assert read_file.spec.risk_level == "low"
