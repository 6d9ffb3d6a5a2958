"""R19 scheduled credential reset: time bounds and suggestion, consent with the contact it
was given for, the scheduler job (exactly once, also with two schedulers/nodes on SQLite and
PostgreSQL, catch-up with a late notice), cancelling, cancelling on a contact change, and
command mode. Clock injected (tests.conftest: 2026-11-21 10:00 UTC)."""

from __future__ import annotations

import asyncio
import email
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.authz import Actor
from core.clock import BERLIN, FixedClock
from core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from core.jobs import JOBS
from core.models import (
    AuditEvent,
    Contract,
    ContractType,
    CredentialStatus,
    LineCredential,
    ScheduledReset,
)
from core.runtime import Core
from core.scheduler import Scheduler
from core.services import credentials, stepup, users
from ssh_server.commands import execute
from tests.conftest import DEMO_NOW, copy_template, login, make_settings
from tests.stepup_helpers import execute_with_code, run_with_code, take_code_from_outbox

NOW = DEMO_NOW  # 2026-11-21 10:00 UTC = 11:00 Berlin


async def contract(core: Core, ctype: ContractType = ContractType.CLOUD_PBX_MAIN) -> Contract:
    async with core.uow(readonly=True) as uow:
        row = await uow.session.scalar(
            select(Contract).where(Contract.type == ctype, Contract.contract_ref.like("V-1000%"))
            .order_by(Contract.id).limit(1))
    assert row is not None
    return row


async def schedule(
    core: Core, actor: Actor, cid: int, at: datetime
) -> credentials.ScheduledResetView:
    return await run_with_code(core, credentials.schedule, actor, contract_id=cid, at=at,
                               consent=True)


async def active_credentials(core: Core, cid: int) -> int:
    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(
            select(func.count()).select_from(LineCredential).where(
                LineCredential.contract_id == cid,
                LineCredential.status == CredentialStatus.ACTIVE,
                LineCredential.generated_at >= NOW)) or 0)


def deliveries(data_dir: Path) -> tuple[list[email.message.EmailMessage], list[dict[str, str]]]:
    new = data_dir / "mail" / "new"
    mails = [email.message_from_bytes(p.read_bytes(), policy=default_policy)
             for p in sorted(new.iterdir(), key=lambda p: p.stat().st_mtime_ns)] \
        if new.exists() else []
    sms_file = data_dir / "sms.jsonl"
    sms = [json.loads(line) for line in sms_file.read_text().splitlines()] \
        if sms_file.exists() else []
    return mails, sms  # type: ignore[return-value]


# ----------------------------------------------------------------------- time rules


