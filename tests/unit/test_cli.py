"""The operator's admin CLI (click) against a copied demo database in a temp dir."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.models import Account, AreaVerification, AuditEvent, CustomerNumber
from core.runtime import Core
from ssh_server.cli import main
from tests.conftest import copy_template, make_settings


@pytest.fixture
def demo_dir(db_templates: dict[str, Path], tmp_path: Path) -> Path:
    return copy_template(db_templates["demo"], tmp_path / "data")


def linedesk(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout, result.stderr


def stored(data_dir: Path, customer_number: str, area: str) -> tuple[str | None, list[AuditEvent]]:
    """The area's operator note and the note audit rows, read straight from the database."""

    async def read() -> tuple[str | None, list[AuditEvent]]:
        core = Core(make_settings(data_dir))
        try:
            async with core.uow(readonly=True) as uow:
                customer_id = await uow.session.scalar(
                    select(CustomerNumber.customer_id).where(
                        CustomerNumber.number == customer_number
                    )
                )
                note = await uow.session.scalar(
                    select(AreaVerification.operator_note).where(
                        AreaVerification.customer_id == customer_id,
                        AreaVerification.area_prefix == area,
                    )
                )
                rows = list(await uow.session.scalars(
                    select(AuditEvent).where(AuditEvent.action == "areas.operator_note_set")
                    .order_by(AuditEvent.id)))
            return note, rows
        finally:
            await core.close()

    return asyncio.run(read())


def test_areas_note_sets_and_withdraws_the_operator_approval(demo_dir: Path) -> None:
    code, out, err = linedesk(demo_dir, "areas", "note", "1000001", "030", "  bis 500 Nummern,\n "
                                                                           "T-4711 ")
    assert code == 0, err
    assert "030" in out and "1000001" in out
    note, rows = stored(demo_dir, "1000001", "030")
    assert note == "bis 500 Nummern, T-4711"
    [row] = rows
    assert row.actor_id is None and row.target == "030" and row.details["note"] == note

    code, out, err = linedesk(demo_dir, "areas", "note", "1000001", "030", "")
    assert code == 0, err
    assert "removed" in out
    note, rows = stored(demo_dir, "1000001", "030")
    assert note is None and len(rows) == 2


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (("9999999", "030", "ok"), 4, "9999999"),  # unknown customer number
        (("1000001", "040", "ok"), 4, "not yet verified"),  # area not verified (no [R16] code)
        (("1000001", "099", "ok"), 4, "099"),  # no such area
        (("1000001", "030", "ok\x1b[2J"), 2, "control"),
        (("1000001", "030", "x" * 301), 2, "300"),
    ],
)
def test_areas_note_refusals_change_nothing(
    demo_dir: Path, args: tuple[str, str, str], exit_code: int, message: str
) -> None:
    code, _out, err = linedesk(demo_dir, "areas", "note", *args)
    assert code == exit_code and message in err
    assert stored(demo_dir, "1000001", "030") == (None, [])


def test_areas_note_needs_all_three_arguments(demo_dir: Path) -> None:
    code, _out, err = linedesk(demo_dir, "areas", "note", "1000001", "030")
    assert code == 2 and "NOTE" in err


def test_users_add_refuses_a_taken_username(demo_dir: Path) -> None:
    code, out, err = linedesk(
        demo_dir, "users", "add", "lea", "--role", "employee", "--customer", "1000001"
    )
    assert code == 0, err
    assert "lea" in out
    code, _out, err = linedesk(
        demo_dir, "users", "add", "mia", "--role", "employee", "--customer", "1000001"
    )
    assert code == 2 and "'mia' is already taken" in err


def test_listings_one_line_per_entry_or_json(demo_dir: Path) -> None:
    """customers/users/outbox list: a line per entry (under the header where there is one);
    --json the same entries as objects."""
    code, out, err = linedesk(demo_dir, "customers", "list")
    assert code == 0, err
    assert out.splitlines() == ["   2  Beispiel AG                    2000001",
                                "   1  Muster GmbH                    1000001, 1000002"]
    code, out, _err = linedesk(demo_dir, "users", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 7
    assert lines[0] == ("USERNAME       ROLE      CUSTOMER         NAME                 KEYS "
                        "ACTIVE LOCKED")
    assert lines[2] == "admin          admin     Muster GmbH      Sabine Muster           0 yes"
    code, out, _err = linedesk(demo_dir, "outbox", "list")
    assert code == 0
    assert out == "   ID KIND   STATUS   TRIES TO                       ERROR\n"
    for command, field in (("customers", "customer_numbers"), ("users", "username")):
        code, out, _err = linedesk(demo_dir, command, "list", "--json")
        assert code == 0 and len(json.loads(out)) in (2, 6) and field in json.loads(out)[0]
    assert linedesk(demo_dir, "outbox", "list", "--json")[1] == "[]\n"


def test_users_list_shows_a_locked_account_and_why(demo_dir: Path) -> None:
    """R25: after ``linedesk users lock mia --reason ...`` the operator's ``users list`` still
    said ``mia ... yes`` like any account (and ``--json`` had no lock at all): who is locked
    was visible only in the customer's user management."""
    assert linedesk(demo_dir, "users", "lock", "mia", "--reason", "Laptop gestohlen")[0] == 0
    code, out, err = linedesk(demo_dir, "users", "list")
    assert code == 0, err
    (mia,) = [line for line in out.splitlines() if line.startswith("mia ")]
    assert mia.endswith(" yes    yes (Laptop gestohlen)")
    (tom,) = [line for line in out.splitlines() if line.startswith("tom ")]
    assert tom.endswith(" yes")
    code, out, _err = linedesk(demo_dir, "users", "list", "--json")
    by_name = {row["username"]: row for row in json.loads(out)}
    assert (by_name["mia"]["locked"], by_name["mia"]["lock_reason"]) == (True, "Laptop gestohlen")
    assert (by_name["tom"]["locked"], by_name["tom"]["lock_reason"]) == (False, None)
    assert linedesk(demo_dir, "users", "unlock", "mia")[0] == 0
    assert '"locked": false' in linedesk(demo_dir, "users", "list", "--json")[1]


@pytest.mark.parametrize("command", [("status",), ("users", "lock", "mia", "--reason", "x")])
def test_a_database_that_does_not_answer_is_one_line_not_a_traceback(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """README: ``linedesk status`` runs "from any machine with the database's URL"; with the
    database down (or the URL's port wrong) it printed a 90-line asyncpg traceback."""
    import socket

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    url = f"postgresql+asyncpg://linedesk@127.0.0.1:{port}/linedesk"
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "--database-url", url,
                                       *command])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("linedesk: cannot reach the database: ")
    assert len(result.stderr.splitlines()) == 1


