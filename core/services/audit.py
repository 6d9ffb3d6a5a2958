"""Reading the audit log (Archiv, R17).

Who sees what:

* an admin in admin view, and support acting for a customer (read-only access is
  enough), see every event of that customer, including support actions with their
  reason, source address and key fingerprint;
* an employee (or an admin in user view) sees only the events it caused itself, so
  that the log never reveals what the administrator did with other employees' data.

Events are returned newest first; ``query`` filters case-insensitively on action,
target, user, role, reason, source address and key fingerprint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import ColumnElement, func, or_, select

from core.authz import Actor, Permission, require
from core.errors import NotFound
from core.i18n import CATALOG, format_date, format_datetime, format_money, normalize_locale, t
from core.models import Account, AuditEvent
from core.reference import area_of
from core.uow import UnitOfWork

MAX_LIMIT = 1000


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    actor_username: str
    actor_role: str
    via_support: bool
    reason: str | None
    action: str
    target: str
    details: tuple[tuple[str, str], ...]
    """Sorted ``(key, value)`` pairs, values as text (secrets are never recorded)."""
    source_address: str | None
    key_fingerprint: str | None
    target_text: str = ""
    """The target as people read it (numbers in national form: ``030 123456100``)."""
    locale: str = "de"
    """The reader's language, for :attr:`description`."""
    values: tuple[tuple[str, object], ...] = ()
    """The recorded details as stored (for :attr:`description`)."""
    names: tuple[tuple[str, str], ...] = ()
    """Username → full name of the accounts the details name."""

    @cached_property
    def description(self) -> str:
        """What happened, in the reader's language (SPEC §8: no internal codes, no
        ``key=value``): ``Rufnummer 030 123456100 an Mia Schneider zugewiesen; …``.
        Worded when first read (the Archiv words only the highlighted entry)."""
        return describe(self.action, self.target, dict(self.values), self.locale,
                        dict(self.names))


HIDDEN_DETAILS = frozenset({"letter_id", "number_id", "contract_id", "order_id", "versions",
                            "replaced_letter_id", "session", "service", "refusal",
                            "block_id"})
"""Internal ids: kept in the log (and ``details``) but not worth a reader's attention."""
USER_DETAILS = frozenset({"assigned", "previous", "recipient", "recipients", "username"})
"""Details naming accounts: shown with the person's full name."""
COUNT_DETAILS = frozenset({"traffic_data_deleted"})
"""Details that count records (``4`` → „4 Einträge“, ``0`` → „keine“)."""
_E164 = re.compile(r"\+\d{7,15}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _national(text: str) -> str:
    """Every E.164 number in ``text`` in the national form people dial (``030 123456100``)."""
    def one(match: re.Match[str]) -> str:
        e164 = match.group(0)
        prefix = area_of(e164)
        if prefix is None:
            return e164
        digits = "0" + e164[3:]
        return f"{prefix} {digits[len(prefix):]}"

    return _E164.sub(one, text)


def _value(key: str, value: object, locale: str, names: dict[str, str]) -> str:
    """One detail value in words: numbers national, dates and money in the locale's format,
    yes/no, account names with the person's name, known codes translated."""
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, v, locale, names) for v in value) or "–"
    if isinstance(value, bool):
        return t(locale, "audit.value.yes" if value else "audit.value.no")
    if isinstance(value, int) and key.endswith("_cents"):
        return format_money(value, locale)
    if isinstance(value, int) and key in COUNT_DETAILS:
        if value == 0:
            return t(locale, "audit.value.none")
        return t(locale, "audit.value.entry" if value == 1 else "audit.value.entries", count=value)
    text = str(value)
    if key in USER_DETAILS and text in names:
        return f"{names[text]} ({text})"
    code_key = f"audit.value.{key}.{text}"
    if code_key in CATALOG:
        return t(locale, code_key)
    if text in CATALOG and text.startswith("ui."):
        return t(locale, text)
    if _ISO_DATE.match(text):
        return format_date(date.fromisoformat(text), locale)
    if _ISO_DATETIME.match(text):
        try:
            return format_datetime(datetime.fromisoformat(text), locale)
        except ValueError:
            return text
    return _national(text)


def describe(action: str, target: str, values: dict[str, object] | None, locale: str,
             names: dict[str, str] | None = None) -> str:
    """An audit entry as a sentence in ``locale``: the action's own sentence
    (``audit.text.<action>``) when it has one, else its label, then the remaining details as
    ``Label: value``. A detail without a label is left out rather than shown as a code."""
    names = names or {}
    shown = {k: v for k, v in (values or {}).items() if v is not None and k not in HIDDEN_DETAILS}
    params = {k: _value(k, v, locale, names) for k, v in shown.items()}
    params["target"] = _national(target)
    sentence_key = f"audit.text.{action}"
    used: set[str] = set()
    if sentence_key in CATALOG:
        texts = CATALOG[sentence_key]
        template = texts.get(normalize_locale(locale)) or texts["de"]
        used = set(re.findall(r"{(\w+)}", template))
        head = t(locale, sentence_key, **{k: params.get(k, "–") for k in used})
    else:
        label = f"audit.action.{action}"
        head = t(locale, label) if label in CATALOG else t(locale, "audit.action.other")
        if target:
            head = f"{head}: {params['target']}"
        elif action == "access.denied" and (why := _refusal(values, locale)):
            head = f"{head}: {why}"
    parts = [head]
    for key in sorted(shown):
        label_key = f"audit.detail.{key}"
        if key in used or label_key not in CATALOG:
            continue
        parts.append(f"{t(locale, label_key)}: {params[key]}")
    return "; ".join(parts)


