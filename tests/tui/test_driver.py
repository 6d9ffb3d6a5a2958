"""The SSH-channel driver without SSH: a fake terminal, a real App, hostile input."""

from __future__ import annotations

import asyncio
import gc
import sys
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual import events
from textual.widgets import Input

from core.authz import Actor
from core.runtime import Core
from tui.app import LinedeskApp
from tui.driver import (
    INPUT_CHUNK,
    INPUT_HIGH_WATER,
    MAX_PASTE,
    MAX_SEQUENCE,
    OUTPUT_HIGH_WATER,
    PASTE_END,
    PASTE_QUIET,
    PASTE_START,
    ChannelDriver,
    InputDecoder,
    InputPump,
    SafeXTermParser,
    channel_driver_class,
    clamp_size,
    color_system_for,
)


class FakeTerminal:
    """Collects output like an SSH channel; ``backlog`` simulates a stalled client."""

    def __init__(self, size: tuple[int, int] = (100, 30), term: str = "xterm-256color",
                 env: dict[str, str] | None = None) -> None:
        self.size = size
        self.term = term
        self.env = env or {}
        self.color_system = color_system_for(term, self.env)
        self.no_color = "NO_COLOR" in self.env
        self.out: list[str] = []
        self.backlog = 0
        self.failures = 0
        self.driver: ChannelDriver | None = None

    def write(self, data: str) -> None:
        self.out.append(data)

    def write_buffer_size(self) -> int:
        return self.backlog

    def app_failed(self, error_count: int) -> None:
        self.failures += error_count

    def ready(self, driver: ChannelDriver) -> None:
        self.driver = driver


