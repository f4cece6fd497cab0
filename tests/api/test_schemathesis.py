"""schemathesis against the app's OpenAPI document, over HTTP on the real server with a real
operator key: generated requests never get a 5xx, and every answer matches the document
(status code, content type, headers and body)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx

# The server thread imports numpy on first use (risk scores, the embedder); hypothesis
# looks numpy up in sys.modules from this thread, and a half-imported one breaks it.
import numpy  # noqa: F401
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case

from intelligent_office.settings import load_settings
from tests.api.api_helpers import workspace_root
from tests.api.conftest import NEGATIVE_DATA_REJECTION, LiveServer, openapi_document, running

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def schema_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for every operation: schemathesis runs each as its own test."""
    tmp_path: Path = tmp_path_factory.mktemp("schemathesis")
    api_settings = load_settings(
        None,
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'office.db'}",
        # The documented example's sample_app, in the fuzzing user's own directory.
        workspace_roots=[workspace_root(tmp_path, "fuzzer").parent],
        # Generous limits: the generated requests should reach the routes, not the limiter.
        api={"requests_per_minute": 100_000, "max_concurrent_tasks": 10_000},
    )
    with running(api_settings) as server:
        yield server


@pytest.fixture(scope="module")
def api_key(schema_server: LiveServer) -> str:
    return schema_server.key("fuzzer", "operator")


# The web UI's pages and the webhook and chat routes are tested by their own suites.
# A schema-valid request may still be refused for the server's state, by design: a
# workspace that is not a directory inside the user's own is a 400 (documented).
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            },
            "negative_data_rejection": NEGATIVE_DATA_REJECTION,
        }
    }
)

schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG).include(
    path_regex=r"^/(tasks|approvals|dlq|tools)"
)


def test_the_server_serves_the_document_under_test(schema_server: LiveServer) -> None:
    served = httpx.get(f"{schema_server.url}/openapi.json", timeout=30).json()
    assert served == openapi_document()
    paths = served["paths"]
    for path in ("/tasks", "/tasks/{task_id}/status", "/approvals/{approval_id}/approve", "/dlq"):
        assert path in paths
    for operation in (op for item in paths.values() for op in item.values()):
        if operation["tags"][0] in ("tasks", "approvals", "dead letters", "tools"):
            assert {"401", "429"} <= operation["responses"].keys(), operation["operationId"]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_generated_requests_get_documented_answers(
    case: Case, schema_server: LiveServer, api_key: str
) -> None:
    case.call_and_validate(
        base_url=schema_server.url,
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=30,
    )
