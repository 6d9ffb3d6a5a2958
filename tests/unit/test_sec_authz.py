"""SECURITY.md "Authorization": a property-based test over every core service function.

The functions are found by introspection (every public ``async def f(uow, actor, ...)`` in
``core/services/*``), so a new service is covered automatically; each parameter name needs a
strategy below (an unknown name fails the test, so it cannot slip through). Every call runs in
its own transaction that is rolled back, so examples never see each other's changes.

Properties, for every function × role (admin, employee, support without and with a reason,
support with no customer open, admin and employee of the other tenant):

- ids, numbers, usernames, contract refs or customer numbers of ANOTHER tenant: the call fails
  (0 successes), and with the same error and message as for an object that does not exist
  (no existence oracle);
- no result carries another tenant's data (its numbers, names, e-mails, contract refs);
- support with a customer open but no reason: no call writes anything (0 successful writes).

``LINEDESK_AUTHZ_EXAMPLES`` (default 12) sets the examples per function × role.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import pkgutil
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

import core.services as services_pkg
from core.authz import Actor
from core.clock import FixedClock
from core.errors import DomainError
from core.models import (
    Account,
    ApprovalRequest,
    Contract,
    Customer,
    CustomerNumber,
    Number,
    PortingOrder,
    Role,
)
from core.runtime import Core
from core.services import porting, users
from tests.conftest import DEMO_NOW, copy_template, make_settings

EXAMPLES = int(os.environ.get("LINEDESK_AUTHZ_EXAMPLES", "12"))

ServiceFn = Callable[..., Coroutine[Any, Any, Any]]


def service_functions() -> list[tuple[str, ServiceFn]]:
    """Every public ``async def f(uow, actor, ...)`` defined in a module of core/services."""
    found: list[tuple[str, ServiceFn]] = []
    for info in sorted(pkgutil.iter_modules(services_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"core.services.{info.name}")
        for name, fn in sorted(vars(module).items()):
            if name.startswith("_") or not inspect.iscoroutinefunction(fn):
                continue
            if fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:2] == ["uow", "actor"]:
                found.append((f"{info.name}.{name}", fn))
    return found


FUNCTIONS = service_functions()

TARGETS = {"number", "numbers", "old", "new", "contract_id", "ref", "username", "usernames",
           "customer_id", "customer_number", "order_id", "contract"}
"""Parameters naming an object that belongs to a tenant."""

NOT_TARGETS: dict[str, set[str]] = {
    "users.create_employee": {"username"},  # a new name, not an existing object
    # filters: another tenant's object is left out like a missing one (checked for leaks)
    "contracts.list_contracts": {"customer_number"},
    "number_reads.get_numbers": {"numbers"},
    "number_reads.list_call_records": {"number"},
    # R27: another tenant's number is refused per number, in the words of a missing one
    # (tests/unit/test_bulk.py); checked here for leaks and writes
    "bulk.preview": {"numbers"},
    "bulk.apply": {"numbers"},
}

FOREIGN_ONLY = {"porting.create_order"}
"""Porting in a number that exists nowhere on the platform is what the service is for: only
"another tenant's number is refused" is checked, not the comparison with a missing one."""

SUPPORT_TOOLS = {"support.search_customers", "support.open_customer"}
"""Reaching other customers is what these are for (for support staff only)."""

ROLES = ("admin", "employee", "support_no_reason", "support_reason", "support_no_customer",
         "other_admin", "other_employee")


@dataclass
class Tenant:
    customer_id: int
    numbers: list[str] = field(default_factory=list)
    contract_ids: list[int] = field(default_factory=list)
    contract_refs: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    customer_numbers: list[str] = field(default_factory=list)
    order_ids: list[int] = field(default_factory=list)
    """R31: the tenant's porting orders."""
    markers: set[str] = field(default_factory=set)
    """Strings only this tenant's data contains (a result showing one leaks it)."""


@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    core: Core
    actors: dict[str, Actor]
    home: dict[str, Tenant]
    other: dict[str, Tenant]
    writes: list[str] = field(default_factory=list)

    def call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(coro)


class _Rollback(Exception):
    pass


