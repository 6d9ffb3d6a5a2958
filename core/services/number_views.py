"""Numbers: the frozen views the number services return, and the pure helpers for
number formats, forwarding targets and the deactivation date (R12)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from core.authz import Actor
from core.enums import (
    ACTION_LABELS,
    IN_USE,
    STATUS_PREDICATES,
    NumberAction,
    NumberKind,
    NumberStatus,
)
from core.errors import DomainError, PermissionDenied, RuleViolation, ValidationError
from core.i18n import LOCALES, normalize_locale, t
from core.locations import EmergencyLocation
from core.security import normalize_phone

_E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
_SIP_RE = re.compile(
    r"^sips?:[A-Za-z0-9._~+!$&'*=%-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$"
)
FORWARDING_KEY = "forwarding_target"
FAX_CREDENTIALS_KEY = "fax_credentials"
"""Settings key: ``{username: {"login": ..., "password_hash": ...}}`` (R15)."""

_IN_USE = IN_USE


class StatusRefusal(RuleViolation):
    """The number's status does not allow the action. ``params`` keep the stored values
    (``status="active"``) for code and ``--json``; the text names the status in the
    user's language (SPEC §8: no internal codes)."""

    def __init__(self, rule: str, key: str, /, *, number: str, status: NumberStatus,
                 action: NumberAction) -> None:
        super().__init__(rule, f"error.numbers.refused.{key}", number=number,
                         status=status.value, action=action.value)

    def render(self, locale: str) -> str:
        params = dict(self.params)
        params["status"] = t(locale, STATUS_PREDICATES[NumberStatus(params["status"])])
        params["action"] = t(locale, ACTION_LABELS[NumberAction(params["action"])])
        return t(locale, self.key, **params)


BLOCK_MEMBER = "member"
"""``block`` of :func:`action_refusal`: a number of an R30 block."""
BLOCK_ROW = "block"
"""``block`` of :func:`action_refusal`: the block as a whole (the dashboard's block row)."""
BLOCK_ROLES: tuple[str, ...] = ("", BLOCK_MEMBER, BLOCK_ROW)


def action_refusal(
    action: NumberAction, *, number: str, status: NumberStatus, kind: NumberKind,
    located: bool = True, block: str = "",
) -> DomainError | None:
    """Why the number's state refuses ``action`` (None: it allows it). The one predicate
    the writes raise and :attr:`NumberView.actions` shows, so the dashboard offers exactly
    what the core would do. ``SWAP`` is "can take part in a swap" (either side); the
    writes check each side with :func:`swap_refusal`. ``located``: the number has an
    emergency location (R29: a voice number is activated only with one).

    ``block`` (R30): ``"member"`` for a number of a block, ``"block"`` for the block as a
    whole. Activate, deactivate and undo of a member act on the whole block (the state
    rules are the same, every member is in the block's state); a member never takes part
    in a swap (either side would break the block: a hole, or one member switched on
    alone); assigning, forwarding, fax and the emergency location are per number, so the
    block row refuses them (choose one of its numbers)."""
    a = NumberAction
    if block and action is a.SWAP:
        return RuleViolation("R30", "error.numbers.block_swap", number=number)
    if block == BLOCK_ROW and action in (a.ASSIGN, a.FORWARDING, a.FAX, a.LOCATION):
        return RuleViolation("R30", "error.numbers.block_row", number=number)
    if action is a.ACTIVATE and status is not NumberStatus.INACTIVE:
        return StatusRefusal("R11", "activate", number=number, status=status, action=action)
    if action is a.ACTIVATE and kind is NumberKind.VOICE and not located:
        return location_refusal(number)
    if action is a.LOCATION and kind is not NumberKind.VOICE:
        return RuleViolation("R29", "error.emergency.voice_only", number=number)
    if action is a.DEACTIVATE and status is not NumberStatus.ACTIVE:
        return StatusRefusal("R12", "deactivate", number=number, status=status, action=action)
    if action is a.UNDO and status is not NumberStatus.PENDING_DEACTIVATION:
        return StatusRefusal("R12", "undo", number=number, status=status, action=action)
    if action is a.SWAP and status is NumberStatus.PORTING:
        return StatusRefusal("R13", "swap", number=number, status=status, action=action)
    if action is a.FAX and kind is not NumberKind.FAX:
        return RuleViolation("R15", "error.numbers.not_fax", number=number)
    if action in (a.ASSIGN, a.FORWARDING, a.FAX) and status not in IN_USE:
        rule = {a.ASSIGN: "R14", a.FORWARDING: "R13", a.FAX: "R15"}[action]
        return StatusRefusal(rule, action.value, number=number, status=status, action=action)
    return None


