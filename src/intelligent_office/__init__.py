"""Intelligent Office: takes a task in plain language and gets it done with a team of AI agents."""

__version__ = "0.1.0"

__all__ = ["__version__"]
