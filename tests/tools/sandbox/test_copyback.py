"""Copy-back of an overlay upper layer, against hand-made layers (what a run could leave).

A real run cannot plant most of these (seccomp refuses setuid bits, the sandbox has no
devices); the copy-back must hold even if one did. Whiteouts and trusted.* xattrs need
root, as does the layer's mount: the tests skip when the service is not root.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from intelligent_office.tools.sandbox.copyback import CopyBackReport, Limits, Owner, copy_back
from intelligent_office.tools.sandbox.overlay import Layer, prepare_base
from intelligent_office.tools.sandbox.snapshot import Snapshot

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="whiteouts and mounts need root")

OWNER = Owner(4321, 4322)
MiB = 1024 * 1024


@pytest.fixture
def layers(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An upper layer, a workspace and a directory outside it."""
    upper, workspace, outside = tmp_path / "upper", tmp_path / "workspace", tmp_path / "outside"
    for directory in (upper, workspace, outside):
        directory.mkdir()
    return upper, workspace, outside


def whiteout(path: Path) -> None:
    os.mknod(path, stat.S_IFCHR | 0o000, os.makedev(0, 0))


def apply(
    upper: Path, workspace: Path, file_bytes: int = MiB, total: int = 4 * MiB, seconds: float = 30
) -> CopyBackReport:
    """Copy back against the workspace as it is now (as if nothing changed during the run)."""
    snapshot = Snapshot.take(workspace)
    return copy_back(upper, workspace, OWNER, Limits(file_bytes, total, seconds), snapshot)


