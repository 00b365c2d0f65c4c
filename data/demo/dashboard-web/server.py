"""Serve the dashboard's static files and a JSON feed of synthetic metric samples."""
from __future__ import annotations

import argparse
import json
import math
import random
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STATIC = Path(__file__).parent / "static"
METRICS = ("cpu_percent", "memory_mb", "requests_per_s", "p95_latency_ms")


def sample(name: str, t: float) -> dict:
    """A plausible value for metric ``name`` at time ``t``: a daily wave plus noise."""
    base = {"cpu_percent": 35, "memory_mb": 820, "requests_per_s": 140, "p95_latency_ms": 85}[name]
    wave = math.sin(2 * math.pi * (t % 86400) / 86400)
    return {
        "name": name,
        "value": round(max(0.0, base * (1 + 0.3 * wave) + random.gauss(0, base * 0.05)), 2),
        "timestamp_ms": int(t * 1000),
        "labels": {"host": "web-1"},
    }


class Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/api/metrics"):
            now = time.time()
            body = json.dumps({"samples": [sample(m, now) for m in METRICS], "source": "demo"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), partial(Handler, directory=str(STATIC)))
    print(f"dashboard on http://127.0.0.1:{args.port}/")
    server.serve_forever()


if __name__ == "__main__":
    main()
