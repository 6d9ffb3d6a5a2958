"""One SSH session channel: the portal App for a PTY, command mode for ``ssh host CMD``.

The App runs as a task of the server's event loop (no PTY, no subprocess); its driver
writes to this channel. Everything the session owns (App, driver, input pump, idle timer)
ends when the App ends or the client goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import asyncssh

from core.authz import Actor
from core.i18n import t
from core.services import auth as auth_service
from ssh_server.recording import CommandRecorder, Recorder, should_record
from ssh_server.shadow import SessionShadow, now_utc
from tui.driver import ChannelDriver, InputPump, channel_driver_class, clamp_size, color_system_for

if TYPE_CHECKING:
    from ssh_server.auth import PortalConnection
    from tui.app import LinedeskApp

log = logging.getLogger(__name__)

OUTPUT_WATER_HIGH = 256 * 1024
APP_STOP_GRACE = 5.0
"""Seconds an App gets to end after its client disconnected, before it is cancelled."""
REFUSED_COMMANDS = ("scp", "sftp", "rsync", "internal-sftp", "/usr/lib/openssh/sftp-server")
COMMAND_INPUT_LIMIT = 1024 * 1024
"""Bytes of standard input a command may read (``numbers import-assignments < file.csv``)."""


class CommandInput:
    """A command's standard input, kept until EOF and bounded: what the client sends before
    the command asks for it is buffered; above :data:`COMMAND_INPUT_LIMIT` the input is
    dropped and reading it fails at once (the rest that arrives is discarded)."""

    def __init__(self, limit: int = COMMAND_INPUT_LIMIT) -> None:
        self.limit = limit
        self._parts: list[str] = []
        self._size = 0
        self.too_large = False
        self.aborted = False
        """The channel closed before EOF: what arrived may be cut off."""
        self._done = asyncio.Event()

    def feed(self, data: str) -> None:
        if self.too_large or self._done.is_set():
            return
        self._size += len(data.encode("utf-8", "surrogatepass"))
        if self._size > self.limit:
            self.too_large = True
            self._parts.clear()
            self._done.set()
            return
        self._parts.append(data)

    def feed_tty(self, data: str) -> str:
        """Input typed into ``ssh -t HOST COMMAND`` (a PTY: the client's terminal is raw, so
        nothing echoes, Enter sends CR and ctrl+d / ctrl+c are plain bytes): the little line
        discipline a terminal would do. Enter ends a line, backspace erases, ctrl+d is EOF,
        ctrl+c aborts (the command then reads nothing and changes nothing), other control
        characters are dropped. Returns what to echo."""
        echo: list[str] = []
        for char in data:
            if self._done.is_set():
                break
            if char in "\r\n":
                self.feed("\n")
                echo.append("\r\n")
            elif char == "\x04":
                self.end()
            elif char == "\x03":
                echo.append("^C\r\n")
                self.abort()
            elif char in "\x7f\x08":
                if self._parts and self._parts[-1] != "\n":
                    self._size -= len(self._parts.pop().encode("utf-8", "surrogatepass"))
                    echo.append("\b \b")
            elif char >= " ":
                self.feed(char)
                echo.append(char)
        return "".join(echo)

    @property
    def finished(self) -> bool:
        """EOF, abort or overflow: reading returns (or fails) at once."""
        return self._done.is_set()

    def end(self) -> None:
        """EOF from the client."""
        self._done.set()

    def abort(self) -> None:
        """The channel closed without EOF."""
        if not self._done.is_set():
            self.aborted = True
            self._done.set()

    async def read(self) -> str:
        """Everything up to EOF (``InputTooLarge`` above the limit, ``InputAborted`` when
        the channel closed first: a cut-off file is never taken for a whole one)."""
        from ssh_server.command_framework import InputAborted, InputTooLarge

        await self._done.wait()
        if self.too_large:
            raise InputTooLarge(self.limit)
        if self.aborted:
            raise InputAborted()
        return "".join(self._parts)


def _crlf(text: str) -> str:
    """``\n`` → ``\r\n`` (what a terminal's output processing does for a PTY)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def idle_warning_seconds(idle_timeout: float) -> float:
    """How long before the idle disconnect the warning appears (a minute, less if short)."""
    return max(1.0, min(60.0, idle_timeout / 3))


class PortalSession(asyncssh.SSHServerSession):
    """asyncssh session callbacks; implements :class:`tui.driver.Terminal` for the driver."""

    def __init__(self, connection: PortalConnection) -> None:
        self.connection = connection
        self.server = connection.server
        self.chan: asyncssh.SSHServerChannel[str] | None = None
        self.term = ""
        self.env: Mapping[str, str] = {}
        self.size: tuple[int, int] = (80, 24)
        self.color_system: str | None = "256"
        self.no_color = False
        self.has_pty = False
        self.command: str | None = None
        self.app: LinedeskApp | None = None
        self.driver: ChannelDriver | None = None
        self.pump: InputPump | None = None
        self.task: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.app_errors = 0
        self.last_input = asyncio.get_running_loop().time()
        self.close_reason: str | None = None
        self.close_text: str | None = None
        """A notice already in the user's language (R25 lock, R26 certificate expiry)."""
        self.input_ended = False
        """The client sent EOF (no more keys will come)."""
        self.command_input = CommandInput()
        """Command mode: standard input for the commands that read it."""
        self.recorder: Recorder | None = None
        """R24: the asciicast recording of this session's output (support sessions)."""
        self.shadow = SessionShadow(self)
        """R23: whom this session watches, who watches it (ssh_server/shadow.py)."""
        self.started_at = now_utc()
        self._warned = False
        self._unanswered: float | None = None
        """Loop time of the first input not yet followed by output (``/metrics``)."""

    # -- asyncssh callbacks ------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[str]) -> None:
        self.chan = chan
        chan.set_write_buffer_limits(high=OUTPUT_WATER_HIGH)
        self.connection.sessions.add(self)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Mapping[int, int]) -> bool:
        self.has_pty = True
        self.term = (term_type or "")[:64]
        self.size = clamp_size(term_size[0], term_size[1]) or (80, 24)
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        name = command.strip().split(" ", 1)[0] if command.strip() else ""
        if name in REFUSED_COMMANDS or name.endswith("sftp-server"):
            log.info("refused exec of %r from %s", name[:40], self.connection.source)
            return False
        self.command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        log.info("refused subsystem %r from %s", subsystem[:40], self.connection.source)
        return False

    def session_started(self) -> None:
        self.task = asyncio.create_task(self._run(), name="linedesk-session")
        self.server.sessions.add(self)

    def data_received(self, data: str, datatype: asyncssh.DataType) -> None:
        self.last_input = self.server.last_input = asyncio.get_running_loop().time()
        if self._unanswered is None:
            self._unanswered = self.last_input  # until the next output (/metrics latency)
        self._warned = False
        if self.shadow.input(data):  # R23: keys of a watching support / the user's stop key
            return
        if self.command is not None and self.has_pty:
            echo = self.command_input.feed_tty(data)
            if echo and self.chan is not None and not self.closed.is_set():
                self.write(echo)
        elif self.command is not None:
            self.command_input.feed(data)
        elif self.pump is not None:
            self.pump.put(data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        size = clamp_size(width, height)
        if size is None:
            return
        self.size = size
        if self.recorder is not None:
            self.recorder.resize(*size)
        if self.driver is not None:
            self.driver.resize(*size)
        self.shadow.resized()

    def eof_received(self) -> bool:
        """The client has no more input (``ssh -n``, ``< /dev/null``, ``echo | ssh``): keep the
        channel half open. Returning False would make asyncssh send EOF back at once, and
        the command's output and exit status could then no longer be sent (a hang).
        An interactive session without input has nothing left to wait for: it ends."""
        self.input_ended = True
        self.command_input.end()
        if self.command is None and self.driver is not None:
            self._close_when_drawn()
        return True

    def resume_writing(self) -> None:
        if self.driver is not None:
            self.driver.output_drained()

    def connection_lost(self, exc: Exception | None) -> None:
        self.connection_closed()

    def break_received(self, msec: int) -> bool:
        return False

    # -- Terminal protocol of the driver ----------------------------------------------

    def write(self, data: str) -> None:
        if self.shadow.mirror is not None:  # R23: support watches; its own App is paused
            return
        self.send_out(data)
        if self.shadow.watchers:
            self.shadow.tee(data)

    def send_out(self, data: str) -> None:
        """Bytes to the client (and the recording), whoever drew them."""
        if self.chan is None or self.closed.is_set():
            return
        if self._unanswered is not None:
            now = asyncio.get_running_loop().time()
            self.server.stats.input_latency.observe(now - self._unanswered)
            self._unanswered = None
        if self.recorder is not None:
            self.recorder.output(data)
        try:
            self.chan.write(data)
        except (BrokenPipeError, OSError, asyncssh.Error):
            self.connection_closed()

    def write_buffer_size(self) -> int:
        return self.chan.get_write_buffer_size() if self.chan is not None else 0

    def app_failed(self, error_count: int) -> None:
        if error_count:
            self.app_errors += error_count
            log.error("session app of %s ended with %d error(s)",
                      self.connection.actor.username if self.connection.actor else "?", error_count)

    # -- lifecycle ---------------------------------------------------------------------

    def connection_closed(self) -> None:
        """The client went away (or the channel closed): end the App and everything else."""
        if self.closed.is_set():
            return
        self.closed.set()
        self.command_input.abort()
        self.shadow.end_all()
        if self.app is not None:
            self.app.exit()

    def close(self, message_key: str | None = None) -> None:
        """End the session from the server side (idle timeout, shutdown)."""
        if message_key is not None:
            self.close_reason = message_key
        if self.app is not None:
            self.app.exit()
        elif self.chan is not None and not self.closed.is_set():
            self._finish(0)

    def end_with_notice(self, key: str, **params: str) -> None:
        """End the session from the server side with a notice in the session's language
        (R25 lock, R26 certificate expiry): the App exits (the notice follows on the
        restored screen); a running command is stopped and the notice is its last line."""
        if self.closed.is_set() or self.close_text is not None:
            return
        actor = self.app.actor if self.app is not None else self.connection.actor
        self.close_text = t(actor.locale if actor else "de", key, **params)
        if self.app is not None:
            self.app.exit()
            return
        self._finish(1, self.close_text)
        if self.task is not None and self.command is not None:
            self.task.cancel()

    def _finish(self, status: int, stderr: str = "") -> None:
        chan = self.chan
        if chan is None or self.closed.is_set():
            return
        try:
            if stderr:
                line = stderr if stderr.endswith("\n") else stderr + "\r\n"
                if self.recorder is not None:  # R24: a command's stderr (the interactive
                    self.recorder.output(line)  # recording has ended by now)
                chan.write_stderr(line)
            chan.exit(status)
        except (BrokenPipeError, OSError, asyncssh.Error):
            pass
        self.closed.set()

    async def _run(self) -> None:
        try:
            await self.connection.ready.wait()
            actor = self.connection.actor
            if actor is None or self.closed.is_set():
                self._finish(1, self.connection.refusal or "")
                return
            hold = await self.server.limits.hold_session(actor.account_id)
            cluster = self.server.cluster
            counted = None if hold is None or cluster is None else await cluster.claim(
                actor.account_id)  # across nodes (ssh_server.metrics.ClusterSessions)
            if hold is not None and cluster is not None and counted is None:
                hold.release()
                hold = None
            if hold is None:
                self._finish(1, t(actor.locale, "ssh.too_many_sessions", user=actor.username,
                                  limit=self.server.limits.max_sessions_per_user))
                return
            if self.closed.is_set():  # gone while the supervisor was asked
                hold.release()
                if cluster is not None and counted:
                    cluster.release(counted)
                return
            try:
                if self.command is not None:
                    await self._record_command_access(actor)
                    await self._run_command(actor, self.command)
                elif not self.has_pty:
                    self._finish(2, t(actor.locale, "ssh.no_pty"))
                else:
                    await self.server.core.run(auth_service.record_login, actor)
                    if not self.closed.is_set():  # gone meanwhile: no App for nobody
                        await self._run_app(actor)
            finally:
                hold.release()
                if cluster is not None and counted:
                    cluster.release(counted)
        except Exception:
            log.exception("session failed")
            self._finish(1)
        finally:
            self.connection.sessions.discard(self)
            self.server.sessions.discard(self)
            self.server.session_ended()

    async def _record_command_access(self, actor: Actor) -> None:
        """Not a sign-in per call: the first command of the day per account, key and source
        is one Archiv entry (a cron job would flood it otherwise)."""
        core = self.server.core
        if not await core.read(auth_service.command_access_recorded, actor):
            await core.run(auth_service.record_command_access, actor)

    async def _run_command(self, actor: Actor, command: str) -> None:
        try:
            from ssh_server import commands
            execute = commands.execute
        except (ImportError, AttributeError):
            self._finish(2, t(actor.locale, "ssh.commands_unavailable"))
            return
        recorder = None
        if should_record(self.server.settings, actor):  # R24: stdout and stderr, as sent
            recorder = self.recorder = CommandRecorder(
                self.server.core, actor, self.connection.session_id,
                commands.recorded_command_line(command))
        async def read_stdin() -> str:
            if self.has_pty and not self.command_input.finished and self.chan is not None:
                # ssh -t: a person at a raw terminal, not a file; say how input ends
                with contextlib.suppress(BrokenPipeError, OSError, asyncssh.Error):
                    self.chan.write_stderr(t(actor.locale, "cmd.stdin.tty_hint") + "\r\n")
            return await self.command_input.read()

        try:
            result = await execute(self.server.core, actor, command, stdin=read_stdin,
                                   on_acting=recorder.acting if recorder else None)
            if self.chan is not None and not self.closed.is_set():
                stdout, stderr = result.stdout, result.stderr
                if self.has_pty:  # a raw terminal: a line feed alone would not return
                    stdout, stderr = _crlf(stdout), _crlf(stderr)
                if stdout:
                    self.write(stdout)
                self._finish(result.exit_code, stderr)
        finally:
            if recorder is not None:  # also when the command was ended (R25, R26)
                self.recorder = None
                await asyncio.shield(recorder.close())

    async def _run_app(self, actor: Actor) -> None:
        from tui.app import LinedeskApp

        assert self.chan is not None
        self.env = dict(self.chan.get_environment())
        self.color_system = color_system_for(self.term, self.env)
        self.no_color = "NO_COLOR" in self.env
        app = LinedeskApp(
            self.server.core, actor, served=self,
            driver_class=channel_driver_class(self, on_ready=self._driver_ready),
        )
        self.app = app
        if should_record(self.server.settings, actor):
            self.recorder = Recorder(self.server.core, actor, self.connection.session_id,
                                     self.size, term=self.term, actor_now=lambda: app.actor)
        chan = self.chan
        self.pump = InputPump(self._feed, pause=chan.pause_reading, resume=chan.resume_reading)
        idle = asyncio.create_task(self._watch_idle(), name="linedesk-idle")
        app_task = asyncio.create_task(app.run_async(size=self.size), name="linedesk-app")
        try:
            await asyncio.shield(app_task)
        except asyncio.CancelledError:
            app.exit()
            await _wait_or_cancel(app_task, APP_STOP_GRACE)
            raise
        finally:
            self.shadow.end_all()
            idle.cancel()
            await _wait_or_cancel(idle, 1.0)
            await self.pump.close()
            self.pump = None
            self.driver = None
            self.app = None
            if self.recorder is not None:
                await self.recorder.close()
                self.recorder = None
        reason = self.close_reason
        message = self.close_text or (t(actor.locale, reason) if reason else "")
        if self.app_errors:
            message = t(actor.locale, "ssh.session_failed")
        # ended by the server with a notice (R25 lock, R26 certificate expiry) is an
        # abnormal end like a failure: exit 1, which OpenSSH's ssh returns to the shell
        failed = bool(self.app_errors or self.close_text)
        self._finish(1 if failed else 0, message)

    def _driver_ready(self, driver: ChannelDriver) -> None:
        self.driver = driver
        if self.pump is not None:
            self.pump.start()
        self.server.session_started()
        if self.input_ended:
            self._close_when_drawn()

    def _close_when_drawn(self) -> None:
        """End the App once it has composed its first screen (exiting in the middle of the
        compose fails in Textual)."""
        if self.app is not None:
            self.app.call_after_refresh(self.close)

    def _feed(self, data: str) -> None:
        if self.driver is not None:
            self.driver.feed(data)

    async def _watch_idle(self) -> None:
        loop = asyncio.get_running_loop()
        timeout = float(self.server.settings.idle_timeout)
        if timeout <= 0:
            return
        warn_before = idle_warning_seconds(timeout)
        while not self.closed.is_set():
            idle_for = loop.time() - self.last_input
            if idle_for >= timeout:
                self.close("ssh.idle_closed")
                return
            if idle_for >= timeout - warn_before and not self._warned and self.app is not None:
                self._warned = True
                seconds = max(1, round(timeout - idle_for))
                self.app.notify(self.app.t("ui.session.idle_warning", seconds=seconds),
                                severity="warning", timeout=warn_before)
                await asyncio.sleep(max(0.05, timeout - idle_for))
                continue
            wait = timeout - warn_before - idle_for if not self._warned else timeout - idle_for
            await asyncio.sleep(max(0.05, wait))

    def notify_shutdown(self, *, restart: bool = False) -> None:
        if self.app is not None:
            key = "ui.session.restart" if restart else "ui.session.shutdown"
            self.app.notify(self.app.t(key), severity="warning", timeout=30)


async def _wait_or_cancel(task: asyncio.Task[Any], timeout: float) -> None:
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout)
    except (TimeoutError, asyncio.CancelledError):
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass
    except Exception:
        pass
