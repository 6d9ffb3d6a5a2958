"""A client that closes right after opening a session leaves no error behind (issue 12:
closing within 0.5 s logged NoMatches '#go-contracts' as an ERROR with a traceback)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.e2e.harness import connect, running_server

pytestmark = pytest.mark.e2e


async def test_closing_a_session_right_after_opening_logs_no_error(
    tmp_path: Path, db_templates: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with running_server(tmp_path, templates=db_templates, idle_timeout=60) as srv:
        for attempt in range(12):
            conn = await connect(srv.port, "admin", "admin-demo")
            process = await conn.create_process(
                term_type="xterm-256color", term_size=(120, 40), encoding="utf-8")
            if attempt % 3 == 1:
                await process.stdout.read(1)  # the App has started to draw
            elif attempt % 3 == 2:
                await asyncio.sleep(0.02 * attempt)
            conn.close()  # otherwise at once: the App is still being built
            await conn.wait_closed()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while srv.server.sessions:  # the server notices and ends every session
            assert loop.time() < deadline, f"{len(srv.server.sessions)} sessions left"
            await asyncio.sleep(0.1)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0]
