"""A per-run writable layer over the workspace, for tier A when the service runs as root.

The run's processes must never write the user's workspace as root, and as the run's
dedicated uid they could not write a root-owned workspace at all. So the run sees the
workspace through an overlay: the workspace is the read-only lower layer, and every write
lands in an upper directory owned by the run's uid, on a tmpfs of the run's own whose
size and inode count cap what one run can write. After the run `copyback` applies the
upper layer to the workspace as the service; unmounting the tmpfs then frees it at once.

The layers live under a base directory that is a private bind mount of itself, so they
never propagate into other mount namespaces. Each layer's name starts with the service's
pid: a layer left mounted by a service that died is removed by the next one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import secrets
import tempfile
import threading
from pathlib import Path
from types import TracebackType

__all__ = ["Layer", "default_base", "prepare_base"]

_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_BIND = 0x1000
_MS_PRIVATE = 0x40000
_MNT_DETACH = 0x2

# redirect_dir, index, metacopy and xino off: the upper layer then holds only plain
# files, directories, whiteouts and opaque markers, which is all `copyback` handles.
_OVERLAY_OPTIONS = "redirect_dir=off,index=off,metacopy=off,xino=off"


@functools.cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    return libc


def _mount(source: str | None, target: Path, fstype: str | None, flags: int, data: str) -> None:
    encoded = [value.encode() if value is not None else None for value in (source, fstype)]
    result = _libc().mount(
        encoded[0], os.fsencode(target), encoded[1], flags, data.encode() if data else None
    )
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mounting {fstype or 'a bind'} on {target}: {os.strerror(error)}")


def _unmount(target: Path) -> None:
    """Detach `target` (lazily: open files keep what they use until closed)."""
    if _libc().umount2(os.fsencode(target), _MNT_DETACH) != 0:
        error = ctypes.get_errno()
        if error not in (errno.EINVAL, errno.ENOENT):  # not a mount point, or gone
            raise OSError(error, f"unmounting {target}: {os.strerror(error)}")


def default_base() -> Path:
    """/run when we can write there (a tmpfs, cleared at boot), else the temporary dir."""
    run = Path("/run")
    base = run if os.access(run, os.W_OK) else Path(tempfile.gettempdir())
    return base / "intelligent-office-sandbox-layers"


def _mount_points() -> list[Path]:
    points = []
    with open("/proc/self/mountinfo", "rb") as mountinfo:
        for line in mountinfo:
            field = line.split(b" ")[4]
            # Spaces, tabs, newlines and backslashes are octal escapes in mountinfo.
            points.append(Path(os.fsdecode(field.decode("unicode_escape").encode("latin-1"))))
    return points


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prepare_base(base: Path | None = None) -> Path:
    """Create the base (root-only listing), make it a private mount, clear dead layers."""
    base = base or default_base()
    base.mkdir(mode=0o711, parents=True, exist_ok=True)
    os.chmod(base, 0o711)  # each run's uid must pass through; nobody may list it
    points = _mount_points()
    if base not in points:
        _mount(str(base), base, None, _MS_BIND, "")
    _mount(None, base, None, _MS_PRIVATE, "")
    for point in sorted(points, key=lambda p: len(p.parts), reverse=True):
        if base in point.parents:
            owner_pid = point.relative_to(base).parts[0].split("-")[0]
            if owner_pid.isdigit() and not _alive(int(owner_pid)):
                _unmount(point)
    for entry in base.iterdir():
        owner_pid = entry.name.split("-")[0]
        if owner_pid.isdigit() and not _alive(int(owner_pid)):
            with contextlib.suppress(OSError):
                entry.rmdir()
    return base


class Layer:
    """The overlay of one run: `merged` is bound as the workspace, `upper` holds its writes.

    Use as a context manager: mounted on entry, unmounted and removed (in the background)
    on exit.
    """

    def __init__(
        self, workspace: Path, uid: int, base: Path, max_bytes: int, max_inodes: int
    ) -> None:
        self.workspace, self.uid = workspace, uid
        self.max_bytes, self.max_inodes = max_bytes, max_inodes
        self.directory = base / f"{os.getpid()}-{secrets.token_hex(8)}"
        self.upper = self.directory / "upper"
        self.merged = self.directory / "merged"

    def __enter__(self) -> Layer:
        self.directory.mkdir(mode=0o700)
        try:
            self._mount()
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Unmounting waits for an RCU grace period (milliseconds on a busy machine): off
        # the call's path. Nothing uses the layer any more; a crash leaves it to the next
        # service's `prepare_base`.
        threading.Thread(target=self._remove, name="sandbox-layer-remove", daemon=True).start()

    def _mount(self) -> None:
        # Only the service and the run's group may pass through the layer's directory.
        tmpfs = f"size={self.max_bytes},nr_inodes={self.max_inodes},mode=0710,"
        tmpfs += f"uid={os.geteuid()},gid={self.uid}"
        _mount("tmpfs", self.directory, "tmpfs", _MS_NOSUID | _MS_NODEV, tmpfs)
        work = self.directory / "work"
        for directory in (self.upper, work, self.merged):
            directory.mkdir(mode=0o700)
        os.chown(self.upper, self.uid, self.uid)
        os.chmod(self.upper, 0o755)  # the workspace's root as the run sees it
        fds = [
            os.open(path, os.O_PATH | os.O_DIRECTORY) for path in (self.workspace, self.upper, work)
        ]
        try:
            # Layers named by descriptor: no path escaping, no re-resolution.
            lower, upper, workdir = (f"/proc/self/fd/{fd}" for fd in fds)
            options = f"lowerdir={lower},upperdir={upper},workdir={workdir},{_OVERLAY_OPTIONS}"
            _mount("overlay", self.merged, "overlay", _MS_NOSUID | _MS_NODEV, options)
        finally:
            for fd in fds:
                os.close(fd)

    def _remove(self) -> None:
        _unmount(self.directory)  # the overlay on `merged` with it (a lazy unmount is recursive)
        with contextlib.suppress(OSError):
            self.directory.rmdir()
