"""Isolation under hostile input: one attacking session, one observer, one worker.

Starts ``linedesk serve --workers 1 --demo`` on a free loopback port, logs in an observer
(``admin``, on the number dashboard) that presses ↓/↑ every ``--probe`` seconds and times
each key to the first screen output, and for every attack case a fresh attacker session
(``mia``, an employee) that sends the case's bytes in one write and then Ctrl+Q until its
session ends (which happens only once all input before it was handled: the case's seconds).
Per case it records the observer's key→frame p50/p99/max meanwhile, the server's RSS
growth (peak during the case − before it), whether a new login still reaches its first
frame (and how fast), and tracebacks/errors in the server log.

    .venv/bin/python -m bench.isolation                    # every case, fuzzer 100,000 cases
    .venv/bin/python -m bench.isolation --fuzz 1000000     # the long fuzzer run (~10^6)
    .venv/bin/python -m bench.isolation --cases osc_1m,random_256k --json

Talks to 127.0.0.1 only; every case is bounded by ``--case-timeout`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import cast

import asyncssh

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
CTRL_Q = 0x11
"""Left out of the attacks: it would simply end the attacker's session."""
QUIT = b"\x1b[201~" + bytes([CTRL_Q])
"""Ends a paste the attack left open (or is dropped as an unknown sequence), then Ctrl+Q."""


# -- attack payloads ------------------------------------------------------------------------

def _no_quit(data: bytes) -> bytes:
    return data.replace(bytes([CTRL_Q]), b"q").replace(b"113;5u", b"114;5u")


BROKEN_ESCAPES: list[bytes] = [
    b"\x1b[", b"\x1b[1;", b"\x1b[999999999999999999999;99999999999999999H", b"\x1b[?",
    b"\x1b[?2026$", b"\x1b[<", b"\x1b[<0;", b"\x1b[<0;-1;-1M", b"\x1b[<99999999;1;1M",
    b"\x1b[M", b"\x1b[M\xff\xff", b"\x1b[48;", b"\x1b[48;0;0;0;0t", b"\x1b[48;1:2:3;4t",
    b"\x1b[:u", b"\x1b[1;:u", b"\x1b[::::;;u", b"\x1b[200~", b"\x1b[201~", b"\x1b]0;",
    b"\x1b]11;rgb:", b"\x1bP", b"\x1bP1$r", b"\x1b_G", b"\x1b^", b"\x1bX", b"\x1bO",
    b"\x1b\x1b\x1b[",
]
"""28 kinds of broken escape sequences (each repeated to a few KB)."""


