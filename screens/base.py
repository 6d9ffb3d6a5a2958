"""Base of all portal screens: access to the core through the App, translated texts,
service calls that turn domain errors into notifications."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from textual.screen import ModalScreen, Screen

from core.authz import Actor
from core.errors import DomainError, PermissionDenied
from tui.widgets.header import SessionHeader
from tui.widgets.keybar import KeyBar
from tui.widgets.table_screen import TableScreen

if TYPE_CHECKING:
    from core.runtime import Core, UnitOfWork
    from tui.app import LinedeskApp

P = ParamSpec("P")
R = TypeVar("R")


class PortalMixin:
    """What every screen and dialog of the portal shares."""

    @property
    def portal(self) -> LinedeskApp:
        return self.app  # type: ignore[attr-defined]

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

    def label_bindings(self, prefix: str, labels: Mapping[str, str] | None = None) -> None:
        """Footer labels in the session's language for the bindings whose id starts with
        ``prefix``: ``labels`` maps the rest of the id to an i18n key, else the id is the key.
        Bindings are frozen dataclasses, so they are replaced."""
        table = self._bindings.key_to_bindings  # type: ignore[attr-defined]
        for key, bindings in list(table.items()):
            table[key] = [
                replace(b, description=self.t(labels[b.id[len(prefix):]] if labels else b.id))
                if b.id and b.id.startswith(prefix) else b
                for b in bindings
            ]

    def refused(self, error: DomainError) -> None:
        """The core refused a :meth:`fetch`: say why. Dialogs about one object also close."""
        self.show_error(error)

    async def call(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R | None:
        """Run a write service for the session's actor; a domain error is shown, not raised."""
        try:
            return await self.write(fn, *args, **kwargs)
        except DomainError as error:
            self.show_error(error)
            return None

    async def write(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Run a write service for the session's actor; domain errors propagate.

        Support staff acting for a customer are asked for a reason (ticket id) when the
        core refuses without one, and the call is retried with it (audited with it)."""
        try:
            return await self.core.run(fn, self.actor, *args, **kwargs)
        except PermissionDenied as error:
            if error.key != "error.support_reason_required":
                raise
            reason = await self.ask_support_reason()
            if reason is None:
                raise
        return await self.core.run(fn, self.actor.with_reason(reason), *args, **kwargs)

    async def ask_support_reason(self) -> str | None:
        """Show the reason dialog and wait for it (works in handlers and workers alike);
        the last reason is offered again for the next change on the same customer."""
        from screens.reason_dialog import ReasonDialog

        dialog = ReasonDialog(self.actor.customer_name, self.portal.support_reason)
        self.portal.push_screen(dialog)
        reason = await dialog.answer
        if reason:
            self.portal.support_reason = reason
        return reason

    async def fetch(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R | None:
        """Run a read-only service for the session's actor; a domain error goes to
        :meth:`refused`."""
        try:
            return await self.core.read(fn, self.actor, *args, **kwargs)
        except DomainError as error:
            self.refused(error)
            return None


def portal_footer() -> KeyBar:
    """The key bar of a screen: without the palette key (``?`` help names ``ctrl+p``), so the
    global keys 1–4, v and ? fit 120 columns next to the screen's two or three own keys;
    every other key is written on its button instead (``show=False``)."""
    return KeyBar()


class PortalScreen(PortalMixin, Screen[None]):
    """A top-level screen of the portal (one per mode: contracts, numbers, users, audit)."""


class PortalDialog(PortalMixin, ModalScreen[R]):
    """A modal dialog returning ``R`` (or None when cancelled)."""


class PortalTableScreen(PortalMixin, TableScreen):
    """A table screen pushed from a mode (areas, porting): the kit's :class:`TableScreen`
    with the session header, column labels and key labels in the session's language."""

    TITLE_KEY = ""

    def show_header(self) -> None:
        self.label_bindings("ui.")
        self.query_one(SessionHeader).show(self.actor, self.t(self.TITLE_KEY))

    def column_label(self, label: str) -> str:
        return self.t(label)

    def on_actor_changed(self, _message: object) -> None:
        self.show_header()
        self.reload()
