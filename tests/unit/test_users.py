"""User management (R6, R14): own contact data, language, employee accounts."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.errors import AuthFailed, Conflict, NotFound, PermissionDenied, ValidationError
from core.events import DomainEvent
from core.i18n import CATALOG
from core.models import Account, AuditEvent, LoginFailure, Number, OutboxMessage
from core.runtime import Core
from core.services import numbers, users
from core.services.auth import LOCKOUT_FAILURES
from tests.conftest import login, stored_bytes
from tests.stepup_helpers import run_with_code


def mails(data_dir: Path) -> list[EmailMessage]:
    folder = data_dir / "mail" / "new"
    out = []
    for path in (
        sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []
    ):
        mail = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        assert isinstance(mail, EmailMessage)
        out.append(mail)
    return out


def password_in(mail: EmailMessage) -> str:
    found = re.search(r"(?:Start-Passwort|initial password|neues Passwort erzeugt|new password for "
                      r"your user account \S+): (\S+)", mail.get_content())
    assert found, mail.get_content()
    return found.group(1)


async def test_profile_shows_own_data(demo_core: Core, actors: dict[str, Actor]) -> None:
    profile = await demo_core.read(users.get_profile, actors["mia"])
    assert (profile.username, profile.email, profile.mobile) == (
        "mia", "mia.schneider@muster-gmbh.de", "+491712345678")
    assert profile.customer_name == "Muster GmbH" and profile.locale == "de"
    support = await demo_core.read(users.get_profile, actors["support"])
    assert support.username == "support"


async def test_contact_change_validates_and_notifies_old_address(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    mia = actors["mia"]
    profile = await demo_core.run(
        users.update_contact, mia, email="mia@neu.example", mobile="0171 999 8877",
        current_password="mia-demo",
    )
    assert (profile.email, profile.mobile) == ("mia@neu.example", "+491719998877")
    await demo_core.dispatcher.dispatch_once()
    [notice] = mails(demo_core.settings.data_dir)
    assert notice["To"] == "mia.schneider@muster-gmbh.de"
    assert "mi***@neu.example" in notice.get_content()
    async with demo_core.uow(readonly=True) as uow:
        audit = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "profile.contact_changed"))
    assert audit is not None and audit.details["changed"] == ["email", "mobile"]
    assert "mia@neu.example" not in str(audit.details)


@pytest.mark.parametrize(
    ("mail", "mobile", "password", "error"),
    [
        ("no-at-sign", "+491701234567", "mia-demo", ValidationError),
        ("mia@example", "+491701234567", "mia-demo", ValidationError),
        ("mia@neu.example", "12ab", "mia-demo", ValidationError),
        ("", "+491701234567", "mia-demo", ValidationError),
        ("mia@neu.example", "+491701234567", "wrong-password", PermissionDenied),
    ],
)
async def test_contact_change_refusals_change_nothing(
    demo_core: Core, actors: dict[str, Actor], mail: str, mobile: str, password: str,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await demo_core.run(users.update_contact, actors["mia"], email=mail, mobile=mobile,
                            current_password=password)
    profile = await demo_core.read(users.get_profile, actors["mia"])
    assert profile.email == "mia.schneider@muster-gmbh.de"
    async with demo_core.uow(readonly=True) as uow:
        assert not (await uow.session.scalars(select(OutboxMessage))).all()


async def test_wrong_current_password_counts_towards_the_login_lockout(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    mia = actors["mia"]
    for _ in range(LOCKOUT_FAILURES):
        with pytest.raises(PermissionDenied) as err:
            await demo_core.run(users.update_contact, mia, email="mia@neu.example", mobile=None,
                                current_password="guess")
        assert err.value.key == "users.error.wrong_password"
    with pytest.raises(AuthFailed):
        await login(demo_core, "mia")
    with pytest.raises(PermissionDenied) as err:  # even the right password waits now
        await demo_core.run(users.update_contact, mia, email="mia@neu.example", mobile=None,
                            current_password="mia-demo")
    assert err.value.key == "users.error.locked"
    async with demo_core.uow(readonly=True) as uow:
        sources = set(await uow.session.scalars(select(LoginFailure.source)))
    assert sources == {"127.0.0.1"}
    assert (await demo_core.read(users.get_profile, mia)).email == "mia.schneider@muster-gmbh.de"


async def test_set_locale(demo_core: Core, actors: dict[str, Actor]) -> None:
    assert (await demo_core.run(users.set_locale, actors["mia"], locale="en")).locale == "en"
    assert (await login(demo_core, "mia")).locale == "en"
    with pytest.raises(ValidationError):
        await demo_core.run(users.set_locale, actors["mia"], locale="fr")


async def test_employee_list_per_tenant_and_role(demo_core: Core, actors: dict[str, Actor]) -> None:
    listed = await demo_core.read(users.list_employees, actors["admin"])
    assert {e.username for e in listed} == {"admin", "mia", "tom"}
    mia = next(e for e in listed if e.username == "mia")
    assert "+4930123456100" in mia.numbers and mia.active
    assert {e.username for e in await demo_core.read(users.list_employees, actors["beispiel"])} == {
        "beispiel", "beispiel2"}
    with pytest.raises(PermissionDenied):
        await demo_core.read(users.list_employees, actors["mia"])
    with pytest.raises(PermissionDenied):
        await demo_core.read(users.list_employees, actors["support"])


async def test_create_employee_with_numbers_and_emailed_password(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    free = await demo_core.read(users.assignable_numbers, actors["admin"])
    assert "+4930123456106" in free and "+4930123456100" not in free
    created = await demo_core.run(
        users.create_employee, actors["admin"], username="Lea", full_name="Lea Neu",
        email="lea@muster-gmbh.de", mobile="+491760000001", locale="en",
        numbers=["+4930123456106"],
    )
    assert created.username == "lea" and created.numbers == ("+4930123456106",)
    await demo_core.dispatcher.dispatch_once()
    [welcome] = mails(demo_core.settings.data_dir)
    assert welcome["To"] == "lea@muster-gmbh.de" and welcome["Subject"].startswith("Your access")
    assert "Sign in: ssh -p 2222 lea@127.0.0.1" in welcome.get_content()  # with the port
    lea = await login(demo_core, "lea", password_in(welcome))
    assert lea.locale == "en" and lea.customer_id == actors["admin"].customer_id


async def test_create_employee_refusals(demo_core: Core, actors: dict[str, Actor]) -> None:
    with pytest.raises(ValidationError):
        await demo_core.run(users.create_employee, actors["admin"], username="mia", full_name="x",
                            email="x@muster-gmbh.de")
    with pytest.raises(ValidationError):
        await demo_core.run(users.create_employee, actors["admin"], username="ok-name",
                            full_name="x", email="not-an-address")
    with pytest.raises(NotFound):  # a number of another customer: nothing is created
        await demo_core.run(users.create_employee, actors["admin"], username="neu", full_name="x",
                            email="neu@muster-gmbh.de", numbers=["+4989123456300"])
    for name in ("mia", "support"):
        with pytest.raises(PermissionDenied):
            await demo_core.run(users.create_employee, actors[name], username="neu2",
                                full_name="x", email="neu2@muster-gmbh.de")
    async with demo_core.uow(readonly=True) as uow:
        names = set(await uow.session.scalars(select(Account.username)))
    assert "neu" not in names and "neu2" not in names


async def test_deactivate_and_reset_password(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    reset = await demo_core.run(users.reset_password, admin, username="tom")
    assert reset.username == "tom"
    await demo_core.dispatcher.dispatch_once()
    [mail] = mails(demo_core.settings.data_dir)
    new_password = password_in(mail)
    with pytest.raises(AuthFailed):
        await login(demo_core, "tom", "tom-demo")
    assert (await login(demo_core, "tom", new_password)).username == "tom"
    blob = await stored_bytes(demo_core)
    assert b"tom.becker@muster-gmbh.de" in blob and new_password.encode() not in blob

    assert not (await demo_core.run(users.deactivate_employee, admin, username="tom")).active
    with pytest.raises(AuthFailed):
        await login(demo_core, "tom", new_password)
    with pytest.raises(Conflict):
        await demo_core.run(users.deactivate_employee, admin, username="tom")


async def test_deactivating_an_employee_frees_its_numbers_and_shares_its_fax(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    await demo_core.run(
        numbers.send_fax_credentials, admin, number="+4930123456110", usernames=["mia"]
    )
    mine = list(
        next(
            e for e in await demo_core.read(users.list_employees, admin) if e.username == "mia"
        ).numbers
    )
    assert {"+4930123456100", "+4930123456110"} <= set(mine)
    seen: list[DomainEvent] = []
    demo_core.bus.subscribe(seen.append)
    gone = await demo_core.run(users.deactivate_employee, admin, username="mia")
    assert not gone.active and gone.numbers == ()
    async with demo_core.uow(readonly=True) as uow:
        rows = {
            n.e164: n
            for n in await uow.session.scalars(select(Number).where(Number.e164.in_(mine)))
        }
        audited = list(await uow.session.scalars(
            select(AuditEvent.target).where(AuditEvent.action == "number.unassigned")
            .order_by(AuditEvent.target)))
    assert all(n.assigned_account_id is None and n.fax_owner_id is None for n in rows.values())
    assert "mia" not in rows["+4930123456110"].settings[numbers.FAX_CREDENTIALS_KEY]
    assert audited == mine
    assert "audit.action.number.unassigned" in CATALOG  # the Archiv names the action
    [event] = [e for e in seen if e.name == "NumbersUnassigned"]
    assert event.payload["numbers"] == mine and event.payload["versions"]["+4930123456110"] >= 2
    free = await demo_core.read(users.assignable_numbers, admin)
    assert set(mine) <= set(free)
    shared = await demo_core.run(numbers.send_fax_credentials, admin, number="+4930123456110",
                                 usernames=["tom", "admin"])
    assert shared


async def test_managing_others_is_refused(demo_core: Core, actors: dict[str, Actor]) -> None:
    with pytest.raises(NotFound):
        await demo_core.run(users.deactivate_employee, actors["beispiel"], username="mia")
    with pytest.raises(PermissionDenied):
        await demo_core.run(users.deactivate_employee, actors["admin"], username="admin")
    with pytest.raises(PermissionDenied):
        await demo_core.run(users.reset_password, actors["mia"], username="tom")
    support = actors["support"].for_customer(
        actors["admin"].customer_id, customer_name="Muster GmbH"
    )
    assert await demo_core.read(users.list_employees, support)
    with pytest.raises(PermissionDenied):
        await demo_core.run(users.reset_password, support, username="tom")
    ticket = support.with_reason("TICKET-7")
    await demo_core.run(users.reset_password, ticket, username="tom")
    async with demo_core.uow(readonly=True) as uow:
        row = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.password_reset"))
    assert row is not None and row.via_support and row.reason == "TICKET-7"


@pytest.mark.parametrize("mobile", ["030 1234567", "+49 30 1234567", "089 12345678",
                                    "+43 1 5123456", "+44 20 7946 0958"])
async def test_a_landline_is_refused_as_mobile(
    demo_core: Core, actors: dict[str, Actor], mobile: str
) -> None:
    """SPEC §8 (issue 11.9): the credential SMS must not go to a landline."""
    with pytest.raises(ValidationError) as err:
        await demo_core.run(users.update_contact, actors["mia"], email="mia@neu.example",
                            mobile=mobile, current_password="mia-demo")
    assert err.value.key == "error.not_mobile"
    assert "keine Mobilfunk-Rufnummer" in err.value.render("de") and mobile in err.value.render(
        "de"
    )
    with pytest.raises(ValidationError):
        await demo_core.run(users.create_employee, actors["admin"], username="lea",
                            full_name="Lea", email="lea@muster-gmbh.de", mobile=mobile)
    assert (await demo_core.read(users.get_profile, actors["mia"])).mobile == "+491712345678"


def test_mobile_numbers_german_and_international() -> None:
    from core.phones import validate_mobile

    assert validate_mobile("0151 12345678") == "+4915112345678"
    assert validate_mobile("+49 160 9876543") == "+491609876543"
    assert validate_mobile("0049 176 0000001") == "+491760000001"
    assert validate_mobile("+43 664 1234567") == "+436641234567"
    assert validate_mobile("+1 415 555 0100") == "+14155550100"
    for bad in ("0180 123456", "+49 30 1234567", "+49 170 12", "+33 1 23 45 67 89"):
        with pytest.raises(ValidationError):
            validate_mobile(bad)


async def test_empty_current_password_is_a_form_error_not_a_failed_login(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Issue 11.10: forgetting the password field never counts towards the lockout."""
    for _ in range(LOCKOUT_FAILURES + 1):
        with pytest.raises(ValidationError) as err:
            await demo_core.run(users.update_contact, actors["mia"], email="mia@neu.example",
                                mobile=None, current_password="")
        assert err.value.render("de") == "Bitte aktuelles Passwort eingeben."
    async with demo_core.uow(readonly=True) as uow:
        assert not (await uow.session.scalars(select(LoginFailure))).all()
    profile = await demo_core.run(users.update_contact, actors["mia"], email="mia@neu.example",
                                  mobile=None, current_password="mia-demo")
    assert profile.email == "mia@neu.example"


