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
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.geometry import Size
from textual.keys import Keys
from textual.message import Message
from textual.messages import TerminalSupportsSynchronizedOutput

from tui.typeahead import HELD_LIMIT, PASTE_CUT

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
INPUT_CHUNK = 1024
"""Characters decoded per loop turn (≤ ~2 ms), so that one flooding session cannot stall
the others."""
INPUT_HARD_LIMIT = 4 * INPUT_HIGH_WATER
"""Queued input characters beyond which input is dropped (if the client ignores the window)."""
DROP_NOTICE_INTERVAL = 10.0
_EXTENDED_KEY_CACHE = 256

ESC = "\x1b"
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
FOCUS_IN = "\x1b[I"
FOCUS_OUT = "\x1b[O"


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


MAX_SEQUENCE = 64
"""Characters of one CSI/SS3 sequence kept; a longer one is dropped (skipped to its end)."""
PASTE_QUIET = 1.0
"""Seconds without input after which an unterminated paste is delivered as it is."""

_C0 = re.compile("[\x00-\x1f\x7f-\x9f\ufffd]")
"""Ends a run of plain text: C0/DEL/C1 controls and the replacement of invalid UTF-8."""
_STRING_END = re.compile("[\x07\x18\x1a\x1b\x9c]")
"""Ends an OSC/DCS/APC/PM/SOS string: BEL, CAN, SUB, ESC (of ST) or the 8-bit ST."""
_PASTE_KEEP = {"\t": "\t", "\n": "\n", "\r": "\r"}
_STRING_INTRODUCERS = frozenset("]P_^X")
_C1_STRINGS = frozenset("\x90\x98\x9d\x9e\x9f")
_re_resize = re.compile(r"\x1b\[48;(\d{1,6});(\d{1,6});(\d{1,7});(\d{1,7})t")
_re_mode_report = re.compile(r"\x1b\[\?(\d{1,5});(\d)\$y")
_re_sgr_mouse = re.compile(r"\x1b\[<\d{1,5};-?\d{1,5};-?\d{1,5}[Mm]")

_GROUND, _ESC, _CSI, _CSI_SKIP, _SS3, _STRING, _STRING_ESC, _X10 = range(8)


