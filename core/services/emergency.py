"""Emergency locations (Notrufstandort, SPEC R29): read, change and default the address an
emergency call from a voice number is routed to.

* :func:`set_location` changes it (admin, support with a reason), validated per field
  (:func:`core.locations.validate`: street, house number, a five-digit postcode inside
  the number's local network area, city); audited and announced on the bus, so every
  open dashboard of the customer shows it at once.
* :func:`suggestion` is what the dialog starts with: the stored location, else the
  default the number would get (its site's address, the verified area address, the
  customer's address: the first valid one in the area).
* :func:`fill_defaults` gives new voice numbers (bought, ported in) that default.

Activation needs a location: the predicate is
:func:`core.services.number_views.action_refusal` (``located``), shared by the single
write, the bulk action and :attr:`NumberView.actions`.

Decisions the spec leaves open: fax numbers have no emergency location (they cannot
call 112); a location can be changed in any state (also before activation, which is
the point) but never removed: an active voice number always has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.authz import Actor
from core.enums import NumberAction
from core.locations import (
    EmergencyLocation,
    first_valid,
    from_address,
    from_site,
    store,
    stored,
    validate,
)
from core.models import AreaVerification, Contract, Customer, LocalArea, Number, NumberKind
from core.services.number_reads import (
    _emit_changed,
    _load,
    _load_for_manage,
    _refuse,
    _require_preview,
    _view,
)
from core.services.number_views import NumberView
from core.uow import UnitOfWork

__all__ = [
    "EmergencyLocation",
    "LocationSuggestion",
    "default_location",
    "fill_defaults",
    "set_location",
    "suggestion",
]


@dataclass(frozen=True)
class LocationSuggestion:
    """What the location dialog shows for one number: the stored location, or the
    default it would get (``is_default``), or nothing (all fields empty)."""

    number: str
    national: str
    area: str
    area_name: str
    location: EmergencyLocation | None
    is_default: bool
    version: int


async def default_location(
    uow: UnitOfWork, *, customer_id: int, area: str, contract_id: int | None = None
) -> EmergencyLocation | None:
    """R29's default for a number of ``customer_id`` in ``area``: the site's address, else
    the address verified for the area by PIN letter, else the customer's address; the
    first that is a valid location in the area (None if none is)."""
    site = await uow.session.get(Contract, contract_id) if contract_id is not None else None
    verified = await uow.session.scalar(
        select(AreaVerification.address).where(AreaVerification.customer_id == customer_id,
                                               AreaVerification.area_prefix == area))
    customer = await uow.session.get(Customer, customer_id)
    return first_valid((
        from_site(area, site.street, site.postal_code, site.city) if site is not None else None,
        from_address(area, verified),
        from_site(area, customer.street, customer.postal_code, customer.city)
        if customer is not None else None,
    ))


async def fill_defaults(uow: UnitOfWork, *, customer_id: int, numbers: list[str]) -> int:
    """Give the customer's voice numbers among ``numbers`` (E.164) that have no location
    the default one (new numbers: bought or ported in); returns how many got one. The
    caller's write is audited as a whole (the location is part of the new number)."""
    rows = list(await uow.session.scalars(
        select(Number).where(Number.customer_id == customer_id, Number.e164.in_(numbers),
                             Number.kind == NumberKind.VOICE,
                             Number.emergency_street.is_(None))))
    cache: dict[tuple[str, int | None], EmergencyLocation | None] = {}
    filled = 0
    for n in rows:
        key = (n.area_prefix, n.contract_id)
        if key not in cache:
            cache[key] = await default_location(uow, customer_id=customer_id, area=n.area_prefix,
                                                contract_id=n.contract_id)
        if cache[key] is not None:
            store(n, cache[key])
            filled += 1
    if filled:
        await uow.session.flush()
    return filled


async def suggestion(uow: UnitOfWork, actor: Actor, *, number: str) -> LocationSuggestion:
    """R29: the stored location of a voice number, or the default it would get; for the
    dialog that changes it (shown to whoever may change it)."""
    n = await _load(uow, actor, number)
    _require_preview(actor, n.customer_id)
    _refuse(NumberAction.LOCATION, n)
    area = await uow.session.get(LocalArea, n.area_prefix)
    current = stored(n)
    default = None
    if current is None and n.customer_id is not None:
        default = await default_location(uow, customer_id=n.customer_id, area=n.area_prefix,
                                         contract_id=n.contract_id)
    view = await _view(uow, actor, n.id)
    return LocationSuggestion(
        number=n.e164, national=view.national, area=n.area_prefix,
        area_name=area.name if area is not None else "", location=current or default,
        is_default=current is None and default is not None, version=n.version,
    )


async def set_location(
    uow: UnitOfWork,
    actor: Actor,
    *,
    number: str,
    street: str | None,
    house_number: str | None,
    postcode: str | None,
    city: str | None,
    expected_version: int | None = None,
) -> NumberView:
    """R29: change the emergency location of a voice number of the actor's customer.
    Permission and tenant first; every field validated (all errors at once); the postcode
    must lie in the number's local network area."""
    n = await _load_for_manage(uow, actor, number, expected_version)
    _refuse(NumberAction.LOCATION, n)
    area = await uow.session.get(LocalArea, n.area_prefix)
    location = validate(area=n.area_prefix, area_name=area.name if area is not None else "",
                        street=street, house_number=house_number, postcode=postcode, city=city)
    previous = stored(n)
    if previous == location:
        return await _view(uow, actor, n.id)  # nothing changes: no audit entry, no event
    store(n, location)
    await uow.session.flush()
    uow.audit(actor, "number.location_set", customer_id=n.customer_id, target=n.e164,
              location=location.text, previous_location=previous.text if previous else None)
    _emit_changed(uow, "NumberLocationSet", n)
    return await _view(uow, actor, n.id)