def test_suggested_time_is_the_next_22_berlin_at_least_15_minutes_ahead() -> None:
    suggest = credentials.suggested_reset_time
    assert suggest(NOW) == datetime(2026, 11, 21, 21, 0, tzinfo=UTC)  # CET: 22:00 = 21:00 UTC
    assert suggest(datetime(2026, 11, 21, 20, 45, tzinfo=UTC)) == datetime(
        2026, 11, 21, 21, 0, tzinfo=UTC)  # exactly 15 minutes ahead
    assert suggest(datetime(2026, 11, 21, 20, 46, tzinfo=UTC)) == datetime(
        2026, 11, 22, 21, 0, tzinfo=UTC)  # 14 minutes: tomorrow
    assert suggest(datetime(2026, 11, 21, 22, 30, tzinfo=UTC)) == datetime(
        2026, 11, 22, 21, 0, tzinfo=UTC)
    assert suggest(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == datetime(
        2026, 7, 1, 20, 0, tzinfo=UTC)  # CEST: 22:00 = 20:00 UTC
    assert suggest(NOW).astimezone(BERLIN).hour == 22


def test_times_without_offset_are_berlin_local() -> None:
    parse = credentials.parse_reset_time
    assert parse("2026-12-02T22:00") == datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
    assert parse("2026-12-02T22:00+00:00") == datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        parse("morgen abend")


@pytest.mark.parametrize("typed", ["02.12.2026 22:00", "2.12.2026 22:00", "02.12.2026, 22:00"])
def test_the_german_form_the_portal_shows_is_accepted(typed: str) -> None:
    """The reset dialog refused "02.12.2026 22:00" ("Ungültiger Zeitpunkt"), the form in
    which the portal itself shows the planned time in German."""
    assert credentials.parse_reset_time(typed) == datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
    for bad in ("31.02.2026 22:00", "02.12.26 22:00"):
        with pytest.raises(ValidationError) as err:
            credentials.parse_reset_time(bad)
        assert "TT.MM.JJJJ HH:MM" in err.value.render("de")


async def test_schedule_needs_15_minutes_to_30_days(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin, c = actors["admin"], await contract(demo_core)
    for at in (NOW - timedelta(hours=1), NOW + timedelta(minutes=14, seconds=59),
               NOW + timedelta(days=30, seconds=1)):
        with pytest.raises(RuleViolation) as refused:
            await demo_core.run(credentials.schedule, admin, contract_id=c.id, at=at,
                                consent=True)
        assert refused.value.rule == "R19"
    with pytest.raises(RuleViolation) as no_consent:
        await demo_core.run(credentials.schedule, admin, contract_id=c.id,
                            at=NOW + timedelta(hours=1), consent=False)
    assert no_consent.value.rule == "R4"
    sip = await contract(demo_core, ContractType.SIP_TRUNK)
    with pytest.raises(RuleViolation) as no_line:
        await demo_core.run(credentials.schedule, admin, contract_id=sip.id,
                            at=NOW + timedelta(hours=1), consent=True)
    assert no_line.value.rule == "R2"
    # no code: the R20 step-up first
    with pytest.raises(stepup.StepUpRequired):
        await demo_core.run(credentials.schedule, admin, contract_id=c.id,
                            at=NOW + timedelta(minutes=15), consent=True)
    first = await schedule(demo_core, admin, c.id, NOW + timedelta(minutes=15))
    assert first.status == "scheduled"
    with pytest.raises(RuleViolation) as twice:  # one per contract
        await schedule(demo_core, admin, c.id, NOW + timedelta(days=30))
    assert twice.value.key == "credentials.error.already_scheduled"
    other = await contract(demo_core, ContractType.COMPANYFLEX_COMPLETE)
    last = await schedule(demo_core, admin, other.id, NOW + timedelta(days=30))
    assert [r.id for r in await demo_core.read(credentials.list_scheduled, admin)] == [
        first.id, last.id]
    assert await active_credentials(demo_core, c.id) == 0  # nothing generated yet


async def test_consent_is_recorded_with_the_contact_it_was_given_for(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    c = await contract(demo_core)
    view = await schedule(demo_core, actors["admin"], c.id, NOW + timedelta(hours=2))
    assert (view.email_masked, view.mobile_masked) == ("sa***@muster-gmbh.de", "+49170*****67")
    async with demo_core.uow(readonly=True) as uow:
        row = await uow.session.get(ScheduledReset, view.id)
        audit = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "reset.scheduled"))
    assert row is not None
    assert (row.consent_email, row.consent_mobile) == ("sabine.muster@muster-gmbh.de",
                                                       "+491701234567")
    assert audit is not None and audit.details["recipient"] == "admin"


# ----------------------------------------------------------------------- the scheduler job


async def test_job_generates_and_delivers_exactly_once_at_the_time(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    c = await contract(demo_core)
    at = NOW + timedelta(hours=2)
    await schedule(demo_core, actors["admin"], c.id, at)
    await demo_core.dispatcher.dispatch_once()
    mails_before, sms_before = deliveries(demo_core.settings.data_dir)
    sched = Scheduler(demo_core, JOBS, holder="node-a")
    clock.set(at - timedelta(seconds=1))
    assert (await sched.run_once())["credential_resets"] == 0
    clock.set(at)
    assert (await sched.run_once())["credential_resets"] == 1
    assert (await sched.run_once())["credential_resets"] == 0
    assert await active_credentials(demo_core, c.id) == 1
    await demo_core.dispatcher.dispatch_once()
    mails, sms = deliveries(demo_core.settings.data_dir)
    new_mails, new_sms = mails[len(mails_before):], sms[len(sms_before):]
    assert len(new_mails) == 1 and len(new_sms) == 1
    assert new_mails[0]["To"] == "sabine.muster@muster-gmbh.de"
    assert new_sms[0]["to"] == "+491701234567"
    [view] = await demo_core.read(credentials.list_scheduled, actors["admin"], include_past=True)
    assert view.status == "done" and view.done_at == at and not view.late
    async with demo_core.uow(readonly=True) as uow:
        generated = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "credentials.generated"))
    assert generated is not None and generated.actor_username == "system"
    assert generated.details["scheduled_by"] == "admin"


