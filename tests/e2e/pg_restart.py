"""A throwaway PostgreSQL server that a test can stop and start again (a restart of the
database under running nodes: issue 16). Like :mod:`tests.pg`, but driven with ``pg_ctl``
(``-m fast``: open connections are cut, as in a real restart) on its own data dir and port.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.pg import _bindir, _free_port


@dataclass
class RestartablePostgres:
    bindir: Path
    data: Path
    port: int
    prefix: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (f"-p {self.port} -h 127.0.0.1 -k {self.data} -c fsync=off "
                   "-c max_connections=200")
        self._ctl("-w", "-t", "50", "-o", options, "-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        """A fast shutdown: every client connection is terminated."""
        self._ctl("-w", "-t", "50", "-m", "fast", "stop")


@contextmanager
def restartable_postgres() -> Iterator[RestartablePostgres | None]:
    """None when PostgreSQL is not installed (or ``LINEDESK_TEST_PG_URL`` points at a
    server this test must not restart)."""
    bindir = _bindir()
    if bindir is None or os.environ.get("LINEDESK_TEST_PG_URL"):
        yield None
        return
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    workdir = Path(tempfile.mkdtemp(prefix="linedesk-pgr-"))
    data = workdir / "pgdata"
    data.mkdir()
    if as_root:
        shutil.chown(workdir, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                    "-U", "postgres", "--no-sync"], check=True, capture_output=True)
    server = RestartablePostgres(bindir, data, _free_port(), prefix)
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(workdir, ignore_errors=True)
