"""Numbers as CSV (SPEC R28): export every number of the customer, import assignments.

Export (:func:`export_rows`, :func:`to_csv`): a header row in the user's language, then one
row per number: number, area, kind, status, since, deactivation date, username, name,
emergency location, one-time and monthly price, the R30 block it belongs to (its range,
empty for a single number) and, for a number being ported in (R31), its porting date and
the order's state. New columns go at the end, so a spreadsheet's column letters stay.
RFC 4180 (Python's ``csv`` with
``QUOTE_MINIMAL`` and ``\\r\\n``), UTF-8.

Formula injection: admins open these files in spreadsheets, so a cell starting with
``=``, ``+``, ``-``, ``@``, tab or CR is prefixed with ``'`` (the spreadsheet then shows it
as text). The number column is written in national form (``030 123456100``: starts with
``0``, is text because of the space, so a German number is never prefixed); a foreign
number keeps its E.164 form and gets the ``'`` like every other cell. Dates are ISO
(``2026-12-31``), prices decimal with a point (``4.95``, the column names the currency).

Import (:func:`parse_assignments`, :func:`import_assignments`): ``number,username`` lines,
a header optional (recognised by its column names, so an edited export can be imported
as it is: its ``Rufnummer``/``Number`` and ``Benutzer``/``Username`` columns are used),
``,`` or ``;`` as delimiter, a UTF-8 BOM ignored, a leading ``'`` of the export's guard
dropped. All or nothing in one transaction: every bad line is named with its line
number and nothing is written if there is one. A line with an empty username, or naming
the number's current user, changes nothing (an unedited export imports cleanly).
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from core.authz import Actor, Permission, require
from core.enums import KIND_LABELS, STATUS_LABELS, NumberAction, NumberKind
from core.errors import DomainError, NotFound, ValidationError
from core.i18n import LOCALES, t
from core.locations import stored
from core.models import Account, LocalArea, Number, NumberBlock, NumberStatus, Role
from core.services.number_reads import _require_preview, porting_dates
from core.services.number_views import (
    action_refusal,
    block_range,
    national_form,
    normalize_number,
)
from core.uow import UnitOfWork

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Cells starting with these are prefixed with ``'`` (OWASP CSV injection)."""

EXPORT_COLUMNS: tuple[str, ...] = (
    "number", "area", "kind", "status", "since", "deactivation_date", "username", "name",
    "emergency_location", "one_time", "monthly", "block", "porting_date", "porting_state",
)
"""Column ids; the header row is ``csv.col.<id>`` in the user's language."""

_FLUSH = 100
"""Assignments written per flush (see :func:`import_assignments`)."""

MAX_IMPORT_LINES = 20_000
"""Lines an import may hold (stdin is bounded to 1 MiB by the session as well)."""

_NUMBER_HEADERS = {"number", "rufnummer", "nummer", "e164", "telefonnummer"}
_USER_HEADERS = {"username", "user", "benutzer", "benutzername", "assigned_to", "login"}

_Assigned = aliased(Account, name="assigned")


def guard_cell(value: str) -> str:
    """``'``-prefix a cell a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unguard_cell(value: str) -> str:
    """Undo :func:`guard_cell` (and trim): what the export wrote reads back as it was."""
    text = value.strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:].strip()
    return text


def _decimal(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


async def export_rows(uow: UnitOfWork, actor: Actor) -> list[list[str]]:
    """Header and one row per number of the actor's customer (admin view; support too,
    as reading needs no reason), ordered by number, in one query."""
    _require_preview(actor, actor.customer_id)
    loc = actor.locale
    rows = (await uow.session.execute(
        select(Number, LocalArea.name, _Assigned.username, _Assigned.full_name, NumberBlock)
        .join(LocalArea, LocalArea.prefix == Number.area_prefix)
        .outerjoin(_Assigned, _Assigned.id == Number.assigned_account_id)
        .outerjoin(NumberBlock, NumberBlock.id == Number.block_id)
        .where(Number.customer_id == actor.customer_id)
        .order_by(Number.e164)
    )).all()
    porting = await porting_dates(uow, ((n.customer_id, n.e164) for n, *_ in rows
                                        if n.status is NumberStatus.PORTING))
    out = [[t(loc, f"csv.col.{c}") for c in EXPORT_COLUMNS]]
    for n, area_name, username, full_name, block in rows:
        ported = porting.get(n.e164)
        kind = "fax_personal" if n.kind is NumberKind.FAX and n.fax_owner_id else n.kind.value
        out.append([
            national_form(n.e164, n.area_prefix),
            f"{n.area_prefix} {area_name}",
            t(loc, KIND_LABELS[kind]),
            t(loc, STATUS_LABELS[n.status]),
            n.created_at.date().isoformat() if n.created_at else "",
            n.deactivation_date.isoformat() if n.deactivation_date else "",
            username or "",
            full_name or "",
            location.text if (location := stored(n)) else "",  # R29 Notrufstandort
            _decimal(n.activation_fee_cents),
            _decimal(n.monthly_price_cents),
            block_range(block.first_e164, block.last_e164, block.area_prefix)  # R30
            if block is not None else "",
            ported.day.isoformat() if ported else "",  # R31: confirmed, else wished
            t(loc, "ui.porting.status.confirmed" if ported.confirmed
              else "ui.porting.status.submitted") if ported else "",
        ])
    return out


def to_csv(rows: Sequence[Sequence[object]], *, clean: Callable[[str], str] | None = None) -> str:
    """RFC 4180 text of ``rows``: every cell through ``clean`` (the front end's terminal
    filter), then :func:`guard_cell`; ``QUOTE_MINIMAL``, ``\\r\\n``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        cells = ["" if c is None else str(c) for c in row]
        if clean is not None:
            cells = [clean(c) for c in cells]
        writer.writerow([guard_cell(c) for c in cells])
    return buffer.getvalue()


