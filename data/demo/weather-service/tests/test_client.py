import io
import json

from weather.client import ForecastClient


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_forecast_is_cached():
    calls = []

    def opener(url, timeout):
        calls.append(url)
        return FakeResponse(json.dumps({"city": "Lisbon", "days": []}).encode())

    now = [0.0]
    client = ForecastClient("https://api.example.test", opener=opener, clock=lambda: now[0], ttl=60)
    assert client.forecast("Lisbon")["city"] == "Lisbon"
    assert client.forecast("lisbon")["city"] == "Lisbon"
    assert len(calls) == 1
    now[0] = 61.0
    client.forecast("Lisbon")
    assert len(calls) == 2
    assert client.stats.hits == 1