async def _tenant(core: Core, customer_id: int) -> Tenant:
    async with core.uow(readonly=True) as uow:
        s = uow.session
        tenant = Tenant(customer_id)
        customer = await s.get(Customer, customer_id)
        assert customer is not None
        tenant.markers |= {customer.name, customer.street}
        tenant.customer_numbers = list(await s.scalars(
            select(CustomerNumber.number).where(CustomerNumber.customer_id == customer_id)))
        tenant.numbers = list(await s.scalars(
            select(Number.e164).where(Number.customer_id == customer_id)))
        for c in await s.scalars(
            select(Contract).join(CustomerNumber).where(CustomerNumber.customer_id == customer_id)
        ):
            tenant.contract_ids.append(c.id)
            tenant.contract_refs.append(c.contract_ref)
            tenant.markers |= {c.contract_ref, *([c.line_id] if c.line_id else [])}
        tenant.order_ids = list(await s.scalars(
            select(PortingOrder.id).where(PortingOrder.customer_id == customer_id)))
        for a in await s.scalars(select(Account).where(Account.customer_id == customer_id)):
            tenant.usernames.append(a.username)
            tenant.markers |= {a.full_name, *([a.email] if a.email else [])}
    tenant.markers |= set(tenant.numbers)
    tenant.markers.discard("")
    return tenant


async def _setup(core: Core) -> tuple[dict[str, Actor], dict[str, Tenant], dict[str, Tenant]]:
    from tests.conftest import login

    admin, mia = await login(core, "admin"), await login(core, "mia")
    beispiel, agent = await login(core, "beispiel"), await login(core, "support")
    await core.run(users.create_employee, beispiel, username="bea", full_name="Bea Beispielhaft",
                   email="bea.beispielhaft@beispiel-ag.de")
    async with core.uow(readonly=True) as uow:
        bea_id = await uow.session.scalar(select(Account.id).where(Account.username == "bea"))
    async with core.uow() as uow:  # R21: an open request of Beispiel AG (policy on there)
        uow.session.add(ApprovalRequest(
            customer_id=beispiel.customer_id, action="numbers.swap",
            object_id="+4989123456300>+4989123456301",
            params={"old": "+4989123456300", "new": "+4989123456301"},
            requested_by_id=beispiel.account_id, requested_by="beispiel", created_at=DEMO_NOW,
            expires_at=DEMO_NOW + timedelta(hours=24), status="pending"))
    # R31: a submitted porting order of Beispiel AG (Muster GmbH has the demo's confirmed one)
    await core.run(porting.create_order, beispiel, area="089", numbers=["+4989555000100"],
                   old_provider="Alt-Telefon GmbH", account_holder="Beispiel AG",
                   wished_date="earliest")
    assert bea_id is not None and admin.customer_id and beispiel.customer_id
    bea = Actor(account_id=bea_id, username="bea", role=Role.EMPLOYEE,
                customer_id=beispiel.customer_id, source_address="127.0.0.1")
    muster_id, beispiel_id = admin.customer_id, beispiel.customer_id
    actors = {
        "admin": admin, "employee": mia,
        "support_no_reason": agent.for_customer(muster_id, customer_name="Muster GmbH"),
        "support_reason": agent.for_customer(muster_id, customer_name="Muster GmbH",
                                             reason="TICKET-4711"),
        "support_no_customer": agent,
        "other_admin": beispiel, "other_employee": bea,
    }
    muster, beispiel_t = await _tenant(core, muster_id), await _tenant(core, beispiel_id)
    home = {r: (beispiel_t if r.startswith("other") else muster) for r in ROLES}
    other = {r: (muster if r.startswith("other") else beispiel_t) for r in ROLES}
    return actors, home, other


