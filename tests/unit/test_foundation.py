"""Schema, demo data, outbox, i18n and the architecture contract."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import i18n
from core.clock import FixedClock
from core.errors import AuthFailed, PermissionDenied, ValidationError
from core.models import (
    CREDENTIAL_ELIGIBLE_TYPES,
    Account,
    AreaVerification,
    Contract,
    ContractType,
    Customer,
    Number,
    NumberKind,
    NumberStatus,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Product,
)
from core.runtime import Core
from tests.conftest import DEMO_NOW, login, make_settings

ROOT = Path(__file__).resolve().parents[2]


async def test_migrations_match_models(core: Core) -> None:
    """The Alembic head creates exactly the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core.models import Base

    def diff(connection: object) -> list[object]:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)  # type: ignore[arg-type]

    async with core.db.write_engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_upgrade_on_empty_database_is_idempotent(tmp_path: Path) -> None:
    from core import migrate

    c = Core(make_settings(tmp_path))
    try:
        await migrate.upgrade(c.db)
        await migrate.upgrade(c.db)
        assert await migrate.current_revision(c.db) == migrate.head_revision()
    finally:
        await c.close()


async def test_demo_data_matches_spec(demo_core: Core) -> None:
    async with demo_core.uow(readonly=True) as uow:
        s = uow.session
        customers = {c.name: c for c in await s.scalars(select(Customer))}
        assert set(customers) == {"Muster GmbH", "Beispiel AG"}
        accounts = {a.username: a for a in await s.scalars(select(Account))}
        assert {a: accounts[a].role.value for a in accounts} == {
            "admin": "admin", "mia": "employee", "tom": "employee",
            "beispiel": "admin", "beispiel2": "admin", "support": "support",
        }
        muster = customers["Muster GmbH"].id
        contracts = (await s.scalars(select(Contract))).all()
        from core.models import CustomerNumber

        cn = {c.id: c for c in await s.scalars(select(CustomerNumber))}
        assert sorted(c.number for c in cn.values() if c.customer_id == muster) == [
            "1000001",
            "1000002",
        ]
        mine = [c for c in contracts if cn[c.customer_number_id].customer_id == muster]
        assert {c.product for c in mine} == set(Product)
        assert CREDENTIAL_ELIGIBLE_TYPES <= {c.type for c in mine}
        assert any(c.type not in CREDENTIAL_ELIGIBLE_TYPES for c in mine)
        main_site = next(c for c in mine if c.type is ContractType.CLOUD_PBX_MAIN)
        assert len([c for c in mine if c.parent_id == main_site.id]) == 2
        assert all(c.has_line == (c.type in CREDENTIAL_ELIGIBLE_TYPES) for c in mine)

        numbers = (await s.scalars(select(Number).where(Number.customer_id == muster))).all()
        assert len(numbers) >= 12
        assert {n.status for n in numbers} == set(NumberStatus)
        assert {n.area_prefix for n in numbers} >= {"030", "040"}
        mia = accounts["mia"].id
        assert any(n.assigned_account_id == mia for n in numbers)
        pending = [n for n in numbers if n.status is NumberStatus.PENDING_DEACTIVATION]
        assert pending and all(n.deactivation_date is not None for n in pending)
        faxes = [n for n in numbers if n.kind is NumberKind.FAX]
        assert any(n.fax_owner_id == mia for n in faxes)
        assert any(n.fax_owner_id is None for n in faxes)
        assert all(n.e164.startswith("+49") for n in numbers)
        verified = set(await s.scalars(
            select(AreaVerification.area_prefix).where(AreaVerification.customer_id == muster)
        ))
        assert "030" in verified and "040" not in verified


async def test_demo_passwords_work_and_wrong_ones_do_not(demo_core: Core) -> None:
    for name in ("admin", "mia", "tom", "beispiel", "beispiel2", "support"):
        actor = await login(demo_core, name)
        assert actor.username == name
    with pytest.raises(AuthFailed):
        await login(demo_core, "admin", "wrong-password")


async def test_no_default_passwords_without_demo(core: Core) -> None:
    async with core.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Account)) == 0


