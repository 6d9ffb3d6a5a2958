"""SECURITY.md "Audit and secrets": a real ``linedesk serve`` (its whole log captured at DEBUG)
is used over SSH as people would: failed sign-ins (one with a forged log line and escape
sequences in the user name), command-mode sign-ins, a refused command, a PIN letter and its
verification, a credential generation, and support acting for a customer.

Figures: each of these is an audit row with actor, tenant, source address and session id;
the canaries (a typed wrong password, the demo passwords, the PIN, the decryption code, the
router password) occur 0 times in the log, the audit rows, the recordings directory and the
database (``iterdump`` plus the raw bytes of the database and WAL files); CR, LF and ESC in
logged values are escaped (no forged log line).

The delivery folders (``mail/``, ``sms.jsonl``, ``letters/``) are the mailbox, the phone and
the print shop of the recipient, where the secrets belong; they are read only to learn the
canaries.
"""

from __future__ import annotations

import asyncio
import email
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import asyncssh
import pytest
import pyzipper

from tests.e2e.harness import run_exec
from tests.e2e.test_workers import _free_port, log_text, until
from tests.stepup_helpers import newest_sms_code

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

WRONG_PASSWORD = "Canary-Wrong-Pw-7f3a9c"
APPROVAL_CODE = "482916"
FORGED = "FORGED 2026-11-21 10:00:00 INFO ssh_server.auth: admin signed in"
EVIL_USER = f"evil\r\n{FORGED}\x1b[2J\x1b]0;owned\x07"


async def _serve(tmp_path: Path, templates: dict[str, Path], port: int) -> tuple[
        asyncio.subprocess.Process, Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("linedesk.db", "secret.key"):
        shutil.copy(templates["demo"] / name, data / name)
    log = tmp_path / "serve.log"
    with log.open("wb") as fh:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from ssh_server.cli import main; main()",
            "--data-dir", str(data), "serve", "--port", str(port), "--workers", "1",
            stdout=fh, stderr=fh,
            env={**os.environ, "LINEDESK_LOG_LEVEL": "DEBUG", "LINEDESK_OUTBOX_INTERVAL": "0.2",
                 "LINEDESK_RECORD": "all"},
        )
    return proc, log, data


async def _fail_login(port: int, user: str, password: str) -> None:
    with pytest.raises((asyncssh.PermissionDenied, asyncssh.DisconnectError)):
        conn = await asyncssh.connect("127.0.0.1", port, username=user, password=password,
                                      known_hosts=None, agent_path=None, config=None,
                                      preferred_auth="password")
        conn.close()


