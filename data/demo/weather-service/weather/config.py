"""Load and validate the service settings."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Settings:
    port: int
    log_level: str
    cache_ttl: float
    cache_entries: int
    upstream_url: str
    upstream_timeout: float
    upstream_retries: int
    bucket: str
    region: str
    access_key_id: str
    secret_access_key: str


def load(path: str | os.PathLike) -> Settings:
    """Read the YAML settings file; environment variables override the AWS keys."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    service, cache = raw.get("service", {}), raw.get("cache", {})
    upstream, storage = raw.get("upstream", {}), raw.get("storage", {})
    return Settings(
        port=int(service.get("port", 8080)),
        log_level=str(service.get("log_level", "info")),
        cache_ttl=float(cache.get("ttl_seconds", 600)),
        cache_entries=int(cache.get("max_entries", 1000)),
        upstream_url=str(upstream["base_url"]).rstrip("/"),
        upstream_timeout=float(upstream.get("timeout_seconds", 5)),
        upstream_retries=int(upstream.get("retries", 3)),
        bucket=str(storage.get("bucket", "")),
        region=str(storage.get("region", "eu-west-1")),
        access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", storage.get("aws_access_key_id", "")),
        secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", storage.get("aws_secret_access_key", "")),
    )