async def test_lockout_after_five_failures_is_per_account(
    demo_core: Core, clock: FixedClock
) -> None:
    from datetime import timedelta

    for _ in range(5):
        with pytest.raises(AuthFailed):
            await login(demo_core, "admin", "nope-nope")
    # correct password now refused: locked
    with pytest.raises(AuthFailed) as info:
        await login(demo_core, "admin")
    assert info.value.key == "error.auth_locked"
    # another account behind the same source address is not locked
    assert (await login(demo_core, "mia")).username == "mia"
    clock.advance(timedelta(minutes=16))
    assert (await login(demo_core, "admin")).username == "admin"


async def test_outbox_rows_commit_and_roll_back_with_their_transaction(core: Core) -> None:
    async with core.uow() as uow:
        uow.send(OutboxKind.SMS, to="+491701234567", subject="", body="kept")
    with pytest.raises(RuntimeError):
        async with core.uow() as uow:
            uow.send(OutboxKind.SMS, to="+491701234567", subject="", body="dropped")
            raise RuntimeError("boom")
    async with core.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(OutboxMessage))).all()
    assert len(rows) == 1
    assert b"kept" not in (rows[0].payload or b"")  # encrypted at rest


async def test_dispatcher_delivers_exactly_once_even_when_started_twice(
    core: Core, data_dir: Path
) -> None:
    from core.outbox import Dispatcher
    from core.transports import build_transports

    async with core.uow() as uow:
        for i in range(5):
            uow.send(OutboxKind.SMS, to="+491701234567", subject="", body=f"sms {i}")
        uow.send(OutboxKind.EMAIL, to="anna@example.org", subject="Hallo", body="Text")
        uow.send(
            OutboxKind.LETTER, to="Muster GmbH\nFriedrichstraße 123", subject="PIN", body="1234"
        )
    transports = build_transports(core.settings)
    a = Dispatcher(core.db, core.secret_box, core.clock, transports, node_id="a")
    b = Dispatcher(core.db, core.secret_box, core.clock, transports, node_id="b")
    import asyncio

    results = await asyncio.gather(a.dispatch_once(), b.dispatch_once(), a.dispatch_once())
    assert sum(results) == 7
    lines = (data_dir / "sms.jsonl").read_text().splitlines()
    assert sorted(json.loads(x)["text"] for x in lines) == [f"sms {i}" for i in range(5)]
    assert all(json.loads(x)["to"] == "+491701234567" for x in lines)
    assert len(list((data_dir / "mail" / "new").iterdir())) == 1
    assert len(list((data_dir / "letters").glob("*.txt"))) == 1
    async with core.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(OutboxMessage))).all()
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert all(r.payload is None for r in rows)  # wiped after delivery


async def test_failing_transport_retries_then_dead_letters(core: Core, clock: FixedClock) -> None:
    from datetime import timedelta

    from core.outbox import Dispatcher, Message

    class Broken:
        async def send(self, message: Message) -> None:
            raise ConnectionRefusedError("gateway down")

    async with core.uow() as uow:
        uow.send(OutboxKind.SMS, to="+491701234567", subject="", body="x")
    d = Dispatcher(core.db, core.secret_box, clock, {OutboxKind.SMS: Broken()}, max_attempts=3)
    assert await d.dispatch_once() == 0
    assert await d.dispatch_once() == 0  # backoff: not due yet
    for _ in range(3):
        clock.advance(timedelta(hours=2))
        await d.dispatch_once()
    async with core.uow(readonly=True) as uow:
        row = await uow.session.scalar(select(OutboxMessage))
    assert row is not None
    assert row.status is OutboxStatus.DEAD and row.attempts == 3
    assert "gateway down" in (row.last_error or "")
    assert row.payload is not None  # kept (encrypted) so that an operator can retry


def test_i18n_has_every_key_in_both_languages() -> None:
    for key, texts in i18n.CATALOG.items():
        assert set(texts) == set(i18n.LOCALES), key
        assert all(texts[loc].strip() for loc in i18n.LOCALES), key
        # placeholders agree between languages
        import string

        fields = [
            {f for _, f, _, _ in string.Formatter().parse(texts[loc]) if f} for loc in i18n.LOCALES
        ]
        assert fields[0] == fields[1], key


