"""Command mode (ssh exec) called directly: parsing, output, exit codes, support options."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.authz import Actor
from core.clock import FixedClock
from core.models import AuditEvent
from core.runtime import Core
from core.services import porting
from ssh_server.commands import CommandResult, execute
from tests.stepup_helpers import execute_with_code


async def run(core: Core, actor: Actor, command: str) -> CommandResult:
    return await execute(core, actor, command)


async def ok_json(core: Core, actor: Actor, command: str, *, stepup: bool = False) -> Any:
    """``command`` (with ``--json``) succeeds; its output, parsed (``stepup``: run with the
    R20 code from the SMS, :func:`tests.stepup_helpers.execute_with_code`)."""
    result = await (execute_with_code if stepup else run)(core, actor, command)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


async def json_of(core: Core, actor: Actor, command: str) -> Any:
    """The parsed output of ``command`` (with ``--json``), whatever its exit code."""
    return json.loads((await run(core, actor, command)).stdout)


async def audit_event(core: Core, action: str) -> AuditEvent | None:
    """The (first) audit event of ``action``."""
    async with core.uow(readonly=True) as uow:
        return await uow.session.scalar(select(AuditEvent).where(AuditEvent.action == action))


def assert_one_line_error(result: CommandResult) -> None:
    assert result.stderr.endswith("\n")
    assert result.stderr.count("\n") == 1
    assert "\x1b" not in result.stderr


async def test_whoami_human_german(demo_core: Core, actors: dict[str, Actor]) -> None:
    result = await run(demo_core, actors["admin"], "whoami")
    assert result.exit_code == 0, result.stderr
    assert "Benutzer:" in result.stdout
    assert "admin (Sabine Muster)" in result.stdout
    assert "Muster GmbH (1000001, 1000002)" in result.stdout
    assert "Admin-Ansicht" in result.stdout
    assert result.stderr == ""


async def test_whoami_english_user_and_json(demo_core: Core, actors: dict[str, Actor]) -> None:
    result = await run(demo_core, actors["tom"], "whoami")
    assert "Role:" in result.stdout and "Employee" in result.stdout and "User view" in result.stdout
    data = await json_of(demo_core, actors["tom"], "whoami --json")
    assert data["username"] == "tom"
    assert data["role"] == "employee"
    assert data["view_mode"] == "user"
    assert data["customer_numbers"] == ["1000001", "1000002"]


async def test_global_json_option_before_the_command(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    result = await run(demo_core, actors["admin"], "--json whoami")
    assert json.loads(result.stdout)["username"] == "admin"


async def test_help_exits_zero_in_user_language(demo_core: Core, actors: dict[str, Actor]) -> None:
    result = await run(demo_core, actors["admin"], "--help")
    assert result.exit_code == 0
    assert "whoami" in result.stdout and "Exit-Codes" in result.stdout
    assert result.stdout.startswith("Aufruf: linedesk") and "Optionen:" in result.stdout
    sub = await run(demo_core, actors["tom"], "customers search --help")
    assert sub.exit_code == 0
    assert "search customers by name" in sub.stdout
    assert "QUERY" in sub.stdout and sub.stdout.startswith("usage: linedesk customers search")


async def test_usage_errors_exit_2_with_one_line(demo_core: Core, actors: dict[str, Actor]) -> None:
    for command in (
        "frobnicate",
        "whoami --bogus",
        "customers",
        "customers search",
        "whoami 'open",
    ):
        result = await run(demo_core, actors["admin"], command)
        assert result.exit_code == 2, command
        assert result.stdout == ""
        assert_one_line_error(result)
    # a lone quote is a letter (OpenSSH drops the shell's quotes): an unknown word here
    assert "'open" in (await run(demo_core, actors["admin"], "whoami 'open")).stderr
    assert (await run(demo_core, actors["admin"], "   ")).exit_code == 2
    assert "es fehlt: NUMBER" in (await run(demo_core, actors["admin"], "numbers activate")).stderr
    assert "missing: NUMBER" in (await run(demo_core, actors["tom"], "numbers activate")).stderr
    evil = await run(demo_core, actors["admin"], "'\x1b]0;x\x07'")
    assert evil.exit_code == 2 and "\x1b" not in evil.stderr


async def test_json_errors_are_one_json_line(demo_core: Core, actors: dict[str, Actor]) -> None:
    result = await run(demo_core, actors["admin"], "customers search Muster --json")
    assert result.exit_code == 3
    assert_one_line_error(result)
    error = json.loads(result.stderr)
    assert error["exit_code"] == 3
    assert error["error"] == "error.permission_denied"


async def test_customer_search_is_support_only(demo_core: Core, actors: dict[str, Actor]) -> None:
    for name in ("admin", "mia"):
        result = await run(demo_core, actors[name], "customers search Muster")
        assert result.exit_code == 3
        assert_one_line_error(result)
    denied = await run(demo_core, actors["admin"], "--customer 2000001 whoami")
    assert denied.exit_code == 3
    assert "nur für Support" in denied.stderr


async def test_support_searches_by_name_number_and_phone(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    support = actors["support"]
    by_name = await run(demo_core, support, "customers search muster")
    assert by_name.exit_code == 0
    assert "Muster GmbH" in by_name.stdout and "Beispiel AG" not in by_name.stdout
    by_number = await json_of(demo_core, support, "customers search 2000001 --json")
    assert [h["name"] for h in by_number] == ["Beispiel AG"]
    assert by_number[0]["matched"] == "customer_number"
    national = await json_of(demo_core, support, "customers search '089 123456300' --json")
    assert [h["name"] for h in national] == ["Beispiel AG"]
    assert national[0]["matched_value"] == "+4989123456300"
    nothing = await run(demo_core, support, "customers search Nirgendwo")
    assert nothing.exit_code == 0 and "Keine Kunden gefunden" in nothing.stdout
    short = await run(demo_core, support, "customers search x")
    assert short.exit_code == 2


async def test_support_must_name_a_customer(demo_core: Core, actors: dict[str, Actor]) -> None:
    support = actors["support"]
    assert (await run(demo_core, support, "whoami")).exit_code == 0
    result = await run(demo_core, support, "customers search Muster --reason T-1")
    assert result.exit_code == 2
    assert "--customer" in result.stderr
    unknown = await run(demo_core, support, "--customer 9999999 whoami")
    assert unknown.exit_code == 4
    assert "9999999" in unknown.stderr


async def test_support_opening_a_customer_is_audited(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    support = actors["support"]
    data = await ok_json(demo_core, support, "whoami --customer 2000001 --reason T-4711 --json")
    assert data["customer_name"] == "Beispiel AG"
    assert data["via_support"] is True and data["reason"] == "T-4711"
    event = await audit_event(demo_core, "support.customer_opened")
    assert event is not None
    assert event.customer_id == data["customer_id"]
    assert event.actor_username == "support" and event.via_support
    assert event.reason == "T-4711"
    assert event.source_address == "127.0.0.1"


async def test_output_is_sanitised(demo_core: Core, actors: dict[str, Actor]) -> None:
    from sqlalchemy import update

    from core.models import Customer

    async with demo_core.uow() as uow:
        await uow.session.execute(
            update(Customer)
            .where(Customer.name == "Beispiel AG")
            .values(name="Evil\x1b]52;c;AAAA\x07 AG")
        )
    support = actors["support"]
    human = await run(demo_core, support, "customers search 2000001")
    assert "\x1b" not in human.stdout and "\x07" not in human.stdout
    assert "Evil" in human.stdout
    raw = await run(demo_core, support, "customers search 2000001 --json")
    assert "\x1b" not in raw.stdout
    assert json.loads(raw.stdout)[0]["name"] == "Evil\x1b]52;c;AAAA\x07 AG"


# ---------------------------------------------------------------- contracts and credentials


async def test_contracts_list_json_schema(demo_core: Core, actors: dict[str, Actor]) -> None:
    rows = await ok_json(demo_core, actors["admin"], "contracts list --json")
    assert len(rows) >= 10
    for row in rows:
        assert {"id", "customer_number", "product", "type", "has_line", "sites"} <= row.keys()
        assert isinstance(row["has_line"], bool) and isinstance(row["sites"], list)
    assert {r["customer_number"] for r in rows} == {"1000001", "1000002"}
    main = next(r for r in rows if r["type"] == "cloud_pbx_main")
    assert main["has_line"] is True and len(main["sites"]) == 2
    assert not next(r for r in rows if r["type"] == "sip_trunk")["has_line"]
    only = await json_of(demo_core, actors["admin"],
                         "contracts list --customer-number 1000002 --json")
    assert {r["customer_number"] for r in only} == {"1000002"}


async def test_contracts_list_human_and_denied_for_employee(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    human = await run(demo_core, actors["admin"], "contracts list")
    assert "Cloud PBX" in human.stdout and "Anschluss" in human.stdout
    denied = await run(demo_core, actors["mia"], "contracts list")
    assert denied.exit_code == 3
    assert_one_line_error(denied)
    bad = await run(demo_core, actors["admin"], "contracts list --product telex")
    assert bad.exit_code == 2


async def _contract_ref(core: Core, actor: Actor, ctype: str) -> str:
    rows = json.loads((await execute(core, actor, "contracts list --json")).stdout)
    return next(r["contract_ref"] for r in rows if r["type"] == ctype)


async def test_credentials_generate_needs_consent(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    ref = await _contract_ref(demo_core, admin, "companyflex_complete")
    preview = await run(demo_core, admin, f"credentials generate {ref}")
    assert preview.exit_code == 2
    assert "--consent" in preview.stderr
    assert "ungültig" in preview.stdout and "Easy Login" in preview.stdout
    assert "@" in preview.stdout  # masked e-mail shown
    done = await execute_with_code(demo_core, admin,
                                   f"credentials generate {ref} --consent --json")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["contract_ref"] == ref and data["line_online"] is False
    assert "password" not in done.stdout.lower()


async def test_credentials_generate_refused_by_r2(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    ref = await _contract_ref(demo_core, admin, "sip_trunk")
    for command in (f"credentials generate {ref}", f"credentials generate {ref} --consent"):
        result = await run(demo_core, admin, command)
        assert result.exit_code == 4, command
        assert "[R2]" not in result.stderr and "Cloud PBX" in result.stderr
        assert_one_line_error(result)
    refused = await run(demo_core, admin, f"credentials generate {ref} --consent --json")
    assert json.loads(refused.stderr)["rule"] == "R2"
    unknown = await run(demo_core, admin, "credentials generate V-0000000-9999 --consent")
    assert unknown.exit_code == 4
    employee = await run(demo_core, actors["mia"], f"credentials generate {ref} --consent")
    assert employee.exit_code == 3


# ---------------------------------------------------------------- numbers


async def test_numbers_list_json_schema(demo_core: Core, actors: dict[str, Actor]) -> None:
    rows = await ok_json(demo_core, actors["admin"], "numbers list --json")
    assert len(rows) >= 12
    for row in rows:
        assert {"number", "status", "deactivation_date", "assigned_to", "kind"} <= row.keys()
        assert row["number"].startswith("+49")
    pending = next(r for r in rows if r["status"] == "pending_deactivation")
    assert pending["deactivation_date"] == "2026-12-31"
    assert {r["assigned_to"] for r in rows} >= {"mia", None}
    mine = await json_of(demo_core, actors["mia"], "numbers list --json")
    assert mine and {r["assigned_to"] for r in mine} == {"mia"}
    active = await json_of(demo_core, actors["admin"], "numbers list --status active --json")
    assert active and {r["status"] for r in active} == {"active"}


async def test_numbers_list_status_takes_the_words_the_dashboard_filter_takes(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """`numbers list --status vorgemerkt` was refused (only the stored values were
    choices) although the dashboard's filter takes the German words; both languages now,
    from the core's one mapping, and anything else names every accepted word (exit 2)."""
    admin = actors["admin"]
    pending = "pending_deactivation"
    for word, status in (("vorgemerkt", pending), ("pending", pending), (pending, pending),
                         ("Inaktiv", "inactive"), ("aktiv", "active"), ("active", "active"),
                         ("Portierung", "porting"), ("'Deaktivierung vorgemerkt'", pending)):
        rows = await json_of(demo_core, admin, f"numbers list --status {word} --json")
        assert rows and {r["status"] for r in rows} == {status}, word
    wrong = await run(demo_core, admin, "numbers list --status aktive")
    assert wrong.exit_code == 2 and wrong.stdout == ""
    assert wrong.stderr.count("\n") == 1
    for word in ("vorgemerkt", "inaktiv", "aktiv", "pending_deactivation", "porting"):
        assert word in wrong.stderr, wrong.stderr
    help_text = await run(demo_core, admin, "help numbers list")
    assert "vorgemerkt" in help_text.stdout


