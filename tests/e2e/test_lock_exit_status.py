"""R25 over SSH: an interactive session ended by a lock of its account ends like every other
abnormal end, with the notice on stderr and a non-zero exit status (OpenSSH's ``ssh``
returns it to the shell, so ``ssh ... || echo ended`` sees the lock)."""

from __future__ import annotations

import asyncio

import pytest

from core.services import locks
from tests.e2e.harness import RunningServer, interactive_session

pytestmark = pytest.mark.e2e


async def test_interactive_session_ended_by_lock_exits_non_zero(
    demo_server: RunningServer,
) -> None:
    async with interactive_session(demo_server.port, "mia", "mia-demo") as term:
        await term.wait_for("Muster GmbH", timeout=30)
        async with demo_server.core.uow() as uow:
            await locks.operator_lock(uow, username="mia", reason="Laptop gestohlen",
                                      operator="test")
        await term.wait_closed(timeout=10)
        await asyncio.wait_for(term.process.wait_closed(), 10)
        notice = await asyncio.wait_for(term.process.stderr.read(), 5)
        assert "Laptop gestohlen" in notice, notice
        assert term.process.exit_status == 1, term.process.exit_status