def location_refusal(number: str) -> DomainError:
    """R29: a voice number without an emergency location is not switched on."""
    return RuleViolation("R29", "error.numbers.no_emergency_location", number=number)


def swap_refusal(
    side: str, *, number: str, status: NumberStatus, block: str = ""
) -> DomainError | None:
    """R13 per side: the ``old`` number must be in use, the ``new`` one (the target) inactive;
    R30: a block's number is on neither side."""
    if block:
        return RuleViolation("R30", "error.numbers.block_swap", number=number)
    if side == "old" and status not in IN_USE:
        return StatusRefusal("R13", "swap_old", number=number, status=status,
                             action=NumberAction.SWAP)
    if side == "new" and status is not NumberStatus.INACTIVE:
        return StatusRefusal("R13", "swap_target", number=number, status=status,
                             action=NumberAction.SWAP)
    return None


@dataclass(frozen=True, slots=True)
class ActionCheck:
    """One row action in one state for one kind of actor: allowed, or why not. Shared by
    every view in that state (a page holds 50 views × 7 actions); the reason names the
    number, so it is rendered for one: :meth:`reason` / :meth:`NumberView.refusal`."""

    action: NumberAction
    allowed: bool
    status: NumberStatus
    kind: NumberKind
    locale: str
    admin_only: bool = False
    """Refused by permission (user view), not by the number's state."""
    located: bool = True
    """The number has an emergency location (R29)."""
    block: str = ""
    """R30: ``"member"``/``"block"`` (see :func:`action_refusal`), ``""`` for a single number."""

    def reason(self, number: str) -> str | None:
        """Why not, in the actor's language (the predicate the writes raise), or None."""
        if self.allowed:
            return None
        if self.admin_only:
            return PermissionDenied("error.admin_only").render(self.locale)
        error = action_refusal(self.action, number=number, status=self.status, kind=self.kind,
                               located=self.located, block=self.block)
        return error.render(self.locale) if error is not None else None


_CheckKey = tuple[bool, NumberStatus, NumberKind, str, bool, str]


def _tabulate() -> dict[_CheckKey, tuple[ActionCheck, ...]]:
    table = {}
    for status in NumberStatus:
        for kind in NumberKind:
            for locale in LOCALES:
                for located in (True, False):
                    for block in BLOCK_ROLES:
                        table[(True, status, kind, locale, located, block)] = tuple(
                            ActionCheck(a, action_refusal(a, number="", status=status, kind=kind,
                                                          located=located, block=block) is None,
                                        status, kind, locale, located=located, block=block)
                            for a in NumberAction)
                        table[(False, status, kind, locale, located, block)] = tuple(
                            ActionCheck(a, False, status, kind, locale, True, located, block)
                            for a in NumberAction)
    return table


_CHECKS = MappingProxyType(_tabulate())
""":func:`action_refusal` tabulated once per state (it depends on nothing else; the
number is only named in its text), read-only."""


def action_checks(
    actor: Actor, *, number: str, status: NumberStatus, kind: NumberKind, located: bool = True,
    block: str = "",
) -> tuple[ActionCheck, ...]:
    """Every :class:`NumberAction` for ``actor`` on a number in this state, in
    :class:`NumberAction` order: permission first (user view: admin only), then
    :func:`action_refusal`. Support without a reason is allowed here: the write asks."""
    return _CHECKS[(actor.is_admin_view, status, kind, normalize_locale(actor.locale), located,
                    block)]


