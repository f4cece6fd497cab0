"""Fixtures for engine tests."""

from __future__ import annotations

import pytest

from tests.engine.fakes import Recorder, RecordingRuntime


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def runtime() -> RecordingRuntime:
    return RecordingRuntime()
