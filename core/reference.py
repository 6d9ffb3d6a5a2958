"""Reference data every installation needs: the local network areas (Ortsnetze)."""

from __future__ import annotations

from sqlalchemy import select

from core.models import LocalArea
from core.uow import UnitOfWork

LOCAL_AREAS: dict[str, str] = {
    "030": "Berlin",
    "040": "Hamburg",
    "089": "München",
    "069": "Frankfurt am Main",
    "0221": "Köln",
    "0211": "Düsseldorf",
    "0711": "Stuttgart",
    "0341": "Leipzig",
    "0351": "Dresden",
    "0511": "Hannover",
    "0421": "Bremen",
    "0911": "Nürnberg",
}


async def ensure_reference_data(uow: UnitOfWork) -> None:
    known = set(await uow.session.scalars(select(LocalArea.prefix)))
    for prefix, name in LOCAL_AREAS.items():
        if prefix not in known:
            uow.session.add(LocalArea(prefix=prefix, name=name))


def area_of(e164: str) -> str | None:
    """Longest known area prefix of a German E.164 number (``+4930...`` → ``030``)."""
    if not e164.startswith("+49"):
        return None
    national = "0" + e164[3:]
    for length in (5, 4, 3):
        if national[:length] in LOCAL_AREAS:
            return national[:length]
    return None
