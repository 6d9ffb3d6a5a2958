"""Command mode (ssh exec) called directly: parsing, output, exit codes, support options."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.authz import Actor
from core.models import AuditEvent
from core.runtime import Core
from ssh_server.commands import CommandResult, execute


async def run(core: Core, actor: Actor, command: str) -> CommandResult:
    return await execute(core, actor, command)


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
    data = json.loads((await run(demo_core, actors["tom"], "whoami --json")).stdout)
    assert data["username"] == "tom"
    assert data["role"] == "employee"
    assert data["view_mode"] == "user"
    assert data["customer_numbers"] == ["1000001", "1000002"]


async def test_global_json_option_before_the_command(demo_core: Core, actors: dict[str, Actor]) -> None:
    result = await run(demo_core, actors["admin"], "--json whoami")
    assert json.loads(result.stdout)["username"] == "admin"


async def test_help_exits_zero_in_user_language(demo_core: Core, actors: dict[str, Actor]) -> None:
    result = await run(demo_core, actors["admin"], "--help")
    assert result.exit_code == 0
    assert "whoami" in result.stdout and "Exit-Codes" in result.stdout
    sub = await run(demo_core, actors["tom"], "customers search --help")
    assert sub.exit_code == 0
    assert "search customers by name" in sub.stdout
    assert "QUERY" in sub.stdout


async def test_usage_errors_exit_2_with_one_line(demo_core: Core, actors: dict[str, Actor]) -> None:
    for command in ("frobnicate", "whoami --bogus", "customers", "customers search", "whoami 'open"):
        result = await run(demo_core, actors["admin"], command)
        assert result.exit_code == 2, command
        assert result.stdout == ""
        assert_one_line_error(result)
    assert "Anführungszeichen" in (await run(demo_core, actors["admin"], "whoami 'open")).stderr
    assert (await run(demo_core, actors["admin"], "   ")).exit_code == 2


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


async def test_support_searches_by_name_number_and_phone(demo_core: Core, actors: dict[str, Actor]) -> None:
    support = actors["support"]
    by_name = await run(demo_core, support, "customers search muster")
    assert by_name.exit_code == 0
    assert "Muster GmbH" in by_name.stdout and "Beispiel AG" not in by_name.stdout
    by_number = json.loads((await run(demo_core, support, "customers search 2000001 --json")).stdout)
    assert [h["name"] for h in by_number] == ["Beispiel AG"]
    assert by_number[0]["matched"] == "customer_number"
    national = json.loads((await run(demo_core, support, "customers search '089 123456300' --json")).stdout)
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


async def test_support_opening_a_customer_is_audited(demo_core: Core, actors: dict[str, Actor]) -> None:
    support = actors["support"]
    result = await run(demo_core, support, "whoami --customer 2000001 --reason T-4711 --json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["customer_name"] == "Beispiel AG"
    assert data["via_support"] is True and data["reason"] == "T-4711"
    async with demo_core.uow(readonly=True) as uow:
        event = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "support.customer_opened")
        )
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
            update(Customer).where(Customer.name == "Beispiel AG").values(name="Evil\x1b]52;c;AAAA\x07 AG")
        )
    support = actors["support"]
    human = await run(demo_core, support, "customers search 2000001")
    assert "\x1b" not in human.stdout and "\x07" not in human.stdout
    assert "Evil" in human.stdout
    raw = await run(demo_core, support, "customers search 2000001 --json")
    assert "\x1b" not in raw.stdout
    assert json.loads(raw.stdout)[0]["name"] == "Evil\x1b]52;c;AAAA\x07 AG"
