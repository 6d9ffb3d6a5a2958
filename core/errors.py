"""Domain exceptions. Screens show them; command mode maps them to exit codes."""

from __future__ import annotations

from typing import Any

from core.i18n import t


class DomainError(Exception):
    """Base of every error the core raises on purpose.

    ``key`` is an i18n message id; ``params`` fill its placeholders, so every
    front end can render the error in the user's language.
    """

    exit_code: int = 4
    rule: str | None = None

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(f"{key} {params}" if params else key)

    def render(self, locale: str) -> str:
        """The message in the user's language, without internal codes (SPEC §8): the rule id
        stays on ``rule`` for code, tests and ``--json`` output."""
        return t(locale, self.key, **self.params)


class PermissionDenied(DomainError):
    """The actor may not do this (role, tenant or view mode)."""

    exit_code = 3

    def __init__(self, key: str = "error.permission_denied", /, **params: Any) -> None:
        super().__init__(key, **params)


class RuleViolation(DomainError):
    """A business rule of SPEC §3 refuses the action; ``rule`` is its id (e.g. ``R2``)."""

    exit_code = 4

    def __init__(self, rule: str, key: str, /, **params: Any) -> None:
        self.rule = rule
        super().__init__(key, **params)


class NotFound(DomainError):
    """The object does not exist (or is not visible to the actor)."""

    exit_code = 4

    def __init__(self, key: str = "error.not_found", /, **params: Any) -> None:
        super().__init__(key, **params)


class ValidationError(DomainError):
    """Input is malformed (e-mail, phone number, date, ...)."""

    exit_code = 2

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key, **params)


class Conflict(DomainError):
    """Somebody else changed the object first (optimistic concurrency)."""

    exit_code = 4

    def __init__(self, key: str = "error.conflict", /, **params: Any) -> None:
        super().__init__(key, **params)


class AuthFailed(DomainError):
    """Login refused: wrong credentials, unknown user or locked account (never says which)."""

    exit_code = 3

    def __init__(self, key: str = "error.auth_failed", /, **params: Any) -> None:
        super().__init__(key, **params)


class DatabaseUnavailable(DomainError):
    """The database cannot be reached (PostgreSQL restarting, the network to it down).
    Nothing was changed; the same action works again once it is back."""

    exit_code = 1

    def __init__(self, key: str = "error.database_unavailable", /, **params: Any) -> None:
        super().__init__(key, **params)


class StorageFull(DomainError):
    """The database could not write: its disk (the data dir) is full. Nothing was changed;
    the same action works again once space is freed."""

    exit_code = 1

    def __init__(self, key: str = "error.storage_full", /, **params: Any) -> None:
        super().__init__(key, **params)
