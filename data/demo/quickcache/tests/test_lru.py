import pytest

from quickcache import LRUCache, memoize


def test_evicts_least_recently_used():
    evicted = []
    cache = LRUCache(maxsize=2, on_evict=lambda k, v: evicted.append(k))
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the oldest
    cache.put("c", 3)
    assert "b" not in cache
    assert evicted == ["b"]
    assert cache.stats().evictions == 1


def test_hit_rate():
    cache = LRUCache(maxsize=4)
    cache.put(1, "x")
    cache.get(1)
    cache.get(2)
    assert cache.stats().hit_rate == pytest.approx(0.5)


def test_get_or_set_calls_factory_once():
    calls = []
    cache = LRUCache()
    for _ in range(3):
        cache.get_or_set("k", lambda: calls.append(1) or 42)
    assert calls == [1]


def test_memoize_keys_by_arguments():
    calls = []

    @memoize(maxsize=8)
    def square(n, scale=1):
        calls.append(n)
        return n * n * scale

    assert square(3) == 9
    assert square(3) == 9
    assert square(3, scale=2) == 18
    assert calls == [3, 3]


def test_maxsize_must_be_positive():
    with pytest.raises(ValueError):
        LRUCache(maxsize=0)
