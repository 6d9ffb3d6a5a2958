"""R31 in command mode: ``porting create --wished-date earliest|+Nwd --carrier-scenario``,
``porting show ID``, ``porting cancel ID``, ``porting comment ID --text ...`` (exit codes,
both languages, JSON)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from core.authz import Actor
from core.clock import FixedClock
from core.models import AuditEvent
from core.runtime import Core
from core.services import porting
from ssh_server.commands import execute

CREATE = ("porting create 030 --number 030 5550100 --old-provider Alt-Telefon GmbH "
          "--account-holder Muster GmbH --wished-date earliest --json")


async def test_relative_wished_date_and_scenario(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    done = await execute(demo_core, admin, CREATE + " --carrier-scenario other_date")
    assert done.exit_code == 0, done.stderr
    order = json.loads(done.stdout)
    assert order["wished_date"] == "2026-12-11" and order["scenario"] == "other_date"
    assert order["can_cancel"] is True and order["status"] == "submitted"
    later = await execute(demo_core, admin, CREATE.replace("030 5550100", "030 5550101")
                          .replace("earliest", "+20wd"))
    assert json.loads(later.stdout)["wished_date"] == "2026-12-18"
    early = await execute(demo_core, admin, CREATE.replace("030 5550100", "030 5550102")
                          .replace("earliest", "+3wd"))
    assert early.exit_code == 4 and "15 Werktage" in early.stderr
    bad = await execute(demo_core, admin, CREATE.replace("earliest", "+zwd"))
    assert bad.exit_code == 2
    unknown = await execute(demo_core, admin, CREATE + " --carrier-scenario reject:weather")
    assert unknown.exit_code == 2

    clock.advance(timedelta(days=1))
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) == 2
    human = await execute(demo_core, admin, "porting list")
    assert "16.12.2026 (gewünscht: 11.12.2026)" in human.stdout
    shown = await execute(demo_core, replace(admin, locale="en"), f"porting show {order['id']}")
    assert shown.exit_code == 0, shown.stderr
    assert "16/12/2026 (wished: 11/12/2026)" in shown.stdout
    assert "already confirmed the order for 16/12/2026" in shown.stdout
    refused = await execute(demo_core, admin, f"porting cancel {order['id']}")
    assert refused.exit_code == 4 and "bereits für den 16.12.2026 bestätigt" in refused.stderr
    as_json = await execute(demo_core, admin, f"porting cancel {order['id']} --json")
    assert json.loads(as_json.stderr)["rule"] == "R31"


async def test_cancel_comment_show(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    order = json.loads((await execute(demo_core, admin, CREATE)).stdout)
    said = await execute(demo_core, admin,
                         f"porting comment {order['id']} --text Bitte vor 8 Uhr \x1b[31mrot")
    assert said.exit_code == 2  # a control character is refused, nothing stored
    said = await execute(demo_core, admin,
                         f"porting comment {order['id']} --text Bitte vor 8 Uhr umstellen")
    assert said.exit_code == 0, said.stderr
    assert said.stdout.startswith(
        f"Kommentar zu Portierungsauftrag {order['reference']} gespeichert")
    empty = await execute(demo_core, admin, f"porting comment {order['id']} --text")
    assert empty.exit_code == 2
    support = actors["support"]
    by_support = await execute(
        demo_core, support,
        f"porting comment {order['id']} --customer 1000001 --reason T-1 --text Wir prüfen das")
    assert by_support.exit_code == 0, by_support.stderr
    no_reason = await execute(demo_core, support,
                              f"porting comment {order['id']} --customer 1000001 --text Hallo")
    assert no_reason.exit_code == 3
    other = await execute(demo_core, actors["beispiel"], f"porting comment {order['id']} --text x")
    assert other.exit_code == 4 and f"keinen Portierungsauftrag Nr. {order['id']}" in other.stderr

    shown = await execute(demo_core, admin, f"porting show {order['id']}")
    assert "Kommentar von admin (Administrator): Bitte vor 8 Uhr umstellen" in shown.stdout
    assert "Kommentar von support (Support): Wir prüfen das" in shown.stdout
    assert "Stornierbar:" in shown.stdout

    cancelled = await execute(demo_core, admin, f"porting cancel {order['id']}")
    assert cancelled.exit_code == 0, cancelled.stderr
    assert "storniert; 1 Rufnummer(n)" in cancelled.stdout
    again = await execute(demo_core, admin, f"porting cancel {order['id']}")
    assert again.exit_code == 4 and "bereits storniert" in again.stderr
    shown_json = await execute(demo_core, admin, f"porting show {order['id']} --json")
    data = json.loads(shown_json.stdout)
    assert data["status"] == "cancelled" and data["status_text"] == "storniert"
    assert [(e["kind"], e["status"], e["author"]) for e in data["timeline"]] == [
        ("status", "submitted", "admin"), ("comment", "submitted", "admin"),
        ("comment", "submitted", "support"), ("status", "cancelled", "admin")]
    listed = await execute(demo_core, admin, "porting list")
    assert "storniert" in listed.stdout
    assert (await execute(demo_core, admin, "porting show 999")).exit_code == 4
    assert (await execute(demo_core, admin, "porting show x")).exit_code == 2
    assert (await execute(demo_core, actors["mia"], f"porting show {order['id']}")).exit_code == 3


async def test_one_reference_shown_and_taken(demo_core: Core, actors: dict[str, Actor]) -> None:
    """The reference the TUI and Fristen show (the carrier's) is what command mode prints
    and takes; the bare id and ``#id`` still work; the audit trail names it too."""
    admin = actors["admin"]
    created = await execute(demo_core, admin, CREATE.removesuffix(" --json"))
    assert created.exit_code == 0, created.stderr
    order = json.loads((await execute(demo_core, admin, "porting list --json")).stdout)[0]
    ref = order["reference"]
    assert ref == order["carrier_ref"] == f"SIM-{order['id']:06d}"
    assert created.stdout.startswith(f"Portierungsauftrag {ref} für 1 Rufnummer")
    listed = await execute(demo_core, admin, "porting list")
    assert ref in listed.stdout
    for given in (ref, ref.lower(), str(order["id"]), f"#{order['id']}"):
        shown = await execute(demo_core, admin, f"porting show {given} --json")
        assert shown.exit_code == 0, (given, shown.stderr)
        assert json.loads(shown.stdout)["id"] == order["id"]
    said = await execute(demo_core, admin, f"porting comment {ref} --text Bitte früh")
    assert said.exit_code == 0 and ref in said.stdout, said.stderr
    missing = await execute(demo_core, admin, "porting show SIM-999999")
    assert missing.exit_code == 4 and "SIM-999999" in missing.stderr
    other = await execute(demo_core, actors["beispiel"], f"porting show {ref}")
    assert other.exit_code == 4
    cancelled = await execute(demo_core, admin, f"porting cancel {ref}")
    assert cancelled.exit_code == 0, cancelled.stderr
    assert cancelled.stdout.startswith(f"Portierungsauftrag {ref} storniert")
    async with demo_core.uow(readonly=True) as uow:
        targets = set(await uow.session.scalars(
            select(AuditEvent.target).where(AuditEvent.action.like("porting.%"))))
    assert ref in targets and f"#{order['id']}" not in targets
