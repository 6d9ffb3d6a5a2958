"""R16: PIN letters, area verification and ordering numbers, with an injected clock."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.authz import Actor, ViewMode
from core.clock import FixedClock
from core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from core.models import AuditEvent, Number, NumberStatus, PinLetter
from core.runtime import Core
from core.services import areas

ADDRESS = "Mönckebergstraße 7, 20095 Hamburg"


async def deliver_pin(core: Core, data_dir: Path) -> str:
    """Deliver pending letters and read the PIN from the newest letter file."""
    await core.dispatcher.dispatch_once()
    letters = sorted((data_dir / "letters").glob("*.txt"), key=lambda p: p.stat().st_mtime_ns)
    assert letters, "no letter was produced"
    match = re.search(r"PIN: (\d{6})", letters[-1].read_text(encoding="utf-8"))
    assert match
    return match.group(1)


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


async def test_pin_letter_goes_through_the_outbox_and_verifies_the_area(
    demo_core: Core, actors: dict[str, Actor], data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    admin = actors["admin"]
    caplog.set_level(logging.DEBUG, logger="core")
    letter = await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    assert letter.status == "outstanding"
    assert letter.expires_at - letter.created_at == timedelta(days=14)
    pin = await deliver_pin(demo_core, data_dir)
    text = next((data_dir / "letters").glob("*.txt")).read_text(encoding="utf-8")
    assert text.startswith("Muster GmbH\nMönckebergstraße 7, 20095 Hamburg")

    async with demo_core.uow(readonly=True) as uow:
        row = await uow.session.scalar(select(PinLetter))
        audit = list(await uow.session.scalars(select(AuditEvent)))
    assert row is not None and pin not in row.pin_hash
    assert all(pin not in json.dumps(a.details) for a in audit)
    assert pin not in caplog.text

    view = await demo_core.run(areas.verify_pin, admin, area="040", pin=pin)
    assert view.verified and view.address == ADDRESS
    assert view.letter is not None and view.letter.status == "verified"
    listed = {a.prefix: a for a in await demo_core.read(areas.list_areas, admin)}
    assert listed["040"].verified and listed["030"].verified and not listed["089"].verified


async def test_five_wrong_pins_invalidate_the_letter(
    demo_core: Core, actors: dict[str, Actor], data_dir: Path
) -> None:
    admin = actors["admin"]
    await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    pin = await deliver_pin(demo_core, data_dir)
    for left in (4, 3, 2, 1):
        with pytest.raises(RuleViolation) as err:
            await demo_core.run(areas.verify_pin, admin, area="040", pin=wrong(pin))
        assert err.value.key == "error.areas.pin_wrong" and err.value.params["left"] == left
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.verify_pin, admin, area="040", pin=wrong(pin))
    assert err.value.key == "error.areas.pin_invalidated" and err.value.rule == "R16"
    # even the right PIN no longer helps
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.verify_pin, admin, area="040", pin=pin)
    assert err.value.key == "error.areas.pin_invalidated"
    view = next(a for a in await demo_core.read(areas.list_areas, admin) if a.prefix == "040")
    assert not view.verified and view.letter is not None
    assert view.letter.status == "invalidated" and view.letter.attempts_left == 0


async def test_pin_expires_after_fourteen_days(
    demo_core: Core, actors: dict[str, Actor], data_dir: Path, clock: FixedClock
) -> None:
    admin = actors["admin"]
    await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    pin = await deliver_pin(demo_core, data_dir)
    clock.advance(timedelta(days=14, seconds=-1))
    view = next(a for a in await demo_core.read(areas.list_areas, admin) if a.prefix == "040")
    assert view.letter is not None and view.letter.status == "outstanding"
    clock.advance(timedelta(seconds=1))
    view = next(a for a in await demo_core.read(areas.list_areas, admin) if a.prefix == "040")
    assert view.letter is not None and view.letter.status == "expired"
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.verify_pin, admin, area="040", pin=pin)
    assert err.value.key == "error.areas.pin_expired"
    async with demo_core.uow(readonly=True) as uow:
        assert (await uow.session.scalar(select(PinLetter.status))) == "expired"
        expired = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "areas.pin_expired")
        )
    assert expired is not None and expired.actor_username == "system"  # nobody did it: time did
    # an expired letter does not block a new one
    again = await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    assert again.status == "outstanding"


async def test_one_letter_outstanding_and_new_letter_after_three_days(
    demo_core: Core, actors: dict[str, Actor], data_dir: Path, clock: FixedClock
) -> None:
    admin = actors["admin"]
    first = await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    first_pin = await deliver_pin(demo_core, data_dir)
    clock.advance(timedelta(days=3, seconds=-1))
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    assert err.value.key == "error.areas.letter_outstanding"
    assert err.value.params["date"] == "24.11.2026"
    # another area is independent
    await demo_core.run(areas.request_pin, admin, area="089", address="Marienplatz 1, 80331 "
                                                                      "München")
    clock.advance(timedelta(seconds=1))
    second = await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    assert second.id != first.id
    async with demo_core.uow(readonly=True) as uow:
        statuses = {i: st for i, st in await uow.session.execute(
            select(PinLetter.id, PinLetter.status).where(PinLetter.area_prefix == "040"))}
    assert statuses == {first.id: "invalidated", second.id: "outstanding"}
    # the replaced letter's PIN is useless now
    with pytest.raises(RuleViolation):
        await demo_core.run(areas.verify_pin, admin, area="040", pin=first_pin)


async def test_resend_interval_applies_after_an_invalidated_letter(
    demo_core: Core, actors: dict[str, Actor], data_dir: Path, clock: FixedClock
) -> None:
    admin = actors["admin"]
    await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    pin = await deliver_pin(demo_core, data_dir)
    for _ in range(5):
        with pytest.raises(RuleViolation):
            await demo_core.run(areas.verify_pin, admin, area="040", pin=wrong(pin))
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    assert err.value.key == "error.areas.resend_too_early"
    clock.advance(timedelta(days=3))
    assert (
        await demo_core.run(areas.request_pin, admin, area="040", address=ADDRESS)
    ).status == "outstanding"


async def test_request_refusals(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.request_pin, admin, area="030", address=ADDRESS)
    assert err.value.key == "error.areas.already_verified"
    with pytest.raises(NotFound):
        await demo_core.run(areas.request_pin, admin, area="0999", address=ADDRESS)
    with pytest.raises(ValidationError):
        await demo_core.run(areas.request_pin, admin, area="040", address="   ")
    with pytest.raises(ValidationError):
        await demo_core.run(areas.request_pin, admin, area="040", address="Weg 1\x1b]52;c;x\x07")
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.verify_pin, admin, area="040", pin="123456")
    assert err.value.key == "error.areas.no_letter"


async def test_roles_and_tenants_are_refused(demo_core: Core, actors: dict[str, Actor]) -> None:
    for name in ("mia", "tom"):
        with pytest.raises(PermissionDenied):
            await demo_core.run(areas.request_pin, actors[name], area="040", address=ADDRESS)
        with pytest.raises(PermissionDenied):
            await demo_core.read(areas.list_areas, actors[name])
    user_view = actors["admin"].with_view_mode(ViewMode.USER)
    with pytest.raises(PermissionDenied):
        await demo_core.run(areas.order_numbers, user_view, area="030", count=1)
    support = actors["support"]
    with pytest.raises(PermissionDenied):
        await demo_core.read(areas.list_areas, support)
    opened = support.for_customer(actors["admin"].customer_id, customer_name="Muster GmbH")
    assert len(await demo_core.read(areas.list_areas, opened)) >= 12  # read-only is fine
    with pytest.raises(PermissionDenied) as err:
        await demo_core.run(areas.order_numbers, opened, area="030", count=1)
    assert err.value.key == "error.support_reason_required"
    numbers = await demo_core.run(
        areas.order_numbers, opened.with_reason("T-4711"), area="030", count=1
    )
    assert len(numbers) == 1
    async with demo_core.uow(readonly=True) as uow:
        row = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "areas.numbers_ordered"))
    assert row is not None and row.via_support and row.reason == "T-4711"
    # Beispiel AG has no verification for 030: its own tenant is checked, not Muster's
    with pytest.raises(RuleViolation):
        await demo_core.run(areas.order_numbers, actors["beispiel"], area="030", count=1)


async def test_ordering_needs_a_verified_area_and_respects_limits(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    seen: list[str] = []
    demo_core.bus.subscribe(lambda e: seen.append(e.name))
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.order_numbers, admin, area="040", count=1)
    assert err.value.rule == "R16" and err.value.key == "error.areas.not_verified"
    for count in (0, 11, -1, 101):
        # a count outside 1..10 is invalid input (exit 2), checked before the area (even 089)
        for where in ("030", "089"):
            with pytest.raises(ValidationError) as bad:
                await demo_core.run(areas.order_numbers, admin, area=where, count=count)
            assert bad.value.key == "error.areas.order_count" and bad.value.exit_code == 2
    bought = await demo_core.run(areas.order_numbers, admin, area="030", count=10)
    assert len(bought) == 10 == len(set(bought))
    assert all(n.startswith("+4930") for n in bought)
    assert "NumbersOrdered" in seen
    more = await demo_core.run(areas.order_numbers, admin, area="030", count=3)
    assert not set(more) & set(bought)
    async with demo_core.uow(readonly=True) as uow:
        rows = list(await uow.session.scalars(select(Number).where(Number.e164.in_(bought + more))))
    assert len(rows) == 13
    assert {r.status for r in rows} == {NumberStatus.INACTIVE}
    assert all(r.monthly_price_cents > 0 and r.activation_fee_cents > 0 for r in rows)


async def test_more_than_hundred_numbers_need_an_operator_note(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    held = next(
        a for a in await demo_core.read(areas.list_areas, admin) if a.prefix == "030"
    ).number_count
    while held < 100:
        step = min(10, 100 - held)
        await demo_core.run(areas.order_numbers, admin, area="030", count=step)
        held += step
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.order_numbers, admin, area="030", count=1)
    assert err.value.key == "error.areas.operator_note_required"
    assert err.value.params == {"area": "030", "held": 100, "limit": 100}
    # the customer cannot approve itself; support needs a reason
    with pytest.raises(PermissionDenied):
        await demo_core.run(areas.set_operator_note, admin, area="030", note="please")
    support = actors["support"].for_customer(admin.customer_id, customer_name="Muster GmbH")
    with pytest.raises(PermissionDenied):
        await demo_core.run(areas.set_operator_note, support, area="030", note="ok")
    with pytest.raises(RuleViolation):
        await demo_core.run(
            areas.set_operator_note, support.with_reason("T-1"), area="040", note="ok"
        )
    view = await demo_core.run(areas.set_operator_note, support.with_reason("T-1"), area="030",
                               note="approved up to 500 numbers")
    assert view.operator_note
    assert len(await demo_core.run(areas.order_numbers, admin, area="030", count=5)) == 5
    await demo_core.run(areas.set_operator_note, support.with_reason("T-2"), area="030", note=None)
    with pytest.raises(RuleViolation):
        await demo_core.run(areas.order_numbers, admin, area="030", count=1)


async def test_pin_letter_only_to_an_address_in_the_area(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock, data_dir: Path
) -> None:
    """SPEC §8 (issue 11.5): a Berlin address cannot verify Hamburg, with no letter sent."""
    from core.i18n import t

    admin = actors["admin"]
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(areas.request_pin, admin, area="040",
                            address="Friedrichstraße 123, 10117 Berlin")
    assert err.value.key == "error.areas.postcode_outside"
    text = err.value.render("de")
    assert "10117" in text and "040 Hamburg" in text and "[R16]" not in text
    assert "10117" in err.value.render("en") and "local area 040 Hamburg" in err.value.render("en")
    with pytest.raises(ValidationError) as missing:
        await demo_core.run(areas.request_pin, admin, area="040", address="Jungfernstieg 10")
    assert "Postleitzahl" in t("de", missing.value.key, **missing.value.params)
    await demo_core.dispatcher.dispatch_once()
    assert not list((data_dir / "letters").glob("*.txt"))
    assert await demo_core.read(areas.get_area, admin, area="040")

    clock.advance(timedelta(hours=1))
    letter = await demo_core.run(areas.request_pin, admin, area="040",
                                 address="Harburger Ring 1, 21073 Hamburg")
    assert letter.status == "outstanding"


def test_every_area_has_postcode_ranges() -> None:
    from core.postcodes import POSTCODE_RANGES, in_area, postcode_of
    from core.reference import LOCAL_AREAS

    assert set(POSTCODE_RANGES) == set(LOCAL_AREAS)
    cases = {"030": "10115", "040": "22769", "089": "80331", "0211": "40210", "069": "60599",
             "0221": "50667", "0341": "04109", "0351": "01067", "0711": "70173",
             "0511": "30159", "0421": "28195", "0911": "90402"}
    for prefix, postcode in cases.items():
        assert in_area(prefix, postcode), prefix
        others = [p for p in LOCAL_AREAS if p != prefix]
        assert not any(in_area(other, postcode) for other in others), postcode
    assert postcode_of("Hausnr. 12345, 80331 München") == "80331"
    assert postcode_of("Marienplatz 1 München") is None
    assert not in_area("089", "10117")


async def test_command_mode_refuses_an_address_outside_the_area(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from ssh_server.commands import execute

    admin = actors["admin"]
    refused = await execute(demo_core, admin,
                            "areas request-pin 040 --address 'Friedrichstraße 123, 10117 Berlin'")
    assert refused.exit_code == 4
    assert "Die Postleitzahl 10117 liegt nicht im Ortsnetz 040 Hamburg" in refused.stderr
    as_json = await execute(demo_core, admin, "areas request-pin 040 --address "
                            "'Friedrichstraße 123, 10117 Berlin' --json")
    assert json.loads(as_json.stderr)["rule"] == "R16"
    english = await execute(demo_core, replace(admin, locale="en"),
                            "areas request-pin 040 --address 'Jungfernstieg 10'")
    assert english.exit_code == 2 and "five-digit postcode" in english.stderr
