"""Contracts: the pydantic models every layer speaks."""

from intelligent_office.models.event import Event

__all__ = ["Event"]
