"""What a session list shows of a live session (R23): kit data, so screens need not import
the SSH server that collects it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LiveSession:
    """One session support may ask to watch."""

    key: str
    """The SSH connection's session id."""
    username: str
    cols: int
    rows: int
    since: datetime
