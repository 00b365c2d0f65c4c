"""Small, typed in-memory caches."""
from .lru import LRUCache
from .ttl import TTLCache
from .decorators import memoize
from .utils import CacheStats

__all__ = ["LRUCache", "TTLCache", "memoize", "CacheStats"]
__version__ = "0.3.1"
