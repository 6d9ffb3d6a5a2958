"""Faults (issue 12, SECURITY.md "Faults"): kill -9 while the outbox delivers to a real
SMTP server and SMS gateway, kill -9 during swap and credential generation, a gateway that
is down for a while, a full disk in the data dir.

Bounded for CI; ``LINEDESK_LONG_FAULTS=1`` raises the counts (``LINEDESK_FAULTS_MESSAGES``,
``LINEDESK_FAULTS_SEED`` pick the message count and the random kill points).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from core.clock import FixedClock
from core.db import is_disk_full
from core.models import OutboxKind, OutboxStatus
from core.net_transports import HttpSmsTransport
from core.outbox import RESULT_BATCH, Message, list_messages
from core.runtime import Core
from tests.conftest import copy_template, make_settings
from tests.e2e.faults_helpers import Receivers, Serve, check_database, without_step_up
from tests.e2e.harness import run_exec
from tests.ports import free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc"),
]

LONG = os.environ.get("LINEDESK_LONG_FAULTS") == "1"
SEED = int(os.environ.get("LINEDESK_FAULTS_SEED", str(int(time.time()))))
MESSAGES = int(os.environ.get("LINEDESK_FAULTS_MESSAGES", "10000" if LONG else "2000"))
OUTBOX_LIMIT = 140 * max(1.0, MESSAGES / 2000)
"""Seconds the outbox fault test may take (serve start to the last message recorded)."""


def _free_port() -> int:
    return free_port()  # outside the ephemeral range: see tests/ports.py


def _statuses(db: Path) -> Counter[str]:
    con = sqlite3.connect(db)
    try:
        return Counter({s: n for s, n in con.execute(
            "SELECT status, count(*) FROM outbox GROUP BY status")})
    finally:
        con.close()


async def _queue(data_dir: Path, count: int) -> list[str]:
    """``count`` outbox rows (half e-mails, half SMS) committed in batches, as services
    write them (``uow.send``); returns their idempotency keys."""
    core = Core(make_settings(data_dir))
    keys = [f"fault-{i:06d}" for i in range(count)]
    try:
        for first in range(0, count, 500):
            async with core.uow() as uow:
                for i in range(first, min(first + 500, count)):
                    email = i % 2 == 0
                    uow.send(OutboxKind.EMAIL if email else OutboxKind.SMS,
                             to="kunde@example.com" if email else "+491701234567",
                             subject=f"Nachricht {i}", body=f"Guten Tag, Nachricht {i}.",
                             key=keys[i])
    finally:
        await core.close()
    return keys


@pytest.mark.timeout(OUTBOX_LIMIT + 30)
async def test_kill9_while_outbox_delivers_loses_nothing(
    db_templates: dict[str, Path], tmp_path: Path
) -> None:
    """kill -9 at random points while ``linedesk serve --workers 2`` delivers N messages
    to aiosmtpd and the HTTP SMS gateway: every key arrives (0 lost); a key delivered again
    after a kill between sending and recording carries the same Message-ID /
    Idempotency-Key, so the gateway keeps one SMS and a mail system sees the same message."""
    count = MESSAGES
    kills = int(os.environ.get("LINEDESK_FAULTS_KILLS", "10" if LONG else "4"))
    rng = random.Random(SEED)
    data_dir = copy_template(db_templates["empty"], tmp_path / "data")
    keys = await _queue(data_dir, count)
    receivers = Receivers()
    await receivers.start()
    serve = Serve(data_dir, _free_port(), tmp_path / "serve.log", receivers.env)
    # kill points: after a random share of the messages has arrived
    points = sorted(rng.sample(range(count // 20, count * 9 // 10), kills))
    done: list[str] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        await serve.start()
        while not receivers.distinct():
            assert loop.time() - started < 60, "serve delivered nothing"
            await asyncio.sleep(0.01)
        first = loop.time()  # the rate is counted from the first arrival (serve is up)
        for n, point in enumerate(points):
            while receivers.distinct() < point:
                assert loop.time() - started < OUTBOX_LIMIT - 10, (
                    f"stuck at {receivers.distinct()}/{count}")
                await asyncio.sleep(0.05)
            at = f"@{loop.time() - first:.1f}s"
            if n % 2 == 0:
                await serve.kill_worker(rng.randrange(2))
                done.append(f"worker{at}")
            else:
                await serve.kill_all()
                done.append(f"all{at}")
                await serve.start()
        db = data_dir / "linedesk.db"
        while _statuses(db).get("sent", 0) < count:
            assert loop.time() - started < OUTBOX_LIMIT, (
                f"{_statuses(db)} {receivers.distinct()}/{count}; log:\n"
                + (tmp_path / "serve.log").read_text(errors="replace")[-3000:])
            await asyncio.sleep(0.2)
        elapsed = loop.time() - first
    finally:
        await serve.stop()
        await receivers.stop()
    mail_keys, sms_keys = Counter(receivers.mail_keys()), Counter(receivers.sms_keys())
    expected_mail, expected_sms = set(keys[0::2]), set(keys[1::2])
    assert set(mail_keys) == expected_mail and set(sms_keys) == expected_sms  # 0 lost
    assert set(receivers.gateway.delivered) == expected_sms  # one SMS per key at the gateway
    # a repeated mail is the same message (same Message-ID, subject and body)
    by_id: dict[str, set[tuple[str, str]]] = {}
    for mail in receivers.sink.mails:
        by_id.setdefault(str(mail["Message-ID"]), set()).add(
            (str(mail["Subject"]), str(mail.get_content())))
    assert all(len(v) == 1 for v in by_id.values())
    statuses = _statuses(data_dir / "linedesk.db")
    assert statuses == Counter({"sent": count})  # nothing dead-lettered or left behind
    assert check_database(data_dir / "linedesk.db", check_domain=False)["integrity"] == "ok"
    repeated = sum(mail_keys.values()) - len(mail_keys) + sum(sms_keys.values()) - len(sms_keys)
    # only what a killed dispatcher had sent but not yet recorded goes out again: at most
    # one result batch per dispatcher killed (one per worker kill, two per kill of all)
    killed = sum(2 if kill.startswith("all") else 1 for kill in done)
    assert repeated <= RESULT_BATCH * killed, (repeated, killed)
    print(f"\nfaults/outbox: seed {SEED}: {count} messages, kill -9 {done}, {elapsed:.1f} s "
          f"from the first arrival = {count / elapsed:.0f} msg/s incl. the kills; 0 lost; "
          f"{repeated} repeated "
          f"deliveries (max {max([*mail_keys.values(), *sms_keys.values()])} per key), "
          "all with the key's Message-ID / Idempotency-Key")


@pytest.mark.timeout(600 if LONG else 150)
async def test_kill9_during_swap_and_credential_generation(
    db_templates: dict[str, Path], tmp_path: Path
) -> None:
    """A process swapping two number pairs back and forth and regenerating the credentials
    of two lines, all at once, is killed with SIGKILL at a random moment, again and again:
    the database is never half-changed (integrity_check ok, each pair one active + one
    inactive matching its audited swaps, one active credential set per line with its two
    messages, charges unchanged) and every commit the process reported is there."""
    rounds = 60 if LONG else 10
    rng = random.Random(SEED)
    data_dir = copy_template(db_templates["demo"], tmp_path / "data")
    db = data_dir / "linedesk.db"
    without_step_up(db)
    charges = check_database(db)["charges"]
    reported = Counter[str]()
    for _ in range(rounds):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.e2e.faults_helpers", "churn", str(data_dir),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            assert line == b"ready\n", line + (await proc.stderr.read() if proc.stderr else b"")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(rng.uniform(0.05, 1.5)):
                    while line := await proc.stdout.readline():
                        reported[line.split()[0].decode()] += 1
                    # the churn never ends by itself: EOF means it failed
                    raise AssertionError(await proc.stderr.read() if proc.stderr else b"")
        finally:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGKILL)
            await proc.wait()
        stats = check_database(db, charges_before=charges)
        # commits reported before the kill are durable (WAL, synchronous=NORMAL)
        assert stats["swaps"] >= reported["swap"]
        assert stats["credentials"] >= reported["credentials"]
    print(f"\nfaults/swap+credentials: seed {SEED}: {rounds} kill -9, {stats['swaps']} swaps "
          f"and {stats['credentials']} credential sets committed, integrity ok, invariants ok")


async def test_gateway_down_messages_wait_and_go_out_after(
    db_templates: dict[str, Path], tmp_path: Path, clock: FixedClock
) -> None:
    """SMTP server and SMS gateway unreachable (ports closed) for 6 hours of the injected
    clock: the dispatcher retries with growing backoff, nothing is dead-lettered, and after
    they are back every message goes out once at its next retry (at most an hour later)."""
    outage = timedelta(hours=6)
    receivers = Receivers()
    await receivers.start()
    await receivers.stop()  # the ports are known and now refuse connections
    data_dir = copy_template(db_templates["empty"], tmp_path / "data")
    core = Core(make_settings(data_dir, smtp_url=receivers.env["LINEDESK_SMTP_URL"],
                              sms_url=receivers.env["LINEDESK_SMS_URL"]), clock=clock)
    sms = core.dispatcher.transports[OutboxKind.SMS]
    assert isinstance(sms, HttpSmsTransport)
    sms.backoff = 0.0  # its own quick retries in real time; the dispatcher's follow the clock
    db = data_dir / "linedesk.db"
    try:
        async with core.uow() as uow:
            for i in range(20):
                email = i % 2 == 0
                uow.send(OutboxKind.EMAIL if email else OutboxKind.SMS,
                         to="kunde@example.com" if email else "+491701234567",
                         subject=f"Nachricht {i}", body=f"Text {i}", key=f"down-{i:02d}")
        back = clock.now() + outage
        while True:
            assert await core.dispatcher.dispatch_once() == 0
            dead_after = outage - (back - clock.now())
            assert "dead" not in _statuses(db), f"dead-lettered after {dead_after}"
            due = min(m.next_attempt_at for m in await list_messages(core.db))
            if due >= back:
                break
            clock.set(max(due, clock.now() + timedelta(seconds=1)))
        clock.set(back)
        waiting = await list_messages(core.db)
        assert {m.status for m in waiting} == {"pending"}, _statuses(db)  # not dead-lettered
        attempts = min(m.attempts for m in waiting)
        assert all(m.last_error for m in waiting)
        assert all("kunde" not in (m.last_error or "") for m in waiting)
        await receivers.start()  # back, on the same ports
        while _statuses(db).get("sent", 0) < 20:
            await core.dispatcher.dispatch_once()
            pending = await list_messages(core.db, status=OutboxStatus.PENDING)
            if pending:
                clock.set(max(min(m.next_attempt_at for m in pending), clock.now()))
        late = clock.now() - back
    finally:
        await core.close()
        await receivers.stop()
    assert _statuses(db) == Counter({"sent": 20})
    assert sorted(receivers.mail_keys()) == [f"down-{i:02d}" for i in range(0, 20, 2)]
    assert sorted(receivers.gateway.delivered) == [f"down-{i:02d}" for i in range(1, 20, 2)]
    assert late <= timedelta(hours=1)
    print(f"\nfaults/gateway down: {outage} outage, {attempts} attempts each, 0 dead; all 20 "
          f"sent {late} after the gateway came back")


async def test_sms_transport_builds_its_tls_context_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each SMS used to build an httpx client with a fresh TLS context (the CA bundle read
    and parsed, ~30 ms of CPU on the worker's event loop per message: 500 SMS froze every
    session of that worker for ~18 s in all)."""
    built = 0
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        nonlocal built
        built += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    receivers = Receivers()
    await receivers.start()
    try:
        transport = HttpSmsTransport(receivers.gateway.url)
        for i in range(20):
            await transport.send(Message(OutboxKind.SMS, f"tls-{i}", "+491701234567", "", "x"))
    finally:
        await receivers.stop()
    assert len(receivers.gateway.delivered) == 20
    assert built <= 1