BLOCK_ACTIONS: frozenset[NumberAction] = frozenset(
    {NumberAction.ACTIVATE, NumberAction.DEACTIVATE, NumberAction.UNDO}
)
"""R30: the actions that act on a whole block when given one of its numbers."""


@dataclass(frozen=True)
class BlockInfo:
    """R30: the block a number belongs to, as the dashboard's block row shows it."""

    id: int
    size: int
    first: str
    """E.164 of the first and the last number (consecutive: the block is first..last)."""
    last: str
    national: str
    """The range in national form, ``030 7000000–7000009``."""
    status: str
    """The block's state: every member is in it (they change together)."""
    deactivation_date: date | None
    monthly_price_cents: int
    """Of the whole block (size × the per-number price)."""
    activation_fee_cents: int
    actions: tuple[ActionCheck, ...] = ()
    """What the actor may do with the block as a whole (:data:`BLOCK_ROW` checks of every
    member: an action any member refuses is refused, with the first such member's check)."""
    refused_by: tuple[str, ...] = ()
    """Per check of :attr:`actions`: the member (E.164) whose reason it gives."""

    def allows(self, action: NumberAction | str) -> bool:
        return any(c.allowed for c in self.actions if c.action == action)

    def refusal(self, action: NumberAction | str) -> str | None:
        for i, c in enumerate(self.actions):
            if c.action == action:
                return c.reason(self.refused_by[i] if i < len(self.refused_by) else self.first)
        return PermissionDenied().render("de")

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "size": self.size, "first": self.first, "last": self.last}


@dataclass(frozen=True)
class PortingDate:
    """R22/R31: when a number being ported in arrives: the open porting order it is in and
    its switch-over day, the one the carrier confirmed, else the customer's wished one."""

    order_id: int
    day: date
    confirmed: bool
    """True: the carrier confirmed :attr:`day`; False: it is the wished date, not yet
    confirmed (the carrier may confirm another day)."""

    def as_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "date": self.day.isoformat(),
                "confirmed": self.confirmed}


def block_range(first: str, last: str, area_prefix: str) -> str:
    """``030 7000000–7000009``: the block's numbers in national form."""
    head = national_form(first, area_prefix)
    tail = national_form(last, area_prefix).split(" ")[-1]
    return f"{head}–{tail}"


def end_of_following_month(day: date) -> date:
    """R12: the last active day of a number marked for deactivation on ``day``."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class NumberView:
    id: int
    e164: str
    national: str
    area_prefix: str
    area_name: str
    kind: str
    status: str
    deactivation_date: date | None
    assigned_to: str | None
    assigned_name: str | None
    fax_owner: str | None
    monthly_price_cents: int
    activation_fee_cents: int
    forwarding_target: str | None
    version: int
    fax_recipients: tuple[str, ...] = ()
    actions: tuple[ActionCheck, ...] = ()
    """What the actor the view was read for may do with the number (in
    :class:`NumberAction` order), each with the core's reason when not."""
    emergency_location: EmergencyLocation | None = None
    """R29: where an emergency call from this (voice) number is routed; None: none yet."""
    block: BlockInfo | None = None
    """R30: the block the number belongs to (None: a single number)."""
    porting: PortingDate | None = None
    """R22/R31: a number being ported in: its order's switch-over day (None otherwise)."""

    @property
    def pending(self) -> bool:
        return self.status == NumberStatus.PENDING_DEACTIVATION

    @property
    def in_use(self) -> bool:
        """Switched on and charged monthly (an inactive number's price is what activating
        it would cost per month, not a cost now)."""
        return NumberStatus(self.status) in IN_USE

    def allows(self, action: NumberAction | str) -> bool:
        allowed = any(c.allowed for c in self.actions if c.action == action)
        if allowed and self.block is not None and action in BLOCK_ACTIONS:
            return self.block.allows(action)  # R30: it acts on the whole block
        return allowed

    def refusal(self, action: NumberAction | str) -> str | None:
        """Why the actor may not do ``action`` with this number (None: it may); for a
        block's number (R30) activate, deactivate and undo as the whole block allows them."""
        for c in self.actions:
            if c.action == action:
                own = c.reason(self.e164)
                if own is None and self.block is not None and action in BLOCK_ACTIONS:
                    return self.block.refusal(action)
                return own
        return PermissionDenied().render("de")  # not read for an actor: nothing allowed

    @property
    def personal_fax(self) -> bool:
        return self.kind == NumberKind.FAX and self.fax_owner is not None

    def as_json(self) -> dict[str, Any]:
        """The command-mode shape (SPEC §5 ``numbers list --json``)."""
        return {
            "number": self.e164,
            "national": self.national,
            "area": self.area_prefix,
            "kind": self.kind,
            "status": self.status,
            "deactivation_date": self.deactivation_date.isoformat()
            if self.deactivation_date
            else None,
            "assigned_to": self.assigned_to,
            "fax_owner": self.fax_owner,
            "monthly_price_cents": self.monthly_price_cents,
            "activation_fee_cents": self.activation_fee_cents,
            "forwarding_target": self.forwarding_target,
            "emergency_location": self.emergency_location.as_json()
            if self.emergency_location
            else None,
            "block": self.block.as_json() if self.block is not None else None,
            "porting": self.porting.as_json() if self.porting is not None else None,
        }


