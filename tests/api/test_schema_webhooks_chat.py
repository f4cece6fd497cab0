"""schemathesis against the webhook and OpenAI-compatible routes of the OpenAPI document,
over HTTP on the real server with a real operator key: generated requests never get a
5xx, and every answer matches the document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

from intelligent_office.settings import load_settings
from tests.api.conftest import NEGATIVE_DATA_REJECTION, LiveServer, openapi_document, running

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def schema_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for every operation: schemathesis runs each as its own test."""
    tmp_path: Path = tmp_path_factory.mktemp("schemathesis-hooks")
    api_settings = load_settings(
        None,
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'office.db'}",
        api={"requests_per_minute": 100_000, "max_concurrent_tasks": 10_000},
        # Generated URLs go nowhere: nothing is delivered while the routes are fuzzed.
        webhooks={"enabled": False},
    )
    with running(api_settings) as server:
        yield server


@pytest.fixture(scope="module")
def api_key(schema_server: LiveServer) -> str:
    return schema_server.key("fuzzer", "operator")


schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": NEGATIVE_DATA_REJECTION}}
    ),
).include(path_regex=r"^/(webhooks|v1/)")


def test_the_document_has_the_webhook_and_chat_routes() -> None:
    paths = openapi_document()["paths"]
    assert {"/webhooks", "/webhooks/{webhook_id}", "/webhooks/{webhook_id}/deliveries"} <= set(
        paths
    )
    assert {"/v1/models", "/v1/models/{model}", "/v1/chat/completions"} <= set(paths)
    for path, item in paths.items():
        if path.startswith(("/webhooks", "/v1/")):
            for operation in item.values():
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
    # Schema-valid requests that may rightly get a 400: a chat request without a user
    # message that has text (which role carries the task is not a JSON Schema matter),
    # and a webhook to a private address (127.1, 0.0.0.0 ...: not a schema matter either).
    refusable = case.operation.path == "/v1/chat/completions" or (
        case.operation.path == "/webhooks" and case.method.upper() == "POST"
    )
    case.call_and_validate(
        base_url=schema_server.url,
        headers={"Authorization": f"Bearer {api_key}"},
        excluded_checks=[positive_data_acceptance] if refusable else None,
        timeout=60,
    )
