"""The live API server of tests/api, for the agent API tests."""

from tests.api.conftest import api_settings, live  # noqa: F401 - fixtures used by name

# The session's MiniLM, for the offline researcher searching documents.
from tests.memory.conftest import minilm  # noqa: E402, F401
