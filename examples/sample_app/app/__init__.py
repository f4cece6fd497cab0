"""Order summaries: load order records, clean them and report totals per customer."""

__version__ = "0.1.0"
