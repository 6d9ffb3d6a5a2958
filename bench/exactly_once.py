"""Exactly once across three nodes (issue 16): outbox messages and scheduler jobs, with one
node killed (``kill -9``) in the middle of its work.

Starts three ``linedesk serve --workers 1`` on one PostgreSQL (:func:`bench.nodes.three_nodes`;
a throwaway server from ``tests/pg.py``), delivering to a capturing SMTP server and HTTP
SMS gateway in this process (``tests.e2e.faults_helpers.Receivers``: every mail and every
post is recorded, duplicates included). Then, in one transaction through the core:

- ``--messages`` outbox messages (e-mail and SMS alternately);
- due jobs of every kind the scheduler runs: numbers whose last active day has passed
  (R12), submitted porting orders whose carrier steps are due (R16), scheduled credential
  resets whose time has come (R19; each one argon2 hash, an encrypted ZIP, an e-mail and an
  SMS), and expired session recordings in every node's data dir (R24).

As soon as a node holds the lease of the credential resets job *and* outbox rows, that
node is killed with SIGKILL. The others must take over within the lease times (outbox
:data:`core.outbox.LEASE_SECONDS`, scheduler :data:`core.scheduler.LEASE_SECONDS`), and
in the end:

- every message is received (counted by its key at the sink: Message-ID, Idempotency-Key);
  a key received twice may only be one the killed node held when it died (sent, not yet
  recorded as sent: the taker sends it again with the same key, which a gateway dedupes);
- every job's effect is there exactly once (one audit entry and state change per number,
  order step, reset and recording), nothing half done (a job is one transaction);
- nothing is left claimed or pending.

    .venv/bin/python -m bench.exactly_once                 # 1,000 messages
    .venv/bin/python -m bench.exactly_once --messages 300 --json

The e2e test ``tests/e2e/test_nodes_exactly_once.py`` runs the same scenario with fewer
messages (CI); figures of the 1,000 are in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.nodes import Node, three_nodes
from core import outbox, scheduler
from core.clock import SystemClock
from core.config import Settings
from core.models import (
    Account,
    Contract,
    CustomerNumber,
    NumberStatus,
    OutboxKind,
    PortingOrder,
    PortingStatus,
    ScheduledReset,
)
from core.pg_bridge import asyncpg_dsn
from core.runtime import Core
from core.services import areas
from tests.e2e.faults_helpers import Receivers

DEACTIVATIONS = 20
PORTINGS = 10
RESETS_PER_CONTRACT = 2
"""Scheduled credential resets due per line contract of Muster GmbH (6): one job run of a
few seconds (an argon2 hash each), long enough to kill its node in the middle of it."""
EXPIRED_RECORDINGS = 3
"""Per node's data dir."""


def _recordings(workdir: Path, today: Any) -> dict[str, list[Path]]:
    """Expired and current recordings in each node's data dir (created before it starts)."""
    made: dict[str, list[Path]] = {"expired": [], "current": []}
    old = today - timedelta(days=400)
    for name in "abc":
        root = workdir / f"data-{name}" / "recordings"
        for kind, day in (("expired", old), ("current", today)):
            folder = root / f"{day.year:04d}" / f"{day.month:02d}" / f"{day.day:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(EXPIRED_RECORDINGS if kind == "expired" else 1):
                path = folder / f"{name}-{kind}-{i}.cast"
                path.write_text('{"version": 2, "width": 80, "height": 24}\n')
                made[kind].append(path)
    return made


