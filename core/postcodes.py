"""Postcode ranges of the local network areas (Ortsnetze), SPEC §8 / R16.

A PIN letter for an area goes only to an address whose postcode lies in that area. The
ranges are the city's own postcodes plus neighbouring towns that dial with the same
prefix (e.g. Offenbach in 069, Unterhaching in 089). They are deliberately generous
inside a range (a postcode the post office does not use is harmless: the letter simply
does not arrive); what matters is that Berlin cannot verify Hamburg.
"""

from __future__ import annotations

import re

POSTCODE_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "030": ((10115, 14199),),                                     # Berlin
    "040": ((20095, 22769),),                                     # Hamburg (incl. 21xxx)
    "089": ((80331, 81929), (82008, 82067), (85521, 85579),       # München, Unterhaching …
            (85716, 85774)),                                      # Unterschleißheim, Garching
    "069": ((60306, 60599), (63065, 63075), (65929, 65936)),      # Frankfurt, Offenbach, Höchst
    "0221": ((50667, 51149),),                                    # Köln
    "0211": ((40210, 40629),),                                    # Düsseldorf
    "0711": ((70173, 70629), (70734, 70794)),                     # Stuttgart, Fellbach …
    "0341": ((4103, 4357), (4416, 4416)),                         # Leipzig, Markkleeberg
    "0351": ((1067, 1328), (1445, 1445)),                         # Dresden, Radebeul
    "0511": ((30159, 30669), (30851, 30855), (30880, 30880)),     # Hannover, Langenhagen, Laatzen
    "0421": ((28195, 28779), (28816, 28879)),                     # Bremen, Stuhr, Weyhe
    "0911": ((90402, 90491), (90762, 90768)),                     # Nürnberg, Fürth
}
"""Inclusive postcode ranges per area prefix; every area of :data:`core.reference.LOCAL_AREAS`
has an entry (checked by a unit test)."""

_POSTCODE_RE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


def postcode_of(address: str) -> str | None:
    """The five-digit postcode of an address (the last one if it names several), or None."""
    found = _POSTCODE_RE.findall(address or "")
    return found[-1] if found else None


def in_area(prefix: str, postcode: str) -> bool:
    """True when ``postcode`` lies in the local network area ``prefix``."""
    value = int(postcode)
    return any(low <= value <= high for low, high in POSTCODE_RANGES.get(prefix, ()))


def format_ranges(prefix: str) -> str:
    """``10115–14199`` / ``80331–81929, 82008–82067``: the ranges of an area, for messages."""
    return ", ".join(
        f"{low:05d}" if low == high else f"{low:05d}–{high:05d}"
        for low, high in POSTCODE_RANGES.get(prefix, ())
    )
