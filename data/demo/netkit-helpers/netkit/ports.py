"""Port helpers for tests and service start-up scripts."""
from __future__ import annotations

import socket
import time


def find_free_port(host: str = "127.0.0.1") -> int:
    """Ask the OS for a free TCP port on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        return sock.getsockname()[1]


def is_port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """Can a TCP connection to ``host:port`` be made right now?"""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout: float = 30.0, interval: float = 0.25) -> None:
    """Block until ``host:port`` accepts connections; ``TimeoutError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not is_port_open(host, port, timeout=interval):
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{host}:{port} did not open within {timeout:g}s")
        time.sleep(interval)
