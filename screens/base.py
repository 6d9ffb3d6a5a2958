"""Base of all portal screens: access to the core through the App, translated texts,
service calls that turn domain errors into notifications."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from textual.screen import ModalScreen, Screen

from core.authz import Actor
from core.errors import DomainError

if TYPE_CHECKING:
    from core.runtime import Core, UnitOfWork
    from tui.app import LinedeskApp

P = ParamSpec("P")
R = TypeVar("R")


class PortalMixin:
    """What every screen and dialog of the portal shares."""

    @property
    def portal(self) -> LinedeskApp:
        return self.app  # type: ignore[attr-defined, no-any-return]

    @property
    def core(self) -> Core:
        return self.portal.core

    @property
    def actor(self) -> Actor:
        return self.portal.actor

    def t(self, key: str, /, **params: Any) -> str:
        return self.portal.t(key, **params)

    def show_error(self, error: DomainError) -> None:
        self.portal.notify(error.render(self.actor.locale), severity="error", timeout=8)

    async def call(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R | None:
        """Run a write service for the session's actor; a domain error is shown, not raised."""
        try:
            return await self.core.run(fn, self.actor, *args, **kwargs)
        except DomainError as error:
            self.show_error(error)
            return None

    async def fetch(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R | None:
        """Run a read-only service for the session's actor; a domain error is shown."""
        try:
            return await self.core.read(fn, self.actor, *args, **kwargs)
        except DomainError as error:
            self.show_error(error)
            return None


class PortalScreen(PortalMixin, Screen[None]):
    """A top-level screen of the portal (one per mode: contracts, numbers, users, audit)."""


class PortalDialog(PortalMixin, ModalScreen[R]):
    """A modal dialog returning ``R`` (or None when cancelled)."""
