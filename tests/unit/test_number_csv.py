"""R28 CSV: export (header, RFC 4180 quoting, formula-injection guard, every number of the
customer only), import of assignments (all or nothing in one transaction, every bad line
named with its line number, dry run), command mode with standard input."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import select, update

from core.authz import Actor
from core.errors import PermissionDenied
from core.events import DomainEvent
from core.models import Account, AuditEvent, Number, PortingOrder
from core.runtime import Core
from core.services import number_csv, numbers
from core.services.number_csv import EXPORT_COLUMNS, guard_cell, to_csv, unguard_cell
from ssh_server.command_framework import InputAborted, InputTooLarge
from ssh_server.commands import execute
from ssh_server.session import CommandInput

TOM_NUMBER = "+4930123456101"
INACTIVE = "+4930123456104"
FORWARDED = "+4930123456106"
SHARED_FAX = "+4930123456111"
BEISPIEL = "+4989123456300"


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


async def assignee(core: Core, actor: Actor, e164: str) -> str | None:
    return (await core.read(numbers.get_number, actor, number=e164)).assigned_to


def stdin_of(text: str) -> Any:
    async def read() -> str:
        return text
    return read


# ---------------------------------------------------------------------------- quoting


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_prefixed(start: str) -> None:
    value = f"{start}HYPERLINK(\"http://evil\")"
    assert guard_cell(value) == "'" + value
    assert unguard_cell(guard_cell(value)) == value.strip()


def test_plain_cells_untouched_and_rfc4180_quoting() -> None:
    assert guard_cell("030 123456100") == "030 123456100"
    assert guard_cell("Müller, Anna") == "Müller, Anna"
    text = to_csv([["a", "b"], ["Müller, Anna", 'say "hi"'], ["=1+2", "line\nbreak"]])
    assert text.startswith("a,b\r\n")
    assert '"Müller, Anna","say ""hi"""\r\n' in text
    assert parse(text)[2] == ["'=1+2", "line\nbreak"]
    # the terminal filter runs before the guard: an escape cannot hide a formula
    cleaned = to_csv([["\x1b[31m=cmd"]], clean=lambda s: s.replace("\x1b[31m", ""))
    assert cleaned == "'=cmd\r\n"


async def test_export_every_number_of_the_customer_only(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with demo_core.uow() as uow:  # a name a spreadsheet would run as a formula
        await uow.session.execute(update(Account).where(Account.username == "tom")
                                  .values(full_name="=HYPERLINK(\"http://x\",\"Tom\")"))
    rows = await demo_core.read(number_csv.export_rows, actors["admin"])
    parsed = parse(to_csv(rows))
    assert parsed[0] == ["Rufnummer", "Ortsnetz", "Art", "Status", "Angelegt am", "Aktiv bis",
                         "Benutzer", "Name", "Notrufstandort", "Einmalig (EUR)",
                         "Monatlich (EUR)", "Rufnummernblock", "Portierungstermin",
                         "Portierung"]
    body = {r[0]: r for r in parsed[1:]}
    assert len(body) == 23 and "089 123456300" not in body
    tom = body["030 123456101"]
    assert tom[6] == "tom" and tom[7].startswith("'=HYPERLINK")
    assert tom[3] == "aktiv" and tom[9] == "9.95" and tom[10] == "2.50"
    assert body["030 123456103"][5] == "2026-12-31"
    assert body["030 123456110"][2] == "Fax (persönlich)"
    # R30: a block's numbers name their block, a single number none
    block = EXPORT_COLUMNS.index("block")
    assert {body[f"030 700000{i}"][block] for i in range(10)} == {"030 7000000–7000009"}
    assert tom[block] == ""
    # R31: a number being ported in: its order's date (confirmed, else wished) and state
    date_col, state_col = (EXPORT_COLUMNS.index("porting_date"),
                           EXPORT_COLUMNS.index("porting_state"))
    async with demo_core.uow(readonly=True) as uow:
        order = await uow.session.scalar(select(PortingOrder).where(
            PortingOrder.customer_id == actors["admin"].customer_id))
        assert order is not None and order.confirmed_date is not None
    porting = body["030 987654321"]
    assert porting[3] == "in Portierung"
    assert (porting[date_col], porting[state_col]) == (order.confirmed_date.isoformat(),
                                                        "bestätigt")
    assert (tom[date_col], tom[state_col]) == ("", "")
    assert all(not cell.startswith(number_csv.FORMULA_STARTS) for r in parsed for cell in r)
    with pytest.raises(PermissionDenied):
        await demo_core.read(number_csv.export_rows, actors["mia"])


# ---------------------------------------------------------------------------- import


async def test_import_an_edited_export(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    seen: list[DomainEvent] = []
    demo_core.bus.subscribe(seen.append)
    rows = parse(to_csv(await demo_core.read(number_csv.export_rows, admin)))
    for row in rows[1:]:
        if row[0] in ("030 123456101", "030 123456106"):
            row[6] = "mia"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    outcome = await demo_core.run(number_csv.import_assignments, admin, text=buffer.getvalue())
    assert outcome.applied and not outcome.problems
    assert [(c.number, c.previous, c.username) for c in outcome.changes] == [
        (TOM_NUMBER, "tom", "mia"), (FORWARDED, None, "mia")]
    assert outcome.unchanged == 21
    assert await assignee(demo_core, admin, TOM_NUMBER) == "mia"
    assert sorted(e.payload["number"] for e in seen if e.name == "NumberAssigned") == [
        TOM_NUMBER, FORWARDED]
    async with demo_core.uow(readonly=True) as uow:
        audit = list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "number.assigned")))
    assert {a.target for a in audit} == {TOM_NUMBER, FORWARDED}


