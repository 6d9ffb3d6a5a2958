"""Prices of what the portal sells, in one place (R11: a price is shown before activating).

A number's prices are copied onto its row when it is created (``activation_fee_cents``,
``monthly_price_cents``), so a later change of a tariff applies to new numbers only. The
services that create numbers (buying in an area, porting) and the demo data read them here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from core.models import NumberKind


@dataclass(frozen=True)
class Tariff:
    """Prices in euro cents: one-time on activation, and monthly while active."""

    activation_cents: int
    monthly_cents: int


NUMBER_TARIFFS: Mapping[NumberKind, Tariff] = MappingProxyType({
    NumberKind.VOICE: Tariff(activation_cents=995, monthly_cents=250),
    NumberKind.FAX: Tariff(activation_cents=495, monthly_cents=150),
})
"""The standard prices of a number, per kind."""


def number_tariff(kind: NumberKind) -> Tariff:
    """The standard prices of a new number of this kind."""
    return NUMBER_TARIFFS[kind]
