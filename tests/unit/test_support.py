"""Support role in the core: customer search, opening (audited), read-only until a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.authz import Actor
from core.errors import NotFound, PermissionDenied, ValidationError
from core.models import AuditEvent
from core.runtime import Core
from core.services import numbers, support


async def _events(core: Core, action: str) -> list[AuditEvent]:
    async with core.uow(readonly=True) as uow:
        return list(
            await uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        )


async def test_search_by_name_customer_number_and_phone(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    agent = actors["support"]
    by_name = await demo_core.read(support.search_customers, agent, query="GMBH")
    assert [h.name for h in by_name] == ["Muster GmbH"]
    assert by_name[0].customer_numbers == ("1000001", "1000002") and by_name[0].matched == "name"
    by_prefix = await demo_core.read(support.search_customers, agent, query="100000")
    assert [h.name for h in by_prefix] == ["Muster GmbH"]
    for query in ("+4940123456201", "040 123456201", "0049 40 123456201"):
        hits = await demo_core.read(support.search_customers, agent, query=query)
        assert [(h.name, h.matched, h.matched_value) for h in hits] == [
            ("Muster GmbH", "phone", "+4940123456201")
        ], query
    assert await demo_core.read(support.search_customers, agent, query="%_%") == []
    assert await demo_core.read(support.search_customers, agent, query="Nirgendwo GmbH") == []
    with pytest.raises(ValidationError):
        await demo_core.read(support.search_customers, agent, query=" a ")


async def test_only_support_may_search_or_open(demo_core: Core, actors: dict[str, Actor]) -> None:
    for name in ("admin", "mia", "beispiel"):
        with pytest.raises(PermissionDenied):
            await demo_core.read(support.search_customers, actors[name], query="Muster")
        with pytest.raises(PermissionDenied):
            await demo_core.run(support.open_customer, actors[name], customer_number="1000001")


async def test_open_customer_is_audited_in_its_log(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    agent = actors["support"]
    opened = await demo_core.run(support.open_customer, agent, customer_number="2000001")
    assert opened.customer_name == "Beispiel AG" and opened.customer_id is not None
    assert opened.reason is None and opened.via_support
    events = await _events(demo_core, "support.customer_opened")
    assert len(events) == 1
    event = events[0]
    assert event.customer_id == opened.customer_id
    assert (event.actor_username, event.actor_role, event.via_support) == (
        "support",
        "support",
        True,
    )
    assert event.source_address == "127.0.0.1"
    with pytest.raises(NotFound):
        await demo_core.run(support.open_customer, agent, customer_number="7777777")
    with pytest.raises(ValidationError):
        await demo_core.run(support.open_customer, agent)
    with pytest.raises(ValidationError):
        await demo_core.run(
            support.open_customer, agent, customer_number="2000001", reason="x" * 201
        )


async def test_support_is_read_only_without_reason(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    agent = await demo_core.run(support.open_customer, actors["support"], customer_number="1000001")
    listed = await demo_core.read(numbers.list_numbers, agent)
    assert len(listed) >= 12  # reads work: the customer's whole portal
    with pytest.raises(PermissionDenied) as refused:
        await demo_core.run(numbers.activate, agent, number="+4930123456104")
    assert refused.value.key == "error.support_reason_required"
    current = await demo_core.read(numbers.get_number, agent, number="+4930123456104")
    assert current.status == "inactive"
    assert await _events(demo_core, "number.activated") == []


async def test_asking_support_for_its_reason_is_no_denied_access_in_the_archiv(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """The TUI runs a support write, is refused for the missing reason, asks for it and runs
    it again: every first change of a support session put „Zugriff verweigert“ into the
    customer's Archiv right before the change itself. A real refusal is still audited."""
    agent = await demo_core.run(support.open_customer, actors["support"], customer_number="1000001")
    with pytest.raises(PermissionDenied) as refused:
        await demo_core.run(numbers.activate, agent, number="+4930123456104")
    assert refused.value.key == "error.support_reason_required"
    await demo_core.run(numbers.activate, agent.with_reason("T-4711"), number="+4930123456104")
    assert await _events(demo_core, "access.denied") == []
    assert len(await _events(demo_core, "number.activated")) == 1
    with pytest.raises(PermissionDenied):  # not support: denied and audited
        await demo_core.run(support.open_customer, actors["mia"], customer_number="1000001")
    assert len(await _events(demo_core, "access.denied")) == 1


async def test_support_write_with_reason_is_audited_with_it(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    agent = await demo_core.run(
        support.open_customer, actors["support"], customer_number="1000001", reason="  T-4711  "
    )
    assert agent.reason == "T-4711"
    view = await demo_core.run(numbers.activate, agent, number="+4930123456104")
    assert view.status == "active"
    (event,) = await _events(demo_core, "number.activated")
    assert (event.reason, event.via_support, event.actor_username) == ("T-4711", True, "support")
    assert event.customer_id == agent.customer_id
    # a blank reason given later does not count
    with pytest.raises(PermissionDenied):
        await demo_core.run(numbers.activate, agent.with_reason("   "), number="+4930123456105")


async def test_support_stays_inside_the_opened_customer(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    agent = await demo_core.run(
        support.open_customer, actors["support"], customer_number="2000001", reason="T-1"
    )
    with pytest.raises((NotFound, PermissionDenied)):
        await demo_core.run(numbers.activate, agent, number="+4930123456104")
    own = await demo_core.read(numbers.list_numbers, agent)
    assert {n.e164 for n in own} == {"+4989123456300", "+4989123456301"}


async def test_support_without_customer_sees_nothing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    with pytest.raises(PermissionDenied) as refused:
        await demo_core.read(numbers.list_numbers, actors["support"])
    assert refused.value.key == "error.support_no_customer"
