"""R24 session recordings in asciicast v2 (``asciinema play`` plays them).

``<data dir>/recordings/YYYY/MM/DD/<session id>.cast``: a header line ``{"version": 2,
"width", "height", "timestamp", "env"}``, then one event a line, ``[seconds, "o", text]`` for
output and ``[seconds, "r", "COLSxROWS"]`` for a resize. Input is never recorded (passwords
typed into a dialog would otherwise be in the file; what the user sees is).

The session taps its output where it writes to the channel (:meth:`output` is a cheap append
on the loop); the events are written off the loop in chunks (:data:`CHUNK_BYTES`, or every
:data:`FLUSH_SECONDS`) by one writer task at a time. Bounded: while a chunk is being written
at most :data:`MAX_PENDING_BYTES` wait; beyond that, or beyond ``LINEDESK_RECORD_MAX_MB`` per
recording or ``LINEDESK_RECORD_ACCOUNT_DAY_MB`` per account and UTC day (the account's
recordings of that day together, :class:`core.services.recordings.DayBudget`), or when a
write fails (a full disk), the recording stops with an Archiv entry and the session carries
on unrecorded.

Command mode (``ssh support@host numbers list --customer ...``) is recorded too
(:class:`CommandRecorder`): ``o`` events are what the command wrote to stdout and stderr (line
ends as the client's terminal shows them, ``\\r\\n``), the header names the command line with
its secrets masked, and the recording is listed in the Archiv of the customer the command
acted on. Its header is written when the command ended, sized to the output (a command has no
terminal); the same bounds hold, and a command's output beyond :data:`MAX_PENDING_BYTES` is
cut off (the recording is kept, marked incomplete, with the Archiv entry).
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.cells import cell_len

from core.authz import Actor
from core.config import Settings
from core.models import Role
from core.runtime import Core
from core.services import recordings as recording_service

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
FLUSH_SECONDS = 1.0
MAX_PENDING_BYTES = 4 * 1024 * 1024
"""Events waiting while the disk is slow; more: the recording stops (never the session)."""
COMMAND_PIECE_CHARS = 16 * 1024
"""A command's output is recorded in events of at most this many characters."""
COMMAND_SIZE_MIN = (80, 24)
COMMAND_SIZE_MAX = (500, 500)
"""The virtual terminal of a command recording: as wide as its longest line and one row
taller than its output (so a player shows all of it unwrapped), within these bounds."""


_BUDGETS: weakref.WeakKeyDictionary[Core, recording_service.DayBudget] = (
    weakref.WeakKeyDictionary())
"""R24: each core's (process's) per-account, per-day recording bytes."""


def day_budget(core: Core) -> recording_service.DayBudget:
    budget = _BUDGETS.get(core)
    if budget is None:
        budget = _BUDGETS[core] = recording_service.DayBudget()
    return budget


def should_record(settings: Settings, actor: Actor) -> bool:
    """``LINEDESK_RECORD``: ``support`` (default: every support session), ``all``, ``none``."""
    mode = (settings.record or "support").strip().lower()
    if mode == "all":
        return True
    if mode == "support":
        return actor.role is Role.SUPPORT
    return False


def recording_path(data_dir: Path, session_id: str, started: datetime) -> Path:
    day = started.astimezone(UTC)
    return (recording_service.recordings_dir(data_dir) / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
            / f"{session_id}.cast")