async def test_catch_up_after_downtime_tells_the_admin_it_ran_late(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    c = await contract(demo_core)
    at = NOW + timedelta(hours=2)
    await schedule(demo_core, actors["admin"], c.id, at)
    await demo_core.dispatcher.dispatch_once()
    clock.set(at + timedelta(hours=3))  # the server was down over the time
    assert (await Scheduler(demo_core, JOBS).run_once())["credential_resets"] == 1
    [view] = await demo_core.read(credentials.list_scheduled, actors["admin"], include_past=True)
    assert view.late and view.done_at == at + timedelta(hours=3)
    await demo_core.dispatcher.dispatch_once()
    mails, sms = deliveries(demo_core.settings.data_dir)
    subjects = [m["Subject"] for m in mails]
    assert len(mails) == 2 and sum("verspätet" in s for s in subjects) == 1  # + the credentials
    late = next(m for m in mails if "verspätet" in m["Subject"])
    assert late["To"] == "sabine.muster@muster-gmbh.de"
    assert "13:00" in late.get_content() and "16:00" in late.get_content()  # Berlin time
    assert len([s for s in sms if s["to"] == "+491701234567"]) == 1
    assert await active_credentials(demo_core, c.id) == 1


async def test_two_schedulers_on_one_sqlite_database_run_it_once(
    db_templates: dict[str, Path], tmp_path: Path
) -> None:
    clock = FixedClock(NOW)
    data_dir = copy_template(db_templates["demo"], tmp_path / "data")
    nodes = [Core(make_settings(data_dir), clock=clock) for _ in range(2)]
    try:
        await _two_nodes_run_once(nodes, clock)
    finally:
        for node in nodes:
            await node.close()


async def _two_nodes_run_once(nodes: list[Core], clock: FixedClock) -> None:
    admin = await login(nodes[0], "admin")
    c = await contract(nodes[0])
    other = await contract(nodes[0], ContractType.COMPANYFLEX_COMPLETE)
    await schedule(nodes[0], admin, c.id, NOW + timedelta(hours=1))
    await schedule(nodes[0], admin, other.id, NOW + timedelta(hours=1))
    clock.set(NOW + timedelta(hours=1))
    # two schedulers (own lease holders) at once
    rounds = await asyncio.gather(*(Scheduler(n, JOBS, holder=f"node-{i}").run_once()
                                    for i, n in enumerate(nodes)))
    assert sum(r.get("credential_resets", 0) for r in rounds) == 2
    # and the row claim holds even without the lease: both jobs at once find them taken
    clock.set(NOW + timedelta(hours=2))
    await schedule(nodes[0], admin, c.id, NOW + timedelta(hours=3))
    clock.set(NOW + timedelta(hours=3))

    async def job(node: Core) -> int:
        async with node.uow() as uow:
            return await credentials.run_due_resets(uow)

    assert sorted(await asyncio.gather(*(job(n) for n in nodes))) == [0, 1]
    async with nodes[0].uow(readonly=True) as uow:
        generated = await uow.session.scalar(
            select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.action == "credentials.generated"))
        active = await uow.session.scalar(
            select(func.count()).select_from(LineCredential).where(
                LineCredential.contract_id == c.id,
                LineCredential.status == CredentialStatus.ACTIVE))
    assert generated == 3 and active == 1


@pytest.fixture
async def pg_nodes(pg_server: str, tmp_path: Path) -> AsyncIterator[tuple[list[Core], FixedClock]]:
    from core import migrate
    from core.demo import seed_demo
    from tests.pg import create_database

    url = await create_database(pg_server)
    clock = FixedClock(NOW)
    nodes = [Core(make_settings(tmp_path, database_url=url), clock=clock) for _ in range(2)]
    await migrate.upgrade(nodes[0].db)
    async with nodes[0].uow() as uow:
        await seed_demo(uow)
    yield nodes, clock
    for node in nodes:
        await node.close()


async def test_two_schedulers_on_postgres_run_it_once(
    pg_nodes: tuple[list[Core], FixedClock]
) -> None:
    nodes, clock = pg_nodes
    await _two_nodes_run_once(nodes, clock)


# ----------------------------------------------------------------------- cancelling


