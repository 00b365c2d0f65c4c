"""HTTP entry point: `python -m weather.app --config config/settings.yaml`."""
from __future__ import annotations

import argparse
import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from . import config
from .client import ForecastClient, UpstreamError

log = logging.getLogger("weather")


def make_handler(client: ForecastClient):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict) -> None:
            payload = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            url = urlparse(self.path)
            if url.path == "/health":
                return self._send(200, {"status": "ok", "cache_hit_rate": round(client.stats.hit_rate, 3)})
            if url.path != "/forecast":
                return self._send(404, {"error": "not found"})
            city = parse_qs(url.query).get("city", [""])[0].strip()
            if not city:
                return self._send(400, {"error": "city is required"})
            try:
                return self._send(200, client.forecast(city))
            except UpstreamError as exc:
                log.warning("upstream failed: %s", exc)
                return self._send(502, {"error": "upstream unavailable"})

        def log_message(self, fmt: str, *args) -> None:
            log.info("%s - %s", self.address_string(), fmt % args)

    return Handler


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="config/settings.yaml")
    args = parser.parse_args(argv)
    settings = config.load(args.config)
    logging.basicConfig(level=settings.log_level.upper())
    client = ForecastClient(settings.upstream_url, settings.upstream_timeout, settings.upstream_retries,
                            settings.cache_ttl)
    server = ThreadingHTTPServer(("0.0.0.0", settings.port), make_handler(client))
    log.info("listening on :%d", settings.port)
    server.serve_forever()


if __name__ == "__main__":
    main()
