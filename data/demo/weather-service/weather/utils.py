"""Helpers shared by the caches: statistics, key building and size formatting."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Iterable, Iterator, TypeVar

T = TypeVar("T")

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


@dataclass
class CacheStats:
    """Hit and miss counters of one cache."""

    hits: int = 0
    misses: int = 0
    evictions: int = 0

    @property
    def lookups(self) -> int:
        return self.hits + self.misses

    @property
    def hit_rate(self) -> float:
        """Share of lookups answered from the cache, 0.0 when nothing was looked up."""
        return self.hits / self.lookups if self.lookups else 0.0

    def reset(self) -> None:
        self.hits = self.misses = self.evictions = 0


def make_key(args: tuple, kwargs: dict, typed: bool = False) -> Hashable:
    """Build a hashable cache key from call arguments.

    Keyword arguments are sorted so that ``f(a=1, b=2)`` and ``f(b=2, a=1)`` share an entry.
    With ``typed=True``, ``f(1)`` and ``f(1.0)`` are cached separately.
    """
    key: tuple = args
    if kwargs:
        key += (object,) + tuple(sorted(kwargs.items()))
    if typed:
        key += tuple(type(v) for v in args)
        key += tuple(type(v) for _, v in sorted(kwargs.items()))
    if len(key) == 1 and type(key[0]) in (int, str):
        return key[0]
    return key


def human_bytes(size: float) -> str:
    """Format a byte count for people: ``1536`` -> ``'1.5 KiB'``."""
    if size < 0:
        raise ValueError("size must not be negative")
    for unit in _UNITS:
        if size < 1024 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items, in order."""
    if size < 1:
        raise ValueError("size must be at least 1")
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def first(items: Iterable[T], default: Any = None) -> T | Any:
    """The first item of ``items``, or ``default`` when it is empty."""
    for item in items:
        return item
    return default
