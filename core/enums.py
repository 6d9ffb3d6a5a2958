"""The number enums and their i18n label keys, without the ORM: screens, command mode and
the core name these instead of string literals (``core.models`` re-exports the enums).

The values are the stored values and the command-mode ``--json`` values; what a person
reads is the label (``core/locales/numbers.py``), never the value (SPEC §8).
"""

from __future__ import annotations

import enum


class NumberStatus(enum.StrEnum):
    INACTIVE = "inactive"
    ACTIVE = "active"
    PENDING_DEACTIVATION = "pending_deactivation"
    PORTING = "porting"


class NumberKind(enum.StrEnum):
    VOICE = "voice"
    FAX = "fax"


class NumberAction(enum.StrEnum):
    """What can be done with one number (the dashboard's row actions)."""

    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"
    UNDO = "undo"
    SWAP = "swap"
    ASSIGN = "assign"
    FAX = "fax"
    FORWARDING = "forwarding"
    LOCATION = "location"
    """R29: change the emergency location (Notrufstandort) of a voice number."""


IN_USE: frozenset[NumberStatus] = frozenset(
    {NumberStatus.ACTIVE, NumberStatus.PENDING_DEACTIVATION}
)
"""States in which a number is switched on and charged monthly."""

STATUS_LABELS: dict[str, str] = {s: f"ui.numbers.status.{s.value}" for s in NumberStatus}
"""Status as a table cell or a list entry ("Deaktivierung vorgemerkt")."""

STATUS_SHORT_LABELS: dict[str, str] = {
    s: f"ui.numbers.status_short.{s.value}" for s in NumberStatus
}
"""Status in one word ("vorgemerkt", "pending"): a narrow table cell."""

STATUS_PREDICATES: dict[str, str] = {
    s: f"ui.numbers.status_is.{s.value}" for s in NumberStatus
}
"""Status inside a sentence ("… ist zur Deaktivierung vorgemerkt")."""

KIND_LABELS: dict[str, str] = {
    NumberKind.VOICE: "ui.numbers.kind.voice",
    NumberKind.FAX: "ui.numbers.kind.fax",
    "fax_personal": "ui.numbers.kind.fax_personal",
}
"""Kind labels; ``fax_personal`` is a fax number with an owner (R15)."""

ACTION_LABELS: dict[str, str] = {a: f"ui.numbers.action.{a.value}" for a in NumberAction}