class InputDecoder:
    """Turns a session's input into Textual events in O(bytes) with bounded state.

    Replaces ``XTermParser.feed`` (a generator step per character, unbounded paste buffer,
    unknown sequences re-issued as typed characters, an OSC read as keystrokes): runs of
    text are sliced, not stepped; a CSI/SS3 sequence is kept up to :data:`MAX_SEQUENCE`
    characters; OSC/DCS/APC/PM/SOS strings are never buffered (skipped to their
    terminator, the next ESC or a pause in the input); unknown or malformed sequences are
    dropped whole. A bracketed paste keeps at most :data:`MAX_PASTE` characters, without
    the escape sequences and control characters inside it and in order; a paste that was
    cut carries :data:`tui.typeahead.PASTE_CUT`. Key names come from Textual's own tables
    (:class:`SafeXTermParser`), so keys mean the same as with Textual's parser.

    ``feed(data, room)`` returns the events; at most ``room`` of them are created (the rest
    is parsed and dropped, counted in :attr:`dropped`), so a flood costs parsing only.
    """

    def __init__(self, *, paste_limit: int = MAX_PASTE) -> None:
        self.keys = SafeXTermParser()
        self.paste_limit = paste_limit
        self.dropped = 0
        """Events not created because the session had no room for them."""
        self._state = _GROUND
        self._seq: list[str] = []
        self._seq_len = 0
        self._x10_left = 0
        self._paste: list[str] | None = None
        self._paste_len = 0
        self._paste_cut = False
        self._out: list[Message] = []
        self._room = 0
        self._names: dict[str, str] = {}
        self._sequences: dict[str, tuple[tuple[str, str | None], ...]] = {}

    # -- public -----------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """Something is waiting for more input (a timeout will resolve it)."""
        return self._state != _GROUND or self._paste is not None

    @property
    def in_paste(self) -> bool:
        return self._paste is not None

    def feed(self, data: str, room: int) -> list[Message]:
        self._out = []
        self._room = room
        pos, size = 0, len(data)
        while pos < size:
            state = self._state
            if state == _GROUND:
                pos = self._ground(data, pos)
            elif state == _STRING:
                match = _STRING_END.search(data, pos)
                if match is None:
                    pos = size
                else:
                    char = match.group()
                    pos = match.end()
                    self._state = _STRING_ESC if char == ESC else _GROUND
            else:
                self._step(data[pos])
                pos += 1
        return self._out

    def timeout(self, *, quiet: float) -> list[Message]:
        """Input went quiet for ``quiet`` seconds: resolve what is pending."""
        self._out = []
        self._room = 1
        state = self._state
        seq = "".join(self._seq)
        if self._paste is not None:
            pass  # an escape inside a paste is dropped
        elif state == _ESC:
            self._key_events(ESC)
        elif state == _CSI and seq == ESC + "[":
            self._alt_key("[")
        elif state == _SS3 and seq == ESC + "O":
            self._alt_key("O")
        self._reset()
        if self._paste is not None and quiet >= PASTE_QUIET:
            self._end_paste()
        return self._out

    # -- states -----------------------------------------------------------------------

    def _ground(self, data: str, pos: int) -> int:
        match = _C0.search(data, pos)
        stop = match.start() if match is not None else len(data)
        if stop > pos:
            self._text(data[pos:stop])
        if match is None:
            return stop
        char = data[stop]
        if char == ESC:
            self._state = _ESC
            self._seq = [ESC]
            self._seq_len = 1
        elif char in _C1_STRINGS:
            self._state = _STRING
        elif char == "\x9b":  # 8-bit CSI
            self._state = _CSI
            self._seq = [ESC, "["]
            self._seq_len = 2
        elif self._paste is not None:
            keep = _PASTE_KEEP.get(char)
            if keep is not None:
                self._paste_text(keep)
        elif char < "\x20" or char == "\x7f":
            self._key_events(char)
        # other C1 controls and U+FFFD (invalid UTF-8) are dropped
        return stop + 1

    def _step(self, char: str) -> None:
        state = self._state
        if state == _ESC:
            if char == "[":
                self._add(char, _CSI)
            elif char == "O":
                self._add(char, _SS3)
            elif char in _STRING_INTRODUCERS:
                self._reset(_STRING)
            elif char == ESC:
                if self._paste is None:
                    self._key_events(ESC)
                self._seq = [ESC]
            else:
                self._reset()
                if self._paste is not None or not self._alt_key(char):
                    self._ground(char, 0)
        elif state == _CSI:
            if "\x30" <= char <= "\x3f" or "\x20" <= char <= "\x2f":
                if self._seq_len >= MAX_SEQUENCE:
                    self._reset(_CSI_SKIP)
                else:
                    self._add(char, _CSI)
            elif "\x40" <= char <= "\x7e":
                if char == "M" and self._seq_len == 2:
                    self._add(char, _X10)
                    self._x10_left = 3
                else:
                    self._seq.append(char)
                    seq = "".join(self._seq)
                    self._reset()
                    self._csi(seq)
            else:  # not part of a CSI: drop the sequence, the character counts on its own
                self._reset()
                self._reprocess(char)
        elif state == _CSI_SKIP:
            if "\x40" <= char <= "\x7e":
                self._reset()
            elif not ("\x20" <= char <= "\x3f"):
                self._reset()
                self._reprocess(char)
        elif state == _SS3:
            self._reset()
            if "\x20" < char < "\x7f":
                if self._paste is None:
                    self._key_events(ESC + "O" + char)
            else:
                self._reprocess(char)
        elif state == _STRING_ESC:
            self._reset()
            if char != "\\":  # not ST: the ESC starts a new sequence
                self._state = _ESC
                self._seq = [ESC]
                self._seq_len = 1
                self._step(char)
        elif state == _X10:
            self._seq.append(char)
            self._x10_left -= 1
            if self._x10_left <= 0:
                seq = "".join(self._seq)
                self._reset()
                if self._paste is None:
                    self._mouse(seq)

    def _reprocess(self, char: str) -> None:
        if char == ESC or ("\x00" <= char < "\x20") or "\x7f" <= char <= "\x9f":
            self._ground(char, 0)
        elif self._paste is not None:
            self._paste_text(char)
        else:
            self._text(char)

    def _add(self, char: str, state: int) -> None:
        self._seq.append(char)
        self._seq_len += 1
        self._state = state

    def _reset(self, state: int = _GROUND) -> None:
        self._state = state
        self._seq = []
        self._seq_len = 0

    # -- complete sequences -----------------------------------------------------------

    def _csi(self, seq: str) -> None:
        if self._paste is not None:
            if seq == PASTE_END:
                self._end_paste()
            return  # other sequences inside a paste are dropped
        if seq == PASTE_START:
            self._paste = []
            self._paste_len = 0
            self._paste_cut = False
        elif seq == FOCUS_IN:
            self._emit(events.AppFocus())
        elif seq == FOCUS_OUT:
            self._emit(events.AppBlur())
        elif seq[-1] in "Mm" and seq.startswith("\x1b[<"):
            if _re_sgr_mouse.fullmatch(seq):
                self._mouse(seq)
        elif seq[-1] == "t":
            match = _re_resize.fullmatch(seq)
            if match is not None:
                height, width, pixel_height, pixel_width = (int(g) for g in match.groups())
                self.keys.terminal_size = (width, height)
                self._emit(events.Resize.from_dimensions(
                    (width, height), (pixel_width, pixel_height)))
        elif seq[-1] == "y":
            match = _re_mode_report.fullmatch(seq)
            if match is not None and match.group(1) == "2026" and match.group(2) != "0":
                self._emit(TerminalSupportsSynchronizedOutput())
        else:
            self._key_events(seq)

    def _mouse(self, seq: str) -> None:
        if self._room <= 0:
            self.dropped += 1
            return
        event = self.keys.parse_mouse_code(seq)
        if event is not None:
            self._emit(event)

    def _end_paste(self) -> None:
        text = "".join(self._paste or ()).replace("\r\n", "\n").replace("\r", "\n")
        cut = self._paste_cut
        self._paste = None
        self._paste_len = 0
        self._paste_cut = False
        paste = events.Paste(text)
        if cut:
            setattr(paste, PASTE_CUT, True)
        self._emit(paste)

    # -- text and keys ----------------------------------------------------------------

    def _text(self, text: str) -> None:
        if self._paste is not None:
            self._paste_text(text)
            return
        room = self._room
        if len(text) > room:
            self.dropped += len(text) - room
            text = text[:room]
        names = self._names
        out = self._out
        for char in text:
            name = names.get(char)
            if name is None:
                keys = list(self.keys._sequence_to_key_events(char))
                if len(keys) != 1 or keys[0].character != char:
                    out.extend(keys)
                    continue
                name = keys[0].key
                if len(names) < 512:
                    names[char] = name
            out.append(events.Key(name, char))
        self._room -= len(text)

    def _paste_text(self, text: str) -> None:
        room = self.paste_limit - self._paste_len
        if len(text) > room:
            self._paste_cut = True
            text = text[:room]
        if text:
            assert self._paste is not None
            self._paste.append(text)
            self._paste_len += len(text)

    def _key_events(self, seq: str) -> None:
        if self._room <= 0:
            self.dropped += 1
            return
        known = self._sequences.get(seq)
        if known is None:
            known = tuple((key.key, key.character)
                          for key in self.keys._sequence_to_key_events(seq)
                          if key.key != Keys.Ignore.value)
            if len(self._sequences) < 512:
                self._sequences[seq] = known
        for name, character in known:
            self._emit(events.Key(name, character))

    def _alt_key(self, char: str) -> bool:
        if self._room <= 0:
            self.dropped += 1
            return True
        keys = list(self.keys._sequence_to_key_events(ESC + char))
        if not keys:
            keys = list(self.keys._sequence_to_key_events(char, alt=True))
        for key in keys:
            if key.key != Keys.Ignore.value:
                self._emit(key)
        return bool(keys)

    def _emit(self, message: Message) -> None:
        if self._room <= 0:
            self.dropped += 1
            return
        self._room -= 1
        self._out.append(message)


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

