"""Process-per-session baseline: an asyncssh server that, like OpenSSH, spawns one
``linedesk tui`` process on a fresh PTY per interactive session (same password auth)."""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import signal
import struct
import sys
import termios
from pathlib import Path

import asyncssh

from core.config import Settings
from core.runtime import Core
from core.services.auth import authenticate_password

HOST = "127.0.0.1"


class PtySession(asyncssh.SSHServerSession[bytes]):
    def __init__(self, server: BaselineServer) -> None:
        self.server = server
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.master: int | None = None
        self.proc: asyncio.subprocess.Process | None = None
        self.size = (80, 24)
        self.term = "xterm-256color"

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: asyncssh.TermModes) -> bool:
        self.term = term_type or self.term
        self.size = (term_size[0] or 80, term_size[1] or 24)
        return True

    def shell_requested(self) -> bool:
        asyncio.get_running_loop().create_task(self._spawn())
        return True

    async def _spawn(self) -> None:
        assert self.chan is not None
        master, slave = os.openpty()
        fcntl.ioctl(
            slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.size[1], self.size[0], 0, 0)
        )
        env = {
            **os.environ, "TERM": self.term, "BENCH_USER": self.chan.get_extra_info("username"),
            "BENCH_PASSWORD": self.server.passwords.pop(self.chan.get_connection(), ""),
            "LINEDESK_DATA_DIR": str(self.server.data_dir),
        }
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.baseline_child", stdin=slave, stdout=slave, stderr=slave,
            env=env, start_new_session=True,
        )
        os.close(slave)
        self.master = master
        os.set_blocking(master, False)
        loop = asyncio.get_running_loop()
        loop.add_reader(master, self._pty_output)
        await self.proc.wait()
        self._close()

    def _pty_output(self) -> None:
        assert self.master is not None and self.chan is not None
        try:
            data = os.read(self.master, 65536)
        except OSError:
            data = b""
        if not data:
            self._close()
            return
        self.chan.write(data)

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        if self.master is not None:
            try:
                os.write(self.master, data)
            except OSError:
                pass

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.master is not None:
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    def _close(self) -> None:
        if self.master is not None:
            asyncio.get_running_loop().remove_reader(self.master)
            os.close(self.master)
            self.master = None
        if self.chan is not None:
            self.chan.exit(0)
            self.chan = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.proc is not None and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        self._close()


class BaselineServer(asyncssh.SSHServer):
    core: Core
    data_dir: Path
    passwords: dict[object, str]

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        result = await authenticate_password(self.core, username=username, password=password,
                                             source="bench")
        if result.actor is None:
            return False
        # the child logs in again with it, as a login shell would re-check nothing; bench only
        self.passwords[self.conn] = password
        return True

    def session_requested(self) -> PtySession:
        return PtySession(self)


async def serve(data_dir: Path, port: int, ready: asyncio.Event | None = None) -> None:
    core = Core(Settings.from_env(data_dir=data_dir))
    key_path = data_dir / "baseline_host_key"
    if not key_path.exists():
        asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(key_path))
    passwords: dict[object, str] = {}

    def factory() -> BaselineServer:
        server = BaselineServer()
        server.core, server.data_dir, server.passwords = core, data_dir, passwords
        return server

    acceptor = await asyncssh.create_server(
        factory, HOST, port, server_host_keys=[str(key_path)], line_editor=False, encoding=None,
    )
    print(f"baseline listening on {acceptor.sockets[0].getsockname()[1]}", flush=True)
    if ready:
        ready.set()
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=2223)
    args = parser.parse_args()
    asyncio.run(serve(args.data_dir, args.port))


if __name__ == "__main__":
    main()
