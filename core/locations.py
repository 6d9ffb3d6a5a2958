"""Emergency locations (Notrufstandort, SPEC R29): the address an emergency call from a
voice number is routed to, its validation and where its default comes from.

Pure (no database): the services (:mod:`core.services.emergency`) and the number views
share these rules. The migration that backfilled existing numbers (7a1c3e5b9d24) carries
its own frozen copy, so changing a rule here never changes what that migration does.

Validation (every field says what is wrong with it, in the user's language):

* street: required, letters, at most :data:`MAX_STREET` characters;
* house number: required, ``12``, ``12a``, ``12 a``, ``12-14`` or ``3/1``;
* postcode: exactly five digits, inside the number's local network area (the table of
  :mod:`core.postcodes`, SPEC §8): a Berlin number cannot be routed to Hamburg;
* city: required, letters, at most :data:`MAX_CITY` characters.

Defaults: the site's (contract's) address, else the address the customer verified for
the number's area by PIN letter (R16; every ordered or ported number has one), else the
customer's own address: the first of these whose postcode lies in the number's area.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError, RuleViolation, ValidationError
from core.postcodes import format_ranges, in_area

MAX_STREET = 100
MAX_HOUSE_NUMBER = 10
MAX_CITY = 80
POSTCODE_LENGTH = 5

FIELDS: tuple[str, ...] = ("street", "house_number", "postcode", "city")
"""The parts of a location, in the order they are asked for and written."""

_HOUSE_NUMBER_RE = re.compile(r"^\d{1,4} ?[A-Za-z]?( ?[-/] ?\d{1,4} ?[A-Za-z]?)?$")
_STREET_WITH_NUMBER_RE = re.compile(
    r"^(?P<street>.*?[^\d\s].*?)\s+(?P<number>\d{1,4} ?[A-Za-z]?( ?[-/] ?\d{1,4} ?[A-Za-z]?)?)$"
)
_ADDRESS_RE = re.compile(r"^(?P<street>.+?),?\s+(?P<postcode>\d{5})\s+(?P<city>.+)$")


@dataclass(frozen=True, slots=True)
class EmergencyLocation:
    """Street, house number, postcode and city of one voice number's emergency calls."""

    street: str
    house_number: str
    postcode: str
    city: str

    @property
    def text(self) -> str:
        """One line as people write an address: ``Friedrichstraße 123, 10117 Berlin``."""
        return f"{self.street} {self.house_number}, {self.postcode} {self.city}"

    def as_json(self) -> dict[str, str]:
        return {"street": self.street, "house_number": self.house_number,
                "postcode": self.postcode, "city": self.city, "text": self.text}


class FieldErrors(DomainError):
    """A refusal naming the fields it is about: each with its own message, so a dialog
    shows it at the field and command mode prints them all in one line."""

    field_errors: tuple[tuple[str, DomainError], ...] = ()

    def messages(self, locale: str) -> dict[str, str]:
        """Field → message in ``locale`` (the first one per field)."""
        out: dict[str, str] = {}
        for name, error in self.field_errors:
            out.setdefault(name, error.render(locale))
        return out

    def render(self, locale: str) -> str:
        return " ".join(self.messages(locale).values())


class LocationInvalid(FieldErrors, ValidationError):
    """One or more fields are malformed (empty, too long, a postcode of four digits)."""

    def __init__(self, errors: Iterable[tuple[str, DomainError]]) -> None:
        ValidationError.__init__(self, "error.emergency.invalid")
        self.field_errors = tuple(errors)

    def render(self, locale: str) -> str:
        return FieldErrors.render(self, locale)


class LocationOutsideArea(FieldErrors, RuleViolation):
    """R29: a well-formed postcode outside the number's local network area."""

    def __init__(self, *, postcode: str, area: str, name: str) -> None:
        RuleViolation.__init__(self, "R29", "error.emergency.postcode_outside", postcode=postcode,
                               area=area, name=name, ranges=format_ranges(area))
        self.field_errors = (("postcode", RuleViolation(
            "R29", "error.emergency.postcode_outside", postcode=postcode, area=area, name=name,
            ranges=format_ranges(area))),)

    def render(self, locale: str) -> str:
        return FieldErrors.render(self, locale)