def cases() -> dict[str, Callable[[random.Random], bytes]]:
    """name → payload (bytes sent by the attacker in one write)."""
    return {
        "no_attack": lambda rnd: b"",  # the control: the observer's figures without an attack
        "random_256k": lambda rnd: _no_quit(rnd.randbytes(256 * 1024)),
        "broken_escapes": lambda rnd: b"".join(
            (seq + b"x") * (4096 // (len(seq) + 1)) for seq in BROKEN_ESCAPES),
        "osc_1m": lambda rnd: b"\x1b]0;" + b"A" * (1024 * 1024),
        "csi_flood": lambda rnd: b"\x1b[" * 5000,
        "ss3_flood": lambda rnd: b"\x1bO" * 5000,
        "esc_flood": lambda rnd: b"\x1b" * 10000,
        "nul_flood": lambda rnd: b"\x00" * 10000,
        "bad_utf8_flood": lambda rnd: b"\xff\xfe\xc3\x28\xe2\x82" * 1667,
        "filter_20k": lambda rnd: b"2/" + b"x" * 20000,
        "paste_100k": lambda rnd: b"2/\x1b[200~" + b"y" * 100_000 + b"\x1b[201~",
    }


def fuzz_case(rnd: random.Random) -> bytes:
    """One case of the input grammar (CSI/OSC/DCS/APC/SS3/mouse/paste/UTF-8/random)."""
    kind = rnd.randrange(12)
    digits = lambda: str(rnd.choice([0, 1, 2, 9, 48, 200, 201, 2026, 65535, 2**31, 10**20]))  # noqa: E731
    if kind == 0:  # CSI with random parameters, maybe without a final byte
        params = ";:".join(digits() for _ in range(rnd.randrange(6)))
        prefix = rnd.choice(["", "?", "<", ">", "=", "1;"])
        final = rnd.choice(["", "~", "u", "A", "M", "m", "t", "R", "$y", "Z", "\x7f"])
        return f"\x1b[{prefix}{params}{final}".encode()
    if kind == 1:  # OSC, terminated by BEL / ST or not at all
        body = rnd.choice(["0;title", "11;rgb:ffff/0000/0000", "52;c;" + "QUFB" * 20, "8;;x"])
        return f"\x1b]{body}{rnd.choice(['', chr(7), chr(27) + chr(92)])}".encode()
    if kind == 2:  # DCS / APC / PM / SOS strings
        intro = rnd.choice(["P", "_", "^", "X"])
        return f"\x1b{intro}{rnd.choice(['1$r', 'Gi=1;', 'q', ''])}x" \
               f"{rnd.choice(['', chr(27) + chr(92)])}".encode()
    if kind == 3:  # SS3
        return b"\x1bO" + bytes([rnd.randrange(0x20, 0x7f)])
    if kind == 4:  # SGR mouse, also absurd or negative coordinates
        return f"\x1b[<{digits()};{rnd.choice(['-5', '0', '1', digits()])};{digits()}" \
               f"{rnd.choice('Mm')}".encode()
    if kind == 5:  # X10 mouse
        return b"\x1b[M" + bytes(rnd.randrange(256) for _ in range(3))
    if kind == 6:  # bracketed paste: short, unterminated, nested, with escapes inside
        pasted = rnd.choice([b"text", b"a\x1b[31mb", b"\x1b[200~x", b"c\x1bd", b"\r\n\t"])
        return b"\x1b[200~" + pasted + rnd.choice([b"\x1b[201~", b"", b"\x1b[201"])
    if kind == 7:  # UTF-8 edge cases (overlong, surrogates, max, BOM, bidi, wide, combining)
        return rnd.choice([
            b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x8f\xbf\xbf", b"\xf4\x90\x80\x80",
            b"\xef\xbb\xbf", "\u202e\u2066".encode(), "你好".encode(), "e\u0301\u0301".encode(),
            "\U0001f600".encode(), b"\xc3", b"\x80\x80", "\u200b\ufeff".encode(),
        ])
    if kind == 8:  # C0 / C1 controls
        return _no_quit(bytes(rnd.choice([*range(0x20), 0x7f])
                              for _ in range(rnd.randrange(1, 4))))
    if kind == 9:  # 8-bit C1 (as UTF-8 code points) incl. CSI/OSC/DCS introducers
        return rnd.choice(["\x9b1;2H", "\x9d0;t\x07", "\x90q\x9c", "\x9b", "\x85"]).encode()
    if kind == 10:  # in-band resize / focus / mode reports
        return rnd.choice([b"\x1b[48;40;100;800;1000t", b"\x1b[I", b"\x1b[O",
                           b"\x1b[?2026;1$y", b"\x1b[48;0;0;0;0t", b"\x1b[12;40R"])
    return _no_quit(rnd.randbytes(rnd.randrange(1, 16)))


def fuzz_batches(count: int, seed: int, batch_bytes: int = 64 * 1024) -> Iterator[bytes]:
    rnd = random.Random(seed)
    batch: list[bytes] = []
    size = 0
    for _ in range(count):
        case = fuzz_case(rnd)
        batch.append(case)
        size += len(case)
        if size >= batch_bytes:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)


# -- the server -----------------------------------------------------------------------------

def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    proc: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def problems(self) -> list[str]:
        """Tracebacks and ERROR lines in the server's log."""
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if "Traceback" in line or " ERROR " in line]


@contextlib.asynccontextmanager
async def server(data_dir: Path) -> AsyncIterator[Server]:
    port = free_port()
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ssh_server.cli", "--data-dir", str(data_dir / "data"),
            "serve", "--host", HOST, "--port", str(port), "--demo", "--workers", "1",
            cwd=ROOT, stdout=out, stderr=out, env={**os.environ, "LINEDESK_IDLE_TIMEOUT": "600"},
        )
    srv = Server(proc, port, log)
    try:
        deadline = time.monotonic() + 90
        while "listening" not in log.read_text(errors="replace"):
            if proc.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + log.read_text(errors="replace"))
            await asyncio.sleep(0.2)
        yield srv
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


# -- clients --------------------------------------------------------------------------------

class Screen(asyncssh.SSHClientSession[bytes]):
    """Counts output and remembers the last few KB (for "is X on screen yet")."""

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.tail = b""
        self.chunks = 0
        self.closed = asyncio.Event()

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self.tail = (self.tail + data)[-65536:]
        self.chunks += 1
        self.changed.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()
        self.changed.set()

    async def wait_for(self, needle: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.tail:
            if self.closed.is_set() or time.monotonic() > deadline:
                raise TimeoutError(f"{needle!r} not seen")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 0.2)


