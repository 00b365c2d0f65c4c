"""Function decorators built on the caches."""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional, TypeVar

from .lru import LRUCache
from .ttl import TTLCache
from .utils import make_key

F = TypeVar("F", bound=Callable[..., Any])


def memoize(maxsize: int = 128, ttl: Optional[float] = None, typed: bool = False) -> Callable[[F], F]:
    """Cache a function's results by its arguments.

    With ``ttl`` the results expire after that many seconds, otherwise the ``maxsize``
    most recently used results are kept. The wrapper exposes ``cache`` and ``cache_clear()``.
    """

    def decorate(func: F) -> F:
        cache: Any = TTLCache(ttl, maxsize=maxsize) if ttl else LRUCache(maxsize)
        sentinel = object()

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(args, kwargs, typed)
            result = cache.get(key, sentinel)
            if result is sentinel:
                result = func(*args, **kwargs)
                cache.put(key, result)
            return result

        wrapper.cache = cache  # type: ignore[attr-defined]
        wrapper.cache_clear = lambda: cache.clear() if hasattr(cache, "clear") else None  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