async def test_employee_sees_own_calls_and_fax_credentials(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """SPEC §2: mia sees her own call records and the fax credentials sent to her; R14:
    call records deleted on reassignment are gone; never anybody else's, never a secret."""
    mia, tom, admin = actors["mia"], actors["tom"], actors["admin"]
    calls = await demo_core.read(users.own_call_records, mia)
    assert len(calls) == 6 and {c.number for c in calls} == {"+4930123456100", "+4930123456102"}
    assert all(a.started_at >= b.started_at for a, b in pairwise(calls))
    assert [c.number for c in await demo_core.read(users.own_call_records, tom)] == [
        "+4930123456100"]  # tom's one call on mia's number, not mia's calls
    faxes = await demo_core.read(users.own_fax_credentials, mia)
    assert [(f.number, f.personal, f.login) for f in faxes] == [
        ("+4930123456110", True, "fax4930123456110-mia")]
    assert faxes[0].sent_at is not None
    assert "password" not in repr(faxes)
    assert await demo_core.read(users.own_fax_credentials, tom) == []

    await demo_core.run(numbers.send_fax_credentials, admin, number="+4930123456111",
                        usernames=["mia", "tom"])
    shared = {f.number: f for f in await demo_core.read(users.own_fax_credentials, tom)}
    assert shared["+4930123456111"].personal is False
    assert shared["+4930123456111"].sent_at == demo_core.clock.now()

    await run_with_code(demo_core, numbers.assign, admin, number="+4930123456100",
                        username="tom", delete_traffic_data=True)
    left = await demo_core.read(users.own_call_records, mia)
    assert {c.number for c in left} == {"+4930123456102"} and len(left) == 2
    with pytest.raises(PermissionDenied):
        await demo_core.read(users.own_call_records, actors["support"])


def test_login_command_names_host_and_port() -> None:
    from core.config import Settings

    assert Settings().login_command("neu") == "ssh -p 2222 neu@127.0.0.1"
    assert Settings(public_address="portal.example.com").login_command("neu") == \
        "ssh neu@portal.example.com"
    assert Settings(public_address="portal.example.com:2200").login_command("neu") == \
        "ssh -p 2200 neu@portal.example.com"
    assert Settings(public_address="[2001:db8::1]:2222").login_command("neu") == \
        "ssh -p 2222 neu@2001:db8::1"
    env = Settings.from_env({"LINEDESK_PUBLIC_ADDRESS": "ssh.muster.example:22"})
    assert env.login_command("neu") == "ssh neu@ssh.muster.example"
    # the README's deployment listens on 0.0.0.0: the welcome e-mail said ssh neu@0.0.0.0
    import socket

    for wildcard in ("0.0.0.0", "::"):
        assert Settings(host=wildcard).login_command("neu") == \
            f"ssh -p 2222 neu@{socket.gethostname()}"
