"""The notice a session gets when the server goes down says what happens: a stop says stop,
a restart asks to reconnect (issue 11: a plain stop said "wird neu gestartet")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import interactive_session, running_server

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("restart", "notice", "wrong"), [
    (False, "Der Server wird angehalten", "neu gestartet"),
    (True, "Der Server wird neu gestartet", "angehalten"),
])
async def test_shutdown_notice_says_stop_or_restart(
    tmp_path: Path, db_templates: dict[str, Path], restart: bool, notice: str, wrong: str
) -> None:
    async with running_server(tmp_path, templates=db_templates, idle_timeout=60) as srv:
        async with interactive_session(srv.port, "admin", "admin-demo") as term:
            await term.wait_for("Muster GmbH", timeout=30)
            await srv.server.shutdown(notice_seconds=1.0, restart=restart)
            await term.wait_for(notice, timeout=30)
            assert wrong not in term.text()
            await term.wait_closed(timeout=30)
            # the line written when the channel closes (on stderr)
            closing = "Bitte gleich erneut verbinden" if restart else "Sitzung beendet"
            assert closing in await term.process.stderr.read()