def _append(path: Path, data: bytes, *, create: bool) -> None:
    """Blocking: runs in a thread."""
    if create:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | (os.O_CREAT | os.O_EXCL if create else 0)
    fd = os.open(path, flags, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class Recorder:
    """One session's asciicast v2 recording."""

    def __init__(self, core: Core, actor: Actor, session_id: str, size: tuple[int, int], *,
                 term: str = "", actor_now: Callable[[], Actor] | None = None,
                 header: bool = True) -> None:
        self.core = core
        self.actor = actor
        self._actor_now = actor_now or (lambda: actor)
        started = core.clock.now()  # the core's clock, as the Archiv and retention use
        self.path = recording_path(core.settings.data_dir, session_id, started)
        self.started = time.monotonic()
        self.customers: set[int] = set()
        """The customers the session had open while it was recorded (their Archiv lists it)."""
        self.header: dict[str, object] = {
            "version": 2, "width": size[0], "height": size[1],
            "timestamp": int(started.timestamp()), "env": {"TERM": term[:64] or "xterm-256color"}}
        self._pending: list[bytes] = [self._line(self.header)] if header else []
        """``header=False``: a subclass puts the header first before anything is written."""
        self._pending_bytes = sum(map(len, self._pending))
        self._written = 0
        self._created = False
        self._writer: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.stopped: str | None = None
        """Why the recording stopped early (``disk_full``, ``write_failed``, ``backlog``,
        ``too_large``, ``account_day_limit``); None while it runs or after it ended normally."""
        self._max_bytes, self._day_limit = recording_service.limits(core.settings)
        self._day = started.astimezone(UTC).date()
        self._budget_key = (actor.account_id, self._day.isoformat())
        self._budget_read = False
        self._stop_task: asyncio.Task[None] | None = None
        self.closed = False
        self._note_customer()

    @staticmethod
    def _line(value: object) -> bytes:
        return (json.dumps(value, ensure_ascii=False, separators=(", ", ": ")) + "\n").encode()

    def _note_customer(self) -> None:
        customer_id = self._actor_now().customer_id
        if customer_id is not None:
            self.customers.add(customer_id)

    # -- taps (on the loop, cheap) ----------------------------------------------------

    def output(self, data: str) -> None:
        if data:
            self._event("o", data)

    def resize(self, width: int, height: int) -> None:
        self._event("r", f"{width}x{height}")

    def _event(self, kind: str, data: str) -> None:
        if self.stopped is not None or self.closed:
            return
        line = self._line([round(time.monotonic() - self.started, 6), kind, data])
        self._pending.append(line)
        self._pending_bytes += len(line)
        self._note_customer()
        if self._pending_bytes > MAX_PENDING_BYTES:
            self._stop("backlog")
            return
        if self._pending_bytes >= CHUNK_BYTES:
            self._flush_soon(0.0)
        elif self._timer is None:
            self._flush_soon(FLUSH_SECONDS)

    # -- writing (off the loop) -------------------------------------------------------

    async def drain(self) -> None:
        """Wait until what is pending now has been written (the session never waits for
        its recording; tests and a clean end do)."""
        if self._pending and self.stopped is None and not self.closed:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._start_writer()
        if self._writer is not None:
            await asyncio.shield(self._writer)

    def _flush_soon(self, delay: float) -> None:
        if self._writer is not None and not self._writer.done():
            return  # the running writer takes what is pending when it is done
        if self._timer is not None:
            if delay > 0:
                return
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(delay, self._start_writer)

    def _start_writer(self) -> None:
        self._timer = None
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending(), name="linedesk-recording")

    async def _write_pending(self) -> None:
        while self._pending and self.stopped is None:
            chunk = b"".join(self._pending)
            self._pending.clear()
            self._pending_bytes = 0
            if self._max_bytes is not None and self._written + len(chunk) > self._max_bytes:
                self._stop(recording_service.CAUSE_TOO_LARGE)
                return
            if not await self._within_day_budget(len(chunk)):
                self._stop(recording_service.CAUSE_ACCOUNT_DAY)
                return
            try:
                await self._append(chunk)
            except OSError as exc:
                self._stop("disk_full" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
                           else "write_failed")
                return
            self._created = True
            self._written += len(chunk)
            day_budget(self.core).add(self._budget_key, self._name(), len(chunk))

    def _name(self) -> str:
        """``YYYY/MM/DD/FILE``: the recording as its Archiv entry names it."""
        return self.path.relative_to(
            recording_service.recordings_dir(self.core.settings.data_dir)).as_posix()

    async def _within_day_budget(self, more: int) -> bool:
        """R24: the account's recordings of the day stay within their bound with ``more``
        bytes. The first time, what the Archiv lists as finished that day (other processes,
        earlier runs) is read; this process's own recordings count as they are written."""
        if self._day_limit is None:
            return True
        budget = day_budget(self.core)
        if not self._budget_read:
            self._budget_read = True
            try:
                async with self.core.uow(readonly=True) as uow:
                    finished = await recording_service.finished_on(
                        uow, self.actor.account_id, self._day)
                budget.finished_elsewhere(self._budget_key, finished)
            except Exception:
                log.exception("could not read the recordings of the day; counting this "
                              "process's only")
        return budget.allows(self._budget_key, more, self._day_limit)

    async def _append(self, chunk: bytes) -> None:
        if self._created:
            await asyncio.to_thread(_append, self.path, chunk, create=False)
            return
        base = self.path.stem
        for n in range(2, 100):  # a second PTY session on the same connection: <id>-2.cast
            try:
                await asyncio.to_thread(_append, self.path, chunk, create=True)
                return
            except FileExistsError:
                self.path = self.path.with_name(f"{base}-{n}.cast")
        raise OSError(errno.EEXIST, "no free recording name")

    def _stop(self, why: str) -> None:
        if self.stopped is not None:
            return
        self.stopped = why
        self._pending.clear()
        self._pending_bytes = 0
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        log.warning("recording %s stopped: %s (the session goes on)", self.path.name, why)
        task = self._stop_task = asyncio.create_task(self._record_stop(why),
                                                     name="linedesk-recording-audit")
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    def _limit_mb(self, why: str) -> int | None:
        limit = {recording_service.CAUSE_TOO_LARGE: self._max_bytes,
                 recording_service.CAUSE_ACCOUNT_DAY: self._day_limit}.get(why)
        return None if limit is None else limit // recording_service.MIB

    async def _record_stop(self, why: str) -> None:
        try:
            async with self.core.uow() as uow:
                recording_service.record_stopped(uow, self.actor, customers=self.customers,
                                                 file=self.path.name, why=why,
                                                 limit_mb=self._limit_mb(why))
        except Exception:
            log.exception("could not record that recording %s stopped", self.path.name)

    async def close(self) -> None:
        """The session ended: write what is pending and list the recording in the Archiv."""
        if self.closed:
            return
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writer is not None:
            await asyncio.shield(self._writer)
        if self.stopped is None:
            await self._write_pending()
        if self._stop_task is not None:
            await asyncio.shield(self._stop_task)  # its Archiv entry comes first
        seconds = round(time.monotonic() - self.started)
        try:
            async with self.core.uow() as uow:
                recording_service.record_finished(
                    uow, self.actor, customers=self.customers, file=self.path.name,
                    day=self._name().rpartition("/")[0],
                    size=self._written, seconds=seconds, complete=self._complete(),
                    command=self._command_line())
        except Exception:
            log.exception("could not list recording %s in the Archiv", self.path.name)

    def _complete(self) -> bool:
        return self.stopped is None

    def _command_line(self) -> str | None:
        return None