@dataclass
class Client:
    conn: asyncssh.SSHClientConnection
    chan: asyncssh.SSHClientChannel[bytes]
    screen: Screen

    def close(self) -> None:
        self.conn.close()


async def login(port: int, user: str, password: str, timeout: float = 30) -> tuple[Client, float]:
    """A PTY session (120×40) up to its first frame; returns it and the time it took."""
    start = time.monotonic()
    conn = await asyncssh.connect(HOST, port, username=user, password=password,
                                  known_hosts=None, agent_path=None, config=None,
                                  preferred_auth="password")
    chan, session = await conn.create_session(Screen, term_type="xterm-256color",
                                              term_size=(120, 40), encoding=None)
    screen = cast(Screen, session)
    await screen.wait_for(b"Muster GmbH", timeout)
    return Client(conn, chan, screen), time.monotonic() - start


class Observer:
    """Presses ↓/↑ on the dashboard and times each key to the first output after it."""

    def __init__(self, client: Client, interval: float) -> None:
        self.client = client
        self.interval = interval
        self.samples: list[float] = []
        self.timeouts = 0
        self._task: asyncio.Task[None] | None = None
        self._sent: float | None = None

    async def idle(self, timeout: float) -> None:
        """Wait (bounded) until no key is waiting for its frame."""
        deadline = time.monotonic() + max(0.0, timeout)
        await poll(lambda: self._sent is None or time.monotonic() >= deadline)

    async def _run(self) -> None:
        screen = self.client.screen
        down = True
        while True:
            screen.changed.clear()
            before = screen.chunks
            start = self._sent = time.monotonic()
            self.client.chan.write(b"\x1b[B" if down else b"\x1b[A")
            down = not down
            try:
                while screen.chunks == before:
                    await asyncio.wait_for(screen.changed.wait(), 5)
                    screen.changed.clear()
                self.samples.append((time.monotonic() - start) * 1000)
                self._sent = None
            except TimeoutError:
                self._sent = None
                self.timeouts += 1
                self.samples.append(5000.0)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self.samples = []
        self.timeouts = 0
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> list[float]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._sent is not None:  # a key still waiting counts with its wait so far
            self.samples.append((time.monotonic() - self._sent) * 1000)
            self._sent = None
        return self.samples


async def poll(done: Callable[[], bool], interval: float = 0.01) -> None:
    """Wait until ``done()`` (callers bound it with a deadline of their own)."""
    while not done():  # noqa: ASYNC110 (state of other objects, no event to wait on)
        await asyncio.sleep(interval)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


@dataclass
class CaseResult:
    case: str
    bytes_sent: int
    seconds: float
    keys: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_growth_mb: float
    rss_after_mb: float
    login_s: float | None
    unfinished: bool
    """The attacker's input was not all handled within the case's timeout."""
    errors: list[str] = field(default_factory=list)
    samples: list[float] = field(default_factory=list, repr=False)
    """The observer's key → frame times (ms) during this case."""


async def warm_up(srv: Server) -> None:
    """A normal session opens every area once: what the process builds once for all
    sessions (imports, parsed CSS) is not counted as an attacker's memory."""
    client, _ = await login(srv.port, "tom", "tom-demo")
    for key in (b"1", b"2", b"3", b"4", b"?", b"\x1b", b"ctrl+p", b"\x1b", b"1"):
        client.chan.write(b"\x10" if key == b"ctrl+p" else key)
        await asyncio.sleep(0.5)
    client.close()
    await asyncio.sleep(0.5)