def _fill(directory: Path) -> Path:
    """Write a file until the file system is full; returns it (delete it to free the space)."""
    filler = directory / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 16, 512, 1):  # big chunks, then the last bytes
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    return filler


async def _wait_port(port: int, serve: Serve, timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await serve.workers()  # raises with the log if serve died
            assert loop.time() < deadline, "serve does not listen"
            await asyncio.sleep(0.2)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A data dir on its own 8 MiB tmpfs (needs root and mount; skipped otherwise)."""
    target = tmp_path / "data"
    target.mkdir()
    if os.geteuid() != 0:
        pytest.skip("disk-full test needs root to mount a small tmpfs as the data dir")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(target)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


SWAP = "numbers swap {} {} --yes --json"


@pytest.mark.timeout(170)
async def test_disk_full_clear_error_no_corruption_and_resumes(
    db_templates: dict[str, Path], tmp_path: Path, small_disk: Path
) -> None:
    """The data dir's file system fills up while the server runs: a write through command
    mode answers with a clear message (not an internal error), reads keep working, the
    database stays intact, and once space is freed the same write succeeds."""
    data_dir = copy_template(db_templates["demo"], small_disk)
    without_step_up(data_dir / "linedesk.db")
    port = _free_port()
    serve = Serve(data_dir, port, tmp_path / "serve.log", {})
    a, b = "+4930123456106", "+4930123456105"
    try:
        await serve.start()
        await _wait_port(port, serve)
        code, _out, err = await run_exec(port, "admin", "admin-demo", SWAP.format(a, b))
        assert code == 0, err
        a, b = b, a
        filler = _fill(data_dir)
        for _ in range(200):  # SQLite's WAL may hold a few more transactions
            code, out, err = await run_exec(port, "admin", "admin-demo", SWAP.format(a, b))
            if code != 0:
                break
            a, b = b, a
        assert code != 0, "200 writes on a full disk all succeeded"
        refusal = json.loads(err.strip().splitlines()[-1])
        assert refusal["error"] == "error.storage_full", refusal
        assert "Speicherplatz" in refusal["message"] and "Traceback" not in err + out
        listed, out, err = await run_exec(port, "admin", "admin-demo", "numbers list --json")
        assert listed == 0, err  # reads still work
        check_database(data_dir / "linedesk.db")
        filler.unlink()  # space freed: the same write now goes through
        code, out, err = await run_exec(port, "admin", "admin-demo", SWAP.format(a, b))
        assert code == 0, err
    finally:
        await serve.stop()
    check_database(data_dir / "linedesk.db")
    log = (tmp_path / "serve.log").read_text(errors="replace").splitlines()
    failed = sorted({line.split(": ", 1)[-1][:100] for line in log if "failed" in line})
    print(f"\nfaults/disk full: refused with {refusal['message']!r}, reads ok, integrity ok, "
          f"write ok after freeing; log lines with 'failed': {failed}")


def test_disk_full_is_recognised_on_sqlite_and_postgresql() -> None:
    """What the unit of work turns into StorageFull: SQLite's SQLITE_FULL and PostgreSQL's
    disk_full (SQLSTATE 53100, as SQLAlchemy's asyncpg adapter carries it); not a lock."""

    class PgError(Exception):
        sqlstate = "53100"
        pgcode = "53100"

    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
    assert is_disk_full(OperationalError("COMMIT", None, full))
    assert is_disk_full(DBAPIError("INSERT", None, PgError("could not extend file")))
    assert not is_disk_full(OperationalError("COMMIT", None, locked))
