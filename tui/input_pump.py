"""The bounded input queue of one served session (SSH flow control instead of memory)."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable

__all__ = [
    "INPUT_CHUNK", "INPUT_HARD_LIMIT", "INPUT_HIGH_WATER", "INPUT_LOW_WATER", "InputPump",
]

log = logging.getLogger(__name__)

INPUT_HIGH_WATER = 64 * 1024
"""Queued input characters before the channel stops reading (SSH flow control pushes back)."""
INPUT_LOW_WATER = 16 * 1024
INPUT_CHUNK = 1024
"""Characters decoded per loop turn (≤ ~2 ms), so that one flooding session cannot stall
the others."""
INPUT_HARD_LIMIT = 4 * INPUT_HIGH_WATER
"""Queued input characters beyond which input is dropped (if the client ignores the window)."""

class InputPump:
    """Bounded input queue of one session, drained in small chunks per loop turn.

    ``pause``/``resume`` stop and restart reading from the channel, so a client pasting
    megabytes is slowed down by SSH flow control instead of growing server memory.
    """

    def __init__(
        self,
        consume: Callable[[str], None],
        *,
        pause: Callable[[], None],
        resume: Callable[[], None],
    ) -> None:
        self._consume = consume
        self._pause = pause
        self._resume = resume
        self._chunks: deque[str] = deque()
        self._offset = 0
        self._queued = 0
        self._paused = False
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.dropped = 0
        """Characters dropped because the queue was full."""

    @property
    def queued(self) -> int:
        return self._queued

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="linedesk-input")

    def put(self, data: str) -> None:
        if self._closed or not data:
            return
        if self._queued + len(data) > INPUT_HARD_LIMIT:
            if not self.dropped:
                log.warning("input queue of a session full: input dropped")
            self.dropped += len(data)
            return
        self._chunks.append(data)
        self._queued += len(data)
        if self._queued > INPUT_HIGH_WATER and not self._paused:
            self._paused = True
            self._pause()
        self._wakeup.set()

    async def _run(self) -> None:
        while not self._closed:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._chunks and not self._closed:
                head = self._chunks[0]
                chunk = head[self._offset:self._offset + INPUT_CHUNK]
                self._offset += len(chunk)
                if self._offset >= len(head):  # slices of the head, no copy of its rest
                    self._chunks.popleft()
                    self._offset = 0
                self._queued -= len(chunk)
                try:
                    self._consume(chunk)
                except Exception:
                    log.exception("input dropped")
                if self._paused and self._queued < INPUT_LOW_WATER:
                    self._paused = False
                    self._resume()
                await asyncio.sleep(0)

    async def close(self) -> None:
        self._closed = True
        self._chunks.clear()
        self._offset = 0
        self._queued = 0
        self._wakeup.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
