"""What a screen sees of the session shell: the :class:`Portal` protocol.

Screens sit between the shell (:mod:`tui.app`, which composes them into modes) and the kit
(widgets, messages, sanitizing), so they never import the App: they type against this
protocol, and :class:`tui.app.LinedeskApp` fulfils it (checked by mypy there). The import
layers are an import-linter contract in ``pyproject.toml`` (shell > screens > kit > core).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from core.authz import Actor
    from core.runtime import Core


class Portal(Protocol):
    """The session: its actor (locale, view mode, customer), the core, and what screens
    ask of the shell. Per-session state lives on the App, never in module globals."""

    core: Core
    """The process-wide core (services, event bus) shared by all sessions."""
    actor: Actor
    """The signed-in account as the core sees it; replaced, never mutated."""
    support_reason: str | None
    """Support: the last reason (ticket id) given for the open customer, offered again."""

    def t(self, key: str, /, **params: Any) -> str:
        """``key`` in the session's language."""
        ...

    def set_actor(self, actor: Actor) -> None:
        """Switch view mode, language or support customer: every open screen is rebuilt."""
        ...

    async def change_language(self, locale: str) -> None:
        """Store ``locale`` in the profile and switch the session to it."""
        ...

    def action_toggle_view_mode(self) -> None:
        """Admin-Ansicht ⇄ Anwender-Ansicht, as far as the core allows."""
        ...

    def home_mode(self) -> str:
        """The mode a session starts in (support without a customer: the customer search)."""
        ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A toast (the shell keeps at most a few, identical ones merged)."""
        ...