async def _seed(core: Core, messages: int) -> dict[str, Any]:
    """One transaction: the messages and the due work of every job; returns what to expect."""
    from sqlalchemy import select

    now = core.clock.now()
    today = core.clock.today()
    async with core.uow() as uow:
        s = uow.session
        admin = (await s.scalars(select(Account).where(Account.username == "admin"))).one()
        assert admin.customer_id is not None and admin.email and admin.mobile
        keys = []
        for i in range(messages):
            kind = OutboxKind.EMAIL if i % 2 == 0 else OutboxKind.SMS
            key = f"x1-{i:05d}"
            keys.append(key)
            uow.send(kind, to="kunde@example.com" if kind is OutboxKind.EMAIL
                     else "+491701234567", subject=f"Nachricht {i}", body="Hallo", key=key,
                     customer_id=admin.customer_id)
        numbers = [f"+493099991{i:03d}" for i in range(DEACTIVATIONS)]
        for e164 in numbers:
            n = areas.new_voice_number(admin.customer_id, e164, "030",
                                       NumberStatus.PENDING_DEACTIVATION, now)
            n.deactivation_date = today - timedelta(days=3)
            s.add(n)
        orders = []
        for i in range(PORTINGS):
            order = PortingOrder(
                customer_id=admin.customer_id, area_prefix="030",
                numbers=[f"+493099992{i:03d}"], old_provider="Alt-Telefon GmbH",
                account_holder="Muster GmbH", wished_date=today - timedelta(days=2),
                status=PortingStatus.SUBMITTED, carrier_ref=f"SIM-X{i:05d}",
                next_step_at=now - timedelta(hours=1), created_at=now - timedelta(days=3),
                created_by_id=admin.id)
            s.add(order)
            orders.append(order)
        contracts = list(await s.scalars(
            select(Contract.id).join(CustomerNumber,
                                     Contract.customer_number_id == CustomerNumber.id)
            .where(CustomerNumber.customer_id == admin.customer_id,
                   Contract.has_line.is_(True)).order_by(Contract.id)))
        resets = []
        for contract_id in contracts * RESETS_PER_CONTRACT:
            reset = ScheduledReset(
                contract_id=contract_id, customer_id=admin.customer_id,
                requested_by_id=admin.id, requested_by="admin", recipient_id=admin.id,
                at=now - timedelta(seconds=5), consent_email=admin.email,
                consent_mobile=admin.mobile, created_at=now - timedelta(days=1),
                status="scheduled")
            s.add(reset)
            resets.append(reset)
        await s.flush()
        return {"keys": keys, "numbers": numbers, "orders": [o.id for o in orders],
                "resets": [r.id for r in resets], "contracts": contracts}


def _pid_of(label: str | None) -> int | None:
    """The process id in a lease label ``KIND:HOST:PID:RANDOM``."""
    parts = (label or "").split(":")
    return int(parts[-2]) if len(parts) >= 4 and parts[-2].isdigit() else None


async def _victim(db: asyncpg.Pool, nodes: list[Node], timeout: float) -> tuple[Node, int]:
    """Wait until one node holds the credential resets job's lease and outbox rows: that
    node and how many rows it holds."""
    by_pid = {node.proc.pid: node for node in nodes}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        holder = await db.fetchval(
            "SELECT holder FROM scheduler_leases WHERE job = 'credential_resets' "
            "AND until > now()")
        pid = _pid_of(holder)
        done_before = await db.fetchval(
            "SELECT count(*) FROM scheduled_resets WHERE status = 'done'")
        if pid in by_pid and not done_before:  # the job is running, not yet committed
            held = await db.fetchval(
                "SELECT count(*) FROM outbox WHERE status = 'pending' AND claimed_until > now() "
                "AND split_part(claimed_by, ':', 3) = $1", str(pid))
            if held:
                return by_pid[pid], int(held)
        if loop.time() > deadline:
            done = await db.fetchval("SELECT count(*) FROM scheduled_resets "
                                     "WHERE status = 'done'")
            raise AssertionError(f"no node held the resets job and outbox rows within "
                                 f"{timeout} s (resets done: {done}, holder {holder!r})")
        await asyncio.sleep(0.01)