async def test_one_bad_line_rolls_back_everything_and_lines_are_named(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    text = "\n".join([
        "number,username",            # 1 header
        "030 123456101,mia",          # 2 good
        "030 123456106,tom",          # 3 good
        "",                           # 4 blank: skipped, still counted
        "+4989123456300,mia",         # 5 other customer's number
        "+4930999999999,mia",         # 6 unknown number: the same text
        "030 123456111,beispiel",     # 7 other customer's user
        "030 123456102,niemand",      # 8 unknown user: the same text
        "030 123456104,mia",          # 9 inactive: not assignable
        "030 123456101,tom",          # 10 duplicate of line 2
        "kaputt,mia",                 # 11 malformed number
        "030 123456102",              # 12 too few columns
    ])
    outcome = await demo_core.run(number_csv.import_assignments, admin, text=text)
    assert not outcome.applied
    reasons = {p.line: p.reason for p in outcome.problems}
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert reasons[5] == "Zeile 5: Rufnummer +4989123456300 nicht gefunden."
    assert reasons[6] == "Zeile 6: Rufnummer +4930999999999 nicht gefunden."
    assert reasons[7] == "Zeile 7: Mitarbeiter „beispiel“ nicht gefunden."
    assert reasons[8] == "Zeile 8: Mitarbeiter „niemand“ nicht gefunden."
    assert "inaktiv" in reasons[9]
    assert reasons[10] == "Zeile 10: Rufnummer +4930123456101 steht schon in Zeile 2."
    assert "keine gültige Rufnummer" in reasons[11]
    assert reasons[12].startswith("Zeile 12: zu wenige Spalten")
    # nothing written, also not the good lines
    assert await assignee(demo_core, admin, TOM_NUMBER) == "tom"
    assert await assignee(demo_core, admin, FORWARDED) is None
    async with demo_core.uow(readonly=True) as uow:
        assert await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "number.assigned")) is None


