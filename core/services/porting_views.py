"""Read models of porting orders (R16, R31): what screens and command mode show.

:func:`action_refusal` is the one predicate for what an order's state allows: the views
show it and the writes in :mod:`core.services.porting` raise it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from core.errors import DomainError, RuleViolation
from core.i18n import format_date, t
from core.models import PortingEvent, PortingOrder, PortingStatus
from core.uow import UnitOfWork

ACTION_CANCEL = "cancel"
ACTION_COMMENT = "comment"
ACTIONS: tuple[str, ...] = (ACTION_CANCEL, ACTION_COMMENT)
"""What can be done with an order (:attr:`PortingOrderView.actions`)."""
STATUS_LABELS: dict[str, str] = {s.value: f"ui.porting.status.{s.value}" for s in PortingStatus}
"""Status as a table cell (screens and command mode name statuses through this)."""
KIND_STATUS = "status"
KIND_COMMENT = "comment"


def reference_of(order: PortingOrder | PortingOrderView) -> str:
    """The one reference a user sees for an order (screens, command mode, Fristen, audit,
    e-mails): the carrier's reference once there is one (``SIM-000001``), else ``#id``.
    Command mode takes it back, as well as the bare id (:func:`reference_filter`)."""
    return order.carrier_ref or f"#{order.id}"


def reference_filter(reference: int | str) -> tuple[int | None, str | None]:
    """What a user's reference names: ``(id, None)`` for an id (``1``, ``#1``), else
    ``(None, carrier_ref)`` (``SIM-000001``, spacing and letter case ignored)."""
    if isinstance(reference, int):
        return reference, None
    text = reference.strip()
    digits = text[1:] if text.startswith("#") else text
    if digits.isascii() and digits.isdigit():
        return int(digits), None
    return None, text.upper()


@dataclass(frozen=True)
class PortingEventView:
    status: str
    note: str
    """An i18n key (simulated carrier), the carrier's free text, or a comment's text; use
    :meth:`note_text`."""
    at: datetime
    kind: str = KIND_STATUS
    """:data:`KIND_STATUS` (a transition) or :data:`KIND_COMMENT` (R31)."""
    author: str | None = None
    """Who wrote the comment or cancelled (username); None for the carrier's steps."""
    author_role: str | None = None
    confirmed_date: date | None = None
    """The order's confirmed date and wished date, filled into confirmation notes."""
    wished_date: date | None = None

    @property
    def is_comment(self) -> bool:
        return self.kind == KIND_COMMENT

    def note_text(self, locale: str) -> str:
        """The note in ``locale`` (a carrier's free text and a comment are returned as is;
        both are user data: escape before showing)."""
        if not self.note or self.is_comment:
            return self.note
        return t(locale, self.note, date=format_date(self.confirmed_date, locale),
                 wished=format_date(self.wished_date, locale))


