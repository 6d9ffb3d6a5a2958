"""Load client: N interactive SSH sessions against a linedesk-compatible server.

Each session logs in with a PTY, waits for the first full frame (the customer name on
screen), opens the number dashboard (key ``2``) and then either idles or, for a fraction
of the sessions, types at human rates (arrow keys, now and then filter text). It measures
time to first frame, keystroke→screen-update latency (time until the first output after a
key), and failures. Bounded in count and time; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import asyncssh
import pyte

HOST = "127.0.0.1"  # never anything else: load stays on this machine
WALK_ROWS = 10
"""Typing sessions move the cursor between the dashboard's first rows (the demo customer has 13)."""


@dataclass
class SessionStats:
    first_frame_ms: float | None = None
    dashboard_ms: float | None = None
    key_latencies_ms: list[float] = field(default_factory=list)
    error: str | None = None


@dataclass
class RunResult:
    sessions: int
    typing: int
    ok: int
    failures: int
    first_frame_ms: dict[str, float]
    key_ms: dict[str, float]
    keystrokes: int
    errors: list[str]


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "max": round(ordered[-1], 1)}


class Terminal(asyncssh.SSHClientSession[str]):
    """Signals each output chunk; feeds a pyte screen only for sessions that type.

    Waiting for a frame does not need pyte: the markers (customer name, "+49") are written
    as one run of text, so they are found in the raw output. That keeps the client's own
    CPU — which shares the two cores with the servers under test — out of the latencies."""

    def __init__(self, cols: int, rows: int, *, parse: bool) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.parse = parse
        self.output = asyncio.Event()
        self.closed = asyncio.Event()
        self.chunks = 0
        self.raw_tail = ""
        self.raw_seen: set[str] = set()
        self.watch: tuple[str, ...] = ()

    def data_received(self, data: str, datatype: asyncssh.DataType) -> None:
        if self.parse:
            self.stream.feed(data)
        if self.watch:
            window = self.raw_tail + data
            self.raw_seen.update(needle for needle in self.watch if needle in window)
            self.raw_tail = window[-64:]
        self.chunks += 1
        self.output.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()
        self.output.set()

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def wait_for(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.raw_seen and not (self.parse and needle in self.text()):
            if self.closed.is_set():
                raise ConnectionError("session closed")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{needle!r} not on screen")
            self.output.clear()
            try:
                await asyncio.wait_for(self.output.wait(), remaining)
            except TimeoutError:
                pass


async def one_session(
    port: int, user: str, password: str, *, typing: bool, hold: float, start_gate: asyncio.Event,
    marker: str, cols: int, rows: int, key_interval: float, dashboard: bool = True,
    ready: Callable[[], None] = lambda: None, all_ready: asyncio.Event | None = None,
) -> SessionStats:
    stats = SessionStats()
    await start_gate.wait()
    t0 = time.perf_counter()
    try:
        async with asyncssh.connect(
            HOST, port, username=user, password=password, known_hosts=None,
            client_keys=None, agent_path=None, connect_timeout=60,
        ) as conn:
            chan, term = await conn.create_session(
                lambda: Terminal(cols, rows, parse=typing), term_type="xterm-256color",
                term_size=(cols, rows), encoding="utf-8", errors="replace",
            )
            term.watch = (marker, "+49")
            await term.wait_for(marker, 60)
            stats.first_frame_ms = (time.perf_counter() - t0) * 1000
            if dashboard or typing:
                t1 = time.perf_counter()
                chan.write("2")
                await term.wait_for("+49", 60)
                stats.dashboard_ms = (time.perf_counter() - t1) * 1000
            term.watch = ()
            ready()
            if all_ready is not None:
                await all_ready.wait()
            end = time.monotonic() + hold
            rnd = random.Random()
            row = 0
            while time.monotonic() < end and not term.closed.is_set():
                if not typing:
                    await asyncio.sleep(min(1.0, max(0.0, end - time.monotonic())))
                    continue
                await asyncio.sleep(key_interval * rnd.uniform(0.6, 1.4))
                # a random walk over the first rows: every key moves the cursor, so every
                # key must change the screen (up on the first row would wait for nothing)
                down = row == 0 or (row < WALK_ROWS and rnd.random() < 0.6)
                row += 1 if down else -1
                key = "\x1b[B" if down else "\x1b[A"
                term.output.clear()
                k0 = time.perf_counter()
                chan.write(key)
                try:
                    await asyncio.wait_for(term.output.wait(), 10)
                    stats.key_latencies_ms.append((time.perf_counter() - k0) * 1000)
                except TimeoutError:
                    stats.key_latencies_ms.append(10_000.0)
            chan.close()
    except Exception as exc:  # a failure is a result, not a crash of the benchmark
        stats.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        ready()  # idempotent; a failed session must not hold the others at the barrier
    return stats


async def run_load(
    port: int, *, sessions: int, typing_fraction: float, hold: float, user: str, password: str,
    marker: str = "Muster GmbH", cols: int = 120, rows: int = 40, ramp: float = 0.0,
    key_interval: float = 0.25, dashboard: bool = True,
    on_all_ready: Callable[[], None] = lambda: None,
) -> RunResult:
    """Open ``sessions`` at once (or spread over ``ramp`` seconds); once every session shows
    its dashboard (or failed), ``on_all_ready`` runs and they are held for ``hold`` seconds,
    the typing ones typing."""
    gate = asyncio.Event()
    all_ready = asyncio.Event()
    arrived: set[int] = set()
    n_typing = round(sessions * typing_fraction)

    def ready(i: int) -> None:
        arrived.add(i)
        if len(arrived) == sessions and not all_ready.is_set():
            on_all_ready()
            all_ready.set()

    async def launch(i: int) -> SessionStats:
        if ramp:
            await asyncio.sleep(ramp * i / max(1, sessions))
        return await one_session(
            port, user, password, typing=i < n_typing, hold=hold, start_gate=gate, marker=marker,
            cols=cols, rows=rows, key_interval=key_interval, dashboard=dashboard,
            ready=lambda: ready(i), all_ready=all_ready,
        )

    tasks = [asyncio.create_task(launch(i)) for i in range(sessions)]
    gate.set()
    results = await asyncio.gather(*tasks)
    ok = [r for r in results if r.error is None]
    first = [r.first_frame_ms for r in results if r.first_frame_ms is not None]
    keys = [k for r in results for k in r.key_latencies_ms]
    return RunResult(
        sessions=sessions, typing=n_typing, ok=len(ok), failures=len(results) - len(ok),
        first_frame_ms=percentiles(first), key_ms=percentiles(keys), keystrokes=len(keys),
        errors=sorted({r.error for r in results if r.error})[:5],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--typing", type=float, default=0.1, help="fraction of typing sessions")
    parser.add_argument("--hold", type=float, default=15.0, help="seconds to keep sessions open")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin-demo")
    args = parser.parse_args()
    result = asyncio.run(run_load(args.port, sessions=args.sessions, typing_fraction=args.typing,
                                  hold=args.hold, user=args.user, password=args.password))
    print(json.dumps(asdict(result), indent=2))
    print(f"first frame p95 {result.first_frame_ms['p95']} ms, keystroke p99 "
          f"{result.key_ms['p99']} ms, "
          f"failures {result.failures}/{result.sessions}")


if __name__ == "__main__":
    main()
