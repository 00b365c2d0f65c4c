"""Name resolution helpers."""
from __future__ import annotations

import socket


def resolve_all(name: str, port: int = 0, family: int = socket.AF_UNSPEC) -> list[str]:
    """Every address ``name`` resolves to, IPv4 first, without duplicates."""
    infos = socket.getaddrinfo(name, port, family, socket.SOCK_STREAM)
    seen: dict[str, int] = {}
    for fam, _, _, _, sockaddr in infos:
        seen.setdefault(sockaddr[0], 0 if fam == socket.AF_INET else 1)
    return sorted(seen, key=lambda address: (seen[address], address))
