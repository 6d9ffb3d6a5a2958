"""A Textual driver that talks to one SSH channel instead of the process's terminal.

Every interactive SSH session gets its own :class:`ChannelDriver` (and its own App) in the
one server process and event loop. Textual's own Linux/Web drivers cannot be reused: they
install process-wide signal handlers, read ``sys.stdin`` in a thread and size themselves
from the server's terminal. This driver keeps everything per session:

* input bytes (already decoded by asyncssh) go through a bounded :class:`InputPump` into a
  per-driver :class:`SafeXTermParser`; parse errors drop the offending input instead of
  killing the session, pastes are capped (:class:`PasteLimiter`), sizes clamped;
* output goes to the channel, but never more than :data:`OUTPUT_HIGH_WATER` is queued for a
  stalled client: further frames are dropped and one full repaint follows when it drains;
* ``open_url`` / ``deliver_binary`` are refused (they would act on the server machine).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.geometry import Size
from textual.keys import Keys
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger(__name__)

MAX_COLS = 500
MAX_ROWS = 200
MAX_PASTE = 64 * 1024
"""Characters kept of one bracketed paste; the rest is dropped (with a notice)."""
OUTPUT_HIGH_WATER = 512 * 1024
"""Bytes queued for a client before frames are dropped (a stalled client costs no more)."""
INPUT_HIGH_WATER = 64 * 1024
"""Queued input characters before the channel stops reading (SSH flow control pushes back)."""
INPUT_LOW_WATER = 16 * 1024
INPUT_CHUNK = 4096
"""Characters parsed per loop turn, so that one flooding session cannot stall the others."""
_EXTENDED_KEY_CACHE = 256

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


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


class SafeXTermParser(XTermParser):
    """Textual's parser with a per-instance key cache and without crashes on odd input.

    ``XTermParser._parse_extended_key`` is an ``lru_cache`` on the class: its cache keeps every
    parser (and through it every App) of ended sessions alive. Malformed CSI-u sequences such
    as ``ESC [ : u`` raise ``ValueError`` inside it; here they are ignored.
    """

    def __init__(self) -> None:
        self._key_cache: dict[str, list[events.Key] | None] = {}
        super().__init__(debug=False)

    def _parse_extended_key(self, sequence: str) -> list[events.Key] | None:  # type: ignore[override]
        cache = self._key_cache
        if sequence in cache:
            return cache[sequence]
        try:
            keys = XTermParser._parse_extended_key.__wrapped__(self, sequence)
        except (ValueError, OverflowError):
            keys = [events.Key(Keys.Ignore.value, sequence)]
        if len(cache) >= _EXTENDED_KEY_CACHE:
            cache.clear()
        cache[sequence] = keys
        return keys

    def parse_mouse_code(self, code: str) -> Message | None:
        try:
            return super().parse_mouse_code(code)
        except (ValueError, ZeroDivisionError, OverflowError):
            return None


class PasteLimiter:
    """Caps bracketed pastes before they reach the parser (which buffers them unbounded).

    Works on a stream split at arbitrary points: a marker cut in two is held back until
    the next chunk shows what it was.
    """

    def __init__(self, limit: int = MAX_PASTE) -> None:
        self.limit = limit
        self.in_paste = False
        self.count = 0
        self.truncated = False
        """Set when characters were dropped; the driver resets it after notifying."""
        self._carry = ""
        self._tail = ""

    def feed(self, data: str) -> str:
        out: list[str] = []
        while data:
            if not self.in_paste:
                # Outside a paste nothing is held back (a lone Esc must reach the parser);
                # the tail of earlier input only serves to spot a start marker cut in two.
                combined = self._tail + data
                index = combined.find(PASTE_START)
                if index < 0:
                    out.append(data)
                    self._tail = combined[-(len(PASTE_START) - 1):]
                    break
                end = index + len(PASTE_START) - len(self._tail)
                out.append(data[:end])
                data = data[end:]
                self._tail = ""
                self.in_paste = True
                self.count = 0
                continue
            data = self._carry + data
            self._carry = ""
            index = data.find(PASTE_END)
            if index < 0:
                keep = _partial_suffix(data, PASTE_END)
                body, self._carry = (data[:-keep], data[-keep:]) if keep else (data, "")
                out.append(self._take(body))
                break
            out.append(self._take(data[:index]))
            out.append(PASTE_END)
            data = data[index + len(PASTE_END):]
            self.in_paste = False
        return "".join(out)

    def _take(self, text: str) -> str:
        if not self.in_paste:
            return text
        room = max(0, self.limit - self.count)
        if len(text) > room:
            self.truncated = True
            text = text[:room]
        self.count += len(text)
        return text


def _partial_suffix(data: str, marker: str) -> int:
    """Length of the longest end of ``data`` that is a proper start of ``marker``."""
    for size in range(min(len(marker) - 1, len(data)), 0, -1):
        if marker.startswith(data[-size:]):
            return size
    return 0


class Terminal(Protocol):
    """What the driver needs of the transport (the SSH channel of one session)."""

    size: tuple[int, int]
    term: str
    env: Mapping[str, str]

    def write(self, data: str) -> None: ...

    def write_buffer_size(self) -> int: ...


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
        self._queued = 0
        self._paused = False
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def queued(self) -> int:
        return self._queued

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="linedesk-input")

    def put(self, data: str) -> None:
        if self._closed or not data:
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
                chunk = self._chunks.popleft()
                if len(chunk) > INPUT_CHUNK:
                    self._chunks.appendleft(chunk[INPUT_CHUNK:])
                    chunk = chunk[:INPUT_CHUNK]
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
        self._queued = 0
        self._wakeup.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None


class ChannelDriver(Driver):
    """Drives one App over one SSH channel (see the module docstring)."""

    def __init__(
        self,
        app: App[Any],
        *,
        terminal: Terminal,
        on_ready: Callable[[ChannelDriver], None] | None = None,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self.terminal = terminal
        self._on_ready = on_ready
        self._parser = SafeXTermParser()
        self._paste = PasteLimiter()
        self._size_now: tuple[int, int] = clamp_size(*terminal.size) or (80, 24)
        self._tick_handle: asyncio.TimerHandle | None = None
        self._pending: list[str] = []
        self._flush_handle: asyncio.Handle | None = None
        self._input_enabled = False
        self._dropping = False
        self.frames_dropped = 0
        self.bytes_written = 0

    @property
    def size_now(self) -> tuple[int, int]:
        return self._size_now

    def write(self, data: str) -> None:
        """Collect output; it goes to the channel as one piece on :meth:`flush` (Textual
        flushes after every frame) or at the end of this loop turn at the latest."""
        if not data:
            return
        self._pending.append(data)
        if self._flush_handle is None:
            self._flush_handle = self._loop.call_soon(self.flush, context=contextvars.Context())

    def flush(self) -> None:
        """Send what was collected; while the client is too far behind, drop it instead."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._pending:
            return
        data = "".join(self._pending)
        self._pending.clear()
        if self.terminal.write_buffer_size() > OUTPUT_HIGH_WATER:
            self._dropping = True
            self.frames_dropped += 1
            return
        self.bytes_written += len(data)
        self.terminal.write(data)

    def output_drained(self) -> None:
        """Called by the session when the channel's buffer emptied: repaint what was lost."""
        if self._dropping:
            self._dropping = False
            self._app.call_later(self._full_repaint)

    def _full_repaint(self) -> None:
        screen = self._app.screen
        screen.refresh(screen.region)

    def start_application_mode(self) -> None:
        self.write("\x1b[?1049h")  # alternate screen
        self._enable_mouse()
        self.write("\x1b[?25l")  # hide cursor
        self.write("\x1b[?1004h")  # focus in/out
        self.write("\x1b[?2004h")  # bracketed paste
        self.write("\x1b[?7l")  # no line wrap
        if self.terminal.env.get("TERM_PROGRAM") != "Apple_Terminal":  # it would print "p"
            self.write("\x1b[?2026$p")  # ask for synchronized output (no tearing)
        self._send_size(self._size_now)
        self._input_enabled = True
        if self._on_ready is not None:
            self._on_ready(self)

    def _enable_mouse(self) -> None:
        if self._mouse:
            self.write("\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h")

    def _disable_mouse(self) -> None:
        if self._mouse:
            self.write("\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l")

    def disable_input(self) -> None:
        self._input_enabled = False
        if self._tick_handle is not None:
            self._tick_handle.cancel()
            self._tick_handle = None

    def stop_application_mode(self) -> None:
        self.disable_input()
        self._disable_mouse()
        self.write("\x1b[?2004l\x1b[?7h\x1b[?1004l\x1b[?1049l\x1b[?25h")
        self.flush()

    def close(self) -> None:
        self.disable_input()
        self.flush()
        self._on_ready = None

    def open_url(self, url: str, new_tab: bool = True) -> None:
        """Refused: it would open a browser on the server."""
        log.info("open_url refused for a served session")

    def deliver_binary(self, *args: Any, **kwargs: Any) -> None:
        """Refused: it would write into the server's download folder."""
        log.info("deliver_binary refused for a served session")

    # -- input -------------------------------------------------------------------------

    def feed(self, data: str) -> None:
        """Parse client input (called by the session's :class:`InputPump`)."""
        if not self._input_enabled:
            return
        data = self._paste.feed(data)
        if self._paste.truncated:
            self._paste.truncated = False
            self._app.call_later(self._notify_paste_truncated)
        self._deliver(self._safe_parse(self._parser.feed, data))
        self._schedule_tick()

    def _safe_parse(self, fn: Callable[[str], Iterable[Message]], data: str) -> list[Message]:
        try:
            return list(fn(data))
        except Exception:
            log.debug("malformed terminal input dropped", exc_info=True)
            self._parser = SafeXTermParser()
            return []

    def _schedule_tick(self) -> None:
        """A lone Esc is only known after the escape delay: look again then."""
        if self._tick_handle is not None:
            self._tick_handle.cancel()
            self._tick_handle = None
        if self._parser._timeout_time is not None and self._input_enabled:
            self._tick_handle = self._loop.call_later(constants.ESCAPE_DELAY + 0.01, self._tick)

    def _tick(self) -> None:
        self._tick_handle = None
        if not self._input_enabled:
            return
        self._deliver(self._safe_parse(lambda _d: self._parser.tick(), ""))
        self._schedule_tick()

    def _deliver(self, messages: list[Message]) -> None:
        for message in messages:
            if isinstance(message, events.Resize):
                self._parser.mouse_pixels = False
                self._parser.terminal_pixel_size = None
                self.resize(message.size.width, message.size.height)
                continue
            self.process_message(message)

    def _notify_paste_truncated(self) -> None:
        translate = getattr(self._app, "t", None)
        if translate is not None:
            self._app.notify(translate("ssh.paste_truncated", kib=MAX_PASTE // 1024), severity="warning")

    def resize(self, cols: int, rows: int) -> None:
        """Window change from the SSH client or the in-band resize sequence."""
        size = clamp_size(cols, rows)
        if size is None:
            self._parser.terminal_size = self._size_now
            return
        self._size_now = size
        self._parser.terminal_size = size
        if self._input_enabled:
            self._send_size(size)

    def _send_size(self, size: tuple[int, int]) -> None:
        textual_size = Size(*size)
        self._size = size
        self.process_message(events.Resize(textual_size, textual_size))

    def process_message(self, message: Message) -> None:
        if self._input_enabled:
            super().process_message(message)


def channel_driver_class(
    terminal: Terminal, on_ready: Callable[[ChannelDriver], None] | None = None
) -> type[ChannelDriver]:
    """A driver class bound to one terminal (Textual instantiates ``driver_class(app, ...)``)."""

    class BoundChannelDriver(ChannelDriver):
        def __init__(self, app: App[Any], **kwargs: Any) -> None:
            super().__init__(app, terminal=terminal, on_ready=on_ready, **kwargs)

    return BoundChannelDriver