def test_every_i18n_key_used_in_code_exists() -> None:
    used: set[str] = set()
    for folder in ("core", "tui", "screens", "ssh_server"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    v = node.value
                    if (
                        v.count(".") >= 1
                        and v.split(".")[0] in {"error", "ui", "mail", "sms", "letter"}
                        and " " not in v
                        and v.replace(".", "").replace("_", "").isalnum()
                        and v.rsplit(".", 1)[1] not in {"", "jsonl", "txt", "zip", "tcss"}
                    ):
                        used.add(v)
    missing = sorted(k for k in used if k not in i18n.CATALOG)
    assert missing == []


def test_locale_formats() -> None:
    from datetime import date

    assert i18n.format_money(123456, "de") == "1.234,56\u00a0€"  # no-break: never wraps
    assert i18n.format_money(-250, "de") == "-2,50\u00a0€" and " " not in i18n.format_money(
        250, "de")
    assert i18n.format_money(123456, "en") == "€1,234.56"
    assert i18n.format_date(date(2026, 12, 31), "de") == "31.12.2026"
    assert i18n.format_date(date(2026, 12, 31), "en") == "31/12/2026"
    assert i18n.t("en", "error.invalid_email", value="x") == "'x' is not a valid e-mail address."


def test_validation() -> None:
    from core.security import validate_email, validate_mobile

    assert validate_mobile("0170 123 45 67") == "+491701234567"
    assert validate_email(" anna@muster-gmbh.de ") == "anna@muster-gmbh.de"
    for bad in ("anna", "anna@", "a@b", "a b@c.de", "anna@muster..de"):
        with pytest.raises(ValidationError):
            validate_email(bad)
    for bad in ("12", "+49abc", "++491701234567"):
        with pytest.raises(ValidationError):
            validate_mobile(bad)


def test_core_imports_no_ui_or_ssh() -> None:
    """Architecture contract: core/ never imports textual, asyncssh or the front ends."""
    forbidden = {"textual", "asyncssh", "tui", "screens", "ssh_server", "rich"}
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert offenders == []


def test_core_imports_at_module_level() -> None:
    """Architecture: core's imports are at the top, so an import circle fails at once
    instead of hiding behind a function-level import (import-linter's acyclic contract
    checks the graph). A genuinely optional heavy import may stay in a function when the
    line above says why, starting with "Imported here on purpose"."""
    offenders = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        if "versions" in path.parts:
            continue
        lines = path.read_text().splitlines()
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                above = " ".join(lines[max(0, node.lineno - 4):node.lineno - 1])
                if "Imported here on purpose" not in above:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


async def test_events_are_published_only_after_commit(core: Core) -> None:
    """Invariant 4: a listener never hears of a change that was rolled back, and hears of a
    committed one only once the transaction is over."""
    heard: list[str] = []
    sub = core.bus.subscribe(lambda e: heard.append(e.name))
    with pytest.raises(RuntimeError):
        async with core.uow() as uow:
            uow.emit("Rolledback", None)
            raise RuntimeError("the service failed")
    async with core.uow() as uow:
        uow.emit("Committed", None)
        assert heard == []  # still inside the transaction
    sub.close()
    assert heard == ["Committed"]


def test_services_never_commit() -> None:
    """Invariant 3: the unit of work commits; a service that committed itself would publish
    half of a change that its caller may still roll back."""
    offenders = []
    for path in sorted((ROOT / "core" / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"commit", "rollback", "begin"}):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_screens_name_no_status_literal() -> None:
    """Invariant 1: screens ask the core (``NumberView.actions``) and name statuses through
    ``core.enums``; a status spelled as a string in a screen is a rule restated there."""
    from core.enums import NumberStatus

    statuses = {status.value for status in NumberStatus}
    offenders = [
        f"{path.name}:{node.lineno} {node.value!r}"
        for path in sorted((ROOT / "screens").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in statuses
    ]
    assert offenders == []


def test_clock_is_injected_in_tests(clock: FixedClock) -> None:
    assert clock.now() == DEMO_NOW
    assert clock.today().isoformat() == "2026-11-21"


async def test_support_needs_customer_and_reason() -> None:
    from core.authz import Actor, Permission, require
    from core.models import Role

    support = Actor(1, "support", Role.SUPPORT, None)
    with pytest.raises(PermissionDenied):
        require(support, Permission.NUMBER_READ, customer_id=1)
    opened = support.for_customer(1)
    require(opened, Permission.NUMBER_READ, customer_id=1)
    with pytest.raises(PermissionDenied) as info:
        require(opened, Permission.NUMBER_MANAGE, customer_id=1)
    assert info.value.key == "error.support_reason_required"
    require(opened.with_reason("TICKET-1"), Permission.NUMBER_MANAGE, customer_id=1)


async def test_concurrent_writers_never_see_database_locked(
    demo_core: Core, data_dir: Path
) -> None:
    """Many writers at once in one process, plus a second Core on the same file (a second
    process would behave the same): writes queue, none fails with "database is locked"."""
    import asyncio

    from core.models import AuditEvent

    other = Core(demo_core.settings, clock=demo_core.clock)  # same database, either backend

    async def write(core: Core, i: int) -> None:
        async with core.uow() as uow:
            uow.audit(None, "test.write", customer_id=None, target=str(i))
            await uow.session.flush()
            await asyncio.sleep(0)  # hold the transaction across a loop turn

    async def read(core: Core) -> int:
        async with core.uow(readonly=True) as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

    try:
        jobs = [write(demo_core if i % 2 else other, i) for i in range(60)]
        jobs += [read(demo_core) for _ in range(20)]
        results = await asyncio.gather(*jobs)
    finally:
        await other.close()
    assert all(r is None or isinstance(r, int) for r in results)
    async with demo_core.uow(readonly=True) as uow:
        written = await uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.write")
        )
    assert written == 60


async def test_login_upgrades_old_password_hashes(demo_core: Core) -> None:
    """Hashes made with the library's heavier defaults are replaced at the next login."""
    from argon2 import PasswordHasher

    from core.security import needs_rehash

    old = PasswordHasher().hash("mia-demo")
    assert needs_rehash(old)
    async with demo_core.uow() as uow:
        account = await uow.session.scalar(select(Account).where(Account.username == "mia"))
        assert account is not None
        account.password_hash = old
    assert (await login(demo_core, "mia")).username == "mia"
    async with demo_core.uow(readonly=True) as uow:
        stored = await uow.session.scalar(
            select(Account.password_hash).where(Account.username == "mia")
        )
    assert stored and stored != old and not needs_rehash(stored)
    assert (await login(demo_core, "mia")).username == "mia"


async def test_authenticate_password_checks_outside_the_write_transaction(demo_core: Core) -> None:
    """Success, failures counted towards the lockout, lockout, unknown user."""
    from core.services.auth import authenticate_password

    ok = await authenticate_password(demo_core, username="admin", password="admin-demo", source="t")
    assert ok.actor is not None and ok.actor.customer_name == "Muster GmbH"
    for _ in range(5):
        bad = await authenticate_password(
            demo_core, username="mia", password="wrong-one", source="t"
        )
        assert bad.actor is None
    locked = await authenticate_password(demo_core, username="mia", password="mia-demo", source="t")
    assert locked.actor is None and locked.locked
    unknown = await authenticate_password(demo_core, username="nobody", password="x" * 10)
    assert unknown.actor is None and not unknown.locked


async def test_cancelled_caller_does_not_interrupt_its_unit_of_work(core: Core) -> None:
    """A session that closes mid-call (its worker cancelled) leaves no half-done work:
    the unit of work finishes on its own and commits."""
    import asyncio

    from core.authz import Actor
    from core.models import AuditEvent, Role

    started, release = asyncio.Event(), asyncio.Event()

    async def slow_write(uow: object, actor: Actor) -> None:
        uow.audit(None, "test.slow", customer_id=None)  # type: ignore[attr-defined]
        started.set()
        await release.wait()

    actor = Actor(1, "op", Role.SUPPORT, None)
    caller = asyncio.create_task(core.run(slow_write, actor))
    await started.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    release.set()
    await core.drain()
    async with core.uow(readonly=True) as uow:
        count = await uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.slow")
        )
    assert count == 1


def test_readme_documents_every_setting() -> None:
    from core.config import ENV_FIELDS

    readme = (ROOT / "README.md").read_text()
    assert [name for name in ENV_FIELDS if f"`{name}`" not in readme] == []
