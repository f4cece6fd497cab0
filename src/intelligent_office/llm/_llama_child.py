"""The child process that serves a GGUF model with llama.cpp's server (through xllamacpp).

Run by file path (`python _llama_child.py MODEL CONTEXT THREADS`), so it imports nothing of
the Office: only xllamacpp. It prints one JSON line, `{"url": ..., "load_seconds": ...}`,
once the model is loaded and the server listens on a free 127.0.0.1 port, then serves
until its stdin closes: the Office closes it on shutdown, and the kernel closes it when
the Office dies, so the server never outlives its parent.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> int:
    """Serve the model until stdin closes."""
    model, context_size, threads = argv[0], int(argv[1]), int(argv[2])
    started = time.perf_counter()
    import xllamacpp  # type: ignore[import-untyped]  # the child's only heavy import

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.n_ctx = context_size
    params.n_parallel = 1  # one slot: the whole context for each request
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # a free port, chosen by the kernel: no race with other servers
    server = xllamacpp.Server(params)
    sys.stdout.write(
        json.dumps({"url": server.listening_address, "load_seconds": time.perf_counter() - started})
        + "\n"
    )
    sys.stdout.flush()
    sys.stdin.read()  # blocks until the parent closes the pipe or dies
    del server  # stops the HTTP server and the model's loop
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
