"""Command-mode slips a first-hour user makes (found with the OpenSSH client): the answer
says what was wrong in the user's language and nothing changes."""

from __future__ import annotations

import json

import pytest

from core.authz import Actor
from core.runtime import Core
from ssh_server.commands import execute
from tests.conftest import login
from tests.stepup_helpers import execute_with_code


@pytest.mark.parametrize("command", [
    "approvals approve 0", "approvals reject -1 --comment x", "porting show abc",
    "porting cancel 0", "porting comment x --text hi", "credentials cancel 0",
    "credentials cancel abc",
])
async def test_an_id_that_is_no_id_is_named_in_words(
    demo_core: Core, actors: dict[str, Actor], command: str
) -> None:
    """`approvals approve 0` said "ungültiger Wert für ID: invalid _id value: '0'" (argparse's
    English with the function's name); `credentials cancel 0` looked the reset up."""
    result = await execute(demo_core, actors["admin"], command)
    assert result.exit_code == 2, result.stderr
    assert "_id" not in result.stderr and "invalid" not in result.stderr
    assert "ungültiger Wert für ID" in result.stderr and "1, 2, 3, ..." in result.stderr


async def test_approvals_list_all_shows_who_decided_and_the_rejection_comment(
    demo_core: Core,
) -> None:
    """`approvals list --all` showed "Antrag 2 ist nicht mehr offen (abgelehnt)" where the
    rejection's comment belongs (the status column says that already), and with no request
    at all it said "Keine offenen Anträge"."""
    requester, other = await login(demo_core, "beispiel"), await login(demo_core, "beispiel2")
    empty = await execute(demo_core, other, "approvals list --all")
    assert empty.stdout.strip() == "Keine Anträge."
    filed = await execute_with_code(demo_core, requester,
                                    "numbers swap 089 123456300 089 123456301 --yes")
    assert filed.exit_code == 5, filed
    request_id = json.loads((await execute(demo_core, other, "approvals list --json")).stdout)[0]
    rejected = await execute(demo_core, other, f"approvals reject {request_id['id']} "
                                               "--comment Bitte erst nach dem Monatsende")
    assert rejected.exit_code == 0, rejected
    listed = await execute(demo_core, requester, "approvals list --all")
    row = listed.stdout.splitlines()[2]
    assert "abgelehnt" in row and "von beispiel2: Bitte erst nach dem Monatsende" in row
    assert "nicht mehr offen" not in row
    assert (await execute(demo_core, other, "approvals list")).stdout.strip() == (
        "Keine offenen Anträge.")


@pytest.mark.parametrize("wished", ["2026-02-30", "morgen", "31.12."])
async def test_a_wished_date_that_is_no_date_names_every_form_the_command_takes(
    demo_core: Core, actors: dict[str, Actor], wished: str
) -> None:
    """`porting create ... --wished-date 2026-02-30` answered "Ungültiges Datum
    (TT.MM.JJJJ)." — but the command's own help (and the README) say YYYY-MM-DD, earliest
    or +Nwd, which all work: the message named one form of four."""
    result = await execute(demo_core, actors["admin"],
                           "porting create 030 --number 0305550102 --old-provider Alt "
                           f"--account-holder Muster GmbH --wished-date {wished}")
    assert result.exit_code == 2, result
    for form in ("TT.MM.JJJJ", "JJJJ-MM-TT", "frühestens", "+20wd"):
        assert form in result.stderr


async def test_the_demo_order_switches_over_when_the_carrier_would(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """The demo's confirmed porting order said "Nächster Schritt erwartet ab 30.12.2026
    04:38" (the time of day the demo was seeded), where the carrier switches over at 06:00
    Berlin on the confirmed date, as every other order does (README, R31)."""
    from datetime import date, datetime

    from core.services.porting_carrier import completion_time

    shown = json.loads((await execute(demo_core, actors["admin"], "porting show 1 --json")).stdout)
    day = date.fromisoformat(shown["confirmed_date"])
    assert datetime.fromisoformat(shown["next_step_at"]) == completion_time(day)