def test_operator_texts_with_control_characters_are_refused(demo_dir: Path) -> None:
    """``customers add`` stored a name with ESC ] 0;... BEL as it was: ``customers list``
    printed it raw (the operator's terminal title changed) and it reached every support
    terminal's customer search. Refused now, like in every form; nothing is stored."""
    code, out, err = linedesk(demo_dir, "customers", "add", "Evil \x1b]0;pwn\x07 GmbH",
                              "--number", "3000001")
    assert code == 2 and out == ""
    assert err == "linedesk: name: control characters (such as escape sequences) are not " \
                  "allowed.\n"
    code, _out, err = linedesk(demo_dir, "customers", "add", "Gut GmbH", "--number", "3000001",
                               "--city", "K\x9bln")
    assert code == 2 and err.startswith("linedesk: city: control characters")
    code, _out, err = linedesk(demo_dir, "users", "add", "lena", "--role", "support",
                               "--name", "Lena \x1b[2J")
    assert code == 2 and err.startswith("linedesk: full_name: control characters")
    assert "3000001" not in linedesk(demo_dir, "customers", "list")[1]
    assert "lena" not in linedesk(demo_dir, "users", "list")[1]
    assert linedesk(demo_dir, "customers", "add", "Gut GmbH", "--number", "3000001")[0] == 0


def test_status_only_reads_it_neither_migrates_nor_creates_a_database(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``linedesk status`` runs "from any machine with the database's URL": it migrated the
    database first (a newer linedesk's status, run before the nodes were upgraded, would
    have changed the schema under them), and run without ``--data-dir`` it created a fresh
    ./data database and reported "no node has sent a heartbeat"."""
    from core import migrate

    async def no_migration(*_args: object, **_kwargs: object) -> bool:
        raise AssertionError("status migrated the database")

    monkeypatch.setattr(migrate, "prepare", no_migration)
    code, out, err = linedesk(demo_dir, "status")
    assert code == 0, err
    assert out.startswith("no node has sent a heartbeat") and "outbox: " in out
    missing = tmp_path / "elsewhere" / "data"
    code, out, err = linedesk(missing, "status")
    assert (code, out) == (1, "")
    assert err == (f"linedesk: no database in {missing} (--data-dir, LINEDESK_DATA_DIR or "
                   "--database-url)\n")
    assert not missing.exists()


@pytest.mark.parametrize(("variable", "value", "why"), [
    ("LINEDESK_METRICS_PORT", "9100x", "not a number"),
    ("LINEDESK_PROXY_PROTOCOL", "ja", "not 1 or 0 (true/false, yes/no, on/off)"),
])
def test_a_bad_environment_value_is_one_line_naming_the_variable(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, why: str
) -> None:
    """A typo in the deployment's environment ended every command (serve, status) in a
    ValueError traceback; a flag set to anything but 1/true/yes/on (``=2``, ``=ja``) was
    silently off, e.g. LINEDESK_PROXY_PROTOCOL behind the balancer."""
    monkeypatch.setenv(variable, value)
    code, out, err = linedesk(demo_dir, "status")
    assert (code, out) == (2, "")
    assert err == f"linedesk: {variable}={value!r}: {why}\n"


def test_listings_escape_stored_names(demo_dir: Path) -> None:
    """Names reach the operator's terminal from the database: one stored before input was
    checked (or by another system) with ``ESC ] 0;... BEL`` must not retitle it."""

    async def store() -> None:
        core = Core(make_settings(demo_dir))
        try:
            async with core.uow() as uow:
                mia = await uow.session.scalar(select(Account).where(Account.username == "mia"))
                assert mia is not None
                mia.full_name = "Mia \x1b]0;pwned\x07Hacker"
                mia.locked_at, mia.lock_reason = mia.created_at, "weg\x1b[2J"
        finally:
            await core.close()

    asyncio.run(store())
    code, out, err = linedesk(demo_dir, "users", "list")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    (mia,) = [line for line in out.splitlines() if line.startswith("mia ")]
    assert "Mia \ufffdHacker" in mia and mia.endswith("yes (weg\ufffd)")
