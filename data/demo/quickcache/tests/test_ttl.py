from quickcache import TTLCache
from quickcache.utils import chunked, human_bytes


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_entries_expire():
    clock = FakeClock()
    cache = TTLCache(ttl=10, clock=clock)
    cache.put("session", "abc")
    clock.now += 9.9
    assert cache.get("session") == "abc"
    clock.now += 0.2
    assert cache.get("session") is None


def test_purge_counts_dropped_entries():
    clock = FakeClock()
    cache = TTLCache(ttl=1, clock=clock)
    for i in range(5):
        cache.put(i, i)
    clock.now += 2
    assert cache.purge() == 5
    assert len(cache) == 0


def test_maxsize_evicts_oldest():
    clock = FakeClock()
    cache = TTLCache(ttl=60, maxsize=2, clock=clock)
    for key in "abc":
        cache.put(key, key)
        clock.now += 1
    assert cache.get("a") is None
    assert cache.get("c") == "c"


def test_helpers():
    assert human_bytes(1536) == "1.5 KiB"
    assert list(chunked(range(5), 2)) == [[0, 1], [2, 3], [4]]
