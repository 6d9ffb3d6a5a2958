"""emergency locations of voice numbers (R29), backfilled from the site address

Revision ID: 7a1c3e5b9d24
Revises: a1c4e7b9d213
Create Date: 2026-12-01 22:40:00

Existing voice numbers get the location R29 gives a new one by default: their site's
(contract's) address, else the address verified for their area by PIN letter, else the
customer's address, the first one that is a valid location in the number's area
(core/locations.py). A number for which none is valid keeps none: activating it is
refused until someone enters one (an already active one is listed without a location).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core import locations

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
        location = locations.first_valid((
            locations.from_site(n.area_prefix, site.street, site.postal_code, site.city)
            if site is not None else None,
            locations.from_address(n.area_prefix, verified.get((n.customer_id, n.area_prefix))),
            locations.from_site(n.area_prefix, customer.street, customer.postal_code,
                                customer.city) if customer is not None else None,
        ))
        if location is not None:
            bind.execute(update, {"id": n.id, "street": location.street,
                                  "house_number": location.house_number,
                                  "postcode": location.postcode, "city": location.city})


def downgrade() -> None:
    with op.batch_alter_table('numbers') as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
