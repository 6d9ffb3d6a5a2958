"""R29 emergency locations (Notrufstandort): validation per field, the default from the
site, the change (permission, tenant, audit, event), activation (single and bulk) and swap
refused without one, the migration's backfill, command mode and the CSV column."""

from __future__ import annotations

import importlib
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from core import locations
from core.authz import Actor, ViewMode
from core.enums import NumberAction
from core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from core.events import DomainEvent
from core.locations import LocationInvalid, LocationOutsideArea
from core.models import AuditEvent, Contract, Number, NumberStatus
from core.runtime import Core
from core.services import areas, bulk, emergency, number_csv, numbers, porting
from ssh_server.commands import execute

MIA_MAIN = "+4930123456100"
INACTIVE = "+4930123456104"
INACTIVE_2 = "+4930123456105"
FORWARDED = "+4930123456106"
FAX_SHARED = "+4930123456111"
HAMBURG = "+4940123456200"
BERLIN_SITE = "Friedrichstraße 123, 10117 Berlin"


def _validate(**fields: str) -> locations.EmergencyLocation:
    given = {"street": "Friedrichstraße", "house_number": "123", "postcode": "10117",
             "city": "Berlin", **fields}
    return locations.validate(area="030", area_name="Berlin", **given)


async def clear_location(core: Core, e164: str) -> None:
    """A number from before R29 whose site had no valid address: no location."""
    async with core.uow() as uow:
        await uow.session.execute(update(Number).where(Number.e164 == e164).values(
            emergency_street=None, emergency_house_number=None, emergency_postcode=None,
            emergency_city=None))


async def stored_text(core: Core, e164: str) -> str | None:
    async with core.uow(readonly=True) as uow:
        n = await uow.session.scalar(select(Number).where(Number.e164 == e164))
        assert n is not None
        found = locations.stored(n)
        return found.text if found else None


# ---------------------------------------------------------------- validation (pure)


def test_a_valid_location_is_cleaned() -> None:
    loc = _validate(street="  Friedrichstraße ", house_number="12 a", city="Berlin  ")
    assert loc == locations.EmergencyLocation("Friedrichstraße", "12 a", "10117", "Berlin")
    assert loc.text == "Friedrichstraße 12 a, 10117 Berlin"


def test_postcode_outside_the_area_names_the_area_and_its_ranges() -> None:
    with pytest.raises(LocationOutsideArea) as err:
        _validate(postcode="20095")
    assert err.value.rule == "R29"
    assert err.value.messages("de") == {"postcode": (
        "Die Postleitzahl 20095 liegt nicht im Ortsnetz 030 Berlin (10115–14199): der "
        "Notrufstandort muss im Ortsnetz der Rufnummer liegen.")}
    assert "not in the local area 030 Berlin" in err.value.render("en")


def test_a_four_digit_postcode_is_malformed() -> None:
    with pytest.raises(LocationInvalid) as err:
        _validate(postcode="1011")
    assert err.value.exit_code == 2
    assert err.value.messages("de") == {
        "postcode": "„1011“ ist keine Postleitzahl: sie hat genau 5 Ziffern (z. B. 10117)."}


def test_an_empty_street_and_every_other_bad_field_are_named_at_once() -> None:
    with pytest.raises(LocationInvalid) as err:
        _validate(street="  ", house_number="zwölf", postcode="", city="12345")
    assert err.value.messages("de") == {
        "street": "Bitte die Straße angeben.",
        "house_number": "„zwölf“ ist keine Hausnummer (z. B. 12, 12a, 12-14).",
        "postcode": "Bitte die Postleitzahl angeben.",
        "city": "„12345“ ist kein Ortsname.",
    }
    assert err.value.render("en").startswith("Please enter the street.")


def test_too_long_and_control_characters_are_refused() -> None:
    with pytest.raises(LocationInvalid) as err:
        _validate(street="x" * 101, city="Ber\x1b[2Jlin")
    fields = err.value.messages("en")
    assert fields["street"] == "The street may be at most 100 characters long."
    assert "is not a city name" in fields["city"]