async def _until(predicate: Any, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def served_app(
    core: Core, actor: Actor, terminal: FakeTerminal
) -> AsyncIterator[LinedeskApp]:
    app = LinedeskApp(core, actor, served=terminal,
                      driver_class=channel_driver_class(terminal, on_ready=terminal.ready))
    task = asyncio.create_task(app.run_async())
    try:
        await _until(lambda: terminal.driver is not None and app.current_mode == "home")
        await asyncio.sleep(0.1)
        yield app
    finally:
        app.exit()
        await asyncio.wait_for(task, 30)


def _keys(parser: SafeXTermParser, data: str) -> list[str]:
    return [m.key for m in parser.feed(data) if isinstance(m, events.Key)]


@pytest.mark.parametrize(
    "sequence", ["\x1b[:u", "\x1b[:2~", "\x1b[1;:u", "\x1b[::::;;u", "\x1b[99999999999999999999u"]
)
def test_parser_survives_malformed_csi(sequence: str) -> None:
    parser = SafeXTermParser()
    keys = _keys(parser, sequence + "a")
    assert keys[-1] == "a"
    assert "ignore" not in keys


def test_parser_cache_is_per_instance() -> None:
    first, second = SafeXTermParser(), SafeXTermParser()
    _keys(first, "\x1b[97;5u")
    assert first._key_cache and not second._key_cache
    ref = weakref.ref(first)
    del first
    gc.collect()
    assert ref() is None


def test_clamp_size() -> None:
    assert clamp_size(80, 24) == (80, 24)
    assert clamp_size(2000, 900) == (500, 200)
    assert clamp_size(0, 24) is None
    assert clamp_size(80, -1) is None
    assert clamp_size(10**9, 10**9) is None


def test_colour_system_from_client_term() -> None:
    assert color_system_for("xterm-256color") == "256"
    assert color_system_for("xterm-direct") == "truecolor"
    assert color_system_for("xterm", {"COLORTERM": "truecolor"}) == "truecolor"
    assert color_system_for("xterm") == "standard"
    assert color_system_for("dumb") is None


async def test_input_pump_paces_and_pushes_back() -> None:
    seen: dict[str, list[int]] = {"flood": [], "calm": []}
    paused: list[str] = []
    flood = InputPump(lambda d: seen["flood"].append(len(d)),
                      pause=lambda: paused.append("pause"), resume=lambda: paused.append("resume"))
    calm = InputPump(lambda d: seen["calm"].append(sum(seen["flood"])),
                     pause=lambda: None, resume=lambda: None)
    flood.start()
    calm.start()
    flood.put("x" * (INPUT_HIGH_WATER * 4))
    assert paused == ["pause"]
    calm.put("k")
    await _until(lambda: seen["calm"])
    # the calm session was served while the flood was still being parsed
    assert seen["calm"][0] < INPUT_HIGH_WATER
    await _until(lambda: sum(seen["flood"]) == INPUT_HIGH_WATER * 4)
    assert max(seen["flood"]) <= INPUT_CHUNK
    assert paused == ["pause", "resume"]
    await flood.close()
    await calm.close()


async def test_malformed_input_keeps_session_alive(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    terminal = FakeTerminal()
    async with served_app(demo_core, actors["admin"], terminal) as app:
        assert terminal.driver is not None
        for junk in ("\x1b[:u", "\x1b[:2~", "\x1b[1;:u", "\x1b[<0;0;0M", "\x1b[48;0;0;0;0t",
                     "\x1b[<64;-5;3M", "\x00\x7f\x9b\ufffd"):
            terminal.driver.feed(junk)
        terminal.driver.feed("2")
        await _until(lambda: app.current_mode == "numbers")
    assert terminal.failures == 0


async def test_sizes_are_clamped_including_in_band(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    terminal = FakeTerminal(size=(100, 30))
    async with served_app(demo_core, actors["mia"], terminal) as app:
        driver = terminal.driver
        assert driver is not None
        driver.resize(0, 0)
        assert driver.size_now == (100, 30)
        driver.resize(5000, 3000)
        await _until(lambda: app.size == (500, 200))
        driver.feed("\x1b[48;40;90;800;1200t")
        await _until(lambda: app.size == (90, 40))
        driver.feed("\x1b[48;999999;999999;0;0t")
        driver.feed("\x1b[48;0;0;0;0t")
        await asyncio.sleep(0.1)
        assert driver.size_now == (90, 40) and app.size == (90, 40)
        driver.feed("\x1b[<35;10;10M")  # mouse move after a pixel resize must not divide by 0


async def test_lone_escape_is_delivered_after_delay(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    terminal = FakeTerminal()
    async with served_app(demo_core, actors["mia"], terminal) as app:
        assert terminal.driver is not None
        terminal.driver.feed("?")
        await _until(lambda: type(app.screen).__name__ == "HelpScreen")
        terminal.driver.feed("\x1b")
        await _until(lambda: type(app.screen).__name__ != "HelpScreen", timeout=15)


async def test_paste_over_limit_is_cut_with_notice(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    terminal = FakeTerminal()
    async with served_app(demo_core, actors["mia"], terminal) as app:
        assert terminal.driver is not None
        paste = "\x1b[200~" + "y" * (MAX_PASTE + 40_000) + "\x1b[201~"
        for start in range(0, len(paste), INPUT_CHUNK):  # as the pump hands it over
            terminal.driver.feed(paste[start:start + INPUT_CHUNK])
        await _until(lambda: any("zu lang" in n.message for n in app._notifications))
        await asyncio.sleep(0.2)
        assert len([n for n in app._notifications if "zu lang" in n.message]) == 1


async def test_stalled_client_drops_frames_then_repaints(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    terminal = FakeTerminal()
    async with served_app(demo_core, actors["mia"], terminal) as app:
        driver = terminal.driver
        assert driver is not None
        terminal.backlog = OUTPUT_HIGH_WATER + 1
        written = len(terminal.out)
        driver.feed("2")
        await _until(lambda: app.current_mode == "numbers")
        await _until(lambda: driver.frames_dropped > 0)
        assert len(terminal.out) == written
        terminal.backlog = 0
        driver.output_drained()
        await _until(lambda: "Rufnummern" in "".join(terminal.out[written:]))


async def test_colours_follow_client_term_and_no_color(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    plain = FakeTerminal(term="xterm", env={"NO_COLOR": "1"})
    async with served_app(demo_core, actors["mia"], plain) as app:
        assert app.console.color_system == "standard"
        assert app.no_color
    rich = FakeTerminal(term="xterm-256color")
    async with served_app(demo_core, actors["mia"], rich) as app:
        assert app.console.color_system == "256"
        assert not app.no_color


async def test_open_url_and_downloads_refused(demo_core: Core, actors: dict[str, Actor]) -> None:
    terminal = FakeTerminal()
    async with served_app(demo_core, actors["tom"], terminal) as app:
        app.open_url("https://example.com")
        assert app.deliver_text(__import__("io").StringIO("secret"), save_filename="x.txt") is None
        await _until(lambda: len(app._notifications) >= 2)
        messages = " ".join(n.message for n in app._notifications)
        assert "cannot be opened" in messages and "cannot be saved" in messages


async def test_out_of_order_exits_leave_stdout_alone(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    before = sys.stdout, sys.stderr
    terminals = [FakeTerminal() for _ in range(3)]
    apps: list[LinedeskApp] = []
    tasks = []
    for terminal in terminals:
        app = LinedeskApp(demo_core, actors["mia"], served=terminal,
                          driver_class=channel_driver_class(terminal, on_ready=terminal.ready))
        apps.append(app)
        tasks.append(asyncio.create_task(app.run_async()))
    await _until(lambda: all(t.driver is not None for t in terminals))
    await asyncio.sleep(0.2)
    for index in (1, 0, 2):
        apps[index].exit()
        await asyncio.wait_for(tasks[index], 30)
    assert (sys.stdout, sys.stderr) == before
    assert type(sys.stdout).__name__ != "_PrintCapture"
    refs = [weakref.ref(a) for a in apps]
    del apps, app, tasks, terminal
    terminals.clear()
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


async def test_crash_is_reported_to_session_not_server_stderr(
    demo_core: Core, actors: dict[str, Actor], capfd: pytest.CaptureFixture[str]
) -> None:
    terminal = FakeTerminal()
    app = LinedeskApp(demo_core, actors["mia"], served=terminal,
                      driver_class=channel_driver_class(terminal, on_ready=terminal.ready))
    task = asyncio.create_task(app.run_async())
    await _until(lambda: terminal.driver is not None)
    await asyncio.sleep(0.1)

    def boom() -> None:
        raise RuntimeError("secret-in-traceback")

    app.call_later(boom)
    await asyncio.wait_for(task, 30)
    assert terminal.failures == 1
    captured = capfd.readouterr()
    assert "secret-in-traceback" not in captured.err + captured.out


async def test_synchronized_output_is_negotiated(demo_core: Core, actors: dict[str, Actor]) -> None:
    terminal = FakeTerminal()
    async with served_app(demo_core, actors["mia"], terminal) as app:
        assert "\x1b[?2026$p" in "".join(terminal.out)
        assert terminal.driver is not None
        terminal.driver.feed("\x1b[?2026;1$y")
        await _until(lambda: app._sync_available)


# -- the input decoder ---------------------------------------------------------------------

def _decode(data: str, chunk: int = 0, room: int = 10_000) -> list[object]:
    """What the decoder makes of ``data`` (fed in pieces of ``chunk``), timeouts included."""
    decoder = InputDecoder()
    out: list[object] = []
    pieces = [data] if not chunk else [data[i:i + chunk] for i in range(0, len(data), chunk)]
    for piece in pieces:
        out.extend(decoder.feed(piece, room))
    out.extend(decoder.timeout(quiet=PASTE_QUIET))
    return [(m.key, m.character) if isinstance(m, events.Key) else
            ("paste", m.text) if isinstance(m, events.Paste) else type(m).__name__ for m in out]


MIXED = ("ab\x1b[A\x1b[1;5C\x1bOP\x1b]0;title\x07c\x1b[200~x\x1b[31my\x1bz\r\nw\x1b[201~"
         "\x1b[<0;3;4M\x1b[97;5u\x1bx\x1b[I\x1bP1$r\x1b\\d\x1b_Gi=1\x1b\\é\x00")


def test_decoder_keys_sequences_and_paste_in_order() -> None:
    assert _decode(MIXED) == [
        ("a", "a"), ("b", "b"), ("up", None), ("ctrl+right", None), ("f1", None),
        ("c", "c"), ("paste", "xyz\nw"), "MouseDown", ("ctrl+a", None), ("alt+x", "x"),
        "AppFocus", ("d", "d"), ("é", "é"), ("ctrl+@", "\x00"),  # names as Textual's parser
    ]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_decoder_gives_the_same_at_any_split(chunk: int) -> None:
    assert _decode(MIXED, chunk) == _decode(MIXED)


@pytest.mark.parametrize("paste, text", [
    ("ab\x1bcd", "abcd"),
    ("\x1b[31mROT\x1b[0m, 40212 Düsseldorf", "ROT, 40212 Düsseldorf"),
    ("a\x1b]8;;http://x\x1b\\b\x07c", "abc"),
    ("tab\there\x08\x7f\x9b2J", "tab\there"),
])
def test_paste_keeps_text_in_order_without_escapes(paste: str, text: str) -> None:
    assert _decode(PASTE_START + paste + PASTE_END) == [("paste", text)]


def test_unterminated_sequences_cost_no_memory_and_do_not_become_keys() -> None:
    decoder = InputDecoder()
    assert decoder.feed("\x1b]0;" + "A" * (1024 * 1024), 10_000) == []
    assert decoder.feed("\x1b[" + "1;" * 5000, 10_000) == []  # ESC ends the OSC; CSI too long
    assert decoder._seq_len <= MAX_SEQUENCE
    keys = [m.key for m in decoder.feed("~q", 10_000) if isinstance(m, events.Key)]
    assert keys == ["q"]  # the overlong CSI ended at ~
    decoder.feed(PASTE_START + "p" * (MAX_PASTE * 3), 10_000)
    assert decoder._paste_len == MAX_PASTE
    (paste,) = decoder.feed(PASTE_END, 10_000)
    assert isinstance(paste, events.Paste) and len(paste.text) == MAX_PASTE
    assert getattr(paste, "linedesk_cut", False)


def test_decoder_creates_no_more_events_than_there_is_room_for() -> None:
    decoder = InputDecoder()
    assert len(decoder.feed("x" * 10_000 + "\x1b[A" * 100 + "\x00" * 100, 50)) == 50
    assert decoder.dropped == 10_000 + 200 - 50


async def test_paste_into_a_field_in_order_and_cut_to_it_with_one_notice(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    terminal = FakeTerminal()
    async with served_app(demo_core, actors["admin"], terminal) as app:
        driver = terminal.driver
        assert driver is not None
        driver.feed("2")
        await _until(lambda: app.current_mode == "numbers")
        driver.feed("/")
        await _until(lambda: isinstance(app.focused, Input))
        field = app.focused
        assert isinstance(field, Input) and field.max_length == 100
        driver.feed(PASTE_START + "ab\x1bcd" + PASTE_END)
        await _until(lambda: field.value == "abcd")
        field.value = ""
        paste = PASTE_START + "0123456789" * 10_000 + PASTE_END  # 100 KB
        for start in range(0, len(paste), INPUT_CHUNK):
            driver.feed(paste[start:start + INPUT_CHUNK])
        await _until(lambda: field.value == "0123456789" * 10)
        await asyncio.sleep(0.3)
        cut = [n for n in app._notifications if "zu lang" in n.message]
        assert len(cut) == 1 and "100 Zeichen" in cut[0].message
