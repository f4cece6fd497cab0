"""The live API server of tests/api, for the agent API tests."""

from tests.api.conftest import api_settings, live  # noqa: F401 - fixtures used by name
