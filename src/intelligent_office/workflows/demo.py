"""Callables the example workflow (examples/workflows/release.yaml) runs as python nodes."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from intelligent_office.errors import TransientError

__all__ = ["build_manifest", "flaky_upload"]


def build_manifest(name: str, upstream: dict[str, Any]) -> dict[str, Any]:
    """A build manifest from what the earlier nodes produced."""
    manifest = {"name": name, "python": upstream.get("python-version"), "inputs": sorted(upstream)}
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:12]
    return {**manifest, "digest": digest}


def flaky_upload(fail_times: int, upstream: dict[str, Any]) -> str:
    """Fail transiently `fail_times` times per build digest, then succeed (shows retries)."""
    build = upstream.get("build") or {}
    digest = build.get("digest", "unknown") if isinstance(build, dict) else "unknown"
    counter = Path(tempfile.gettempdir()) / f"office-demo-upload-{digest}"
    seen = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(seen + 1))
    if seen < fail_times:
        raise TransientError(f"upload server busy (attempt {seen + 1})")
    counter.unlink()
    return f"uploaded {digest}"
