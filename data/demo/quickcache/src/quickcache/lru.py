"""A least-recently-used cache on top of an ordered dict."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, TypeVar

from .utils import CacheStats

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING = object()


class LRUCache(Generic[K, V]):
    """Keep the ``maxsize`` most recently used entries.

    The cache is safe to share between threads; every operation holds one lock.
    ``on_evict`` is called with ``(key, value)`` for each entry pushed out.
    """

    def __init__(self, maxsize: int = 128, on_evict: Optional[Callable[[K, V], None]] = None):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.on_evict = on_evict
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.RLock()
        self._stats = CacheStats()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: K, default: Optional[V] = None) -> Optional[V]:
        """Return the value for ``key`` and mark it as recently used."""
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                self._stats.misses += 1
                return default
            self._data.move_to_end(key)
            self._stats.hits += 1
            return value  # type: ignore[return-value]

    def put(self, key: K, value: V) -> None:
        """Insert or replace ``key``; evict the least recently used entry when full."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
            self._data[key] = value
            while len(self._data) > self.maxsize:
                old_key, old_value = self._data.popitem(last=False)
                self._stats.evictions += 1
                if self.on_evict is not None:
                    self.on_evict(old_key, old_value)

    def pop(self, key: K, default: Optional[V] = None) -> Optional[V]:
        with self._lock:
            return self._data.pop(key, default)

    def get_or_set(self, key: K, factory: Callable[[], V]) -> V:
        """Return the cached value, computing and storing it with ``factory()`` on a miss."""
        with self._lock:
            value = self.get(key, _MISSING)  # type: ignore[arg-type]
            if value is _MISSING:
                value = factory()
                self.put(key, value)
            return value  # type: ignore[return-value]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def stats(self) -> CacheStats:
        return self._stats

    def __repr__(self) -> str:
        return f"LRUCache(maxsize={self.maxsize}, size={len(self)}, hit_rate={self._stats.hit_rate:.2f})"
