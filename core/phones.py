"""Mobile numbers (SPEC §8): the credential SMS and step-up codes must reach a mobile phone.

German mobile numbers are +49 15x / 16x / 17x with 10 or 11 digits after the country code.
For a few neighbouring countries the mobile ranges are known and checked too; any other
international number is accepted when it is a plausible E.164 number (7–15 digits).
"""

from __future__ import annotations

import re

from core.errors import ValidationError

_E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
_GERMAN_MOBILE_RE = re.compile(r"^\+491[5-7]\d{8,9}$")

MOBILE_PREFIXES: dict[str, tuple[str, ...]] = {
    "43": ("6",),                 # Austria: 06xx
    "41": ("7",),                 # Switzerland: 07x
    "31": ("6",),                 # Netherlands: 06
    "32": ("4",),                 # Belgium: 04xx
    "33": ("6", "7"),             # France: 06 / 07
    "34": ("6", "7"),             # Spain
    "39": ("3",),                 # Italy: 3xx
    "44": ("7",),                 # United Kingdom: 07
    "48": ("4", "5", "6", "7", "8"),  # Poland
}
"""Country code → first digits of the national mobile ranges, where they are well known."""


def normalize_phone(value: str, *, default_country: str = "49") -> str:
    """``0170 1234567`` / ``+49 (170) 123-4567`` / ``0049...`` → ``+491701234567``."""
    compact = re.sub(r"[\s()/.-]", "", value.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0"):
        compact = f"+{default_country}{compact[1:]}"
    return compact


def is_mobile(e164: str) -> bool:
    """True for a German mobile number or a plausible international mobile number."""
    if not _E164_RE.match(e164):
        return False
    if e164.startswith("+49"):
        return bool(_GERMAN_MOBILE_RE.match(e164))
    for country, prefixes in MOBILE_PREFIXES.items():
        if e164.startswith("+" + country):
            return e164[1 + len(country):].startswith(prefixes)
    return True


def validate_mobile(value: str) -> str:
    """The number in E.164, or a ValidationError saying why it is no mobile number."""
    raw = (value or "").strip()
    number = normalize_phone(raw)
    if not _E164_RE.match(number):
        raise ValidationError("error.invalid_mobile", value=raw[:40])
    if not is_mobile(number):
        raise ValidationError("error.not_mobile", value=raw[:40])
    return number
