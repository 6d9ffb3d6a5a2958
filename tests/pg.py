"""A throwaway PostgreSQL server for tests (skipped when no PostgreSQL is installed).

``LINEDESK_TEST_PG_URL`` (``postgresql+asyncpg://user@host:port``) points at an existing
server; otherwise the installed ``postgres`` binaries start one in a temp dir on a free
loopback port, run as the ``postgres`` system user when the tests run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(candidates[-1]).parent if candidates else None


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """Yield a server URL without database name, or None when PostgreSQL is unavailable."""
    if os.environ.get("LINEDESK_TEST_PG_URL"):
        yield os.environ["LINEDESK_TEST_PG_URL"].rstrip("/")
        return
    bindir = _bindir()
    if bindir is None:
        yield None
        return
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    # Not under pytest's tmp dir: that one is 0700 and the postgres user could not enter it.
    workdir = Path(tempfile.mkdtemp(prefix="linedesk-pg-"))
    data = workdir / "pgdata"
    data.mkdir(parents=True)
    if as_root:
        shutil.chown(workdir, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    proc = subprocess.Popen(
        [*prefix, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
         "-k", str(data), "-c", "fsync=off", "-c", "max_connections=200"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        time.sleep(0.3)
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


async def create_database(server_url: str) -> str:
    """A fresh database on the server; returns its SQLAlchemy URL."""
    import asyncpg

    name = f"t_{uuid.uuid4().hex[:12]}"
    dsn = server_url.replace("postgresql+asyncpg://", "postgresql://") + "/postgres"
    for _ in range(50):
        try:
            conn = await asyncpg.connect(dsn)
            break
        except (OSError, asyncpg.PostgresError):
            import asyncio

            await asyncio.sleep(0.2)
    else:
        raise RuntimeError("PostgreSQL did not come up")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{server_url}/{name}"