async def _until(what: str, check: Any, timeout: float) -> float:
    """Await ``check()`` (a coroutine function returning bool); seconds it took."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        await asyncio.sleep(0.1)
    return time.monotonic() - start


async def scenario(workdir: Path, database_url: str, messages: int) -> dict[str, Any]:
    """Run it; raises AssertionError on any lost, doubled or stuck item; returns figures."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    clock = SystemClock()
    recordings = _recordings(workdir, clock.today())
    receivers = Receivers()
    await receivers.start()
    env = {**receivers.env, "LINEDESK_OUTBOX_INTERVAL": "0.2",
           "LINEDESK_SCHEDULER_INTERVAL": "0.5"}
    figures: dict[str, Any] = {"messages": messages}
    core = Core(Settings(data_dir=workdir / "seed", database_url=database_url, secret_key=key))
    db = None
    try:
        async with three_nodes(workdir, database_url, extra_env=env, key=key) as nodes:
            db = await asyncpg.create_pool(asyncpg_dsn(database_url), min_size=1, max_size=3)
            started = time.monotonic()
            seeded = await _seed(core, messages)
            victim, held = await _victim(db, nodes, timeout=20)
            os.kill(victim.proc.pid, signal.SIGKILL)
            await victim.proc.wait()
            killed = time.monotonic()
            pid = str(victim.proc.pid)
            held_keys = {r["idempotency_key"] for r in await db.fetch(
                "SELECT idempotency_key FROM outbox WHERE status = 'pending' "
                "AND split_part(claimed_by, ':', 3) = $1", pid)}
            resets_at_kill = await db.fetchval(
                "SELECT count(*) FROM scheduled_resets WHERE status = 'done'")
            figures.update(victim=victim.name, held_at_kill=held,
                           resets_done_at_kill=resets_at_kill,
                           still_held_after_kill=len(held_keys),
                           received_at_kill=len(receivers.mail_keys()) +
                           len(receivers.sms_keys()),
                           kill_after_seed_s=round(killed - started, 2))

            async def taken_over() -> bool:  # claimed by a live node (or sent)
                return not await db.fetchval(
                    "SELECT count(*) FROM outbox WHERE status <> 'sent' "
                    "AND split_part(claimed_by, ':', 3) = $1", pid)

            async def held_sent() -> bool:
                return not await db.fetchval(
                    "SELECT count(*) FROM outbox WHERE status <> 'sent' "
                    "AND idempotency_key = ANY($1::text[])", sorted(held_keys))

            async def drained() -> bool:
                return not await db.fetchval(
                    "SELECT count(*) FROM outbox WHERE status <> 'sent'")

            async def job_taken_over() -> bool:
                holder = await db.fetchval(
                    "SELECT holder FROM scheduler_leases WHERE job = 'credential_resets'")
                return _pid_of(holder) != victim.proc.pid

            async def resets_done() -> bool:
                return not await db.fetchval(
                    "SELECT count(*) FROM scheduled_resets WHERE status = 'scheduled'")

            async def all_received() -> bool:
                expected = {r[0] for r in await db.fetch("SELECT idempotency_key FROM outbox")}
                return expected <= set(receivers.mail_keys()) | set(receivers.sms_keys())

            rows, job = await asyncio.gather(
                _until("the killed node's outbox rows taken over", taken_over,
                       outbox.LEASE_SECONDS + 20),
                _until("the killed node's credential resets job taken over", job_taken_over,
                       scheduler.LEASE_SECONDS + 20))
            figures["held_rows_taken_over_after_kill_s"] = round(rows, 2)
            figures["resets_job_taken_over_after_kill_s"] = round(job, 2)
            await _until("the resets done", resets_done, 60)
            figures["resets_done_after_kill_s"] = round(time.monotonic() - killed, 2)
            await _until("the killed node's rows sent", held_sent, 60)
            figures["held_rows_sent_after_kill_s"] = round(time.monotonic() - killed, 2)
            await _until("every outbox row sent", drained, 30)
            figures["outbox_drained_after_kill_s"] = round(time.monotonic() - killed, 2)
            await _until("every message at the sink", all_received, 10)

            async def leases_free() -> bool:
                return not await db.fetchval("SELECT count(*) FROM scheduler_leases WHERE "
                                             "split_part(holder, ':', 3) = $1", pid)

            await _until("the killed node's leases free", leases_free,
                         max(1.0, scheduler.LEASE_SECONDS + 5 - (time.monotonic() - killed)))
            figures["leases_free_after_kill_s"] = round(time.monotonic() - killed, 2)
            figures["total_s"] = round(time.monotonic() - started, 2)
            await asyncio.sleep(1.5)  # more dispatcher and scheduler rounds: still once
            figures.update(await _check(db, receivers, seeded, held_keys, recordings,
                                        victim, pid))
        for node in nodes:
            if node is not victim:
                text = node.log.read_text(errors="replace")
                assert "Traceback" not in text, text[-4000:]
    finally:
        if db is not None:
            await db.close()
        await core.close()
        await receivers.stop()
    return figures


