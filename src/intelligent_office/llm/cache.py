"""The response cache's key: model, prompt (id, version and text), output schema, parameters.

Entries live in the SQL store (`llm_cache`) with an expiry; a hit makes no call.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from intelligent_office.llm.config import ModelRef
from intelligent_office.llm.prompts import Prompt

__all__ = ["cache_key"]


def cache_key(
    ref: ModelRef,
    prompt: Prompt,
    user: str,
    output_schema: dict[str, Any],
    parameters: dict[str, Any],
) -> str:
    """A sha256 over everything that shapes the answer."""
    material = {
        "model": str(ref),
        "prompt": prompt.label,
        "system": prompt.system,
        "user": user,
        "output": output_schema,
        "parameters": parameters,
    }
    encoded = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()