@dataclass(frozen=True)
class NumberPage:
    """One page of the dashboard: its rows, where it starts and how many numbers match."""

    total: int
    offset: int
    views: tuple[NumberView, ...]


@dataclass(frozen=True)
class Quote:
    """What activating costs (R11), shown before the user confirms."""

    number: str
    national: str
    activation_fee_cents: int
    monthly_price_cents: int
    version: int
    block: BlockInfo | None = None
    """R30: activating this number activates its whole block (prices: per number)."""

    @property
    def count(self) -> int:
        """Numbers activated: the block's size, else 1."""
        return self.block.size if self.block is not None else 1


@dataclass(frozen=True)
class DeactivationQuote:
    """When a deactivation marked today takes effect (R12)."""

    number: str
    national: str
    deactivation_date: date
    version: int
    block: BlockInfo | None = None
    """R30: deactivating this number deactivates its whole block."""


@dataclass(frozen=True)
class AccountChoice:
    username: str
    full_name: str
    has_email: bool


@dataclass(frozen=True)
class FaxRecipientChoice:
    """Whom the fax credentials may go to (R15): locked to the owner for a personal fax."""

    number: str
    national: str
    personal: bool
    owner: str | None
    candidates: tuple[AccountChoice, ...]
    preselected: tuple[str, ...]
    already_sent_to: tuple[str, ...]

    @property
    def locked(self) -> bool:
        return self.personal


@dataclass(frozen=True)
class SwapResult:
    old: NumberView
    new: NumberView


@dataclass(frozen=True)
class FaxSendResult:
    number: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class CallRecordView:
    id: int
    number: str
    username: str | None
    started_at: Any
    duration_seconds: int
    remote_number: str
    cost_cents: int


def normalize_number(value: str) -> str:
    """``030 123456100`` / ``+49 30 123456100`` / ``0049...`` → ``+4930123456100``."""
    compact = normalize_phone(value or "")
    if not _E164_RE.match(compact):
        raise ValidationError("error.numbers.invalid_number", value=(value or "")[:40])
    return compact


def national_form(e164: str, area_prefix: str) -> str:
    """``+4930123456100`` with area ``030`` → ``030 123456100``."""
    if e164.startswith("+49"):
        digits = "0" + e164[3:]
        if digits.startswith(area_prefix):
            return f"{area_prefix} {digits[len(area_prefix):]}"
        return digits
    return e164


def validate_forwarding_target(value: str) -> str:
    """A SIP URI (``sip:user@host``) or a phone number (normalised to E.164)."""
    candidate = (value or "").strip()
    if candidate.lower().startswith(("sip:", "sips:")):
        if _SIP_RE.match(candidate):
            return candidate
        raise ValidationError("error.numbers.invalid_forwarding", value=candidate[:80])
    phone = normalize_phone(candidate)
    if _E164_RE.match(phone):
        return phone
    raise ValidationError("error.numbers.invalid_forwarding", value=candidate[:80])
