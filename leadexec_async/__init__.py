"""Async Python SDK for the LeadExec Account API."""

from ._version import __version__

__all__ = ["__version__"]
