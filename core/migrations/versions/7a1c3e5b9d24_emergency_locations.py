"""emergency locations of voice numbers (R29), backfilled from the site address

Revision ID: 7a1c3e5b9d24
Revises: a1c4e7b9d213
Create Date: 2026-12-01 22:40:00

Existing voice numbers get the location R29 gives a new one by default: their site's
(contract's) address, else the address verified for their area by PIN letter, else the
customer's address, the first one that is a valid location in the number's area.
A number for which none is valid keeps none: activating it is refused until someone
enters one (an already active one is listed without a location).

The rule and the postcode table are frozen here as they were at this revision
(core/locations.py and core/postcodes.py of commit 47edcf3): a migration must give the
same result however the live validation changes later, so it imports no live code.
"""
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision: str = '7a1c3e5b9d24'
down_revision: str | None = 'a1c4e7b9d213'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ('emergency_street', 100),
    ('emergency_house_number', 10),
    ('emergency_postcode', 5),
    ('emergency_city', 80),
)


def upgrade() -> None:
    with op.batch_alter_table('numbers') as batch:
        for name, length in _COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    _backfill(op.get_bind())


def _backfill(bind: sa.Connection) -> None:
    sites = {row.id: row for row in bind.execute(sa.text(
        "SELECT id, street, postal_code, city FROM contracts"))}
    customers = {row.id: row for row in bind.execute(sa.text(
        "SELECT id, street, postal_code, city FROM customers"))}
    verified = {(row.customer_id, row.area_prefix): row.address for row in bind.execute(
        sa.text("SELECT customer_id, area_prefix, address FROM area_verifications"))}
    numbers = bind.execute(sa.text(
        "SELECT id, customer_id, contract_id, area_prefix FROM numbers WHERE kind = 'voice'"
    )).all()
    update = sa.text(
        "UPDATE numbers SET emergency_street = :street, emergency_house_number = :house_number,"
        " emergency_postcode = :postcode, emergency_city = :city WHERE id = :id")
    for n in numbers:
        site = sites.get(n.contract_id)
        customer = customers.get(n.customer_id)
        location = _first_valid((
            _from_site(n.area_prefix, site.street, site.postal_code, site.city)
            if site is not None else None,
            _from_address(n.area_prefix, verified.get((n.customer_id, n.area_prefix))),
            _from_site(n.area_prefix, customer.street, customer.postal_code, customer.city)
            if customer is not None else None,
        ))
        if location is not None:
            bind.execute(update, {"id": n.id, "street": location.street,
                                  "house_number": location.house_number,
                                  "postcode": location.postcode, "city": location.city})


def downgrade() -> None:
    with op.batch_alter_table('numbers') as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)


# ---------------------------------------------------------------- frozen at this revision

_POSTCODE_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "030": ((10115, 14199),),
    "040": ((20095, 22769),),
    "089": ((80331, 81929), (82008, 82067), (85521, 85579), (85716, 85774)),
    "069": ((60306, 60599), (63065, 63075), (65929, 65936)),
    "0221": ((50667, 51149),),
    "0211": ((40210, 40629),),
    "0711": ((70173, 70629), (70734, 70794)),
    "0341": ((4103, 4357), (4416, 4416)),
    "0351": ((1067, 1328), (1445, 1445)),
    "0511": ((30159, 30669), (30851, 30855), (30880, 30880)),
    "0421": ((28195, 28779), (28816, 28879)),
    "0911": ((90402, 90491), (90762, 90768)),
}
_MAX_STREET = 100
_MAX_HOUSE_NUMBER = 10
_MAX_CITY = 80
_HOUSE_NUMBER_RE = re.compile(r"^\d{1,4} ?[A-Za-z]?( ?[-/] ?\d{1,4} ?[A-Za-z]?)?$")
_STREET_WITH_NUMBER_RE = re.compile(
    r"^(?P<street>.*?[^\d\s].*?)\s+(?P<number>\d{1,4} ?[A-Za-z]?( ?[-/] ?\d{1,4} ?[A-Za-z]?)?)$"
)
_ADDRESS_RE = re.compile(r"^(?P<street>.+?),?\s+(?P<postcode>\d{5})\s+(?P<city>.+)$")


class _Location(NamedTuple):
    street: str
    house_number: str
    postcode: str
    city: str


def _text(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _name_ok(value: str, limit: int) -> bool:
    return (bool(value) and len(value) <= limit
            and not any(unicodedata.category(c).startswith("C") for c in value)
            and any(c.isalpha() for c in value))


def _in_area(area: str, postcode: str) -> bool:
    value = int(postcode)
    return any(low <= value <= high for low, high in _POSTCODE_RANGES.get(area, ()))


def _valid(area: str, street: str, house_number: str, postcode: str | None,
           city: str | None) -> _Location | None:
    s, h, p, c = _text(street), _text(house_number), _text(postcode), _text(city)
    if not (_name_ok(s, _MAX_STREET) and _name_ok(c, _MAX_CITY)):
        return None
    if not h or len(h) > _MAX_HOUSE_NUMBER or not _HOUSE_NUMBER_RE.match(h):
        return None
    if not (len(p) == 5 and p.isascii() and p.isdigit()) or not _in_area(area, p):
        return None
    return _Location(s, h, p, c)


def _from_site(area: str, street: str | None, postcode: str | None,
               city: str | None) -> _Location | None:
    text = _text(street)
    match = _STREET_WITH_NUMBER_RE.match(text)
    name, number = ((match.group("street").rstrip(","), match.group("number"))
                    if match is not None else (text, ""))
    return _valid(area, name, number, postcode, city)


def _from_address(area: str, address: str | None) -> _Location | None:
    match = _ADDRESS_RE.match(_text(address))
    if match is None:
        return None
    return _from_site(area, match.group("street"), match.group("postcode"), match.group("city"))


def _first_valid(candidates: Iterable[_Location | None]) -> _Location | None:
    return next((c for c in candidates if c is not None), None)
