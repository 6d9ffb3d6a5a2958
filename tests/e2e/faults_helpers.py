"""Helpers of the fault-injection tests (``tests/e2e/test_sec_faults.py``).

- :class:`Receivers`: the aiosmtpd sink and the HTTP SMS gateway of
  ``tests/unit/test_net_transports.py`` on fixed ports that can go down and come back
  (what they received survives the outage).
- :class:`Serve`: ``linedesk serve --workers 2`` as a real process tree that can be killed
  with SIGKILL, one worker or all of it, and started again on the same data dir.
- ``python -m tests.e2e.faults_helpers churn DATA_DIR``: swaps and credential generations
  through the core in a loop, one line on stdout per commit (the process the test kills).
- :func:`check_database`: ``PRAGMA integrity_check`` and the domain invariants, read with
  the stdlib ``sqlite3`` (no part of the code under test).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

from tests.e2e.test_workers import children
from tests.unit.test_net_transports import SmsGateway, SmtpSink

SWAP_PAIRS = (("+4930123456106", "+4930123456105"), ("+4940123456200", "+4940123456201"))
"""Demo numbers of Muster GmbH (first active, second inactive in the demo data)."""
CHURN_CONTRACTS = 2
"""Line contracts of Muster GmbH whose credentials the churn regenerates."""


@dataclass
class Receivers:
    """SMTP sink and SMS gateway in the test's event loop; ``stop`` refuses connections
    (the port is closed) until ``start`` binds the same ports again."""

    sink: SmtpSink = field(default_factory=SmtpSink)
    gateway: SmsGateway = field(default_factory=SmsGateway)
    _servers: list[asyncio.AbstractServer] = field(default_factory=list)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        smtp = await loop.create_server(
            lambda: SMTP(self.sink, hostname="localhost", loop=loop),
            "127.0.0.1", self.sink.port)
        sms = await asyncio.start_server(self.gateway.handle, "127.0.0.1", self.gateway.port)
        self.sink.port = smtp.sockets[0].getsockname()[1]
        self.gateway.port = sms.sockets[0].getsockname()[1]
        self._servers = [smtp, sms]

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
            await server.wait_closed()
        self._servers = []

    @property
    def env(self) -> dict[str, str]:
        return {"LINEDESK_SMTP_URL": f"{self.sink.url}?timeout=10",
                "LINEDESK_SMS_URL": self.gateway.url}

    def mail_keys(self) -> list[str]:
        """The outbox key of every mail received, duplicates included (from Message-ID)."""
        return [str(m["Message-ID"]).strip("<>").split("@", 1)[0] for m in self.sink.mails]

    def sms_keys(self) -> list[str]:
        """The Idempotency-Key of every accepted SMS post, duplicates included."""
        return [h.get("idempotency-key", "") for h, _ in self.gateway.requests]

    def distinct(self) -> int:
        return len(set(self.mail_keys())) + len(self.gateway.delivered)


class Serve:
    """``linedesk serve --workers 2`` (no demo seeding) on ``data_dir``; output appended to
    ``log``."""

    def __init__(self, data_dir: Path, port: int, log: Path, env: dict[str, str]) -> None:
        self.data_dir, self.port, self.log, self.env = data_dir, port, log, env
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log_fh:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "from ssh_server.cli import main; main()",
                "--data-dir", str(self.data_dir), "serve", "--port", str(self.port),
                "--workers", "2", stdout=log_fh, stderr=log_fh,
                env={**os.environ, "LINEDESK_OUTBOX_INTERVAL": "0.2", **self.env},
            )

    async def workers(self, timeout: float = 30.0) -> list[int]:
        """The worker pids (waits until the supervisor has forked at least one)."""
        assert self.proc is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (found := children(self.proc.pid)):
            assert self.proc.returncode is None, self.log.read_text(errors="replace")[-3000:]
            assert loop.time() < deadline, "serve forked no worker"
            await asyncio.sleep(0.05)
        return sorted(found)

    async def kill_worker(self, pick: int) -> int:
        """SIGKILL one worker (the supervisor restarts it in its slot)."""
        pids = await self.workers()
        victim = pids[pick % len(pids)]
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
        return victim

    async def kill_all(self) -> None:
        """SIGKILL the supervisor and every worker at once (a power cut, an OOM kill of the
        whole cgroup), then wait for the supervisor to be reaped."""
        assert self.proc is not None
        for pid in [self.proc.pid, *children(self.proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        workers = children(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            await self.kill_all()
        for pid in workers:  # never leave a worker behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# --- kill -9 during swap and credential generation ----------------------------------


async def _churn(data_dir: Path) -> None:
    """Swap each pair back and forth and regenerate credentials, concurrently, forever."""
    from sqlalchemy import select

    from core.config import Settings
    from core.errors import Conflict
    from core.models import Contract
    from core.runtime import Core
    from core.services import credentials, numbers
    from core.services.auth import authenticate_password

    core = Core(Settings(data_dir=data_dir))
    admin = (await authenticate_password(core, username="admin", password="admin-demo",
                                         source="127.0.0.1")).unwrap()
    async with core.uow(readonly=True) as uow:
        contracts = await credential_contracts(uow.session, Contract, select)

    def done(what: str) -> None:
        sys.stdout.write(what + "\n")
        sys.stdout.flush()

    async def swapper(a: str, b: str) -> None:
        while True:
            view = await core.read(numbers.get_number, admin, number=a)
            old, new = (a, b) if view.status == "active" else (b, a)
            try:
                await core.run(numbers.swap, admin, old=old, new=new)
            except Conflict:
                continue
            done(f"swap {old} {new}")

    async def generator(contract_id: int) -> None:
        while True:
            await core.run(credentials.generate, admin, contract_id=contract_id, consent=True)
            done(f"credentials {contract_id}")

    done("ready")
    await asyncio.gather(*(swapper(a, b) for a, b in SWAP_PAIRS),
                         *(generator(c) for c in contracts))


async def credential_contracts(session: Any, contract: Any, select: Any) -> list[int]:
    """The first :data:`CHURN_CONTRACTS` line contracts of Muster GmbH (customer of admin)."""
    ids = await session.scalars(
        select(contract.id).where(contract.has_line.is_(True),
                                  contract.contract_ref.like("V-1000001-%"))
        .order_by(contract.id).limit(CHURN_CONTRACTS))
    return list(ids)


def without_step_up(db_path: Path) -> None:
    """Turn off the R20 step-up policy of every customer (the demo has it on): these tests
    kill processes and fill disks, a code by SMS per swap is not what they are about."""
    con = sqlite3.connect(db_path)
    try:
        with con:
            con.execute("UPDATE customers SET stepup_required = 0")
    finally:
        con.close()


def check_database(db_path: Path, charges_before: int | None = None, *,
                   check_domain: bool = True) -> dict[str, Any]:
    """``PRAGMA integrity_check`` plus (with ``check_domain``, on the demo data) the
    invariants of swap and credential generation; raises AssertionError naming the first
    one broken. Returns a few counts."""
    con = sqlite3.connect(db_path)
    try:
        integrity = [r[0] for r in con.execute("PRAGMA integrity_check")]
        assert integrity == ["ok"], f"integrity_check: {integrity[:5]}"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == [], "foreign_key_check"
        if not check_domain:
            return {"integrity": "ok"}
        swaps = 0
        for a, b in SWAP_PAIRS:
            rows = dict(con.execute(
                "SELECT e164, status FROM numbers WHERE e164 IN (?, ?)", (a, b)).fetchall())
            # a swap is all or nothing: one of the two active, the other inactive
            assert sorted(rows.values()) == ["active", "inactive"], f"swap half done: {rows}"
            count = con.execute(
                "SELECT count(*) FROM audit_events WHERE action = 'number.swapped' "
                "AND target IN (?, ?)", (f"{a} -> {b}", f"{b} -> {a}")).fetchone()[0]
            # state and audit row commit together: an even number of swaps leaves a active
            expect = "active" if count % 2 == 0 else "inactive"
            assert rows[a] == expect, f"{a} is {rows[a]} after {count} audited swaps"
            inactive = b if rows[a] == "active" else a
            settings, assigned = con.execute(
                "SELECT settings, assigned_account_id FROM numbers WHERE e164 = ?",
                (inactive,)).fetchone()
            assert json.loads(settings or "{}") == {} and assigned is None, "settings kept"
            swaps += count
        generated = 0
        for cid, ref, online, at in con.execute(
                "SELECT id, contract_ref, line_online, credentials_generated_at FROM contracts "
                "WHERE has_line = 1 AND contract_ref LIKE 'V-1000001-%' ORDER BY id LIMIT ?",
                (CHURN_CONTRACTS,)).fetchall():
            active = con.execute(
                "SELECT id, generated_at FROM line_credentials WHERE contract_id = ? "
                "AND status = 'active'", (cid,)).fetchall()
            assert len(active) == 1, f"contract {ref}: {len(active)} active credential sets"
            audited = con.execute(
                "SELECT count(*) FROM audit_events WHERE action = 'credentials.generated' "
                "AND target = ?", (ref,)).fetchone()[0]
            made = con.execute(
                "SELECT id FROM line_credentials WHERE contract_id = ? AND generated_by_id "
                "IS NOT NULL ORDER BY id", (cid,)).fetchall()
            assert len(made) == audited, f"{ref}: {len(made)} sets, {audited} audited"
            if audited:
                assert at == active[0][1] and not online, f"{ref}: contract not updated"
                newest = made[-1][0]
                keys = {k for (k,) in con.execute(
                    "SELECT idempotency_key FROM outbox WHERE idempotency_key IN (?, ?)",
                    (f"credentials-{newest}-email", f"credentials-{newest}-sms"))}
                assert len(keys) == 2, f"{ref}: credential set {newest} without its messages"
            mails = con.execute(
                "SELECT count(*) FROM outbox WHERE idempotency_key LIKE 'credentials-%-email' "
                "AND idempotency_key IN (SELECT 'credentials-' || id || '-email' FROM "
                "line_credentials WHERE contract_id = ?)", (cid,)).fetchone()[0]
            assert mails == len(made), f"{ref}: {len(made)} sets but {mails} e-mails queued"
            generated += audited
        charges = con.execute("SELECT count(*) FROM charges").fetchone()[0]
        if charges_before is not None:  # swap is cost-neutral, credentials cost nothing
            assert charges == charges_before, f"charges {charges_before} -> {charges}"
        return {"integrity": "ok", "swaps": swaps, "credentials": generated,
                "charges": charges}
    finally:
        con.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["churn"]:
        asyncio.run(_churn(Path(sys.argv[2])))
