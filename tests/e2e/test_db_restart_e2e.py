"""Issue 16 over real SSH: PostgreSQL restarts under an open session of a ``linedesk serve``
node. The session shows "Verbindung zur Datenbank unterbrochen" instead of failing, a key
pressed meanwhile gets a clear message, and once the node's LISTEN connection is back it
says "Wieder verbunden" and re-fetches: a change the node never got an event for (made in
SQL behind its back, as an event lost in the gap would be) shows.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from bench.nodes import NUMBER, three_nodes
from core.pg_bridge import asyncpg_dsn
from tests.e2e.harness import Term, interactive_session
from tests.e2e.pg_restart import restartable_postgres
from tests.pg import create_database

pytestmark = pytest.mark.e2e


def _row(term: Term) -> str:
    return next((line for line in term.text().splitlines() if NUMBER in line), "")


async def _until_row(term: Term, marked: bool, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while ("vorgemerkt" in _row(term)) != marked or not _row(term):
        assert loop.time() < deadline, term.text()
        await asyncio.sleep(0.05)


@pytest.mark.timeout(180)
async def test_postgresql_restart_under_an_open_session(tmp_path: Path) -> None:
    with restartable_postgres() as server:
        if server is None:
            pytest.skip("PostgreSQL is not installed (or not ours to restart)")
        url = await create_database(server.url)
        async with (three_nodes(tmp_path, url, names="a") as [node],
                    interactive_session(node.port, "admin", "admin-demo", cols=140,
                                        rows=40) as term):
            await term.wait_for("Muster GmbH", timeout=30)
            await term.press("2")
            await _until_row(term, marked=False, timeout=30)
            conn = await asyncpg.connect(asyncpg_dsn(url))
            try:  # behind the node's back: no event for it, ever
                await conn.execute(
                    "UPDATE numbers SET status = 'pending_deactivation', "
                    "deactivation_date = current_date + 30, version = version + 1 "
                    "WHERE e164 = '+4930123456101'")
            finally:
                await conn.close()
            await asyncio.sleep(1.0)
            assert "vorgemerkt" not in _row(term)  # the session cannot know yet

            await asyncio.to_thread(server.stop)
            await term.wait_for("Verbindung zur Datenbank unterbrochen", timeout=30)
            await term.press("1")  # a service call while it is down: a clear message
            await term.wait_for("nichts wurde geändert", timeout=30)

            await asyncio.to_thread(server.start)
            await term.wait_for("Wieder verbunden", timeout=30)
            await term.press("2")  # back to the dashboard: re-fetched, the change shows
            await _until_row(term, marked=True, timeout=30)
            await term.press("1")  # and the contracts load again
            await term.wait_for("V-1000001-0001", timeout=30)
        text = node.log.read_text(errors="replace")
        tracebacks = [part[:600] for part in text.split("Traceback")[1:]]
        assert not tracebacks, tracebacks
        assert "LISTEN connection to PostgreSQL back" in text
