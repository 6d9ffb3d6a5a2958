"""A Textual driver that talks to one SSH channel instead of the process's terminal.

Every interactive SSH session gets its own :class:`ChannelDriver` (and its own App) in the
one server process and event loop. Textual's own Linux/Web drivers cannot be reused: they
install process-wide signal handlers, read ``sys.stdin`` in a thread and size themselves
from the server's terminal. This driver keeps everything per session:

* input (already decoded by asyncssh) goes through a bounded :class:`InputPump`, a few KB
  per loop turn, into a per-driver :class:`InputDecoder` (O(bytes), bounded state: broken
  or unterminated sequences are dropped, pastes capped and cleaned) and on to the App only
  as far as its typeahead gate has room (:mod:`tui.typeahead`); sizes are clamped;
* output goes to the channel, but never more than :data:`OUTPUT_HIGH_WATER` is queued for a
  stalled client: further frames are dropped and one full repaint follows when it drains;
* ``open_url`` / ``deliver_binary`` are refused (they would act on the server machine).

Layout: the decoder is :mod:`tui.input_decoder`, the input queue :mod:`tui.input_pump`,
the transport protocol, colour capability and size clamp :mod:`tui.terminal`; every public
name stays importable from here (:data:`__all__`).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import constants, events
from textual.driver import Driver
from textual.geometry import Size
from textual.message import Message

from tui.input_decoder import (
    ESC,
    FOCUS_IN,
    FOCUS_OUT,
    MAX_PASTE,
    MAX_SEQUENCE,
    PASTE_END,
    PASTE_QUIET,
    PASTE_START,
    InputDecoder,
    SafeXTermParser,
)
from tui.input_pump import (
    INPUT_CHUNK,
    INPUT_HARD_LIMIT,
    INPUT_HIGH_WATER,
    INPUT_LOW_WATER,
    InputPump,
)
from tui.terminal import MAX_COLS, MAX_ROWS, Terminal, clamp_size, color_system_for
from tui.typeahead import HELD_LIMIT

if TYPE_CHECKING:
    from textual.app import App

__all__ = [
    "DROP_NOTICE_INTERVAL", "ESC", "FOCUS_IN", "FOCUS_OUT", "INPUT_CHUNK", "INPUT_HARD_LIMIT",
    "INPUT_HIGH_WATER", "INPUT_LOW_WATER", "MAX_COLS", "MAX_PASTE", "MAX_ROWS", "MAX_SEQUENCE",
    "OUTPUT_HIGH_WATER", "PASTE_END", "PASTE_QUIET", "PASTE_START", "ChannelDriver",
    "InputDecoder", "InputPump", "SafeXTermParser", "Terminal", "channel_driver_class",
    "clamp_size", "color_system_for",
]

log = logging.getLogger(__name__)

OUTPUT_HIGH_WATER = 512 * 1024
"""Bytes queued for a client before frames are dropped (a stalled client costs no more)."""
DROP_NOTICE_INTERVAL = 10.0


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
        self._decoder = InputDecoder()
        self._last_input = 0.0
        self._dropped_notice_at = float("-inf")
        self._app_focus = True
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
        """Decode client input (called by the session's :class:`InputPump`)."""
        if not self._input_enabled:
            return
        self._last_input = self._loop.time()
        dropped = self._decoder.dropped
        try:
            messages = self._decoder.feed(data, self._room())
        except Exception:  # a bug in the decoder must not end the session: drop the input
            log.warning("terminal input dropped", exc_info=True)
            self._decoder = InputDecoder()
            messages = []
        self._deliver(messages)
        if self._decoder.dropped > dropped:
            self._input_dropped()
        self._schedule_tick()

    def _room(self) -> int:
        """Events the App may still be handed (typed ahead keys are bounded per session)."""
        gate = getattr(self._app, "typeahead", None)
        if gate is not None:
            return int(gate.room)
        return max(0, HELD_LIMIT - self._app._message_queue.qsize())

    def _schedule_tick(self) -> None:
        """A lone Esc (or a sequence cut short) is only known after the escape delay."""
        if self._tick_handle is not None:
            self._tick_handle.cancel()
            self._tick_handle = None
        if self._decoder.pending and self._input_enabled:
            delay = constants.ESCAPE_DELAY if not self._decoder.in_paste else PASTE_QUIET
            self._tick_handle = self._loop.call_later(delay + 0.01, self._tick)

    def _tick(self) -> None:
        self._tick_handle = None
        if not self._input_enabled:
            return
        quiet = self._loop.time() - self._last_input
        if quiet >= constants.ESCAPE_DELAY:
            self._deliver(self._decoder.timeout(quiet=quiet))
        self._schedule_tick()

    def _deliver(self, messages: list[Message]) -> None:
        for message in messages:
            if isinstance(message, events.Resize):
                self.resize(message.size.width, message.size.height)
                continue
            if isinstance(message, (events.AppFocus, events.AppBlur)):
                focused = isinstance(message, events.AppFocus)
                if focused == self._app_focus:  # repeated focus reports restyle for nothing
                    continue
                self._app_focus = focused
            self.process_message(message)

    def _input_dropped(self) -> None:
        """Tell the user (at most every :data:`DROP_NOTICE_INTERVAL` s) that keys were lost."""
        now = self._loop.time()
        if now - self._dropped_notice_at < DROP_NOTICE_INTERVAL:
            return
        self._dropped_notice_at = now
        translate = getattr(self._app, "t", None)
        if translate is not None:
            self._app.call_later(
                self._app.notify, translate("ssh.input_dropped"), severity="warning")

    def resize(self, cols: int, rows: int) -> None:
        """Window change from the SSH client or the in-band resize sequence."""
        size = clamp_size(cols, rows)
        if size is None or size == self._size_now:  # a repeated size would relayout for nothing
            return
        self._size_now = size
        self._decoder.keys.terminal_size = size
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

