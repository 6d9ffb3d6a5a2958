"""A dispatcher killed in the middle of its claimed batch: another takes the rows over within
seconds (the lease ran out instead of the old 120 s claim), nothing is lost, nothing is
delivered twice (issue 12; SECURITY.md "Outbox delivery")."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import migrate
from core.config import Settings
from core.models import OutboxKind, OutboxMessage, OutboxStatus
from core.outbox import LEASE_SECONDS
from core.runtime import Core

pytestmark = pytest.mark.e2e

MESSAGES = 200
ROOT = Path(__file__).resolve().parents[2]

SLOW_DISPATCHER = """
import asyncio, sys
from pathlib import Path
from core.config import Settings
from core.runtime import Core

class Slow:
    def __init__(self, inner):
        self.inner = inner
    async def send(self, message):
        await asyncio.sleep(0.1)
        await self.inner.send(message)

async def main():
    core = Core(Settings(data_dir=Path(sys.argv[1])))
    d = core.dispatcher
    d.transports = {kind: Slow(t) for kind, t in d.transports.items()}
    print("claiming", flush=True)
    while True:
        await d.dispatch_once()

asyncio.run(main())
"""


def _delivered(data_dir: Path) -> Counter[str]:
    """Delivery count per message key (Maildir files and SMS lines)."""
    counts: Counter[str] = Counter()
    for sub in ("new", "cur"):
        folder = data_dir / "mail" / sub
        if folder.exists():
            counts.update(name.split(".linedesk", 1)[0] for name in os.listdir(folder))
    sms = data_dir / "sms.jsonl"
    if sms.exists():
        for line in sms.read_text(encoding="utf-8").splitlines():
            counts[json.loads(line)["id"]] += 1
    return counts


async def _pending(core: Core) -> int:
    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.status != OutboxStatus.SENT)) or 0)


@pytest.mark.timeout(120)
async def test_killed_dispatcher_is_taken_over_within_seconds(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    core = Core(Settings(data_dir=data_dir))
    try:
        await migrate.upgrade(core.db)
        keys = []
        async with core.uow() as uow:
            for i in range(MESSAGES):
                kind = OutboxKind.EMAIL if i % 2 == 0 else OutboxKind.SMS
                key = f"takeover-{i:04d}"
                keys.append(key)
                uow.send(kind, to="kunde@example.com" if kind is OutboxKind.EMAIL
                         else "+491701234567", subject=f"Nachricht {i}", body="Hallo", key=key)
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SLOW_DISPATCHER, str(data_dir),
            stdout=asyncio.subprocess.PIPE, cwd=ROOT)
        assert child.stdout is not None
        await asyncio.wait_for(child.stdout.readline(), 30)
        deadline = time.monotonic() + 30
        while sum(_delivered(data_dir).values()) < 20:  # mid-batch: some sent, most held
            assert time.monotonic() < deadline, "the dispatcher delivered nothing"
            await asyncio.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        await child.wait()
        killed_at = time.monotonic()
        assert sum(_delivered(data_dir).values()) < MESSAGES  # it really died holding rows

        # another dispatcher (a second worker or node) takes over
        while await _pending(core):
            await core.dispatcher.dispatch_once()
            if await _pending(core):
                await asyncio.sleep(0.2)
            assert time.monotonic() - killed_at < 4 * LEASE_SECONDS, "rows not retaken"
        took = time.monotonic() - killed_at
        print(f"taken over and drained {took:.1f} s after the kill (lease {LEASE_SECONDS:.0f} s)")
        counts = _delivered(data_dir)
        assert sorted(counts) == sorted(keys)  # 0 lost
        assert max(counts.values()) == 1  # 0 duplicates
        assert took < LEASE_SECONDS + 5
    finally:
        await core.close()
