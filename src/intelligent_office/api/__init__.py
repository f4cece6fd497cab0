"""The HTTP front door: REST API, web UI, webhooks and an OpenAI-compatible chat endpoint."""

from intelligent_office.api.app import create_app

__all__ = ["create_app"]
