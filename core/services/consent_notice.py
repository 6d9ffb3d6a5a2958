"""R19/R21: telling the one who consented to a delivery that it will not happen.

A scheduled reset (R19) and an open credentials approval request (R21) both hold the
e-mail and mobile the consent was given for. When that consent ends (the contact changed,
the reset could not run, the approval failed), the notice goes to the address consented to
and, if it changed, to the current one too: one helper for both, so they cannot drift apart.
"""

from __future__ import annotations

from core.models import OutboxKind
from core.uow import UnitOfWork


def mail_consented_and_current(
    uow: UnitOfWork, *, consented: str | None, current: str | None, subject: str, body: str,
    customer_id: int | None, key: str,
) -> None:
    """Queue the notice to ``consented`` and ``current`` (once if they are the same); the
    outbox key is ``key`` plus the address, so a retried transaction never sends twice."""
    for address in dict.fromkeys(a for a in (consented, current) if a):
        uow.send(OutboxKind.EMAIL, to=address, subject=subject, body=body,
                 customer_id=customer_id, key=f"{key}-{address}"[:64])
