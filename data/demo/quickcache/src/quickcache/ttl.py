"""A cache whose entries expire a fixed time after they were written."""
from __future__ import annotations

import heapq
import time
from typing import Callable, Dict, Generic, Hashable, List, Optional, Tuple, TypeVar

from .utils import CacheStats

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """Entries live ``ttl`` seconds. Expired entries are dropped lazily, on access and on ``purge()``.

    ``clock`` can be replaced in tests by any function returning seconds as a float.
    """

    def __init__(self, ttl: float, maxsize: Optional[int] = None, clock: Callable[[], float] = time.monotonic):
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.ttl = ttl
        self.maxsize = maxsize
        self._clock = clock
        self._data: Dict[K, Tuple[float, V]] = {}
        self._expiry: List[Tuple[float, K]] = []
        self._stats = CacheStats()

    def __len__(self) -> int:
        self.purge()
        return len(self._data)

    def put(self, key: K, value: V) -> None:
        expires = self._clock() + self.ttl
        self._data[key] = (expires, value)
        heapq.heappush(self._expiry, (expires, key))
        if self.maxsize is not None and len(self._data) > self.maxsize:
            self.purge()
            while len(self._data) > self.maxsize:
                self._evict_oldest()

    def get(self, key: K, default: Optional[V] = None) -> Optional[V]:
        entry = self._data.get(key)
        if entry is None or entry[0] <= self._clock():
            if entry is not None:
                del self._data[key]
            self._stats.misses += 1
            return default
        self._stats.hits += 1
        return entry[1]

    def purge(self) -> int:
        """Drop every expired entry; return how many were dropped."""
        now = self._clock()
        dropped = 0
        while self._expiry and self._expiry[0][0] <= now:
            expires, key = heapq.heappop(self._expiry)
            entry = self._data.get(key)
            if entry is not None and entry[0] == expires:
                del self._data[key]
                dropped += 1
        self._stats.evictions += dropped
        return dropped

    def _evict_oldest(self) -> None:
        while self._expiry:
            expires, key = heapq.heappop(self._expiry)
            entry = self._data.get(key)
            if entry is not None and entry[0] == expires:
                del self._data[key]
                self._stats.evictions += 1
                return

    def stats(self) -> CacheStats:
        return self._stats
