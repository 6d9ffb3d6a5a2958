"""A loopback TCP port for a server that a test starts in another process (``serve``,
PostgreSQL, sshd, a metrics endpoint).

Binding port 0 and closing the socket hands out a port from the kernel's ephemeral range,
which is also where every outgoing connection of both xdist workers takes its local port
from: in the second or two until the server binds it, an SSH or PostgreSQL client
connection elsewhere can take the very port, and the server fails with "address in use".
So the port is picked at random outside the ephemeral range (nothing takes it unasked) and
checked by binding it.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOWEST = 10000


def _ephemeral() -> range:
    try:
        low, high = (int(x) for x in Path(
            "/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    return range(low, high + 1)


def free_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` that nothing listens on, outside the ephemeral range."""
    ephemeral = _ephemeral()
    candidates = [p for p in (range(LOWEST, ephemeral.start), range(ephemeral.stop, 65536))
                  if len(p)]
    pick = random.SystemRandom()
    for _ in range(200):
        port = pick.choice(pick.choice(candidates)) if candidates else 0
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free loopback port outside the ephemeral range")