@pytest.mark.parametrize(("street", "expected"), [
    ("Friedrichstraße 123", ("Friedrichstraße", "123")),
    ("Am Treptower Park 28a", ("Am Treptower Park", "28a")),
    ("Straße des 17. Juni 135", ("Straße des 17. Juni", "135")),
    ("Hauptstraße 12-14", ("Hauptstraße", "12-14")),
    ("Marktplatz", ("Marktplatz", "")),
])
def test_a_site_street_is_split_into_street_and_house_number(
    street: str, expected: tuple[str, str]
) -> None:
    assert locations.split_street(street) == expected


def test_defaults_only_where_valid_in_the_area() -> None:
    assert locations.from_site("030", "Friedrichstraße 123", "10117", "Berlin") is not None
    assert locations.from_site("040", "Friedrichstraße 123", "10117", "Berlin") is None
    assert locations.from_site("030", "Marktplatz", "10117", "Berlin") is None  # no number
    found = locations.from_address("040", "Jungfernstieg 10, 20354 Hamburg")
    assert found == locations.EmergencyLocation("Jungfernstieg", "10", "20354", "Hamburg")


# ---------------------------------------------------------------- defaults


async def test_demo_voice_numbers_have_their_sites_address(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    views = {v.e164: v for v in await demo_core.read(numbers.list_numbers, actors["admin"])}
    assert views[MIA_MAIN].emergency_location is not None
    assert views[MIA_MAIN].emergency_location.text == BERLIN_SITE
    hamburg = views[HAMBURG].emergency_location
    assert hamburg is not None and hamburg.text == "Mönckebergstraße 7, 20095 Hamburg"
    assert views[FAX_SHARED].emergency_location is None  # fax: none
    assert all(v.emergency_location for v in views.values() if v.kind == "voice")
    data = views[MIA_MAIN].as_json()["emergency_location"]
    assert data == {"street": "Friedrichstraße", "house_number": "123", "postcode": "10117",
                    "city": "Berlin", "text": BERLIN_SITE}


async def test_bought_and_ported_numbers_get_the_verified_address(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    bought = await demo_core.run(areas.order_numbers, admin, area="030", count=2)
    for e164 in bought:
        assert await stored_text(demo_core, e164) == BERLIN_SITE
    order = await demo_core.run(
        porting.create_order, admin, area="030", numbers=["0305550100"],
        old_provider="Alt-Telefon GmbH", account_holder="Muster GmbH",
        wished_date=date(2026, 12, 1) + timedelta(days=60))
    assert await stored_text(demo_core, order.numbers[0]) == BERLIN_SITE


async def test_suggestion_is_the_stored_location_or_the_sites_default(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    current = await demo_core.read(emergency.suggestion, admin, number=INACTIVE)
    assert current.location is not None and not current.is_default
    await clear_location(demo_core, INACTIVE)
    default = await demo_core.read(emergency.suggestion, admin, number=INACTIVE)
    assert default.is_default and default.location is not None
    assert default.location.text == BERLIN_SITE  # the Cloud PBX main site's address
    assert (default.area, default.area_name) == ("030", "Berlin")
    with pytest.raises(RuleViolation) as err:
        await demo_core.read(emergency.suggestion, admin, number=FAX_SHARED)
    assert err.value.rule == "R29"


# ---------------------------------------------------------------- changing it


async def test_admin_changes_the_location_audited_and_announced(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    seen: list[DomainEvent] = []
    demo_core.bus.subscribe(seen.append)
    view = await demo_core.run(
        emergency.set_location, admin, number="030 123456100", street="Am Treptower Park",
        house_number="28", postcode="12435", city="Berlin")
    assert view.emergency_location is not None
    assert view.emergency_location.text == "Am Treptower Park 28, 12435 Berlin"
    assert await stored_text(demo_core, MIA_MAIN) == "Am Treptower Park 28, 12435 Berlin"
    (event,) = [e for e in seen if e.name == "NumberLocationSet"]
    assert event.payload["number"] == MIA_MAIN
    assert event.payload["versions"] == {MIA_MAIN: view.version}
    async with demo_core.uow(readonly=True) as uow:
        (row,) = await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "number.location_set"))
    assert row.details["location"] == "Am Treptower Park 28, 12435 Berlin"
    assert row.details["previous_location"] == BERLIN_SITE
    # the same location again changes nothing: no second entry, no event
    again = await demo_core.run(
        emergency.set_location, admin, number=MIA_MAIN, street="Am Treptower Park",
        house_number="28", postcode="12435", city="Berlin")
    assert again.version == view.version
    assert len([e for e in seen if e.name == "NumberLocationSet"]) == 1


async def test_a_refused_location_changes_nothing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    with pytest.raises(LocationOutsideArea):
        await demo_core.run(emergency.set_location, admin, number=MIA_MAIN,
                            street="Jungfernstieg", house_number="10", postcode="20354",
                            city="Hamburg")
    with pytest.raises(ValidationError):
        await demo_core.run(emergency.set_location, admin, number=MIA_MAIN, street="",
                            house_number="1", postcode="10117", city="Berlin")
    assert await stored_text(demo_core, MIA_MAIN) == BERLIN_SITE
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(emergency.set_location, admin, number=FAX_SHARED,
                            street="Friedrichstraße", house_number="1", postcode="10117",
                            city="Berlin")
    assert err.value.key == "error.emergency.voice_only"


async def test_tenant_and_permission_come_first(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    args = {"street": "Friedrichstraße", "house_number": "1", "postcode": "10117",
            "city": "Berlin"}
    with pytest.raises(NotFound):  # another customer's number: not found, not forbidden
        await demo_core.run(emergency.set_location, actors["beispiel"], number=MIA_MAIN, **args)
    with pytest.raises(PermissionDenied):  # an employee sees the location, cannot change it
        await demo_core.run(emergency.set_location, actors["mia"], number=MIA_MAIN, **args)
    user_view = actors["admin"].with_view_mode(ViewMode.USER)
    with pytest.raises(PermissionDenied):
        await demo_core.run(emergency.set_location, user_view, number=MIA_MAIN, **args)
    agent = actors["support"].for_customer(actors["admin"].customer_id,
                                           customer_name="Muster GmbH")
    with pytest.raises(PermissionDenied):  # support needs a reason
        await demo_core.run(emergency.set_location, agent, number=MIA_MAIN, **args)
    await demo_core.run(emergency.set_location, agent.with_reason("T-4711"), number=MIA_MAIN,
                        **args)
    async with demo_core.uow(readonly=True) as uow:
        row = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "number.location_set"))
    assert row is not None and row.via_support and row.reason == "T-4711"
    mine = await demo_core.read(numbers.get_number, actors["mia"], number=MIA_MAIN)
    assert mine.emergency_location is not None
    assert mine.refusal(NumberAction.LOCATION) is not None  # user view: admin only


# ---------------------------------------------------------------- activation needs one


async def test_activation_without_a_location_is_refused_with_the_reason(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    await clear_location(demo_core, INACTIVE)
    view = await demo_core.read(numbers.get_number, admin, number=INACTIVE)
    assert not view.allows(NumberAction.ACTIVATE)
    assert view.allows(NumberAction.LOCATION)
    reason = view.refusal(NumberAction.ACTIVATE)
    assert reason is not None and "hat keinen Notrufstandort" in reason
    with pytest.raises(RuleViolation) as err:
        await demo_core.read(numbers.activation_quote, admin, number=INACTIVE)
    assert (err.value.rule, err.value.key) == ("R29", "error.numbers.no_emergency_location")
    with pytest.raises(RuleViolation):
        await demo_core.run(numbers.activate, admin, number=INACTIVE)
    async with demo_core.uow(readonly=True) as uow:
        n = await uow.session.scalar(select(Number).where(Number.e164 == INACTIVE))
        assert n is not None and n.status is NumberStatus.INACTIVE
    # with a location it activates
    await demo_core.run(emergency.set_location, admin, number=INACTIVE, street="Friedrichstraße",
                        house_number="123", postcode="10117", city="Berlin")
    assert (await demo_core.run(numbers.activate, admin, number=INACTIVE)).status == "active"


async def test_bulk_activation_refuses_each_number_without_a_location(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    await clear_location(demo_core, INACTIVE)
    preview = await demo_core.read(bulk.preview, admin, action="activate",
                                   numbers=[INACTIVE, INACTIVE_2])
    by = {i.number: i for i in preview.items}
    assert by[INACTIVE_2].ok and not by[INACTIVE].ok
    assert by[INACTIVE].rule == "R29" and "Notrufstandort" in (by[INACTIVE].reason or "")
    assert preview.count == 1
    result = await demo_core.run(bulk.apply, admin, action="activate",
                                 numbers=[INACTIVE, INACTIVE_2])
    by = {i.number: i for i in result.items}
    assert by[INACTIVE_2].ok and by[INACTIVE_2].status == "active"
    assert not by[INACTIVE].ok and by[INACTIVE].error_key == "error.numbers.no_emergency_location"


async def test_swap_onto_a_number_without_a_location_is_refused(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    await clear_location(demo_core, INACTIVE_2)
    with pytest.raises(RuleViolation) as err:
        await demo_core.run(numbers.swap, actors["admin"], old=FORWARDED, new=INACTIVE_2)
    assert err.value.rule == "R29"


# ---------------------------------------------------------------- migration backfill


async def test_the_migration_backfills_from_site_then_verified_area_then_customer(
    demo_core: Core,
) -> None:
    migration = importlib.import_module(
        "core.migrations.versions.7a1c3e5b9d24_emergency_locations")
    for e164 in (MIA_MAIN, INACTIVE, HAMBURG, FORWARDED):
        await clear_location(demo_core, e164)
    async with demo_core.uow() as uow:
        potsdam = await uow.session.scalar(
            select(Contract.id).where(Contract.site_name == "Potsdam Büro"))
        # a 030 number on a site outside Berlin: the verified 030 address is used
        await uow.session.execute(update(Number).where(Number.e164 == INACTIVE)
                                  .values(contract_id=potsdam))
        # a 030 number without a site: the verified address (here the same as the customer's)
        await uow.session.execute(update(Number).where(Number.e164 == FORWARDED)
                                  .values(contract_id=None))
    async with demo_core.db.write_engine.begin() as conn:
        await conn.run_sync(migration._backfill)
    assert await stored_text(demo_core, MIA_MAIN) == BERLIN_SITE
    assert await stored_text(demo_core, INACTIVE) == BERLIN_SITE
    assert await stored_text(demo_core, FORWARDED) == BERLIN_SITE
    assert await stored_text(demo_core, HAMBURG) == "Mönckebergstraße 7, 20095 Hamburg"
    assert await stored_text(demo_core, FAX_SHARED) is None  # fax numbers get none


# ---------------------------------------------------------------- command mode and CSV


async def test_command_set_location_and_its_refusals(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    ok = await execute(demo_core, admin, "numbers set-location 030 123456104 --street Am "
                       "Treptower Park --house-number 28 a --postcode 12435 --city Berlin")
    assert ok.exit_code == 0, ok.stderr
    assert "Notrufstandort von +4930123456104: Am Treptower Park 28 a, 12435 Berlin" in ok.stdout
    short = await execute(demo_core, admin, "numbers set-location +4930123456104 --street "
                          "Friedrichstraße --house-number 1 --postcode 1011 --city Berlin")
    assert short.exit_code == 2 and "genau 5 Ziffern" in short.stderr
    assert short.stderr.count("\n") == 1
    outside = await execute(demo_core, admin, "numbers set-location +4930123456104 --street "
                            "Jungfernstieg --house-number 10 --postcode 20354 --city Hamburg "
                            "--json")
    assert outside.exit_code == 4
    error = json.loads(outside.stderr)
    assert error["rule"] == "R29" and error["error"] == "error.emergency.postcode_outside"
    denied = await execute(demo_core, actors["mia"], "numbers set-location +4930123456100 "
                           "--street Friedrichstraße --house-number 1 --postcode 10117 "
                           "--city Berlin")
    assert denied.exit_code == 3
    listed = await execute(demo_core, admin, "numbers list --json")
    by = {o["number"]: o for o in json.loads(listed.stdout)}
    assert by["+4930123456104"]["emergency_location"]["text"] == (
        "Am Treptower Park 28 a, 12435 Berlin")
    assert by[FAX_SHARED]["emergency_location"] is None
    table = await execute(demo_core, admin, "numbers list --status inactive")
    assert "Notrufstandort" in table.stdout and "Am Treptower Park 28 a" in table.stdout


async def test_csv_export_has_the_location(demo_core: Core, actors: dict[str, Actor]) -> None:
    rows = await demo_core.read(number_csv.export_rows, actors["admin"])
    column = number_csv.EXPORT_COLUMNS.index("emergency_location")
    assert rows[0][column] == "Notrufstandort"
    by = {r[0]: r for r in rows[1:]}
    assert by["030 123456100"][column] == BERLIN_SITE
    assert by["030 123456111"][column] == ""  # fax
