"""Command mode as the server receives it from OpenSSH: one string, the shell's quotes gone.

Each command below is written the way OpenSSH delivers what a shell user typed, e.g.
``ssh HOST areas request-pin 040 --address "Jungfernstieg 10, 20354 Hamburg"`` arrives as
``areas request-pin 040 --address Jungfernstieg 10, 20354 Hamburg`` (SPEC §8).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from core.authz import Actor
from core.models import AuditEvent
from core.runtime import Core
from ssh_server.command_words import regroup, split_words
from ssh_server.commands import COMMANDS, CommandResult, execute


async def run(core: Core, actor: Actor, command: str) -> CommandResult:
    return await execute(core, actor, command)


def words(command: str) -> list[str]:
    return regroup(split_words(command), COMMANDS)


def test_free_text_takes_the_words_up_to_the_next_option() -> None:
    assert words("areas request-pin 040 --address Marienplatz 1, 80331 München --json") == [
        "areas", "request-pin", "040", "--address=Marienplatz 1, 80331 München", "--json",
    ]
    assert words("numbers list --query Muster GmbH") == ["numbers", "list", "--query=Muster GmbH"]
    assert words("customers search Muster GmbH") == ["customers", "search", "Muster GmbH"]
    # quotes that survived OpenSSH (typed as '"a b"') still make one word
    assert words('areas request-pin 040 --address "Hafen 1, 20457 Hamburg"')[-1] == (
        "--address=Hafen 1, 20457 Hamburg"
    )
    # an apostrophe alone is a letter, not an unclosed quote
    assert words("porting create 030 --account-holder O'Brien Ltd --number 0305550100")[3:] == [
        "--account-holder=O'Brien Ltd", "--number=0305550100",
    ]


def test_national_numbers_with_spaces_are_one_number() -> None:
    assert words("numbers activate 030 123456104 --yes") == [
        "numbers", "activate", "030 123456104", "--yes",
    ]
    assert words("numbers swap 030 123456106 +49 30 123456105 --yes")[2:4] == [
        "030 123456106", "+49 30 123456105",
    ]
    assert words("numbers assign 030 123456106 tom")[2:] == ["030 123456106", "tom"]
    assert words("fax send-credentials 030 123456111 mia tom")[2:] == [
        "030 123456111",
        "mia",
        "tom",
    ]
    assert words("porting create 030 --number 030 5550100 --number 030 5550101")[3:] == [
        "--number=030 5550100", "--number=030 5550101",
    ]
    # an area code is not a phone number: it stays a word of its own
    assert words("numbers order 030 --count 2") == ["numbers", "order", "030", "--count=2"]


async def test_address_arrives_whole_as_openssh_sends_it(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    result = await run(
        demo_core, actors["admin"],
        "areas request-pin 040 --address Jungfernstieg 10, 20354 Hamburg --json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["address"] == "Jungfernstieg 10, 20354 Hamburg"


async def test_number_with_spaces_and_support_options_after_the_command(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    support = actors["support"]
    listed = await run(demo_core, support, "numbers list --customer 1000001 --json")
    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)) >= 12
    done = await run(
        demo_core, support,
        "numbers activate 030 123456104 --yes --customer 1000001 --reason Ticket 4711 --json",
    )
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["number"] == "+4930123456104"
    async with demo_core.uow(readonly=True) as uow:
        event = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "number.activated")
        )
    assert event is not None and event.reason == "Ticket 4711" and event.via_support


async def test_porting_free_texts_as_openssh_sends_them(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    created = await run(
        demo_core, actors["admin"],
        "porting create 030 --number 030 5550100 --number 0305550101 --old-provider Alt-Telefon "
        "GmbH --account-holder Muster GmbH --wished-date 2027-01-15 --json",
    )
    assert created.exit_code == 0, created.stderr
    order = json.loads(created.stdout)
    assert order["old_provider"] == "Alt-Telefon GmbH"
    assert order["account_holder"] == "Muster GmbH"
    assert order["numbers"] == ["+49305550100", "+49305550101"]


async def test_help_word_and_help_option(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    main = await run(demo_core, admin, "help")
    assert (main.exit_code, main.stderr) == (0, "")
    assert main.stdout.startswith("Aufruf: linedesk COMMAND") and "whoami" in main.stdout
    assert "help BEFEHL" in main.stdout
    group = await run(demo_core, admin, "help numbers")
    assert group.exit_code == 0 and "undo-deactivation" in group.stdout
    assert group.stdout == (await run(demo_core, admin, "numbers --help")).stdout
    leaf = await run(demo_core, admin, "help numbers list")
    assert leaf.exit_code == 0
    # the usage puts options after the command words, the order that survives OpenSSH
    assert leaf.stdout.startswith("Aufruf: linedesk numbers list [--status")
    unknown = await run(demo_core, admin, "help frobnicate")
    assert unknown.exit_code == 2 and unknown.stdout == "" and unknown.stderr.count("\n") == 1


async def test_usage_errors_are_one_line_exit_2(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    for command in (
        "areas request-pin 040 --address",
        "numbers list --status",
        "numbers activate",
        "porting create 030 --number 0305550100 --old-provider X --account-holder",
        "whoami 'open",
    ):
        result = await run(demo_core, admin, command)
        assert result.exit_code == 2, command
        assert result.stdout == "", command
        assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr, command
        assert "„help“" in result.stderr, command