async def _raw_username_login(port: int, user: str, password: str,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """What a hostile client sends: the user name as raw bytes (asyncssh's own client would
    refuse the control characters)."""
    import asyncssh.connection

    with monkeypatch.context() as patch:
        patch.setattr(asyncssh.connection, "saslprep", lambda text: text)
        await _fail_login(port, user, password)


async def _hostile_texts(port: int) -> None:
    """A signed-in client's debug message and disconnect reason: free text the server logs."""
    conn = await asyncssh.connect("127.0.0.1", port, username="tom", password="tom-demo",
                                  known_hosts=None, agent_path=None, config=None,
                                  preferred_auth="password")
    conn.send_debug(f"hello\n{FORGED}\x1b[2J", always_display=True)
    await asyncio.sleep(0.3)
    conn.disconnect(11, f"bye\r\n{FORGED}\x1b]0;owned\x07")
    await conn.wait_closed()


async def _exec(port: int, user: str, command: str) -> tuple[int, str, str]:
    return await run_exec(port, user, f"{user}-demo", command, timeout=60)


async def _wait_file(what: str, predicate: object, log: Path) -> None:
    await until(predicate, 30, what, log)


def _sqlite_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return list(con.execute(sql))
    finally:
        con.close()


async def test_audit_rows_and_no_secret_anywhere(
    tmp_path: Path, db_templates: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    proc, log, data = await _serve(tmp_path, db_templates, port)
    try:
        await until(lambda: f"listening on 127.0.0.1:{port}" in log_text(log), 60,
                    "not listening", log)
        # refused sign-ins: unknown user with a forged log line, known user, wrong password
        await _raw_username_login(port, EVIL_USER, WRONG_PASSWORD, monkeypatch)
        await _fail_login(port, "evil.unknown", WRONG_PASSWORD)
        await _fail_login(port, "admin", WRONG_PASSWORD)
        await _hostile_texts(port)

        # a PIN letter and its verification (the PIN travels as a command argument)
        code, out, err = await _exec(
            port, "admin", "areas request-pin 040 --address Jungfernstieg 10, 20354 Hamburg")
        assert code == 0, (out, err)
        letters = data / "letters"
        await _wait_file("PIN letter", lambda: any(letters.glob("*.txt")), log)
        letter = next(letters.glob("*.txt")).read_text(encoding="utf-8")
        pin_match = re.search(r"PIN: (\S+)", letter)
        assert pin_match
        pin = pin_match.group(1)
        code, out, err = await _exec(port, "admin", f"areas verify 040 {pin}")
        assert code == 0, (out, err)

        # a credential generation: the code by SMS, the router password in the ZIP
        # (first the R20 step-up code by SMS, then the same command with it)
        code, out, err = await _exec(port, "admin",
                                     "credentials generate V-1000001-0007 --consent")
        assert code == 4 and "--code" in err, (out, err)
        sms_file, mail_dir = data / "sms.jsonl", data / "mail" / "new"
        await _wait_file("step-up SMS", sms_file.exists, log)
        step_up_code = newest_sms_code(data)
        code, out, err = await _exec(
            port, "admin", f"credentials generate V-1000001-0007 --consent --code {step_up_code}")
        assert code == 0, (out, err)
        await _wait_file("SMS and mail", lambda: len(sms_file.read_text().splitlines()) >= 2
                         and any(mail_dir.glob("*")), log)
        sms = json.loads(sms_file.read_text(encoding="utf-8").splitlines()[-1])
        decryption_code = str(sms.get("text") or sms.get("body")).rsplit(" ", 1)[-1]
        mail = email.message_from_bytes(next(mail_dir.glob("*")).read_bytes())
        [zip_part] = [p for p in mail.walk() if p.get_filename()]
        payload = zip_part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        with pyzipper.AESZipFile(io.BytesIO(payload)) as archive:
            archive.setpassword(decryption_code.encode())
            content = archive.read(archive.namelist()[0]).decode()
        router_match = re.search(r"Passwort: (\S+)", content)
        assert router_match
        router_password = router_match.group(1)

        # R21: a step-up code given to the four-eyes approval (no such request: refused,
        # yet recorded and audited as a command like any other)
        code, out, err = await _exec(port, "admin", f"approvals approve 999 --code {APPROVAL_CODE}")
        assert code != 0, (out, err)

        # a refusal, and support acting for a customer
        code, out, err = await _exec(port, "mia", "contracts list")
        assert code == 3, (out, err)
        code, out, err = await _exec(port, "support", "numbers list --customer 1000001")
        assert code == 0, (out, err)
        # the dispatcher wipes delivered payloads (waited for, not slept: on a busy machine
        # 0.5 s could end before the wipe, and the dump below would hold the sealed rows)
        await until(lambda: not _sqlite_rows(
            data / "linedesk.db", "SELECT id FROM outbox WHERE payload IS NOT NULL"),
            30, "delivered payloads not wiped", log)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    db = data / "linedesk.db"
    columns = ("action, actor_username, actor_role, customer_id, source_address, via_support, "
               "details, target")
    rows = _sqlite_rows(db, f"SELECT {columns} FROM audit_events ORDER BY id")
    by_action: dict[str, list[tuple[object, ...]]] = {}
    for row in rows:
        by_action.setdefault(str(row[0]), []).append(row)

    def session_of(row: tuple[object, ...]) -> str:
        return str(json.loads(str(row[6]) or "{}").get("session") or "")

    expected = {
        # action: (actor, customer id or None); each from 127.0.0.1 with a session id
        "session.login_failed": None,
        "session.command": None,
        "areas.pin_requested": ("admin", 1),
        "areas.verified": ("admin", 1),
        "credentials.generated": ("admin", 1),
        "access.denied": ("mia", 1),
        "support.customer_opened": ("support", 1),
    }
    missing = [a for a in expected if a not in by_action]
    assert missing == [], f"not audited: {missing}; have {sorted(by_action)}"
    for action, who in expected.items():
        for row in by_action[action]:
            assert row[4] == "127.0.0.1", (action, row)
            assert re.fullmatch(r"[0-9a-f]{16}", session_of(row)), (action, row)
            if who is not None:
                assert (row[1], row[3]) == who, (action, row)
    failed = {str(r[7]): r for r in by_action["session.login_failed"]}
    assert failed["admin"][3] == 1 and failed["evil.unknown"][3] is None
    commands = {str(r[1]) for r in by_action["session.command"]}
    assert {"admin", "mia", "support"} <= commands

    canaries = {"wrong password": WRONG_PASSWORD, "admin password": "admin-demo",
                "mia password": "mia-demo", "support password": "support-demo", "PIN": pin,
                "decryption code": decryption_code, "router password": router_password}
    assert len(pin) >= 6 and len(decryption_code) >= 6 and len(router_password) >= 12

    con = sqlite3.connect(db)
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    places: dict[str, bytes] = {
        "server log": log.read_bytes(),
        "audit rows": repr(rows).encode(),
        "database dump": dump.encode(),
    }
    for path in data.iterdir():
        if path.name.startswith("linedesk.db"):  # the file, its WAL and shared memory
            places[f"file {path.name}"] = path.read_bytes()
    recordings = data / "recordings"
    if recordings.exists():
        for path in recordings.rglob("*"):
            if path.is_file():
                places[f"recording {path.name}"] = path.read_bytes()
    found = [f"{what} in {where}" for where, blob in places.items()
             for what, secret in canaries.items()
             if secret.encode() in blob or secret.encode("utf-16-le") in blob]
    assert found == [], found
    # the step-up code is six digits: looked for as a whole word (not inside a timestamp or
    # a phone number) in the log, the audit rows, the database dump and the recordings
    # (LINEDESK_RECORD=all: every command above is recorded, its secrets masked, R24)
    cast = [w for w in places if w.startswith("recording ")]
    assert len(cast) >= 6, cast  # the six commands at least
    assert any(b'"command": "areas verify 040 ***"' in places[w] for w in cast)
    assert any(b'"command": "approvals approve 999 --code=***"' in places[w] for w in cast)
    for secret in (step_up_code, APPROVAL_CODE):
        alone = re.compile(rf"(?<![0-9]){secret}(?![0-9])")
        assert [w for w in ("server log", "audit rows", "database dump", *cast)
                if alone.search(places[w].decode("utf-8", "replace"))] == [], secret

    # the forged line never starts a line of the log; no raw ESC or CR reaches it
    text = log.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    forged = [f"{lines[i - 1]!r} / {line!r}" for i, line in enumerate(lines)
              if line.startswith("FORGED")]
    assert forged == []
    assert "\x1b" not in text and "\r" not in text
    assert "evil" in text and "hello" in text  # the attempts are logged, escaped
