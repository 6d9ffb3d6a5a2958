"""Terminal input of one served session decoded into Textual events (O(bytes), bounded).

:class:`InputDecoder` replaces Textual's ``XTermParser.feed`` for
:class:`tui.driver.ChannelDriver`; :class:`SafeXTermParser` lends it Textual's key tables
without the class-wide cache and without the crashes on malformed sequences.
"""

from __future__ import annotations

import re

from textual import events
from textual._xterm_parser import XTermParser
from textual.keys import Keys
from textual.message import Message
from textual.messages import TerminalSupportsSynchronizedOutput

from tui.typeahead import PASTE_CUT

__all__ = [
    "ESC", "FOCUS_IN", "FOCUS_OUT", "MAX_PASTE", "MAX_SEQUENCE", "PASTE_END", "PASTE_QUIET",
    "PASTE_START", "InputDecoder", "SafeXTermParser",
]

MAX_PASTE = 64 * 1024
"""Characters kept of one bracketed paste; the rest is dropped (with a notice)."""
_EXTENDED_KEY_CACHE = 256

ESC = "\x1b"
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
FOCUS_IN = "\x1b[I"
FOCUS_OUT = "\x1b[O"


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