def test_files_and_directories_arrive_owned_by_the_owner(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, _ = layers
    (upper / "sub/deeper").mkdir(parents=True)
    (upper / "sub/deeper/data.csv").write_text("a,b\n")
    (upper / "sub/deeper/data.csv").chmod(0o640)
    (upper / "top.txt").write_text("top")
    report = apply(upper, workspace)
    assert (workspace / "sub/deeper/data.csv").read_text() == "a,b\n"
    assert stat.S_IMODE((workspace / "sub/deeper/data.csv").stat().st_mode) == 0o640
    for path in ("top.txt", "sub", "sub/deeper", "sub/deeper/data.csv"):
        info = (workspace / path).stat()
        assert (info.st_uid, info.st_gid) == (OWNER.uid, OWNER.gid), path
    assert sorted(report.written) == ["sub/", "sub/deeper/", "sub/deeper/data.csv", "top.txt"]
    assert report.refused == []


def test_whiteouts_and_opaque_directories_delete(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, _ = layers
    (workspace / "gone.txt").write_text("x")
    (workspace / "gone_tree/inner").mkdir(parents=True)
    (workspace / "gone_tree/inner/file").write_text("x")
    (workspace / "redone/old.txt").parent.mkdir()
    (workspace / "redone/old.txt").write_text("old")
    (workspace / "merged").mkdir()
    (workspace / "merged/keep.txt").write_text("keep")
    whiteout(upper / "gone.txt")
    whiteout(upper / "gone_tree")
    (upper / "redone").mkdir()
    os.setxattr(upper / "redone", "trusted.overlay.opaque", b"y")  # deleted, then made anew
    (upper / "redone/new.txt").write_text("new")
    (upper / "merged").mkdir()  # not opaque: the run added to what was there
    (upper / "merged/added.txt").write_text("added")
    report = apply(upper, workspace)
    assert sorted(p.name for p in workspace.iterdir()) == ["merged", "redone"]
    assert sorted(p.name for p in (workspace / "redone").iterdir()) == ["new.txt"]
    assert sorted(p.name for p in (workspace / "merged").iterdir()) == ["added.txt", "keep.txt"]
    assert sorted(report.deleted) == ["gone.txt", "gone_tree", "redone/old.txt"]
    assert report.conflicts == []


def test_setuid_bits_are_stripped(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, _ = layers
    (upper / "tool").write_bytes(b"#!/bin/sh\n")
    (upper / "tool").chmod(0o6755)
    report = apply(upper, workspace)
    assert stat.S_IMODE((workspace / "tool").stat().st_mode) == 0o755
    assert report.stripped == ["tool"]


def test_links_and_special_files_are_refused(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, outside = layers
    (outside / "secret").write_text("secret")
    (upper / "link").symlink_to(outside / "secret")
    (upper / "dangling").symlink_to("/nonexistent")
    os.mkfifo(upper / "fifo")
    os.mknod(upper / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    (upper / "one").write_text("x")
    os.link(upper / "one", upper / "two")
    report = apply(upper, workspace)
    assert list(workspace.iterdir()) == []
    assert report.refused == [
        "dangling: a symlink",
        "fifo: a FIFO",
        "link: a symlink",
        "null: a device",
        "one: a hard link",
        "two: a hard link",
    ]


def test_nothing_is_written_through_what_the_workspace_held(
    layers: tuple[Path, Path, Path],
) -> None:
    upper, workspace, outside = layers
    (outside / "target").write_text("outside")
    (outside / "linked").write_text("outside")
    (workspace / "via_symlink").symlink_to(outside / "target")
    os.link(outside / "linked", workspace / "via_hard_link")
    (workspace / "dir_link").symlink_to(outside, target_is_directory=True)
    for name in ("via_symlink", "via_hard_link"):
        (upper / name).write_text("from the run")
    (upper / "dir_link").mkdir()  # a directory where the workspace has a symlink to one
    (upper / "dir_link/planted").write_text("from the run")
    apply(upper, workspace)
    assert (outside / "target").read_text() == "outside"
    assert (outside / "linked").read_text() == "outside"
    assert sorted(p.name for p in outside.iterdir()) == ["linked", "target"]
    assert not (workspace / "via_symlink").is_symlink()
    assert (workspace / "via_symlink").read_text() == "from the run"
    assert (workspace / "via_hard_link").stat().st_nlink == 1
    assert (workspace / "dir_link").is_dir() and not (workspace / "dir_link").is_symlink()


def test_size_limits_per_file_and_in_total(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, _ = layers
    (upper / "a_fits").write_bytes(bytes(MiB))
    (upper / "b_too_big").write_bytes(bytes(MiB + 1))
    with open(upper / "c_sparse", "wb") as sparse:  # a large apparent size costs nothing there
        sparse.truncate(MiB)
    (upper / "d_over_total").write_bytes(bytes(10))
    report = apply(upper, workspace, file_bytes=MiB, total=2 * MiB)
    assert sorted(p.name for p in workspace.iterdir()) == ["a_fits", "c_sparse"]
    assert report.refused == [
        f"b_too_big: {MiB + 1} bytes, past the size limit",
        "d_over_total: 10 bytes, past the size limit",
    ]


def test_what_is_left_when_time_is_up_is_refused(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, _ = layers
    (upper / "late.txt").write_text("x")
    report = apply(upper, workspace, seconds=-1)  # already out of time
    assert list(workspace.iterdir()) == []
    assert report.refused == ["late.txt: not copied back: out of time"]


def test_deep_nesting_and_odd_names_are_handled(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, _ = layers
    deep = upper.joinpath(*["d"] * 80)
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text("x")
    os.mkfifo(os.path.join(os.fsencode(upper), b"odd-\xff"))
    report = apply(upper, workspace)
    assert report.refused == [
        "d" + "/d" * 64 + ": nested deeper than 64 directories",
        "odd-\\xff: a FIFO",
    ]
    assert workspace.joinpath(*["d"] * 64).is_dir()


def test_a_long_list_of_refusals_is_counted(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, _ = layers
    for index in range(150):
        os.mkfifo(upper / f"fifo{index:03d}")
    report = apply(upper, workspace)
    assert report.refused_count == 150
    assert len(report.refused) == 101
    assert report.refused[-1] == "... and 50 more"


def test_a_layer_left_by_a_dead_service_is_removed(tmp_path: Path) -> None:
    base = tmp_path / "layers"
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    prepare_base(base)
    try:
        layer = Layer(workspace, 61999, base, MiB, 100)
        layer.directory = base / "999999999-deadbeef"  # a pid that cannot be alive
        layer.upper, layer.merged = layer.directory / "upper", layer.directory / "merged"
        layer.__enter__()  # mounted, never left: as if the service was killed
        assert (layer.merged / ".").stat().st_uid == 61999  # the upper layer's root
        prepare_base(base)  # the next service starts
        assert not layer.directory.exists()
        assert str(base / "999999999-") not in Path("/proc/self/mountinfo").read_text()
    finally:
        subprocess.run(["umount", "--recursive", str(base)], check=False, capture_output=True)


def test_a_deletion_keeps_what_changed_after_the_snapshot(layers: tuple[Path, Path, Path]) -> None:
    upper, workspace, _ = layers
    deep = workspace.joinpath(*["d"] * 70)
    deep.mkdir(parents=True)
    (workspace / "tree").mkdir()
    (workspace / "tree/same.txt").write_text("same")
    (workspace / "tree/edited.txt").write_text("before")
    snapshot = Snapshot.take(workspace)
    (workspace / "tree/edited.txt").write_text("after!")  # same size: the hash tells
    (workspace / "tree/new.txt").write_text("new")
    whiteout(upper / "tree")
    whiteout(upper / "d")
    report = copy_back(upper, workspace, OWNER, Limits(MiB, MiB, 30), snapshot)
    assert sorted(p.name for p in (workspace / "tree").iterdir()) == ["edited.txt", "new.txt"]
    assert report.deleted == ["tree/same.txt"]
    assert deep.is_dir()  # deeper than the snapshot looks: never deleted
    assert sorted(report.conflicts) == [
        "d" + "/d" * 64 + ": kept: nested deeper than 64 directories",
        "tree/edited.txt: kept: changed by another writer during the run",
        "tree/new.txt: kept: made by another writer during the run",
    ]
