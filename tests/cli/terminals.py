"""`office` as a real process, on a pseudo-terminal (as a person runs it) or on pipes.

On a terminal, Ctrl-C is the byte 0x03 typed into it: the line discipline sends SIGINT to
the foreground process group, as it does for a person. On pipes it is a SIGINT sent to
the process. Output is read as it comes (a full pipe or terminal would stall the child).
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("tty", "pipe")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
# Runs in the child before `office`: make the terminal its controlling terminal, so the
# terminal's Ctrl-C reaches it (start_new_session made it a session leader with none).
_ADOPT_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0);"
    " os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


@dataclass
class Office:
    """One `office` command running in a terminal or on pipes."""

    mode: str
    process: subprocess.Popen[bytes]
    master: int | None = None
    chunks: list[bytes] = field(default_factory=list)
    error_chunks: list[bytes] = field(default_factory=list)
    readers: list[threading.Thread] = field(default_factory=list)

    @property
    def output(self) -> str:
        """Everything it printed so far (stdout and stderr), without terminal escapes."""
        return _ANSI.sub("", b"".join(self.chunks).decode("utf-8", "replace"))

    @property
    def errors(self) -> str:
        """What it printed on stderr: on pipes, that stream alone (its lines are whole even
        where two readers interleave stdout's and stderr's chunks in `output`); in a
        terminal, everything, as one stream."""
        if self.mode != "pipe":
            return self.output
        return _ANSI.sub("", b"".join(self.error_chunks).decode("utf-8", "replace"))

    def wait_for(self, text: str, within: float = 90.0) -> str:
        """Wait until `text` was printed; the output so far."""
        deadline = time.monotonic() + within
        while text not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                time.sleep(0.3)  # the last bytes of a process that ended
                if text in self.output:
                    break
                raise AssertionError(f"{text!r} not printed; output:\n{self.output}")
            time.sleep(0.05)
        return self.output

    def interrupt(self) -> None:
        """Ctrl-C: typed into the terminal, or SIGINT to the process."""
        if self.master is not None:
            os.write(self.master, b"\x03")
        else:
            self.process.send_signal(signal.SIGINT)

    def finish(self, within: float = 90.0) -> int:
        """Wait for the exit; its code."""
        try:
            code = self.process.wait(timeout=within)
        finally:
            self.kill()
        return code

    def kill(self) -> None:
        """Make sure it is gone, with its process group; close the terminal."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for reader in self.readers:
            reader.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        if self.master is not None:
            os.close(self.master)
            self.master = None


def office(mode: str, *args: str, env: dict[str, str], cwd: Path) -> Office:
    """Start `office ARGS` in a new pseudo-terminal (`tty`) or with its output piped."""
    command = ["-m", "intelligent_office.cli", *args]
    if mode == "pipe":
        process = subprocess.Popen(
            [sys.executable, *command],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        running = Office(mode, process)
        assert process.stdout is not None and process.stderr is not None
        running.readers.append(_reader(process.stdout.fileno(), running.chunks))
        running.readers.append(
            _reader(process.stderr.fileno(), running.chunks, running.error_chunks)
        )
        return running
    master, slave = os.openpty()
    # A wide terminal: the live view's lines (approval ids) are not wrapped.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 220, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-c", _ADOPT_TERMINAL, *command],
        env=env | {"TERM": "xterm-256color"},
        cwd=cwd,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    running = Office(mode, process, master=master)
    running.readers.append(_reader(master, running.chunks))
    return running


def _reader(fd: int, chunks: list[bytes], *also: list[bytes]) -> threading.Thread:
    def read() -> None:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's last process has gone
                return
            if not chunk:
                return
            chunks.append(chunk)
            for more in also:
                more.append(chunk)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread
