"""Outbox throughput: messages a second from the outbox rows to Maildir and ``sms.jsonl``.

    python -m bench.outbox --messages 2000 [--backlog 5000] [--producers 20]

Two phases on a fresh SQLite data directory:

- *drain*: ``--messages`` rows are queued first (half e-mails, half SMS), then one
  dispatcher delivers them; msg/s = messages / wall time until the outbox is empty.
- *under load* (``--producers`` > 0): that many callers keep committing units of work that
  each queue one e-mail and one SMS (like commands at ~20/s) while the dispatcher runs;
  reports made/sent per second and the backlog at the end.

``--backlog`` rows already delivered (Maildir files, SMS lines) exist before the run, so a
transport whose idempotency check grows with its history shows it.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from core import migrate
from core.config import Settings
from core.models import OutboxKind, OutboxMessage, OutboxStatus
from core.runtime import Core


async def queue(core: Core, count: int, start: int = 0) -> None:
    for first in range(start, start + count, 200):
        async with core.uow() as uow:
            for i in range(first, min(first + 200, start + count)):
                kind = OutboxKind.EMAIL if i % 2 == 0 else OutboxKind.SMS
                uow.send(kind, to="kunde@example.com" if kind is OutboxKind.EMAIL
                         else "+491701234567", subject=f"Nachricht {i}",
                         body=f"Guten Tag,\n\nNachricht Nummer {i}.\n" * 5)


async def pending(core: Core) -> int:
    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)) or 0)


async def drain(core: Core, messages: int) -> float:
    await queue(core, messages, start=10_000_000)
    start = time.perf_counter()
    while await pending(core):
        await core.dispatcher.dispatch_once()
    return messages / (time.perf_counter() - start)


async def under_load(core: Core, producers: int, seconds: float) -> tuple[float, float, int]:
    made = 0
    stop = time.monotonic() + seconds

    async def producer(p: int) -> None:
        nonlocal made
        i = 0
        while time.monotonic() < stop:
            await queue(core, 2, start=20_000_000 + p * 100_000 + i)
            made += 2
            i += 2
            await asyncio.sleep(1.0)  # ~1 command a second per producer

    sent_before = await sent(core)
    runner = asyncio.create_task(core.dispatcher.run(0.2))
    await asyncio.gather(*(producer(p) for p in range(producers)))
    runner.cancel()
    sent_count = await sent(core) - sent_before
    return made / seconds, sent_count / seconds, await pending(core)


async def sent(core: Core) -> int:
    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENT)) or 0)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        core = Core(Settings(data_dir=Path(tmp)))
        await migrate.upgrade(core.db)
        try:
            if args.backlog:
                await queue(core, args.backlog)
                while await pending(core):
                    await core.dispatcher.dispatch_once(limit=500)
            rate = await drain(core, args.messages)
            print(f"drain: {args.messages} messages (history {args.backlog}): {rate:.0f} msg/s")
            if args.producers:
                made, sent_rate, backlog = await under_load(core, args.producers, args.seconds)
                print(f"under load ({args.producers} producers, {args.seconds:.0f} s): "
                      f"made {made:.0f}/s, sent {sent_rate:.0f}/s, backlog at the end {backlog}")
        finally:
            await core.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--producers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    asyncio.run(main(parser.parse_args()))