@dataclass(frozen=True)
class PortingOrderView:
    id: int
    area: str
    numbers: tuple[str, ...]
    old_provider: str
    account_holder: str
    wished_date: date
    status: str
    reject_reason: str | None
    carrier_ref: str | None
    next_step_at: datetime | None
    created_at: datetime
    timeline: tuple[PortingEventView, ...]
    confirmed_date: date | None = None
    """The carrier's date (R31), once confirmed; it may differ from :attr:`wished_date`."""
    reject_code: str | None = None
    """One of :data:`REJECT_CODES` when rejected."""
    scenario: str = "auto"
    version: int = 1
    refusals: tuple[tuple[str, str | None], ...] = ()
    """Per action of :data:`ACTIONS`: None when the actor the view was read for may do it
    now, else why not (in the actor's language). The predicate the writes raise."""

    @property
    def date_differs(self) -> bool:
        """The carrier confirmed another day than the wished one."""
        return self.confirmed_date is not None and self.confirmed_date != self.wished_date

    @property
    def switch_date(self) -> date:
        """The day the numbers move: the confirmed date, else the wished one."""
        return self.confirmed_date or self.wished_date

    @property
    def reference(self) -> str:
        """What the user sees for this order (:func:`reference_of`)."""
        return reference_of(self)

    def allows(self, action: str) -> bool:
        return any(a == action and why is None for a, why in self.refusals)

    def refusal(self, action: str) -> str | None:
        for a, why in self.refusals:
            if a == action:
                return why
        return t("de", "error.permission_denied")

    def status_label(self, locale: str) -> str:
        return t(locale, STATUS_LABELS.get(self.status, self.status))

    def reject_code_text(self, locale: str) -> str:
        return t(locale, f"ui.porting.reject_code.{self.reject_code}") if self.reject_code else ""

    def reason_text(self, locale: str) -> str:
        """The rejection reason in ``locale`` (empty unless rejected)."""
        return t(locale, self.reject_reason) if self.reject_reason else ""

    def as_json(self, locale: str) -> dict[str, object]:
        """The command-mode shape (``porting list|show --json``)."""
        return {
            "id": self.id, "reference": self.reference, "carrier_ref": self.carrier_ref,
            "area": self.area,
            "numbers": list(self.numbers), "old_provider": self.old_provider,
            "account_holder": self.account_holder, "wished_date": self.wished_date.isoformat(),
            "confirmed_date": self.confirmed_date.isoformat() if self.confirmed_date else None,
            "date_differs": self.date_differs, "status": self.status,
            "status_text": self.status_label(locale), "reject_code": self.reject_code,
            "reject_code_text": self.reject_code_text(locale),
            "reject_reason": self.reject_reason, "reason_text": self.reason_text(locale),
            "scenario": self.scenario,
            "next_step_at": self.next_step_at.isoformat() if self.next_step_at else None,
            "created_at": self.created_at.isoformat(), "version": self.version,
            "can_cancel": self.allows(ACTION_CANCEL),
            "cancel_refusal": self.refusal(ACTION_CANCEL),
            "can_comment": self.allows(ACTION_COMMENT),
            "timeline": [
                {"kind": e.kind, "status": e.status, "note": e.note,
                 "note_text": e.note_text(locale), "at": e.at.isoformat(), "author": e.author,
                 "author_role": e.author_role}
                for e in self.timeline
            ],
        }


def action_refusal(
    action: str, order: PortingOrder | PortingOrderView, locale: str
) -> DomainError | None:
    """Why ``order``'s state refuses ``action`` (None: allowed). Shown by the views and
    raised by the writes, so the screens offer exactly what the core does."""
    status = PortingStatus(order.status)
    if action == ACTION_CANCEL and status is not PortingStatus.SUBMITTED:
        if status is PortingStatus.CONFIRMED:
            day = order.confirmed_date or order.wished_date
            return RuleViolation("R31", "error.porting.cancel_confirmed",
                                 date=format_date(day, locale))
        return RuleViolation("R31", "error.porting.cancel_closed",
                             status=t(locale, STATUS_LABELS[status.value]))
    return None


def view_of(
    order: PortingOrder, events: list[PortingEvent], locale: str = "de"
) -> PortingOrderView:
    refusals = []
    for action in ACTIONS:
        error = action_refusal(action, order, locale)
        refusals.append((action, error.render(locale) if error is not None else None))
    return PortingOrderView(
        id=order.id,
        area=order.area_prefix,
        numbers=tuple(order.numbers),
        old_provider=order.old_provider,
        account_holder=order.account_holder,
        wished_date=order.wished_date,
        status=order.status.value,
        reject_reason=order.reject_reason,
        carrier_ref=order.carrier_ref,
        next_step_at=order.next_step_at,
        created_at=order.created_at,
        timeline=tuple(
            PortingEventView(e.status.value, e.note, e.at, e.kind or KIND_STATUS, e.author,
                             e.author_role, order.confirmed_date, order.wished_date)
            for e in events
        ),
        confirmed_date=order.confirmed_date,
        reject_code=order.reject_code,
        scenario=order.scenario or "auto",
        version=order.version,
        refusals=tuple(refusals),
    )


async def load_events(uow: UnitOfWork, order_ids: list[int]) -> dict[int, list[PortingEvent]]:
    out: dict[int, list[PortingEvent]] = {i: [] for i in order_ids}
    if order_ids:
        for event in await uow.session.scalars(
            select(PortingEvent)
            .where(PortingEvent.order_id.in_(order_ids))
            .order_by(PortingEvent.at, PortingEvent.id)
        ):
            out[event.order_id].append(event)
    return out