async def _check(db: asyncpg.Pool, receivers: Receivers, seeded: dict[str, Any],
                 held_keys: set[str], recordings: dict[str, list[Path]], victim: Node,
                 pid: str) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    rows = await db.fetch("SELECT idempotency_key, status, claimed_until FROM outbox")
    expected = {r["idempotency_key"] for r in rows}
    assert set(seeded["keys"]) <= expected
    stuck = [(r["idempotency_key"], r["status"], r["claimed_until"]) for r in rows
             if r["status"] != "sent" or r["claimed_until"] is not None]
    assert not stuck, f"left claimed or unsent: {stuck[:5]}"
    received = Counter(receivers.mail_keys() + receivers.sms_keys())
    assert set(received) == expected, (
        f"lost: {sorted(expected - set(received))[:5]}, "
        f"unexpected: {sorted(set(received) - expected)[:5]}")
    twice = {k for k, c in received.items() if c > 1}
    assert max(received.values()) <= 2, received.most_common(3)
    assert twice <= held_keys, f"sent twice though the dead node never held them: {twice}"
    figures["outbox_rows"] = len(expected)
    figures["resent_after_takeover"] = len(twice)

    # R12: each number deactivated once
    audits = Counter(r["target"] for r in await db.fetch(
        "SELECT target FROM audit_events WHERE action = 'number.deactivated'"))
    status = {r["e164"]: r["status"] for r in await db.fetch(
        "SELECT e164, status FROM numbers WHERE e164 = ANY($1::text[])", seeded["numbers"])}
    assert set(status.values()) == {"inactive"}, status
    assert all(audits[n] == 1 for n in seeded["numbers"]), audits
    # R16: each order confirmed and completed once, its number there once; the Archiv
    # names an order by the reference its users see (the carrier's, else #id)
    refs = [r["carrier_ref"] or f"#{r['id']}" for r in await db.fetch(
        "SELECT id, carrier_ref FROM porting_orders WHERE id = ANY($1::int[])",
        seeded["orders"])]
    assert len(refs) == len(seeded["orders"])
    for step in ("confirmed", "completed"):
        done = Counter(r["target"] for r in await db.fetch(
            "SELECT target FROM audit_events WHERE action = $1", f"porting.{step}"))
        assert all(done[ref] == 1 for ref in refs), (step, done)
    events = await db.fetchval("SELECT count(*) FROM porting_events WHERE order_id = "
                               "ANY($1::int[])", seeded["orders"])
    assert events == 2 * len(seeded["orders"])
    states = {r["status"] for r in await db.fetch(
        "SELECT status FROM porting_orders WHERE id = ANY($1::int[])", seeded["orders"])}
    assert states == {"completed"}, states
    # R19: each reset generated once: one new credential set and one e-mail + SMS each
    resets = await db.fetch("SELECT status FROM scheduled_resets WHERE id = ANY($1::int[])",
                            seeded["resets"])
    assert [r["status"] for r in resets] == ["done"] * len(seeded["resets"])
    made = await db.fetchval(
        "SELECT count(*) FROM line_credentials WHERE generated_by_id IS NULL "
        "AND contract_id = ANY($1::int[]) AND generated_at > now() - interval '1 hour'",
        seeded["contracts"])
    assert made == len(seeded["resets"]), made
    generated = await db.fetchval(
        "SELECT count(*) FROM audit_events WHERE action = 'credentials.generated' "
        "AND at > now() - interval '1 hour'")
    assert generated == len(seeded["resets"]), generated
    reset_mail = [k for k in expected if k.startswith("credentials-")]
    assert len(reset_mail) == 2 * len(seeded["resets"]), reset_mail
    # R24: each expired recording deleted once (the killed node's may still be there)
    deleted = await db.fetchval(
        "SELECT coalesce(sum((details->>'count')::int), 0) FROM audit_events "
        "WHERE action = 'recordings.deleted'")
    gone = [p for p in recordings["expired"] if not p.exists()]
    assert deleted == len(gone), (deleted, gone)
    survivors = [p for p in recordings["expired"] if f"data-{victim.name}" not in str(p)]
    assert all(not p.exists() for p in survivors), [p for p in survivors if p.exists()]
    assert all(p.exists() for p in recordings["current"])
    figures["recordings_deleted"] = deleted
    return figures


async def _main(args: argparse.Namespace) -> dict[str, Any]:
    from tests.pg import create_database, postgres_server

    with postgres_server() as server, tempfile.TemporaryDirectory() as tmp:
        if server is None:
            raise SystemExit("PostgreSQL is not installed")
        url = await create_database(server)
        return await scenario(Path(tmp), url, args.messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    figures = asyncio.run(_main(args))
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:30} {value}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
