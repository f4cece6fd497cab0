"""The processing core, independent of where records come from."""

from .processing import Summary, process_data

__all__ = ["Summary", "process_data"]