def _text(value: str | None) -> str:
    """Whitespace collapsed, unicode composed (``Straße`` typed either way is one text)."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _has_control(value: str) -> bool:
    return any(unicodedata.category(c).startswith("C") for c in value)


def _name_error(field: str, value: str, limit: int) -> DomainError | None:
    if not value:
        return ValidationError(f"error.emergency.{field}_required")
    if len(value) > limit:
        return ValidationError(f"error.emergency.{field}_too_long", max=limit)
    if _has_control(value) or not any(c.isalpha() for c in value):
        return ValidationError(f"error.emergency.{field}_invalid", value=value[:40])
    return None


def validate(
    *, area: str, area_name: str, street: str | None, house_number: str | None,
    postcode: str | None, city: str | None,
) -> EmergencyLocation:
    """The location as given, cleaned, or :class:`LocationInvalid` naming every malformed
    field; a well-formed postcode outside ``area`` is :class:`LocationOutsideArea` (R29)."""
    s, h, p, c = _text(street), _text(house_number), _text(postcode), _text(city)
    errors: list[tuple[str, DomainError]] = []
    error = _name_error("street", s, MAX_STREET)
    if error is not None:
        errors.append(("street", error))
    if not h:
        errors.append(("house_number", ValidationError("error.emergency.house_number_required")))
    elif len(h) > MAX_HOUSE_NUMBER or not _HOUSE_NUMBER_RE.match(h):
        errors.append(("house_number", ValidationError(
            "error.emergency.house_number_invalid", value=h[:20])))
    if not p:
        errors.append(("postcode", ValidationError("error.emergency.postcode_required")))
    elif not (len(p) == POSTCODE_LENGTH and p.isascii() and p.isdigit()):
        errors.append(("postcode", ValidationError(
            "error.emergency.postcode_format", value=p[:20])))
    error = _name_error("city", c, MAX_CITY)
    if error is not None:
        errors.append(("city", error))
    if errors:
        raise LocationInvalid(errors)
    if not in_area(area, p):
        raise LocationOutsideArea(postcode=p, area=area, name=area_name)
    return EmergencyLocation(s, h, p, c)


def split_street(street: str) -> tuple[str, str]:
    """``Friedrichstraße 123`` → (``Friedrichstraße``, ``123``); ('…', '') without a number."""
    text = _text(street)
    match = _STREET_WITH_NUMBER_RE.match(text)
    if match is None:
        return text, ""
    return match.group("street").rstrip(","), match.group("number")


def from_site(
    area: str, street: str | None, postcode: str | None, city: str | None
) -> EmergencyLocation | None:
    """A site's (or customer's) address as the location of a number in ``area``, or None
    when it is not a valid one there (no house number, postcode outside the area)."""
    name, number = split_street(street or "")
    try:
        return validate(area=area, area_name="", street=name, house_number=number,
                        postcode=postcode, city=city)
    except (LocationInvalid, LocationOutsideArea):
        return None


def from_address(area: str, address: str | None) -> EmergencyLocation | None:
    """A one-line address (``Jungfernstieg 10, 20354 Hamburg``: a verified PIN-letter
    address) as the location of a number in ``area``, or None."""
    match = _ADDRESS_RE.match(_text(address))
    if match is None:
        return None
    return from_site(area, match.group("street"), match.group("postcode"), match.group("city"))


def first_valid(candidates: Iterable[EmergencyLocation | None]) -> EmergencyLocation | None:
    return next((c for c in candidates if c is not None), None)


def stored(row: Any) -> EmergencyLocation | None:
    """The location stored on a number row (its four ``emergency_*`` columns), or None."""
    parts = (row.emergency_street, row.emergency_house_number, row.emergency_postcode,
             row.emergency_city)
    if not all(parts):
        return None
    return EmergencyLocation(*parts)


def store(row: Any, location: EmergencyLocation | None) -> None:
    """Write ``location`` into a number row's columns (None clears them)."""
    row.emergency_street = location.street if location else None
    row.emergency_house_number = location.house_number if location else None
    row.emergency_postcode = location.postcode if location else None
    row.emergency_city = location.city if location else None