async def run_case(srv: Server, observer: Observer, name: str, payloads: list[bytes], *,
                   timeout: float, after: float = 0.5, min_seconds: float = 2.0) -> CaseResult:
    """One attacker session sends ``payloads``, then Ctrl+Q until its session ends (so all
    of it was handled); the observer is timed meanwhile and for at least ``min_seconds``."""
    errors_before = len(srv.problems())
    attacker, _ = await login(srv.port, "mia", "mia-demo")
    rss_before = peak = srv.rss_mb
    handled_s = 0.0
    observer.start()
    start = time.monotonic()
    sent = 0
    unfinished = True

    async def sample_rss() -> None:
        nonlocal peak
        while True:
            peak = max(peak, srv.rss_mb)
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample_rss())
    try:
        for payload in payloads:
            attacker.chan.write(payload)
            sent += len(payload)
            # the channel accepts it as fast as the server reads (SSH flow control)
            await poll(lambda: attacker.chan.get_write_buffer_size() == 0
                       or time.monotonic() - start >= timeout
                       or attacker.screen.closed.is_set())
            if time.monotonic() - start > timeout or attacker.screen.closed.is_set():
                break
        # the server holds what it has not decoded yet (its queue, the SSH window): Ctrl+Q
        # ends the attacker's session only once everything before it was handled
        while not attacker.screen.closed.is_set() and time.monotonic() - start < timeout:
            attacker.chan.write(QUIT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(attacker.screen.closed.wait(), 0.5)
        unfinished = not attacker.screen.closed.is_set()
        handled_s = time.monotonic() - start
        await asyncio.sleep(max(after, min_seconds - handled_s))
        await observer.idle(timeout - (time.monotonic() - start))
    finally:
        samples = await observer.stop()
        sampler.cancel()
        attacker.close()
    seconds = handled_s if not unfinished else time.monotonic() - start
    try:
        fresh, login_s = await login(srv.port, "tom", "tom-demo", timeout=20)
        fresh.close()
    except (TimeoutError, OSError, asyncssh.Error):
        login_s = None
    return CaseResult(
        case=name, bytes_sent=sent, seconds=round(seconds, 1), keys=len(samples),
        p50_ms=pct(samples, 0.5), p99_ms=pct(samples, 0.99), max_ms=pct(samples, 1.0),
        rss_before_mb=round(rss_before, 1), rss_peak_mb=round(peak, 1),
        rss_growth_mb=round(peak - rss_before, 1), rss_after_mb=round(srv.rss_mb, 1),
        login_s=None if login_s is None else round(login_s, 2), unfinished=unfinished,
        errors=srv.problems()[errors_before:], samples=list(samples),
    )


async def run(args: argparse.Namespace) -> list[CaseResult]:
    results: list[CaseResult] = []
    selected = args.cases.split(",") if args.cases else [*cases(), "fuzz"]
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="linedesk-isolation-") as tmp:
        async with server(Path(tmp)) as srv:
            client, _ = await login(srv.port, "admin", "admin-demo")
            client.chan.write(b"2")
            await client.screen.wait_for(b"Rufnummern", 20)
            await warm_up(srv)
            observer = Observer(client, args.probe)
            for name in selected:
                if name == "fuzz":
                    payloads = list(fuzz_batches(args.fuzz, args.seed))
                else:
                    payloads = [cases()[name](rnd)]
                result = await run_case(srv, observer, name, payloads, timeout=args.case_timeout)
                results.append(result)
                if not args.json:
                    print(row(result), flush=True)
            client.close()
    return results


HEADER = ("| case | bytes | s | observer keys | key→frame p50 / p99 / max ms | RSS before → peak "
          "(+MB) → after | new login s | errors |\n|---|---|---|---|---|---|---|---|")


def row(r: CaseResult) -> str:
    login_s = "failed" if r.login_s is None else f"{r.login_s:.2f}"
    return (f"| {r.case} | {r.bytes_sent:,} | {r.seconds} | {r.keys} | {r.p50_ms} / {r.p99_ms} / "
            f"{r.max_ms} | {r.rss_before_mb} → {r.rss_peak_mb} (+{r.rss_growth_mb}) → "
            f"{r.rss_after_mb} "
            f"| {login_s} "
            f"| {len(r.errors)} |")


TARGET_P99_MS = 100.0
"""One session must not hurt the others: an observer's key → frame p99 while every attack
runs (tests/e2e/test_isolation.py asserts it only loosely, beside other tests)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="", help="comma-separated (default: all + fuzz)")
    parser.add_argument("--fuzz", type=int, default=100_000, help="fuzzer cases")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--probe", type=float, default=0.05, help="observer key interval (s)")
    parser.add_argument("--case-timeout", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.json:
        print(HEADER, flush=True)
    results = asyncio.run(run(args))
    attacked = [ms for r in results if r.case != "no_attack" for ms in r.samples]
    if not args.json:
        print(f"\npooled observer key→frame under attack: p50 {pct(attacked, 0.5)} / p99 "
              f"{pct(attacked, 0.99)} / max {pct(attacked, 1.0)} ms over {len(attacked)} keys; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        p99 = pct(attacked, 0.99)
        verdict = "met" if p99 <= TARGET_P99_MS else "MISSED"
        print(f"target: pooled p99 <= {TARGET_P99_MS:.0f} ms under attack: {verdict}")
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
