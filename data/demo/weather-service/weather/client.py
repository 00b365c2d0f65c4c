"""A small client for the upstream forecast API, with retries and an in-memory cache."""
from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from typing import Any, Callable

from .utils import CacheStats, make_key


class UpstreamError(RuntimeError):
    pass


class ForecastClient:
    def __init__(self, base_url: str, timeout: float = 5.0, retries: int = 3, ttl: float = 600.0,
                 opener: Callable[..., Any] = urllib.request.urlopen, clock: Callable[[], float] = time.monotonic):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.ttl = ttl
        self._open = opener
        self._clock = clock
        self._cache: dict = {}
        self.stats = CacheStats()

    def forecast(self, city: str, days: int = 3) -> dict:
        """The forecast for ``city``, from the cache when it is fresh."""
        key = make_key((city.lower(),), {"days": days})
        hit = self._cache.get(key)
        if hit and hit[0] > self._clock():
            self.stats.hits += 1
            return hit[1]
        self.stats.misses += 1
        data = self._fetch("/forecast", {"q": city, "days": days})
        self._cache[key] = (self._clock() + self.ttl, data)
        return data

    def _fetch(self, path: str, query: dict) -> dict:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(query)}"
        delay = 0.5
        for attempt in range(1, self.retries + 1):
            try:
                with self._open(url, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except (OSError, ValueError) as exc:
                if attempt == self.retries:
                    raise UpstreamError(f"{url}: {exc}") from exc
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")