async def test_cancel_until_it_has_run(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin, c = actors["admin"], await contract(demo_core)
    view = await schedule(demo_core, admin, c.id, NOW + timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        await demo_core.run(credentials.cancel_scheduled, actors["mia"], reset_id=view.id)
    with pytest.raises(NotFound):  # another customer's reset is not found
        await demo_core.run(credentials.cancel_scheduled, actors["beispiel"], reset_id=view.id)
    cancelled = await demo_core.run(credentials.cancel_scheduled, admin, reset_id=view.id)
    assert cancelled.status == "cancelled"
    with pytest.raises(RuleViolation) as again:
        await demo_core.run(credentials.cancel_scheduled, admin, reset_id=view.id)
    assert again.value.key == "credentials.error.schedule_cancelled"
    clock.set(NOW + timedelta(hours=2))
    assert (await Scheduler(demo_core, JOBS).run_once())["credential_resets"] == 0
    assert await active_credentials(demo_core, c.id) == 0
    # one that has run cannot be cancelled
    done = await schedule(demo_core, admin, c.id, NOW + timedelta(hours=3))
    clock.set(NOW + timedelta(hours=3))
    await Scheduler(demo_core, JOBS).run_once()
    with pytest.raises(RuleViolation) as ran:
        await demo_core.run(credentials.cancel_scheduled, admin, reset_id=done.id)
    assert ran.value.key == "credentials.error.schedule_done"


async def test_contact_change_cancels_with_a_notice(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin, c = actors["admin"], await contract(demo_core)
    await schedule(demo_core, admin, c.id, NOW + timedelta(hours=1))
    await demo_core.dispatcher.dispatch_once()
    mails_before, _ = deliveries(demo_core.settings.data_dir)
    await demo_core.run(users.update_contact, admin, email="s.muster@muster-gmbh.de",
                        mobile="+491701234567", current_password="admin-demo")
    [view] = await demo_core.read(credentials.list_scheduled, admin, include_past=True)
    assert view.status == "cancelled" and view.cancel_reason == "contact_changed"
    await demo_core.dispatcher.dispatch_once()
    mails, _ = deliveries(demo_core.settings.data_dir)
    notices = [m for m in mails[len(mails_before):] if "storniert" in m["Subject"]]
    assert sorted(m["To"] for m in notices) == ["s.muster@muster-gmbh.de",
                                                "sabine.muster@muster-gmbh.de"]
    clock.set(NOW + timedelta(hours=2))
    assert (await Scheduler(demo_core, JOBS).run_once())["credential_resets"] == 0
    assert await active_credentials(demo_core, c.id) == 0


async def test_unchanged_contact_keeps_the_schedule(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin, c = actors["admin"], await contract(demo_core)
    await schedule(demo_core, admin, c.id, NOW + timedelta(hours=1))
    async with demo_core.uow() as uow:  # another account's contact changes
        mia = await login(demo_core, "mia")
        await users.update_contact(uow, mia, email="mia.neu@muster-gmbh.de", mobile=None,
                                   current_password="mia-demo")
    [view] = await demo_core.read(credentials.list_scheduled, admin)
    assert view.status == "scheduled"


# ----------------------------------------------------------------------- command mode


async def test_command_mode_schedule_list_cancel(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin, c = actors["admin"], await contract(demo_core)
    command = f"credentials generate {c.contract_ref} --consent --at 2026-11-22T22:00"
    first = await execute(demo_core, admin, command)
    assert first.exit_code == 4 and "+49170*****67" in first.stderr and "--code" in first.stderr
    assert first.stderr.count("\n") == 1
    code = await take_code_from_outbox(demo_core)
    wrong = await execute(demo_core, admin, f"{command} --code {'1' if code[0] != '1' else '2'}"
                          f"{code[1:]}")
    assert wrong.exit_code == 4 and "Falscher" in wrong.stderr
    done = await execute(demo_core, admin, f"{command} --code {code} --json")
    assert done.exit_code == 0, done.stderr
    planned = json.loads(done.stdout)
    assert planned["at"] == "2026-11-22T21:00:00+00:00" and planned["status"] == "scheduled"
    listed = await execute(demo_core, admin, "credentials scheduled --json")
    assert [r["id"] for r in json.loads(listed.stdout)] == [planned["id"]]
    human = await execute(demo_core, admin, "credentials scheduled")
    assert c.contract_ref in human.stdout and "22.11.2026" in human.stdout
    too_soon = await execute_with_code(
        demo_core, admin, f"credentials generate {c.contract_ref} --consent --at 2026-11-21T11:10")
    assert too_soon.exit_code == 4 and "15 Minuten" in too_soon.stderr
    bad = await execute(demo_core, admin, f"credentials generate {c.contract_ref} --consent "
                        "--at nachher")
    assert bad.exit_code == 2
    cancelled = await execute(demo_core, admin, f"credentials cancel {planned['id']}")
    assert cancelled.exit_code == 0, cancelled.stderr
    assert (await execute(demo_core, admin, f"credentials cancel {planned['id']}")).exit_code == 4
    assert (await execute(demo_core, actors["mia"], "credentials scheduled")).exit_code == 3
    nothing = await execute(demo_core, admin, "credentials scheduled")
    assert nothing.exit_code == 0 and "Keine" in nothing.stdout


async def test_command_mode_step_up_for_swap(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    command = "numbers swap +4930123456106 +4930123456105 --yes --json"
    first = await execute(demo_core, admin, command)
    assert first.exit_code == 4 and "+49170*****67" in first.stderr
    refused = await execute(demo_core, admin, command + " --code 12345x")
    assert refused.exit_code == 2  # no code at all: a usage error, no try used up
    again = await execute_with_code(demo_core, admin, command)
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["new"]["status"] == "active"


async def test_one_code_runs_once_on_two_postgres_nodes(
    pg_nodes: tuple[list[Core], FixedClock]
) -> None:
    """R20 single use across nodes: the same code sent to two nodes at once runs one swap."""
    from core.services import numbers
    from tests.stepup_helpers import request_code

    nodes, _ = pg_nodes
    admin = await login(nodes[0], "admin")
    code = await request_code(nodes[0], admin, stepup.SWAP, "+4930123456106>+4930123456105")
    results = await asyncio.gather(*(
        n.run(numbers.swap, admin, old="+4930123456106", new="+4930123456105", code=code)
        for n in nodes), return_exceptions=True)
    assert sum(isinstance(r, numbers.SwapResult) for r in results) == 1
    [refused] = [r for r in results if isinstance(r, Exception)]
    # the other node finds the code used, or (when it starts after the first committed) the
    # old number already inactive
    assert isinstance(refused, RuleViolation), refused
    assert refused.key in ("stepup.error.used", "error.numbers.refused.swap_old"), refused


R19_TEXTS = (
    "credentials.error.already_scheduled", "credentials.error.no_such_schedule",
    "credentials.error.schedule_done", "credentials.error.schedule_cancelled",
    "credentials.mail.reset_cancelled.subject", "credentials.mail.reset_cancelled.body",
    "credentials.mail.reset_late.body", "audit.action.reset.scheduled",
    "audit.action.reset.cancelled", "cmd.arg.reset_id", "cmd.help.credentials_scheduled",
    "cmd.help.credentials_cancel", "cmd.credentials.scheduled", "cmd.credentials.none_scheduled",
    "cmd.credentials.cancelled", "credentials.scheduled_done", "deadlines.kind.reset",
    "ui.deadlines.cancel.title", "ui.deadlines.cancelled", "approvals.what.credentials.schedule",
    "audit.value.for_action.credentials.schedule",
)


def test_scheduled_reset_has_one_german_term_per_concept() -> None:
    """R19's German texts said Reset, Zurücksetzen, neue Zugangsdaten, absagen and
    stornieren for the same two things; now "(geplante) Neuvergabe der Zugangsdaten" and
    "stornieren" (as for porting orders), nowhere else "Reset"/"absagen"."""
    import re

    from core.i18n import CATALOG, t

    for key in R19_TEXTS:
        text = t("de", key)
        assert "Neuvergabe" in text, (key, text)
    for key, entry in CATALOG.items():
        if key in ("users.reset_password", "users.key.reset"):
            continue  # a password is reset (zurückgesetzt): another concept
        german = entry.get("de", "") if isinstance(entry, dict) else str(entry)
        assert not re.search(r"absag|abgesagt|\bReset|[Zz]urücksetz", german), (key, german)
    for key in ("credentials.error.already_scheduled", "credentials.error.schedule_cancelled",
                "credentials.mail.reset_cancelled.subject", "cmd.credentials.cancelled",
                "cmd.help.credentials_cancel", "ui.deadlines.cancelled",
                "cmd.credentials.scheduled", "credentials.scheduled_done",
                "credentials.schedule.body"):
        assert "storni" in t("de", key).lower(), key
