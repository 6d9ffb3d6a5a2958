"""End-to-end harness: the real SSH server in-process, real SSH clients, a pyte screen.

Usage (pytest-asyncio, ``asyncio_mode=auto``; ``db_templates`` is the session fixture of
``tests/conftest.py`` that migrates and seeds once per run)::

    from tests.e2e.harness import interactive_session, run_exec, running_server

    async def test_something(tmp_path, db_templates):
        async with running_server(tmp_path, templates=db_templates, idle_timeout=60) as srv:
            async with interactive_session(srv.port, "admin", "admin-demo",
                                           cols=120, rows=40) as term:
                await term.wait_for("Muster GmbH", timeout=30)
                await term.press("2")              # one key (Textual key names allowed)
                await term.type("abc")             # text, character by character
                await term.key("enter")            # enter escape tab up down left right
                                                   # space backspace home end pageup ...
                text = term.text()                 # the whole screen as one string
                await term.resize(100, 30)
            code, out, err = await run_exec(srv.port, "admin", "admin-demo", "numbers list --json")

``running_server(tmp_path, demo=True, templates=None, clock=None, **settings_overrides)``
starts :class:`ssh_server.server.PortalServer` on 127.0.0.1, port 0, with a copy of the
demo (or empty) database template (without ``templates`` it migrates and seeds itself,
which is slower), and yields a :class:`RunningServer` with ``port``, ``core``,
``data_dir``, ``settings`` and ``server`` (the PortalServer: ``sessions``, ``limits``).
``clock`` defaults to a FixedClock at 2026-11-21 10:00 UTC (the demo date).
Keyword overrides are :class:`core.config.Settings` fields (``idle_timeout=3``,
``max_sessions_per_user=2``, ``login_timeout=5`` ...). Background jobs are not started;
pass ``background=True`` to start the outbox dispatcher and scheduler.

The fixture ``demo_server`` (``tests/e2e/conftest.py``) is ``running_server`` with the demo
data and default settings: ``async def test_x(demo_server): ... demo_server.port``.

``interactive_session(port, user, password=None, *, cols=120, rows=40, term="xterm-256color",
client_keys=None, env=None)`` logs in with a password (or ``client_keys=[key]``), requests
a PTY and yields a :class:`Term` (``term.raw``: everything received, for escape-sequence
checks; ``term.screen``: the pyte screen; ``await term.wait_closed()``; ``wait_gone(text)``).
``connect(port, user, password, **kw)`` gives a bare asyncssh connection for auth tests.
All clients skip host-key checking (test only). Servers started by one test are private to
it (own data dir, own port), so tests run in parallel under ``pytest -n``.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncssh
import pyte

from core.clock import Clock, FixedClock
from core.config import Settings
from core.runtime import Core
from ssh_server.server import PortalServer

DEMO_NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

KEYS: dict[str, str] = {
    "enter": "\r",
    "escape": "\x1b",
    "tab": "\t",
    "shift+tab": "\x1b[Z",
    "space": " ",
    "backspace": "\x7f",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "pageup": "\x1b[5~",
    "pagedown": "\x1b[6~",
    "delete": "\x1b[3~",
    "insert": "\x1b[2~",
    "f1": "\x1bOP",
    "question_mark": "?",
    "slash": "/",
    "ctrl+p": "\x10",
    "ctrl+q": "\x11",
    "ctrl+c": "\x03",
}


@dataclass
class RunningServer:
    port: int
    core: Core
    data_dir: Path
    settings: Settings
    server: PortalServer


async def _prepare(data_dir: Path, core: Core, *, demo: bool) -> None:
    from core import migrate

    await migrate.prepare(core, demo=demo)


@contextlib.asynccontextmanager
async def running_server(
    tmp_path: Path,
    *,
    demo: bool = True,
    templates: dict[str, Path] | None = None,
    clock: Clock | None = None,
    background: bool = False,
    **overrides: Any,
) -> AsyncIterator[RunningServer]:
    """The real SSH server on 127.0.0.1 and a free port, with its own data directory."""
    data_dir = tmp_path / "server-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    copied = False
    if templates is not None:
        template = templates["demo" if demo else "empty"]
        for name in ("linedesk.db", "secret.key"):
            shutil.copy(template / name, data_dir / name)
        copied = True
    overrides.setdefault("carrier_test_switch", demo)  # R31: like ``serve --demo``
    settings = Settings(data_dir=data_dir, host="127.0.0.1", port=0, **overrides)
    core = Core(settings, clock=clock or FixedClock(DEMO_NOW))
    server = PortalServer(core, settings)
    try:
        if not copied:
            await _prepare(data_dir, core, demo=demo)
        if background:
            core.start_background()
        port = await server.start(host="127.0.0.1", port=0)
        yield RunningServer(
            port=port, core=core, data_dir=data_dir, settings=settings, server=server
        )
    finally:
        await server.shutdown(notice_seconds=0)
        await core.close()


async def connect(
    port: int,
    username: str,
    password: str | None = None,
    *,
    client_keys: Sequence[asyncssh.SSHKey] | None = None,
    **kwargs: Any,
) -> asyncssh.SSHClientConnection:
    """An asyncssh client connection to the test server (no host key checks, no agent)."""
    return await asyncssh.connect(
        "127.0.0.1",
        port,
        username=username,
        password=password,
        client_keys=list(client_keys) if client_keys else None,
        known_hosts=None,
        agent_path=None,
        preferred_auth=kwargs.pop(
            "preferred_auth", "publickey,password" if client_keys else "password"
        ),
        config=None,
        **kwargs,
    )


class Term:
    """A PTY session rendered into a pyte screen."""

    def __init__(self, process: asyncssh.SSHClientProcess[str], cols: int, rows: int) -> None:
        self.process = process
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.raw: list[str] = []
        """Everything received (for escape-sequence assertions)."""
        self._changed = asyncio.Event()
        self.closed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                data = await self.process.stdout.read(65536)
                if not data:
                    break
                self.raw.append(data)
                self.stream.feed(data)
                self._changed.set()
        except (asyncssh.Error, OSError, asyncio.CancelledError):
            pass
        finally:
            self.closed.set()
            self._changed.set()

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def wait_for(self, needle: str, timeout: float = 30) -> str:
        """Wait until ``needle`` is on screen; returns the screen text (fails with it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            text = self.text()
            if needle in text:
                return text
            remaining = deadline - loop.time()
            if remaining <= 0 or (self.closed.is_set() and needle not in text):
                raise AssertionError(f"{needle!r} not on screen after {timeout}s:\n{text}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    async def wait_gone(self, needle: str, timeout: float = 30) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while needle in self.text():
            if loop.time() > deadline:
                raise AssertionError(f"{needle!r} still on screen after {timeout}s:\n{self.text()}")
            await asyncio.sleep(0.05)
        return self.text()

    async def quiet(self, seconds: float = 1.0, timeout: float = 30) -> None:
        """Wait until nothing arrived for ``seconds`` (the server has drawn all it will):
        a fixed sleep ends too early on a busy machine, where drawing takes longer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            seen = len(self.raw)
            await asyncio.sleep(seconds)
            if len(self.raw) == seen:
                return
            assert loop.time() < deadline, f"still drawing after {timeout}s"

    async def send(self, data: str) -> None:
        self.process.stdin.write(data)
        await self.process.stdin.drain()

    async def press(self, key: str) -> None:
        """One key: a single character, a name from :data:`KEYS` or ``ctrl+<letter>``."""
        if key not in KEYS and key.startswith("ctrl+") and len(key) == 6 and key[5].isalpha():
            await self.send(chr(ord(key[5].lower()) - 96))
            await asyncio.sleep(0.05)
            return
        await self.send(KEYS.get(key, key))
        await asyncio.sleep(0.05)

    async def key(self, name: str) -> None:
        await self.press(name)

    async def type(self, text: str) -> None:
        for ch in text:
            await self.send(ch)
            await asyncio.sleep(0.01)

    async def resize(self, cols: int, rows: int) -> None:
        self.screen.resize(rows, cols)
        self.process.change_terminal_size(cols, rows)
        await asyncio.sleep(0.1)

    async def wait_closed(self, timeout: float = 30) -> None:
        await asyncio.wait_for(self.closed.wait(), timeout)


async def eventually(predicate: Callable[[], bool], timeout: float = 30) -> None:
    """Poll ``predicate`` until it holds (bounded): for server state that follows a client's
    action a moment later (a count, a release), instead of a fixed sleep."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"condition not reached in {timeout}s"
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def interactive_session(
    port: int,
    username: str,
    password: str | None = None,
    *,
    cols: int = 120,
    rows: int = 40,
    term: str = "xterm-256color",
    client_keys: Sequence[asyncssh.SSHKey] | None = None,
    env: dict[str, str] | None = None,
) -> AsyncIterator[Term]:
    """Log in and open a PTY session; the connection is closed on exit."""
    conn = await connect(port, username, password, client_keys=client_keys)
    try:
        process = await conn.create_process(
            term_type=term, term_size=(cols, rows), env=env or {}, encoding="utf-8",
            errors="replace",
        )
        terminal = Term(process, cols, rows)
        try:
            yield terminal
        finally:
            terminal._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await terminal._reader
    finally:
        conn.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.wait_closed(), 30)


async def run_exec(
    port: int, username: str, password: str | None, command: str, *,
    client_keys: Sequence[asyncssh.SSHKey] | None = None, timeout: float = 30,
) -> tuple[int, str, str]:
    """Run ``ssh USER@host COMMAND`` (no PTY): ``(exit_code, stdout, stderr)``."""
    conn = await connect(port, username, password, client_keys=client_keys)
    try:
        result = await asyncio.wait_for(conn.run(command, check=False), timeout)
        code = result.exit_status if result.exit_status is not None else -1
        return code, str(result.stdout or ""), str(result.stderr or "")
    finally:
        conn.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.wait_closed(), 30)