@pytest.fixture(scope="module")
def world(
    db_templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    loop = asyncio.new_event_loop()
    data_dir = copy_template(db_templates["demo"], tmp_path_factory.mktemp("sec-authz"))
    core = Core(make_settings(data_dir), clock=FixedClock(DEMO_NOW))
    actors, home, other = loop.run_until_complete(_setup(core))
    w = World(loop, core, actors, home, other)

    @event.listens_for(core.db.write_engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.lstrip().upper()
        if head.startswith(("INSERT", "UPDATE", "DELETE")) and "AUDIT_EVENTS" not in head[:40]:
            w.writes.append(statement.split("\n")[0][:80])

    yield w
    loop.run_until_complete(core.close())
    loop.close()


async def _attempt(core: Core, fn: ServiceFn, actor: Actor, kwargs: dict[str, Any],
                   world_writes: list[str]) -> Any:
    """Call ``fn`` in a transaction that is always rolled back; the result or the error."""
    outcome: Any = None
    world_writes.clear()
    try:
        async with core.uow() as uow:
            try:
                outcome = await fn(uow, actor, **kwargs)
            except DomainError as exc:
                outcome = exc
            raise _Rollback
    except _Rollback:
        pass
    except DomainError as exc:  # raised by the unit of work itself (e.g. a conflict on flush)
        outcome = exc
    return outcome


# ------------------------------------------------------------------ argument strategies

MISSING_NUMBERS = ("+4989999999990", "+4930999999990", "089 999999991")
MISSING_IDS = (987654, 55555)
MISSING_NAMES = ("nobody", "ghost.user")


def _national(e164: str) -> str:
    return "0" + e164[3:] if e164.startswith("+49") else e164


def target_value(name: str, tenant: Tenant | None) -> st.SearchStrategy[Any]:
    """A value of a target parameter: one of ``tenant``'s objects, or (None) a missing one."""
    numbers = ([*tenant.numbers, *map(_national, tenant.numbers)] if tenant
               else list(MISSING_NUMBERS))
    ids = tenant.contract_ids if tenant else list(MISSING_IDS)
    by_name: dict[str, st.SearchStrategy[Any]] = {
        "number": st.sampled_from(numbers), "old": st.sampled_from(numbers),
        "new": st.sampled_from(numbers),
        "numbers": st.lists(st.sampled_from(numbers), min_size=1, max_size=3),
        "contract_id": st.sampled_from(ids),
        "ref": st.sampled_from([*tenant.contract_refs, *map(str, ids)] if tenant
                               else ["V-2000001-0999", "V-1000001-0999", *map(str, ids)]),
        "username": st.sampled_from(tenant.usernames if tenant else list(MISSING_NAMES)),
        "usernames": st.lists(st.sampled_from(tenant.usernames if tenant else list(MISSING_NAMES)),
                              min_size=1, max_size=2),
        "customer_id": st.just(tenant.customer_id if tenant else MISSING_IDS[0]),
        "customer_number": st.sampled_from(tenant.customer_numbers if tenant else ["7777777"]),
        "order_id": st.sampled_from(tenant.order_ids if tenant else list(MISSING_IDS)),
        # R30: the SIP-Trunk contract a block is ordered for
        "contract": st.sampled_from(tenant.contract_refs if tenant else ["V-2000001-0999"]),
    }
    return by_name[name]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
MARKERS_TEXT = st.sampled_from(["Beispiel", "Muster GmbH", "+4989123456300", "030", "mia", "%"])

PLAIN: dict[str, st.SearchStrategy[Any]] = {
    "query": st.none() | TEXT | MARKERS_TEXT,
    "status": st.none() | st.sampled_from(["active", "inactive", "pending_deactivation",
                                           "porting", "bogus"]),
    "offset": st.integers(0, 30),
    "limit": st.integers(1, 50),
    "order": st.sampled_from(["number", "status", "assigned", "date", "area", "price", "bogus"]),
    "count": st.integers(1, 3),
    "note": st.none() | TEXT,
    "pin": st.text("0123456789", min_size=4, max_size=8),
    "address": st.sampled_from(["Friedrichstraße 123, 10117 Berlin",
                                "Leopoldstraße 45, 80802 München"]) | TEXT,
    "email": st.sampled_from(["neu@example.org", "k.beispiel@beispiel-ag.de"]) | TEXT,
    "mobile": st.none() | st.sampled_from(["+491701111111", "0160 1234567", "x"]),
    "current_password": st.sampled_from(["admin-demo", "mia-demo", "beispiel-demo", "wrong"]),
    "locale": st.sampled_from(["de", "en", "xx"]),
    "full_name": TEXT,
    "consent": st.booleans(),
    "expected_version": st.none() | st.integers(0, 3),
    "expected_old_version": st.none() | st.integers(0, 3),
    "expected_new_version": st.none() | st.integers(0, 3),
    "delete_traffic_data": st.booleans(),
    "target": st.none() | st.sampled_from(["+4930555555555", "sip:x@example.org", "bad"]),
    "old_provider": st.sampled_from(["Alt-Telefon GmbH"]) | TEXT,
    "account_holder": st.sampled_from(["Muster GmbH"]) | TEXT,
    "wished_date": st.dates(DEMO_NOW.date(), DEMO_NOW.date() + timedelta(days=120)),
    "carrier": st.none(),
    "scenario": st.none() | st.sampled_from(["auto", "confirm", "reject:other", "bogus"]),
    "reason": st.none() | st.sampled_from(["TICKET-1"]) | TEXT,
    "area": st.sampled_from(["030", "089", "040", "0301", "xx"]),
    "username": st.sampled_from(["neu.mitarbeiter", "bea", "mia"]) | TEXT,
    "customer_number": st.none() | st.sampled_from(["1000001", "2000001", "7777777"]),
    "side": st.sampled_from(["old", "new"]),
    "kind": st.none() | st.sampled_from(["voice", "fax"]),
    "product": st.none() | st.sampled_from(["cloud_pbx", "sip_trunk", "bogus"]),
    "numbers": st.lists(st.sampled_from(["+4989123456300", "+4930123456100", "+4930999999990"]),
                        max_size=2),
    "number": st.none() | st.sampled_from(["+4989123456300", "+4930123456100"]),
    # R29 emergency location
    "street": st.sampled_from(["Friedrichstraße", "Leopoldstraße"]) | TEXT,
    "house_number": st.sampled_from(["123", "45"]) | TEXT,
    "postcode": st.sampled_from(["10117", "80802", "1011"]) | TEXT,
    "city": st.sampled_from(["Berlin", "München"]) | TEXT,
    # R27/R28
    "expected_versions": st.none() | st.just({"+4930123456100": 1, "+4989123456300": 1}),
    "dry_run": st.booleans(),
    # (valid numbers only: the invalid-number text quotes an example number of the demo)
    "text": st.lists(st.sampled_from([
        "+4989123456300,beispiel", "+4930123456101,mia", "+4930123456100,bea",
        "+4930999999990,nobody", "+4930123456104,", ""]), max_size=4).map(
            lambda lines: "number,username\n" + "\n".join(lines)),
    # R19/R20
    "code": st.none() | st.text("0123456789", min_size=6, max_size=6),
    "at": st.sampled_from([DEMO_NOW + timedelta(hours=2), DEMO_NOW + timedelta(days=40)]),
    "reset_id": st.integers(1, 5),
    "include_past": st.booleans(),
    "action": st.sampled_from(["credentials.generate", "numbers.swap", "stepup.policy_off",
                               "activate", "deactivate", "undo", "assign", "bogus"]),
    "object_id": st.sampled_from(["1", "+4989123456300", "+4930123456100>+4930123456105"]),
    "required": st.booleans(),
    # R22 Fristen: an entry's key names a number (either tenant's or none) or an id
    "kinds": st.none() | st.sampled_from([("deactivation",), ("reset", "porting"), ("bogus",)]),
    "key": st.sampled_from(["deactivation:+4930123456103", "deactivation:+4989123456300",
                            "deactivation:+4930999999990", "reset:1", "porting:1",
                            "pin_letter:1", "bogus"]),
    "version": st.none() | st.integers(0, 3),
    # R21: request 1 is the other tenant's (Beispiel AG) open swap request, see _setup
    "request_id": st.integers(1, 3),
    "comment": st.sampled_from(["", "Nein, danke"]) | TEXT,
    "include_done": st.booleans(),
    "params": st.sampled_from([{}, {"old": "+4930123456100", "new": "+4930123456105"}]),
    # (the guard's recipient only names the account in the audit row)
    "recipient": st.none() | st.sampled_from(["mia", "beispiel"]),
    # R23 shadowing's Archiv entries: the watched account and session are only recorded
    "event": st.sampled_from(["requested", "started", "declined", "timeout", "ended", "bogus"]),
    "user": st.sampled_from(["mia", "beispiel"]) | TEXT,
    "session": TEXT,
    "by": st.sampled_from(["", "user", "support", "gone"]),
    "shadow": st.sampled_from(["", "sid-1"]) | TEXT,  # a cross-process watching's id
    # R30 number blocks
    "size": st.sampled_from([10, 100, 7]),
    "expanded": st.none() | st.sampled_from([(), (1,), (1, 2)]),
}
"""Strategies for parameters that do not name another tenant's object."""


def _params(fn: ServiceFn) -> list[inspect.Parameter]:
    return list(inspect.signature(fn).parameters.values())[2:]


def _targets(name: str, fn: ServiceFn) -> list[str]:
    skip = NOT_TARGETS.get(name, set())
    return [p.name for p in _params(fn) if p.name in TARGETS and p.name not in skip]


def _plain(name: str, param: inspect.Parameter) -> st.SearchStrategy[Any]:
    if param.name not in PLAIN and param.name not in TARGETS:
        raise AssertionError(f"{name}: no strategy for parameter {param.name!r}; add one")
    return PLAIN.get(param.name, st.none())


def _leaks(result: Any, markers: set[str], kwargs: dict[str, Any]) -> list[str]:
    shown = repr(result)
    given_text = repr(kwargs)
    return sorted(m for m in markers if m in shown and m not in given_text)


def _message(exc: DomainError, values: list[str]) -> tuple[str, str, str, str]:
    """The error as a user sees it, with the values the caller typed as placeholders."""
    from core.i18n import t

    params = {k: "<X>" if str(v) in values else v for k, v in exc.params.items()}
    rendered = [t(locale, exc.key, **params) for locale in ("de", "en")]
    return type(exc).__name__, exc.key, rendered[0], rendered[1]


def _typed(kwargs: dict[str, Any], names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        value = kwargs[name]
        for v in value if isinstance(value, list) else [value]:
            out += [str(v)]
            if isinstance(v, str) and v.replace(" ", "").lstrip("+0").isdigit():
                from core.services.number_views import normalize_number

                try:
                    out.append(normalize_number(v))
                except DomainError:
                    pass
    return out


# ------------------------------------------------------------------ the properties

CASES = [pytest.param(name, fn, role, id=f"{name}-{role}")
         for name, fn in FUNCTIONS for role in ROLES
         if not (name in SUPPORT_TOOLS and role.startswith("support"))]


@pytest.mark.parametrize(("name", "fn", "role"), CASES)
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_other_tenant_is_out_of_reach(
    world: World, name: str, fn: ServiceFn, role: str, data: st.DataObject
) -> None:
    actor, other = world.actors[role], world.other[role]
    params = _params(fn)
    targets = _targets(name, fn)
    plain = {p.name: data.draw(_plain(name, p), label=p.name)
             for p in params if p.name not in targets}
    if not targets:
        # nothing of another tenant can be named: the result must not show any of it
        result = world.call(_attempt(world.core, fn, actor, plain, world.writes))
        assert not isinstance(result, DomainError) or result.key
        if role != "support_no_customer":
            assert _leaks(result, other.markers, plain) == [], (name, role, plain)
        return
    # at least one target names the other tenant's object, the rest the actor's own
    foreign = data.draw(
        st.lists(st.sampled_from(targets), min_size=1, unique=True), label="foreign"
    )
    own = world.home[role]
    chosen = {t: data.draw(target_value(t, other if t in foreign else own), label=t)
              for t in targets}
    missing = {t: data.draw(target_value(t, None), label=f"missing {t}") if t in foreign
               else chosen[t] for t in targets}
    against_other = world.call(_attempt(world.core, fn, actor, {**plain, **chosen}, world.writes))
    assert isinstance(against_other, DomainError), (
        f"{name} as {role} succeeded on another tenant's {foreign}: {chosen} {plain}")
    if name in FOREIGN_ONLY:
        return
    against_nothing = world.call(
        _attempt(world.core, fn, actor, {**plain, **missing}, world.writes)
    )
    assert isinstance(against_nothing, DomainError), (name, role, missing)
    typed_other = _typed(chosen, foreign)
    typed_missing = _typed(missing, foreign)
    assert _message(against_other, typed_other) == _message(against_nothing, typed_missing), (
        f"{name} as {role}: another tenant's object is told apart from a missing one "
        f"({chosen} vs {missing}, {plain})")


WRITE_CASES = [pytest.param(name, fn, id=name) for name, fn in FUNCTIONS]


@pytest.mark.parametrize(("name", "fn"), WRITE_CASES)
@settings(max_examples=EXAMPLES * 2, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_support_without_reason_writes_nothing(
    world: World, name: str, fn: ServiceFn, data: st.DataObject
) -> None:
    """Support with the customer open but no ticket id: reads work, no call changes data."""
    actor, own = world.actors["support_no_reason"], world.home["support_no_reason"]
    targets = _targets(name, fn)
    kwargs = {p.name: data.draw(target_value(p.name, own) if p.name in targets
                                else _plain(name, p), label=p.name) for p in _params(fn)}
    result = world.call(_attempt(world.core, fn, actor, kwargs, world.writes))
    if name in ("support.open_customer", "support.record_shadow", "users.set_locale"):
        # support's own tools (audited only: opening a customer, a shadowing the user
        # consented to) and its own account's language
        return
    assert isinstance(result, DomainError) or not world.writes, (
        f"{name} wrote without a reason: {world.writes[:3]} ({kwargs})")


def test_every_service_is_covered() -> None:
    """The introspection found the services (a rename cannot empty the test silently)."""
    names = {name for name, _ in FUNCTIONS}
    assert {"numbers.activate", "numbers.swap", "users.reset_password",
            "credentials.generate", "contracts.get_contract", "porting.create_order"} <= names
    assert len(FUNCTIONS) >= 40
    for name, fn in FUNCTIONS:
        for p in _params(fn):
            _plain(name, p)  # raises for a parameter without a strategy