async def test_dry_run_writes_nothing(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    outcome = await demo_core.read(number_csv.import_assignments, admin,
                                   text="'+4930123456101,mia\r\n", dry_run=True)
    assert outcome.ok and not outcome.applied and len(outcome.changes) == 1
    assert outcome.changes[0].line == 1
    assert await assignee(demo_core, admin, TOM_NUMBER) == "tom"


async def test_semicolons_bom_and_english_header(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    text = "\ufeffStatus;Number;Username\r\naktiv;030 123456106;tom\r\n"
    outcome = await demo_core.run(number_csv.import_assignments, admin, text=text)
    assert outcome.applied and outcome.changes[0].line == 2
    async with demo_core.uow(readonly=True) as uow:
        n = await uow.session.scalar(select(Number).where(Number.e164 == FORWARDED))
        assert n is not None and n.assigned_account_id is not None


async def test_import_permission_first(demo_core: Core, actors: dict[str, Actor]) -> None:
    with pytest.raises(PermissionDenied):
        await demo_core.run(number_csv.import_assignments, actors["mia"],
                            text="030 123456101,mia")


# ---------------------------------------------------------------------------- command mode


async def test_export_command_writes_csv(demo_core: Core, actors: dict[str, Actor]) -> None:
    result = await execute(demo_core, actors["admin"], "numbers export --csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Rufnummer,Ortsnetz,") and result.stdout.endswith("\r\n")
    assert result.stdout.count("\r\n") == 24
    english = json.loads((await execute(demo_core, actors["admin"],
                                        "numbers export --json")).stdout)
    assert english[0]["number"] == "030 123456100"
    assert (await execute(demo_core, actors["admin"], "numbers export")).exit_code == 2


async def test_import_command_exit_codes(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    bad = await execute(demo_core, admin, "numbers import-assignments",
                        stdin=stdin_of("030 123456101,mia\n030 123456104,mia\n"))
    assert bad.exit_code == 4
    assert bad.stdout.startswith("Zeile 2: Rufnummer +4930123456104 ist inaktiv")
    assert bad.stderr == "Import abgelehnt: 1 fehlerhafte Zeile(n), nichts wurde geändert.\n"
    dry = await execute(demo_core, admin, "numbers import-assignments --dry-run",
                        stdin=stdin_of("030 123456101,mia\n"))
    assert dry.exit_code == 0 and "Probelauf" in dry.stdout
    assert await assignee(demo_core, admin, TOM_NUMBER) == "tom"
    done = await execute(demo_core, admin, "numbers import-assignments --json",
                         stdin=stdin_of("030 123456101,mia\n"))
    assert done.exit_code == 0
    assert json.loads(done.stdout)["changes"][0]["assigned_to"] == "mia"
    assert (await execute(demo_core, admin, "numbers import-assignments")).exit_code == 2


async def test_command_input_is_bounded_and_needs_eof() -> None:
    small = CommandInput(limit=10)
    small.feed("0123")
    small.feed("456")
    small.end()
    assert await small.read() == "0123456"
    big = CommandInput(limit=10)
    big.feed("0123456789")
    big.feed("x")  # over the limit: reading fails at once, before EOF
    with pytest.raises(InputTooLarge):
        await big.read()
    cut = CommandInput(limit=10)
    cut.feed("030 1,")
    cut.abort()  # the channel closed without EOF: never taken for the whole file
    with pytest.raises(InputAborted):
        await cut.read()


async def test_too_large_stdin_is_a_usage_error(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async def too_large() -> str:
        raise InputTooLarge(1024 * 1024)
    result = await execute(demo_core, actors["admin"], "numbers import-assignments",
                           stdin=too_large)
    assert result.exit_code == 2 and "1024 KiB" in result.stderr


async def test_export_command_is_terminal_safe(demo_core: Core, actors: dict[str, Actor]) -> None:
    """A hostile name (OSC 52 clipboard write, bidi override) never reaches the terminal raw;
    the CSV keeps its row and column shape."""
    async with demo_core.uow() as uow:
        await uow.session.execute(update(Account).where(Account.username == "tom").values(
            full_name="Tom\x1b]52;c;ZXZpbA==\x07 \u202eBecker\r\n=2+3"))
    result = await execute(demo_core, actors["admin"], "numbers export --csv")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\u202e" not in result.stdout
    rows = parse(result.stdout)
    assert len(rows) == 24 and all(len(r) == len(EXPORT_COLUMNS) for r in rows)
    tom = next(r for r in rows if r[0] == "030 123456101")
    assert tom[7].startswith("Tom") and "Becker" in tom[7]