# ---------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportLine:
    """One data line of an import: where it is and what it says (as given)."""

    line: int
    number: str
    username: str


@dataclass(frozen=True)
class ImportProblem:
    """A bad line: its number in the input and why, in the user's language."""

    line: int
    reason: str
    error_key: str = ""


@dataclass(frozen=True)
class ImportChange:
    line: int
    number: str
    national: str
    previous: str | None
    username: str


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, ``dry_run`` / with ``problems``, would do: nothing written)."""

    dry_run: bool
    lines: int
    changes: tuple[ImportChange, ...]
    unchanged: int
    problems: tuple[ImportProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "applied": self.applied,
            "lines": self.lines,
            "changes": [
                {"line": c.line, "number": c.number, "previous": c.previous,
                 "assigned_to": c.username}
                for c in self.changes
            ],
            "unchanged": self.unchanged,
            "errors": [{"line": p.line, "message": p.reason, "error": p.error_key}
                       for p in self.problems],
        }


def _problem(locale: str, line: int, error: DomainError) -> ImportProblem:
    return ImportProblem(line, t(locale, "csv.import.line", line=line,
                                 reason=error.render(locale)), error.key)


def _header_names() -> tuple[set[str], set[str]]:
    """Column names that mark the number and the username column (both languages)."""
    numbers = _NUMBER_HEADERS | {t(loc, "csv.col.number").lower() for loc in LOCALES}
    users = _USER_HEADERS | {t(loc, "csv.col.username").lower() for loc in LOCALES}
    return numbers, users


def parse_assignments(text: str, locale: str = "de") -> tuple[list[ImportLine],
                                                               list[ImportProblem]]:
    """The data lines of an import and the lines that are malformed (too few columns).
    Line numbers count physical lines from 1 (as an editor shows them). An input without
    a single non-blank line is a usage error (a header alone is a valid empty import)."""
    body = text[1:] if text.startswith("\ufeff") else text
    physical = body.splitlines()
    if len(physical) > MAX_IMPORT_LINES:
        raise ValidationError("csv.import.too_many_lines", count=len(physical),
                              limit=MAX_IMPORT_LINES)
    first = next((ln for ln in physical if ln.strip()), "")
    if not first:
        # nothing at all, not even a header: stdin was forgotten (`ssh -n`, no `< file`),
        # which must not look like a successful import of nothing
        raise ValidationError("csv.import.empty")
    delimiter = ";" if ";" in first and "," not in first else ","
    lines: list[ImportLine] = []
    problems: list[ImportProblem] = []
    number_col, user_col = 0, 1
    header_seen = False
    # csv.reader over each physical line: a quoted cell never spans lines in this format,
    # and the line numbers stay exact
    for index, raw in enumerate(physical, start=1):
        if not raw.strip():
            continue
        cells = [unguard_cell(c) for c in next(csv.reader([raw], delimiter=delimiter))]
        if not header_seen:
            header_seen = True
            names = [c.strip().lower() for c in cells]
            number_names, user_names = _header_names()
            if any(c in number_names for c in names):
                number_col = next(i for i, c in enumerate(names) if c in number_names)
                user_col = next((i for i, c in enumerate(names) if c in user_names), -1)
                if user_col < 0:
                    raise ValidationError("csv.import.no_user_column")
                continue
        if len(cells) <= max(number_col, user_col):
            problems.append(ImportProblem(index, t(locale, "csv.import.line", line=index,
                                                   reason=t(locale, "csv.import.columns")),
                                          "csv.import.columns"))
            continue
        lines.append(ImportLine(index, cells[number_col], cells[user_col]))
    return lines, problems


async def import_assignments(
    uow: UnitOfWork, actor: Actor, *, text: str, dry_run: bool = False
) -> ImportOutcome:
    """R28: assign numbers to users from ``number,username`` lines, all or nothing.

    Permission and tenant first (a dry run is a preview: support needs no reason for it).
    Every line is checked before anything is written: malformed number, number not found
    (also another customer's: no existence oracle), unknown user (also another
    customer's), not assignable in its state, the same number twice; one bad line and
    nothing is written. Each change is audited and emitted as a single assign."""
    if dry_run:
        _require_preview(actor, actor.customer_id)
    else:
        require(actor, Permission.NUMBER_MANAGE, customer_id=actor.customer_id)
    loc = actor.locale
    lines, problems = parse_assignments(text, loc)
    wanted: dict[str, str] = {}
    for ln in lines:
        try:
            wanted.setdefault(ln.number, normalize_number(ln.number))
        except ValidationError:
            pass
    e164s = sorted(set(wanted.values()))
    users = sorted({ln.username.strip().lower() for ln in lines if ln.username.strip()})
    numbers: dict[str, Number] = {}
    for start in range(0, len(e164s), 500):
        chunk = e164s[start:start + 500]
        for n in await uow.session.scalars(
            select(Number).where(Number.customer_id == actor.customer_id,
                                 Number.e164.in_(chunk))
        ):
            numbers[n.e164] = n
    accounts: dict[str, Account] = {}
    for start in range(0, len(users), 500):
        for a in await uow.session.scalars(
            select(Account).where(Account.username.in_(users[start:start + 500]))
        ):
            if (a.customer_id == actor.customer_id and a.active
                    and a.role in (Role.EMPLOYEE, Role.ADMIN)):
                accounts[a.username] = a
    by_id = {a.id: a.username for a in accounts.values()}
    missing_ids = {n.assigned_account_id for n in numbers.values()
                   if n.assigned_account_id is not None and n.assigned_account_id not in by_id}
    if missing_ids:
        for a in await uow.session.scalars(select(Account).where(Account.id.in_(missing_ids))):
            by_id[a.id] = a.username

    first_line: dict[str, int] = {}
    changes: list[tuple[ImportChange, Number, Account]] = []
    unchanged = 0
    for index, ln in enumerate(lines):
        if index and not index % _FLUSH:
            await asyncio.sleep(0)  # other sessions' turn
        try:
            e164 = normalize_number(ln.number)
        except ValidationError as exc:
            problems.append(_problem(loc, ln.line, exc))
            continue
        if e164 in first_line:
            problems.append(ImportProblem(ln.line, t(
                loc, "csv.import.line", line=ln.line,
                reason=t(loc, "csv.import.duplicate", number=e164, first=first_line[e164]),
            ), "csv.import.duplicate"))
            continue
        first_line[e164] = ln.line
        found = numbers.get(e164)
        if found is None:
            problems.append(_problem(loc, ln.line,
                                     NotFound("error.numbers.not_found", number=e164)))
            continue
        n = found
        name = ln.username.strip().lower()
        if not name:
            unchanged += 1
            continue
        account = accounts.get(name)
        if account is None:
            problems.append(_problem(loc, ln.line, NotFound(
                "error.numbers.unknown_employee", username=ln.username.strip()[:64])))
            continue
        if n.assigned_account_id == account.id:
            unchanged += 1
            continue
        refusal = action_refusal(NumberAction.ASSIGN, number=n.e164, status=n.status,
                                 kind=n.kind)
        if refusal is not None:
            problems.append(_problem(loc, ln.line, refusal))
            continue
        previous = by_id.get(n.assigned_account_id) if n.assigned_account_id else None
        changes.append((ImportChange(ln.line, n.e164, national_form(n.e164, n.area_prefix),
                                     previous, account.username), n, account))
    problems.sort(key=lambda p: p.line)
    outcome = ImportOutcome(dry_run, len(lines), tuple(c for c, _, _ in changes), unchanged,
                            tuple(problems))
    if not outcome.applied:
        return outcome
    for start in range(0, len(changes), _FLUSH):
        # in parts: the event loop all sessions share is never held for the whole file
        part = changes[start:start + _FLUSH]
        for _, n, account in part:
            n.assigned_account_id = account.id
            if n.kind is NumberKind.FAX and n.fax_owner_id is not None:
                n.fax_owner_id = account.id
        await uow.session.flush()
        for change, n, _ in part:
            uow.audit(actor, "number.assigned", customer_id=n.customer_id, target=n.e164,
                      previous=change.previous, assigned=change.username,
                      traffic_data_deleted=0)
            uow.emit("NumberAssigned", n.customer_id, number=n.e164, number_id=n.id,
                     versions={n.e164: n.version}, assigned_to=change.username,
                     previous=change.previous)
        await uow.session.flush()
    return outcome