async def test_numbers_list_human_shows_pending_marker(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    result = await run(demo_core, actors["admin"], "numbers list")
    assert "+4930123456103" in result.stdout
    assert "! 31.12.2026" in result.stdout
    english = await run(demo_core, actors["tom"], "numbers list")
    assert "Number" in english.stdout and "Assigned to" in english.stdout


async def test_activate_shows_price_then_activates(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    preview = await run(demo_core, admin, "numbers activate '030 123456104'")
    assert preview.exit_code == 2
    assert "€" in preview.stdout and "--yes" in preview.stderr
    as_json = await run(demo_core, admin, "numbers activate +4930123456104 --json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["executed"] is False
    assert json.loads(as_json.stderr)["error"] == "cmd.error.needs_confirmation"
    still = await json_of(demo_core, admin, "numbers list --query 123456104 --json")
    assert still[0]["status"] == "inactive"
    done = await run(demo_core, admin, "numbers activate +4930123456104 --yes --json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "active"
    again = await run(demo_core, admin, "numbers activate +4930123456104 --yes")
    assert again.exit_code == 4 and "[R11]" not in again.stderr
    assert (
        await run(demo_core, actors["mia"], "numbers activate +4930123456105 --yes")
    ).exit_code == 3
    assert (await run(demo_core, admin, "numbers activate 12 --yes")).exit_code == 2
    other = await run(demo_core, admin, "numbers activate +4989123456301 --yes")
    assert other.exit_code == 4  # another tenant's number is "not found"


async def test_deactivate_and_undo(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    preview = await run(demo_core, admin, "numbers deactivate +4930123456106")
    assert preview.exit_code == 2 and "31.12.2026" in preview.stdout
    data = await ok_json(demo_core, admin, "numbers deactivate +4930123456106 --yes --json")
    assert data["status"] == "pending_deactivation" and data["deactivation_date"] == "2026-12-31"
    undo = await run(demo_core, admin, "numbers undo-deactivation +4930123456106")
    assert undo.exit_code == 0 and "zurückgenommen" in undo.stdout
    refused = await run(demo_core, admin, "numbers undo-deactivation +4930123456106")
    assert refused.exit_code == 4 and "[R12]" not in refused.stderr


async def test_swap(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    preview = await run(demo_core, admin, "numbers swap +4930123456106 +4930123456105")
    assert preview.exit_code == 2 and "unwiderruflich" in preview.stdout
    data = await ok_json(demo_core, admin,
                         "numbers swap +4930123456106 +4930123456105 --yes --json", stepup=True)
    assert data["old"]["status"] == "inactive" and data["new"]["status"] == "active"
    same = await run(demo_core, admin, "numbers swap +4930123456105 +4930123456105 --yes")
    assert same.exit_code == 4


async def test_assign_with_and_without_traffic_data(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    done = await run(demo_core, admin, "numbers assign +4930123456106 tom --json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["assigned_to"] == "tom"
    preview = await run(demo_core, admin, "numbers assign +4930123456100 tom --delete-traffic-data")
    assert preview.exit_code == 2 and "mia" in preview.stdout
    moved = await execute_with_code(
        demo_core, admin, "numbers assign +4930123456100 tom --delete-traffic-data --yes")
    assert moved.exit_code == 0, moved.stderr
    unknown = await run(demo_core, admin, "numbers assign +4930123456100 beispiel")
    assert unknown.exit_code == 4
    assert (await run(demo_core, actors["mia"], "numbers assign +4930123456100 mia")).exit_code == 3


async def test_fax_send_credentials(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    shared = await run(demo_core, admin, "fax send-credentials +4930123456111 mia tom --json")
    assert shared.exit_code == 0, shared.stderr
    assert sorted(json.loads(shared.stdout)["recipients"]) == ["mia", "tom"]
    personal = await run(demo_core, admin, "fax send-credentials +4930123456110 tom")
    assert personal.exit_code == 4 and "[R15]" not in personal.stderr
    voice = await run(demo_core, admin, "fax send-credentials +4930123456100 mia")
    assert voice.exit_code == 4
    missing = await run(demo_core, admin, "fax send-credentials +4930123456111")
    assert missing.exit_code == 2


# ---------------------------------------------------------------- areas, ordering, porting


async def test_areas_pin_letter_and_order(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    listed = await json_of(demo_core, admin, "areas list --json")
    assert {a["prefix"]: a["verified"] for a in listed}["030"] is True
    not_verified = await run(demo_core, admin, "numbers order 040 --count 2")
    assert not_verified.exit_code == 4 and "[R16]" not in not_verified.stderr
    letter = await run(demo_core, admin, "areas request-pin 040 --address 'Jungfernstieg 10, 20354 "
                                         "Hamburg' --json")
    assert letter.exit_code == 0, letter.stderr
    assert json.loads(letter.stdout)["status"] == "outstanding"
    wrong = await run(demo_core, admin, "areas verify 040 000000")
    assert wrong.exit_code == 4
    assert "000000" not in wrong.stderr
    data = await ok_json(demo_core, admin, "numbers order 030 --count 2 --json")
    assert len(data["numbers"]) == 2 and all(n.startswith("+4930") for n in data["numbers"])
    assert (await run(demo_core, admin, "numbers order 030 --count zwei")).exit_code == 2
    for count in ("0", "-1", "11", "101"):  # invalid input, not a domain refusal: exit 2
        bad = await run(demo_core, admin, f"numbers order 089 --count {count}")
        assert bad.exit_code == 2 and "1 bis 10" in bad.stderr, (count, bad)
    assert (await run(demo_core, admin, "areas request-pin 040")).exit_code == 2
    assert (await run(demo_core, actors["mia"], "numbers order 030 --count 1")).exit_code == 3


async def test_porting_create_and_list(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    listed = await json_of(demo_core, admin, "porting list --json")
    assert listed[0]["numbers"] == ["+4930987654321"] and listed[0]["status"] == "confirmed"
    order = await ok_json(
        demo_core, admin,
        "porting create 030 --number '030 5550100' --number +49305550101 "
        "--old-provider 'Alt-Telefon GmbH' --account-holder 'Muster GmbH' --wished-date 2027-01-15 "
        "--json",
    )
    assert order["status"] in ("submitted", "confirmed") and len(order["numbers"]) == 2
    human = await run(demo_core, admin, "porting list")
    assert "Alt-Telefon GmbH" in human.stdout and "Termin" in human.stdout
    bad_date = await run(
        demo_core, admin,
        "porting create 030 --number 0305550102 --old-provider X --account-holder Y --wished-date "
        "morgen",
    )
    assert bad_date.exit_code == 2
    too_early = await run(
        demo_core, admin,
        "porting create 030 --number 0305550102 --old-provider X --account-holder Y --wished-date "
        "2026-11-22",
    )
    assert too_early.exit_code in (2, 4)
    assert (await run(demo_core, actors["mia"], "porting list")).exit_code == 3


async def test_porting_list_shows_carrier_reason_in_words(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    created = await run(
        demo_core, admin,
        "porting create 030 --number 0305550103 --old-provider Alt --account-holder 'Someone Else "
        "KG' "
        "--wished-date 2027-01-15",
    )
    assert created.exit_code == 0, created.stderr
    clock.advance(timedelta(days=2))
    async with demo_core.uow() as uow:
        assert await porting.advance_due(uow) >= 1
    human = await run(demo_core, admin, "porting list")
    assert "Hinweis" in human.stdout and "Anschlussinhaber" in human.stdout
    assert "ui.porting" not in human.stdout
    data = await json_of(demo_core, admin, "porting list --json")
    rejected = next(o for o in data if o["status"] == "rejected")
    assert rejected["reject_reason"] == porting.REASON_HOLDER_MISMATCH
    assert "Anschlussinhaber" in rejected["reason_text"]
    assert rejected["timeline"][0]["note"] == porting.NOTE_SUBMITTED
    assert (
        rejected["timeline"][0]["note_text"]
        and "ui.porting" not in rejected["timeline"][0]["note_text"]
    )


# ---------------------------------------------------------------- support writes


async def test_support_write_needs_reason_and_is_audited(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    support = actors["support"]
    read = await run(demo_core, support, "--customer 1000001 numbers list --json")
    assert read.exit_code == 0 and len(json.loads(read.stdout)) >= 12
    refused = await run(demo_core, support, "--customer 1000001 numbers activate +4930123456104 "
                                            "--yes")
    assert refused.exit_code == 3
    assert "Grund" in refused.stderr
    done = await run(
        demo_core, support, "numbers activate +4930123456104 --yes --customer 1000001 --reason "
                            "'T-4711'"
    )
    assert done.exit_code == 0, done.stderr
    event = await audit_event(demo_core, "number.activated")
    assert event is not None
    assert event.via_support and event.reason == "T-4711" and event.actor_username == "support"
    assert (await run(demo_core, support, "numbers list")).exit_code == 2
