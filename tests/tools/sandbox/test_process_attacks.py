"""Adversarial suite, process side: each attack is stopped or harmless on every tier here.

Every test runs on each tier the machine supports (tier A with bubblewrap, tier B with a
dedicated uid and Landlock). After each one the `arena` fixture proves the service is
unaffected: no process of the attack is left, nothing outside the workspace changed, and
the sandbox still runs code.
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import subprocess
import time

import pytest

from tests.tools.sandbox.conftest import Arena

pytestmark = pytest.mark.timeout(60)

CAP = 64 * 1024


async def test_cannot_read_etc_shadow(arena: Arena) -> None:
    run = await arena.run("print('READ', open('/etc/shadow').read())")
    assert b"READ" not in run.stdout
    assert b"Error" in run.stderr


async def test_cannot_read_outside_the_workspace(arena: Arena) -> None:
    run = await arena.run(
        f"""
        for path in ['{arena.outside}/secret.txt', '../outside/secret.txt']:
            try:
                print('READ', open(path).read())
            except OSError as error:
                print('refused', type(error).__name__)
        """
    )
    assert b"outside-secret" not in run.stdout
    assert run.stdout.count(b"refused") == 2


async def test_cannot_write_outside_the_workspace(arena: Arena) -> None:
    run = await arena.run(
        f"""
        for path in ['{arena.outside}/new.txt', '../outside/new.txt', '{arena.root}/x',
                     '/usr/planted', '/etc/planted']:
            try:
                open(path, 'w').write('planted')
                print('WROTE', path)
            except OSError as error:
                print('refused', type(error).__name__)
        """
    )
    # Tier A: a path under /tmp lands in the sandbox's private /tmp, gone after the run.
    assert b"WROTE /usr" not in run.stdout
    assert b"WROTE /etc" not in run.stdout
    assert not (arena.root / "x").exists()
    assert not os.path.exists("/etc/planted")
    assert not os.path.exists("/usr/planted")


async def test_tcp_to_a_listener_on_localhost_is_refused(arena: Arena) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    with listener:
        run = await arena.run(
            f"""
            import socket
            try:
                socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'hi')
                print('CONNECTED')
            except OSError as error:
                print('refused', type(error).__name__)
            """
        )
        with pytest.raises(TimeoutError):
            listener.accept()
    assert b"CONNECTED" not in run.stdout
    assert b"refused" in run.stdout


async def test_udp_send_never_arrives(arena: Arena) -> None:
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(0.3)
    port = receiver.getsockname()[1]
    with receiver:
        run = await arena.run(
            f"""
            import socket
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.sendto(b'leak', ('127.0.0.1', {port}))
                print('SENT')
            except OSError as error:
                print('refused', type(error).__name__)
            """
        )
        with pytest.raises(TimeoutError):
            receiver.recvfrom(100)
    assert run.exit_code == 0


async def test_dns_lookup_fails(arena: Arena) -> None:
    run = await arena.run(
        """
        import socket
        try:
            print('RESOLVED', socket.getaddrinfo('example.com', 80))
        except OSError as error:
            print('refused', type(error).__name__)
        """
    )
    assert b"RESOLVED" not in run.stdout
    assert b"refused" in run.stdout


async def test_memory_bomb_fails_inside(arena: Arena) -> None:
    run = await arena.run("data = bytearray(2 * 1024 ** 3)\nprint('ALLOCATED')")
    assert b"ALLOCATED" not in run.stdout
    assert b"MemoryError" in run.stderr


async def test_cpu_loop_is_stopped(arena: Arena) -> None:
    started = time.monotonic()
    run = await arena.run("while True: pass", timeout=1.0)
    assert time.monotonic() - started < 4
    assert run.timed_out or run.exit_code != 0


async def test_sleep_past_the_timeout_is_killed(arena: Arena) -> None:
    started = time.monotonic()
    run = await arena.run("import time; time.sleep(60)", timeout=0.5)
    assert time.monotonic() - started < 3
    assert run.timed_out
    assert run.exit_code == -9


async def test_fork_bomb_is_contained(arena: Arena) -> None:
    started = time.monotonic()
    run = await arena.run(
        """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """,
        timeout=2.0,
    )
    assert time.monotonic() - started < 8
    assert run.timed_out
    assert os.getuid() == 0  # the attack ran with the service as root


async def test_double_forked_daemon_holding_stdout_is_gone(arena: Arena) -> None:
    started = time.monotonic()
    run = await arena.run(
        """
        import os, sys, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(60)  # holds stdout and stderr open
                print('DAEMON')
            os._exit(0)
        print('parent done', flush=True)
        """,
        timeout=3.0,
    )
    assert time.monotonic() - started < 15  # not the daemon's 60 s (slack for a busy machine)
    assert b"parent done" in run.stdout
    assert b"DAEMON" not in run.stdout
    # the arena fixture checks that no process with the marker is left


async def test_one_huge_file_is_cut_at_the_limit(arena: Arena) -> None:
    run = await arena.run("open('big.bin', 'wb').write(bytes(64 * 1024 * 1024))")
    assert b"File too large" in run.stderr
    assert (arena.workspace / "big.bin").stat().st_size <= 16 * 1024 * 1024


async def test_many_files_are_bounded(arena: Arena) -> None:
    started = time.monotonic()
    run = await arena.run(
        """
        import os
        made = 0
        try:
            for i in range(1_000_000):
                open(f'f{i}', 'w').close()
                made += 1
        finally:
            print(made, flush=True)
        """,
        timeout=1.0,
    )
    assert time.monotonic() - started < 4
    # Stopped by the timeout, or sooner (tier A started by root) by the inode cap of the
    # run's writable layer; either way what reaches the workspace is bounded.
    assert run.timed_out or b"No space left on device" in run.stderr
    assert len(os.listdir(arena.workspace)) < 1_000_000


async def test_private_tmp_is_size_limited_or_closed(arena: Arena) -> None:
    run = await arena.run(
        """
        written = 0
        try:
            with open('/tmp/fill', 'wb') as f:
                for _ in range(1024):
                    f.write(bytes(1024 * 1024))
                    written += 1
        except OSError as error:
            print('stopped', type(error).__name__, written)
        """
    )
    assert b"stopped" in run.stdout
    assert int(run.stdout.split()[-1]) <= 64


async def test_hundred_thousand_open_files_are_refused(arena: Arena) -> None:
    run = await arena.run(
        """
        import os
        fds = []
        try:
            for _ in range(100_000):
                fds.append(os.open('/dev/null', os.O_RDONLY))
        except OSError as error:
            print(len(fds), error.strerror)
        """
    )
    count, _ = run.stdout.split(maxsplit=1)
    assert int(count) < 256
    assert b"Too many open files" in run.stdout


async def test_a_gigabyte_on_stdout_is_capped(arena: Arena) -> None:
    started = time.monotonic()
    run = await arena.run(
        """
        import sys
        chunk = b'x' * 1024 * 1024
        for _ in range(1024):
            sys.stdout.buffer.write(chunk)
        """,
        timeout=30,
    )
    assert time.monotonic() - started < 5
    assert run.truncated
    assert len(run.stdout) == CAP


async def test_the_services_secret_is_not_visible(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_TEST_SECRET", "s3cr3t-value")
    run = await arena.run(
        """
        import os
        print(dict(os.environ))
        for entry in os.listdir('/proc'):
            if entry.isdigit():
                try:
                    print(entry, open(f'/proc/{entry}/environ', 'rb').read())
                except OSError as error:
                    print(entry, type(error).__name__)
        """
    )
    assert b"s3cr3t-value" not in run.stdout
    assert b"OFFICE_TEST_SECRET" not in run.stdout + run.stderr


MOUNTS = """
import ctypes, ctypes.util
libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
MS_REMOUNT, MS_BIND = 32, 4096
attempts = {
    'remount /': libc.mount(None, b'/', None, MS_REMOUNT | MS_BIND, None),
    'remount /usr rw': libc.mount(None, b'/usr', None, MS_REMOUNT | MS_BIND, None),
    'tmpfs on /usr': libc.mount(b'tmpfs', b'/usr', b'tmpfs', 0, None),
    'tmpfs here': libc.mount(b'tmpfs', b'.', b'tmpfs', 0, None),
}
print(sorted(attempts.items()))
"""


async def test_remounting_system_directories_fails(arena: Arena) -> None:
    run = await arena.run(MOUNTS)
    assert run.stdout.count(b"-1") == 4, run.stdout


async def test_nested_user_namespace_is_refused(arena: Arena) -> None:
    run = await arena.run(
        """
        import ctypes, ctypes.util, os
        libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x00020000, 0x40000000
        print('unshare', libc.unshare(CLONE_NEWUSER), libc.unshare(CLONE_NEWUSER | CLONE_NEWNS),
              libc.unshare(CLONE_NEWNET))
        try:
            with open('/proc/self/uid_map', 'w') as uid_map:
                uid_map.write('0 65534 1')
            print('MAPPED')
        except OSError:
            pass
        """
    )
    assert run.stdout.startswith(b"unshare -1 -1 -1"), run.stdout
    assert b"MAPPED" not in run.stdout


async def test_child_is_never_root(arena: Arena) -> None:
    run = await arena.run(
        """
        import os
        print(os.getuid(), os.geteuid(), os.getgid())
        for attempt in (lambda: os.setuid(0), lambda: os.setgid(0)):
            try:
                attempt()
                print('BECAME ROOT')
            except OSError:
                pass
        """
    )
    uid, euid, gid = (int(x) for x in run.stdout.split()[:3])
    assert 0 not in (uid, euid, gid)
    assert b"BECAME ROOT" not in run.stdout


async def test_planted_setuid_binary_and_special_files_are_neutralized(arena: Arena) -> None:
    run = await arena.run(
        """
        import os, shutil, socket, stat
        shutil.copy('/usr/bin/true', 'suid')
        for mode in (0o4755, 0o6755, 0o2755):
            try:
                os.chmod('suid', mode)
            except OSError as error:
                print('chmod refused', error.errno)
        null_device = stat.S_IFCHR | 0o666, os.makedev(1, 3)
        for make in (lambda: os.mkfifo('fifo'), lambda: os.mknod('null', *null_device)):
            try:
                make()
            except OSError as error:
                print('mk refused', error.errno)
        try:
            s = socket.socket(socket.AF_UNIX)
            s.bind('sock')
        except OSError as error:
            print('bind refused', error.errno)
        """
    )
    modes = {p.name: p.lstat().st_mode for p in arena.workspace.iterdir()}
    assert not modes["suid"] & (stat.S_ISUID | stat.S_ISGID)
    assert sorted(modes) == ["suid"], (modes, run.stdout)
    assert set(run.removed_files) <= {"fifo", "sock", "null"}


async def test_a_setuid_bit_that_got_through_is_stripped(arena: Arena) -> None:
    """Even if a bit were set inside (here: by us, standing in for a filter gap)."""
    planted = arena.workspace / "planted"
    planted.write_bytes(b"#!/bin/sh\n")
    planted.chmod(0o4755)
    fifo = arena.workspace / "pipe"
    os.mkfifo(fifo)
    run = await arena.run("print('hi')")
    assert not planted.stat().st_mode & stat.S_ISUID
    assert not fifo.exists()
    assert run.stripped_files == ["planted"]
    assert run.removed_files == ["pipe"]


async def test_kill_minus_one_leaves_the_service_running(
    arena: Arena, canary: subprocess.Popen[bytes]
) -> None:
    run = await arena.run(
        """
        import os, signal
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            print('nothing to kill')  # tier A: its PID namespace holds only itself
        """
    )
    await asyncio.sleep(0.1)
    assert canary.poll() is None, "kill(-1) reached a process of the service's user"
    assert os.getpid() > 0
    assert run.exit_code in (0, -9, 137)


async def test_ptrace_is_denied(arena: Arena) -> None:
    run = await arena.run(
        f"""
        import ctypes, ctypes.util, os
        libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        PTRACE_TRACEME, PTRACE_ATTACH = 0, 16
        print(libc.ptrace(PTRACE_ATTACH, {os.getpid()}, None, None),
              libc.ptrace(PTRACE_ATTACH, 1, None, None),
              libc.ptrace(PTRACE_TRACEME, 0, None, None))
        """
    )
    assert run.stdout.split() == [b"-1", b"-1", b"-1"], run.stdout