def _terminal_lines(data: str) -> str:
    """What a command wrote, as the client's terminal shows it (no PTY: its own terminal
    turns ``\\n`` into ``\\r\\n``); CSV's ``\\r\\n`` stays one line end."""
    return data.replace("\r\n", "\n").replace("\n", "\r\n")


class CommandRecorder(Recorder):
    """R24 for one command-mode call: its stdout and stderr as ``o`` events.

    The session taps what it writes (:meth:`output`, cheap, on the loop) and names the actor
    the command acts as once it is known (:meth:`acting`: support's ``--customer``), so the
    recording is listed with that customer's audit entries. Nothing is written before the
    command ended (:meth:`close`): then the header, sized to the output, goes first and
    everything is written off the loop by the same bounded writer as a session's."""

    def __init__(self, core: Core, actor: Actor, session_id: str, command: str) -> None:
        super().__init__(core, actor, session_id, COMMAND_SIZE_MIN, header=False)
        self.header["command"] = command
        """Already masked (``ssh_server.commands.recorded_command_line``)."""
        self.header.pop("env")
        self._columns = 0
        self._rows = 0
        self._column = 0
        self._cut: str | None = None
        """Why output was cut off (``backlog``): what came before is kept."""
        self._acting: Actor | None = None

    def acting(self, actor: Actor) -> None:
        """The command acts as ``actor`` (support: for the customer it opened)."""
        self._acting = actor
        self._note_customer()

    def _note_customer(self) -> None:
        current = getattr(self, "_acting", None) or self.actor
        if current.customer_id is not None:
            self.customers.add(current.customer_id)

    def output(self, data: str) -> None:
        if not data or self._cut is not None:
            return
        text = _terminal_lines(data)
        start = 0
        while start < len(text):
            end = start + COMMAND_PIECE_CHARS
            if text[end - 1:end] == "\r":
                end += 1  # a line end stays in one piece
            piece = text[start:end]
            self._event("o", piece)
            if self._cut is not None:
                return
            self._measure(piece)  # what is recorded only
            start = end

    def resize(self, width: int, height: int) -> None:
        return  # a command has no terminal

    def _measure(self, text: str) -> None:
        lines = text.split("\r\n")
        for n, line in enumerate(lines):
            if n:
                self._rows += 1
                self._column = 0
            self._column += cell_len(line)
            self._columns = max(self._columns, self._column)

    def _event(self, kind: str, data: str) -> None:
        if self.stopped is not None or self.closed or self._cut is not None:
            return
        line = self._line([round(time.monotonic() - self.started, 6), kind, data])
        if self._pending_bytes + len(line) > MAX_PENDING_BYTES:
            self._cut = "backlog"  # kept so far; written when the command ended
            log.warning("recording %s cut off: output beyond %d bytes", self.path.name,
                        MAX_PENDING_BYTES)
            return
        self._pending.append(line)
        self._pending_bytes += len(line)

    def _flush_soon(self, delay: float) -> None:
        return  # nothing before the header, which is known when the command ended

    async def drain(self) -> None:
        return  # likewise: everything is written by close()

    def _complete(self) -> bool:
        return self.stopped is None and self._cut is None

    def _command_line(self) -> str | None:
        return str(self.header.get("command") or "")

    async def close(self) -> None:
        if self.closed:
            return
        width = min(max(self._columns, COMMAND_SIZE_MIN[0]), COMMAND_SIZE_MAX[0])
        height = min(max(self._rows + 1, COMMAND_SIZE_MIN[1]), COMMAND_SIZE_MAX[1])
        self.header.update(width=width, height=height)
        head = self._line(self.header)
        self._pending.insert(0, head)
        self._pending_bytes += len(head)
        if self._cut is not None:
            await self._record_stop(self._cut)
        await super().close()
