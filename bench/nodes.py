"""Three nodes on one PostgreSQL: how fast a change made on node A shows on node C.

Starts a throwaway PostgreSQL (``tests/pg.py``; or ``LINEDESK_TEST_PG_URL``), one fresh
database, and three ``linedesk serve --workers 1`` processes on free loopback ports sharing
it (and one secret key), node A first with ``--demo``. An ``admin`` session on node C shows
the number dashboard; one ``admin`` SSH connection to node A runs, alternately,
``numbers deactivate 030 123456101 --yes`` and ``numbers undo-deactivation 030 123456101``
in command mode. Per change it records:

- ``after_commit``: from the command's return (its unit of work committed on A) until the
  row on C's screen (pyte, polled every 5 ms) shows the change: NOTIFY → LISTEN on C →
  the dashboard's re-fetch → redraw → SSH → terminal;
- ``end_to_end``: from sending the command to A until C shows it.

    .venv/bin/python -m bench.nodes                 # 50 changes
    .venv/bin/python -m bench.nodes --changes 20 --json

Talks to 127.0.0.1 only; bounded by ``--timeout`` seconds per change.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from tests.e2e.harness import Term, interactive_session

HOST = "127.0.0.1"
NUMBER = "030 123456101"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    name: str
    port: int
    proc: asyncio.subprocess.Process
    log: Path


@dataclass
class Result:
    changes: int
    after_commit: list[float] = field(default_factory=list)
    end_to_end: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        def p(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

        out: dict[str, float] = {"changes": float(self.changes)}
        for name, values in (("after_commit", self.after_commit),
                             ("end_to_end", self.end_to_end)):
            if values:
                out[f"{name}_p50_ms"] = round(statistics.median(values) * 1000, 1)
                out[f"{name}_p95_ms"] = round(p(values, 0.95) * 1000, 1)
                out[f"{name}_max_ms"] = round(max(values) * 1000, 1)
        return out


async def _listening(node: Node, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _r, writer = await asyncio.open_connection(HOST, node.port)
            writer.close()
            return
        except OSError:
            if node.proc.returncode is not None or loop.time() > deadline:
                raise RuntimeError(f"node {node.name} did not start:\n"
                                   f"{node.log.read_text(errors='replace')}") from None
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def three_nodes(workdir: Path, database_url: str, *, names: str = "abc",
                      extra_env: dict[str, str] | None = None,
                      key: str | None = None) -> AsyncIterator[list[Node]]:
    """``linedesk serve --workers 1`` per name on one database; the first one seeds the demo.
    ``key``: the shared secret key (base64 of 32 bytes; random when not given)."""
    key = key or base64.b64encode(secrets.token_bytes(32)).decode()
    nodes: list[Node] = []
    try:
        for index, name in enumerate(names):
            port = free_port()
            log = workdir / f"node-{name}.log"
            env = {**os.environ, "LINEDESK_SECRET_KEY": key, "LINEDESK_NODE_NAME": f"node-{name}",
                   **(extra_env or {})}
            with log.open("wb") as fh:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", "from ssh_server.cli import main; main()",
                    "--data-dir", str(workdir / f"data-{name}"), "--database-url", database_url,
                    "serve", "--port", str(port), "--workers", "1",
                    *(["--demo"] if index == 0 else []),
                    stdout=fh, stderr=fh, env=env, cwd=str(ROOT))
            nodes.append(Node(name, port, proc, log))
            if index == 0:
                await _listening(nodes[0], 90)  # migrated and seeded before the others
        for node in nodes[1:]:
            await _listening(node, 90)
        yield nodes
    finally:
        for node in nodes:
            if node.proc.returncode is None:
                node.proc.terminate()
        for node in nodes:
            try:
                await asyncio.wait_for(node.proc.wait(), 30)
            except TimeoutError:
                node.proc.kill()
                await node.proc.wait()


def _row(term: Term) -> str:
    return next((line for line in term.text().splitlines() if NUMBER in line), "")


async def _until_row(term: Term, marked: bool, timeout: float) -> float:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        line = _row(term)
        if line and (("vorgemerkt" in line) == marked):
            return time.perf_counter()
        if loop.time() > deadline:
            raise AssertionError(f"change not shown within {timeout}s:\n{term.text()}")
        await asyncio.sleep(0.005)


async def measure(nodes: list[Node], changes: int, *, timeout: float = 10.0) -> Result:
    """``changes`` changes through the first node, watched on the last one's dashboard."""
    result = Result(changes)
    first, last = nodes[0], nodes[-1]
    async with interactive_session(last.port, "admin", "admin-demo", cols=140, rows=40) as term:
        await term.wait_for("Muster GmbH", timeout=30)
        await term.press("2")
        await _until_row(term, marked=False, timeout=30)
        conn = await asyncssh.connect(HOST, first.port, username="admin", password="admin-demo",
                                      known_hosts=None, agent_path=None, config=None,
                                      preferred_auth="password")
        async with conn:
            for i in range(changes):
                marked = i % 2 == 0
                command = (f'numbers deactivate "{NUMBER}" --yes' if marked
                           else f'numbers undo-deactivation "{NUMBER}"')
                sent = time.perf_counter()
                done = await asyncio.wait_for(conn.run(command, check=False), timeout)
                committed = time.perf_counter()
                if done.exit_status != 0:
                    raise AssertionError(f"{command}: exit {done.exit_status}: {done.stderr!r}")
                shown = await _until_row(term, marked, timeout)
                result.after_commit.append(max(0.0, shown - committed))
                result.end_to_end.append(shown - sent)
    return result


async def _main(args: argparse.Namespace) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from tests.pg import create_database, postgres_server

    with postgres_server() as server, tempfile.TemporaryDirectory() as tmp:
        if server is None:
            raise SystemExit("PostgreSQL is not installed")
        url = await create_database(server)
        async with three_nodes(Path(tmp), url) as nodes:
            result = await measure(nodes, args.changes, timeout=args.timeout)
        return result.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = asyncio.run(_main(args))
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
