"""End to end over real SSH (R19 + R20): an admin schedules new credentials in command mode
(first call: the step-up code by SMS, exit 4; then with ``--code``), the server's clock
passes the time, its own scheduler generates and its dispatcher delivers: exactly one
e-mail with the ZIP and one SMS with its code, also after several more scheduler rounds.

The server runs in-process (tests.e2e.harness.running_server) with an injected
:class:`core.clock.FixedClock`, the same clock its scheduler and dispatcher read: moving it is
"letting the time pass" without any test-only switch in the product."""

from __future__ import annotations

import asyncio
import email
import io
import json
from collections.abc import Callable
from datetime import timedelta
from email.policy import default as default_policy
from pathlib import Path

import pytest
import pyzipper

from core.clock import FixedClock
from core.services import credentials
from tests.conftest import DEMO_NOW, login
from tests.e2e.harness import run_exec, running_server
from tests.stepup_helpers import newest_sms_code

pytestmark = pytest.mark.e2e


def _sms(data_dir: Path) -> list[dict[str, str]]:
    path = data_dir / "sms.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _mails(data_dir: Path) -> list[Path]:
    new = data_dir / "mail" / "new"
    return sorted(new.iterdir()) if new.exists() else []


async def _until(what: str, check: Callable[[], bool], timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_scheduled_reset_over_ssh_delivers_once_when_the_clock_passes(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    clock = FixedClock(DEMO_NOW)  # 2026-11-21 10:00 UTC = 11:00 Berlin
    async with running_server(tmp_path, templates=db_templates, clock=clock, background=True,
                              outbox_interval=0.1, scheduler_interval=0.1) as srv:
        data = srv.data_dir
        command = "credentials generate V-1000001-0002 --consent --at 2026-11-21T22:00"
        code, out, err = await run_exec(srv.port, "admin", "admin-demo", command)
        assert code == 4 and "+49170*****67" in err and "--code" in err, (out, err)
        await _until("the step-up SMS", lambda: len(_sms(data)) == 1)
        step_up = newest_sms_code(data)
        code, out, err = await run_exec(srv.port, "admin", "admin-demo",
                                        f"{command} --code {step_up} --json")
        assert code == 0, (out, err)
        planned = json.loads(out)
        assert planned["at"] == "2026-11-21T21:00:00+00:00" and planned["status"] == "scheduled"
        code, out, err = await run_exec(srv.port, "admin", "admin-demo",
                                        "credentials scheduled --json")
        assert code == 0 and [r["id"] for r in json.loads(out)] == [planned["id"]], (out, err)

        await asyncio.sleep(0.5)  # scheduler rounds before the time: nothing happens
        assert _mails(data) == [] and len(_sms(data)) == 1

        clock.set(DEMO_NOW + timedelta(hours=11, seconds=30))  # 21:00:30 UTC: the time passed
        await _until("the credentials e-mail and SMS",
                     lambda: len(_mails(data)) >= 1 and len(_sms(data)) >= 2)
        await asyncio.sleep(0.6)  # more scheduler and dispatcher rounds: still exactly once
        mails, sms = _mails(data), _sms(data)[1:]
        assert len(mails) == 1 and len(sms) == 1
        mail = email.message_from_bytes(mails[0].read_bytes(), policy=default_policy)
        assert mail["To"] == "sabine.muster@muster-gmbh.de"  # type: ignore[index]
        assert sms[0]["to"] == "+491701234567"
        zip_code = sms[0]["text"].rsplit(" ", 1)[-1]
        attachment = next(mail.iter_attachments())  # type: ignore[attr-defined]
        with pyzipper.AESZipFile(io.BytesIO(attachment.get_content())) as archive:
            archive.setpassword(zip_code.encode())
            content = archive.read(archive.namelist()[0]).decode()
        assert "Passwort: " in content

        code, out, err = await run_exec(srv.port, "admin", "admin-demo",
                                        "credentials scheduled --json")
        assert code == 0 and json.loads(out) == [], (out, err)
        admin = await login(srv.core, "admin")
        [done] = await srv.core.read(credentials.list_scheduled, admin, include_past=True)
        assert done.status == "done" and not done.late

