"""German (default) and English texts, dates and amounts.

Catalogs live in ``core/locales/<area>.py`` as ``MESSAGES = {key: {"de": ..., "en": ...}}``
so that each area owns its texts; this module merges them once at import.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import core.locales as pkg
from core.clock import BERLIN

LOCALES: tuple[str, ...] = ("de", "en")
DEFAULT_LOCALE = "de"


def _load_catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"core.locales.{info.name}")
        for key, texts in module.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"i18n key {key!r} defined twice (core.locales.{info.name})")
            merged[key] = texts
    return merged


CATALOG: dict[str, dict[str, str]] = _load_catalog()


def normalize_locale(locale: str | None) -> str:
    if not locale:
        return DEFAULT_LOCALE
    short = locale.replace("-", "_").split("_")[0].lower()
    return short if short in LOCALES else DEFAULT_LOCALE


def t(locale: str | None, key: str, /, **params: Any) -> str:
    """Translate ``key``; an unknown key is returned as is so that a gap is visible, not fatal."""
    texts = CATALOG.get(key)
    if texts is None:
        return key
    text = texts.get(normalize_locale(locale)) or texts[DEFAULT_LOCALE]
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def format_date(value: date | datetime | None, locale: str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date()
    if normalize_locale(locale) == "de":
        return value.strftime("%d.%m.%Y")
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None, locale: str | None) -> str:
    if value is None:
        return "–"
    local = value.astimezone(BERLIN)
    if normalize_locale(locale) == "de":
        return local.strftime("%d.%m.%Y %H:%M")
    return local.strftime("%d/%m/%Y %H:%M")


NBSP = "\u00a0"
"""No-break space: between an amount and its currency sign, so a line never wraps there."""


def format_money(cents: int, locale: str | None) -> str:
    """Euro amounts: ``1.234,56 €`` in German (amount and sign joined by :data:`NBSP`, so
    "2,50" and "€" never end up on two lines), ``€1,234.56`` in English."""
    amount = (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, frac = f"{abs(amount):,.2f}".split(".")
    if normalize_locale(locale) == "de":
        return f"{sign}{whole.replace(',', '.')},{frac}{NBSP}€"
    return f"{sign}€{whole}.{frac}"
