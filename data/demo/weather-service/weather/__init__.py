"""Forecast service: upstream client, cache and HTTP app."""
__version__ = "0.9.0"
