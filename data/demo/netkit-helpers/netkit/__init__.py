"""Handy helpers for sockets, ports and DNS lookups."""
from .ports import find_free_port, is_port_open, wait_for_port
from .dns import resolve_all

__all__ = ["find_free_port", "is_port_open", "wait_for_port", "resolve_all"]
