"""The scheduled `office learn` under `office serve`: every `learning.interval_seconds`."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from intelligent_office.learning.analysis import learn
from intelligent_office.learning.settings import LearningSettings
from intelligent_office.store import Store

__all__ = ["learn_periodically"]

_log = logging.getLogger(__name__)


async def learn_periodically(store: Store, settings: LearningSettings, stop: asyncio.Event) -> None:
    """Learn from failures now and then every interval, until `stop` is set."""
    while not stop.is_set():
        try:
            report = await asyncio.to_thread(learn, store, settings)
            if report.created:
                _log.info("learned %d new piece(s) of guidance", len(report.created))
        except Exception:  # a failed analysis waits for the next round; serving goes on
            _log.exception("office learn failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.interval_seconds)
