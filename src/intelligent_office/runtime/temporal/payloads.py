"""Payloads on Temporal: pydantic JSON, and large ones kept in the SQL store (claim check).

Temporal refuses a payload over 2 MB and a history over 50 MB. A payload larger than
`threshold_bytes` (a file read by a step, a long answer) is stored in the
`payload_blobs` table under the SHA-256 of its bytes and replaced by that digest, so
the history holds references only. The codec runs in clients and workers, outside
workflow code, where I/O is allowed; every process that reads or writes Office
payloads must use the same converter (`office_data_converter`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from intelligent_office.store import Store
from intelligent_office.store.on_conflict import IgnoringInserts
from intelligent_office.store.tables import PayloadBlobRow

__all__ = [
    "CLAIM_CHECK_ENCODING",
    "DEFAULT_THRESHOLD_BYTES",
    "ClaimCheckCodec",
    "office_data_converter",
]

CLAIM_CHECK_ENCODING = b"binary/office-claim-check"
DEFAULT_THRESHOLD_BYTES = 128 * 1024
"""Larger payloads go to the store: well under Temporal's 512 KB warning and 2 MB limit."""

_INSERT_IGNORE = IgnoringInserts(PayloadBlobRow)


class ClaimCheckCodec(PayloadCodec):
    """Swaps payloads over `threshold_bytes` for their digest, keeping the bytes in the store."""

    def __init__(self, store: Store, threshold_bytes: int = DEFAULT_THRESHOLD_BYTES) -> None:
        self._store = store
        self._threshold = threshold_bytes

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Large payloads become references; the rest pass unchanged."""
        large = {
            i: p.SerializeToString()
            for i, p in enumerate(payloads)
            if p.ByteSize() > self._threshold
        }
        if not large:
            return list(payloads)
        digests = {i: hashlib.sha256(data).hexdigest() for i, data in large.items()}
        await asyncio.to_thread(self._put, {digests[i]: data for i, data in large.items()})
        return [
            Payload(metadata={"encoding": CLAIM_CHECK_ENCODING}, data=digests[i].encode())
            if i in large
            else payload
            for i, payload in enumerate(payloads)
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """References become the payloads they stand for."""
        wanted = {
            i: p.data.decode()
            for i, p in enumerate(payloads)
            if p.metadata.get("encoding") == CLAIM_CHECK_ENCODING
        }
        if not wanted:
            return list(payloads)
        blobs = await asyncio.to_thread(self._get, set(wanted.values()))
        decoded = []
        for i, payload in enumerate(payloads):
            if i not in wanted:
                decoded.append(payload)
                continue
            data = blobs.get(wanted[i])
            if data is None:
                raise ValueError(f"payload {wanted[i]} is not in the store: was it cleaned up?")
            decoded.append(Payload.FromString(data))
        return decoded

    def _put(self, blobs: dict[str, bytes]) -> None:
        now = datetime.now(UTC)
        rows = [
            {"digest": digest, "data": data, "size": len(data), "created_at": now}
            for digest, data in blobs.items()
        ]
        with self._store.engine.begin() as connection:
            connection.execute(_INSERT_IGNORE[connection.dialect.name], rows)

    def _get(self, digests: set[str]) -> dict[str, bytes]:
        query = select(PayloadBlobRow.digest, PayloadBlobRow.data).where(
            PayloadBlobRow.digest.in_(digests)
        )
        with self._store.engine.connect() as connection:
            return {row.digest: row.data for row in connection.execute(query)}


def office_data_converter(
    store: Store | None, *, threshold_bytes: int = DEFAULT_THRESHOLD_BYTES
) -> DataConverter:
    """Pydantic JSON payloads; with a store, large ones are kept in it (claim check)."""
    if store is None:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter, payload_codec=ClaimCheckCodec(store, threshold_bytes)
    )
