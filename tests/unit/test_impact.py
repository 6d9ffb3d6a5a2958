"""R18 impact preview (core/services/impact.py) with the demo data and an injected clock:
the line's online state and since when, the calls going on right now on the contract's
numbers, the settings a swap or deactivation deletes; permission and tenant first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.clock import FixedClock
from core.errors import NotFound, PermissionDenied
from core.models import CallRecord, Contract, ContractType, Number
from core.runtime import Core
from core.services import credentials, impact, numbers, users
from tests.stepup_helpers import run_with_code

MIA_MAIN = "+4930123456100"
TOM_NUMBER = "+4930123456101"
INACTIVE = "+4930123456104"


async def pbx_main(core: Core) -> Contract:
    async with core.uow(readonly=True) as uow:
        found = await uow.session.scalar(
            select(Contract).where(Contract.type == ContractType.CLOUD_PBX_MAIN,
                                   Contract.contract_ref.like("V-1000%")))
    assert found is not None
    return found


async def test_pbx_main_site_is_online_since_set_up_with_the_ongoing_call(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    contract = await pbx_main(demo_core)
    seen = await demo_core.read(impact.contract_impact, actors["admin"], contract_id=contract.id)
    assert seen.online and seen.has_line and seen.since == contract.created_at
    assert seen.call_count == 1
    (call,) = seen.calls
    assert (call.number, call.user, call.remote_number) == ("030 123456101", "tom", "+49891234XXX")
    assert call.started_at == clock.now() - timedelta(minutes=12)


async def test_finished_future_and_deleted_calls_are_not_active(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    contract = await pbx_main(demo_core)
    async with demo_core.uow() as uow:
        number_id = await uow.session.scalar(select(Number.id).where(Number.e164 == MIA_MAIN))
        assert number_id is not None
        uow.session.add_all([
            CallRecord(number_id=number_id, account_id=actors["mia"].account_id,
                       started_at=clock.now() + timedelta(minutes=5), duration_seconds=None,
                       remote_number="+4940XXX"),
            CallRecord(number_id=number_id, account_id=actors["mia"].account_id,
                       started_at=clock.now() - timedelta(minutes=3), duration_seconds=None,
                       remote_number="+4941XXX", deleted=True),
            CallRecord(number_id=number_id, account_id=actors["mia"].account_id,
                       started_at=clock.now() - timedelta(minutes=2), duration_seconds=None,
                       remote_number="+4942XXX"),
        ])
    seen = await demo_core.read(impact.contract_impact, actors["admin"], contract_id=contract.id)
    assert [c.remote_number for c in seen.calls] == ["+49891234XXX", "+4942XXX"]
    clock.advance(timedelta(minutes=6))  # the call that had not started yet now runs
    seen = await demo_core.read(impact.contract_impact, actors["admin"], contract_id=contract.id)
    assert seen.call_count == 3


async def test_ongoing_calls_are_not_in_the_call_lists(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    listed = await demo_core.read(numbers.list_call_records, actors["admin"])
    assert all(r.remote_number != "+49891234XXX" for r in listed) and listed
    own = await demo_core.read(users.own_call_records, actors["tom"])
    assert all(r.remote_number != "+49891234XXX" for r in own)


async def test_offline_since_the_generation_then_online_since_the_login(
    demo_core: Core, actors: dict[str, Actor], clock: FixedClock
) -> None:
    admin = actors["admin"]
    contract = await pbx_main(demo_core)
    clock.advance(timedelta(hours=1))
    generated_at = clock.now()
    await run_with_code(demo_core, credentials.generate, admin, contract_id=contract.id,
                        consent=True)
    seen = await demo_core.read(impact.contract_impact, admin, contract_id=contract.id)
    assert not seen.online and seen.since == generated_at
    clock.advance(timedelta(minutes=30))
    async with demo_core.uow() as uow:  # what authenticate_line does when the router logs in
        row = await uow.session.get(Contract, contract.id)
        assert row is not None
        row.line_online = True
        uow.audit(None, "line.online", customer_id=admin.customer_id,
                  target=contract.contract_ref)
    seen = await demo_core.read(impact.contract_impact, admin, contract_id=contract.id)
    assert seen.online and seen.since == clock.now()


async def test_number_impact_lists_forwarding_and_assignment(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    seen = await demo_core.read(impact.number_impact, actors["admin"], number=MIA_MAIN)
    assert seen.national == "030 123456100"
    assert [(s.key, s.value) for s in seen.lost] == [
        ("forwarding", "sip:mia@muster-gmbh.de"), ("assignment", "Mia Schneider (mia)")]
    bare = await demo_core.read(impact.number_impact, actors["admin"], number=INACTIVE)
    assert bare.lost == ()


async def test_fax_credentials_sent_are_lost_too(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    fax = "+4930123456111"
    await demo_core.run(numbers.send_fax_credentials, actors["admin"], number=fax,
                        usernames=["mia", "tom"])
    seen = await demo_core.read(impact.number_impact, actors["admin"], number=fax)
    assert ("fax_credentials", "mia, tom") in [(s.key, s.value) for s in seen.lost]


async def test_permission_and_tenant_first(demo_core: Core, actors: dict[str, Actor]) -> None:
    contract = await pbx_main(demo_core)
    with pytest.raises(NotFound):
        await demo_core.read(impact.contract_impact, actors["beispiel"], contract_id=contract.id)
    with pytest.raises(NotFound):
        await demo_core.read(impact.number_impact, actors["beispiel"], number=MIA_MAIN)
    with pytest.raises(PermissionDenied):
        await demo_core.read(impact.contract_impact, actors["mia"], contract_id=contract.id)
    with pytest.raises(PermissionDenied):
        await demo_core.read(impact.number_impact, actors["mia"], number=MIA_MAIN)
    with pytest.raises(PermissionDenied):  # support before opening a customer
        await demo_core.read(impact.number_impact, actors["support"], number=MIA_MAIN)
