"""The client's terminal as the served driver sees it: the transport (:class:`Terminal`),
its colour capability and its usable size."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

__all__ = ["MAX_COLS", "MAX_ROWS", "Terminal", "clamp_size", "color_system_for"]

MAX_COLS = 500
MAX_ROWS = 200


class Terminal(Protocol):
    """What the driver needs of the transport (the SSH channel of one session)."""

    size: tuple[int, int]
    term: str
    env: Mapping[str, str]

    def write(self, data: str) -> None: ...

    def write_buffer_size(self) -> int: ...


def clamp_size(cols: int, rows: int) -> tuple[int, int] | None:
    """A usable terminal size, or None for sizes to ignore (0, negative, absurd)."""
    try:
        cols, rows = int(cols), int(rows)
    except (TypeError, ValueError):
        return None
    if cols < 1 or rows < 1 or cols > 100_000 or rows > 100_000:
        return None
    return min(cols, MAX_COLS), min(rows, MAX_ROWS)


def color_system_for(term: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """Rich colour system for the client's terminal (OpenSSH sends TERM, rarely COLORTERM)."""
    env = env or {}
    term = (term or "").lower()
    colorterm = env.get("COLORTERM", "").lower()
    if colorterm in {"truecolor", "24bit"} or term.endswith(("-direct", "-truecolor", "-24bit")):
        return "truecolor"
    if "256" in term:
        return "256"
    if term in {"", "dumb"}:
        return None
    return "standard"