def _refusal(values: dict[str, object] | None, locale: str) -> str | None:
    """What a refused user was told (``access.denied`` keeps the refusal's i18n key, not its
    parameters): the sentence when it needs none, else nothing rather than a placeholder."""
    key = (values or {}).get("refusal")
    if not isinstance(key, str) or key not in CATALOG:
        return None
    texts = CATALOG[key]
    text = texts.get(normalize_locale(locale)) or texts["de"]
    return None if "{" in text else text


def _row_names(row: AuditEvent, names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    wanted: set[str] = set()
    for key, value in (row.details or {}).items():
        if key in USER_DETAILS:
            wanted.update(map(str, value) if isinstance(value, list | tuple) else [str(value)])
    return tuple(sorted((u, names[u]) for u in wanted if u in names))


async def _names(uow: UnitOfWork, customer_id: int, rows: list[AuditEvent]) -> dict[str, str]:
    """Full names of the accounts the rows name (one query per page)."""
    wanted: set[str] = set()
    for row in rows:
        for key, value in (row.details or {}).items():
            if key in USER_DETAILS:
                wanted.update(map(str, value) if isinstance(value, list | tuple) else [str(value)])
    if not wanted:
        return {}
    found = await uow.session.execute(
        select(Account.username, Account.full_name)
        .where(Account.customer_id == customer_id, Account.username.in_(wanted))
    )
    return {username: full_name for username, full_name in found if full_name}


def _shown_words(needle: str, locale: str) -> list[ColumnElement[bool]]:
    """What the Archiv shows but does not store as such: the action's label and the role in
    the reader's language (stored as ``number.activated``, ``admin``), a number in national
    form (stored in E.164). A filter typed from the table finds the rows it was typed from."""
    conditions: list[ColumnElement[bool]] = []
    lang = normalize_locale(locale)
    actions = [key.removeprefix("audit.action.") for key, texts in CATALOG.items()
               if key.startswith("audit.action.")
               and needle in (texts.get(lang) or texts["de"]).lower()]
    if actions:
        conditions.append(AuditEvent.action.in_(actions))
    roles = [key.removeprefix("role.") for key, texts in CATALOG.items()
             if key.startswith("role.") and needle in (texts.get(lang) or texts["de"]).lower()]
    if roles:
        conditions.append(AuditEvent.actor_role.in_(roles))
    national = needle.replace(" ", "")
    if len(national) >= 3 and national.startswith("0") and national.isdigit():
        e164 = f"%+49{_escape_like(national[1:])}%"
        conditions.append(AuditEvent.target.like(e164, escape="\\"))
    return conditions


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _details(values: dict[str, object] | None) -> tuple[tuple[str, str], ...]:
    out = []
    for key, value in sorted((values or {}).items()):
        if value is None:
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        out.append((str(key), text))
    return tuple(out)


async def list_events(
    uow: UnitOfWork,
    actor: Actor,
    *,
    query: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditView]:
    """The customer's audit events, newest first (see module docstring for visibility)."""
    if actor.is_admin_view:
        require(actor, Permission.AUDIT_READ, customer_id=actor.customer_id)
    else:
        require(
            actor, Permission.PROFILE_READ, customer_id=actor.customer_id, owner_id=actor.account_id
        )
    if actor.customer_id is None:
        raise NotFound()
    stmt = select(AuditEvent).where(AuditEvent.customer_id == actor.customer_id)
    if not actor.is_admin_view:
        stmt = stmt.where(
            AuditEvent.actor_id == actor.account_id, AuditEvent.via_support.is_(False)
        )
    needle = " ".join((query or "").split()).lower()
    if needle:
        pattern = f"%{_escape_like(needle)}%"
        columns = (
            AuditEvent.action,
            AuditEvent.target,
            AuditEvent.actor_username,
            AuditEvent.actor_role,
            AuditEvent.reason,
            AuditEvent.source_address,
            AuditEvent.key_fingerprint,
        )
        # One LIKE over the joined fields (separated by a line break, which a needle of
        # single-spaced words never contains) instead of seven: ~1.7x faster on 50k rows.
        joined: ColumnElement[str] = func.coalesce(columns[0], "")
        for column in columns[1:]:
            joined = joined.concat("\n").concat(func.coalesce(column, ""))
        haystack = func.lower(joined)
        stmt = stmt.where(or_(haystack.like(pattern, escape="\\"),
                              *_shown_words(needle, actor.locale)))
    stmt = (
        stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(max(1, min(int(limit), MAX_LIMIT)))
        .offset(max(0, int(offset)))
    )
    rows = list(await uow.session.scalars(stmt))
    names = await _names(uow, actor.customer_id, rows)
    return [
        AuditView(
            id=row.id,
            at=row.at,
            actor_username=row.actor_username,
            actor_role=row.actor_role,
            via_support=row.via_support,
            reason=row.reason,
            action=row.action,
            target=row.target,
            details=_details(row.details),
            source_address=row.source_address,
            key_fingerprint=row.key_fingerprint,
            target_text=_national(row.target).replace(" -> ", " → "),
            locale=actor.locale,
            values=tuple(sorted((row.details or {}).items())),
            names=_row_names(row, names),
        )
        for row in rows
    ]
