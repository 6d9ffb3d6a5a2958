"""Base of all portal screens: access to the core through the App, translated texts,
service calls that turn domain errors into notifications, and the rebuild that applies a
new language or view mode to every open screen.

Rebuild (SPEC §8: a language or view-mode change applies at once to every screen of the
session, the open ones included): the App posts :class:`~tui.messages.ActorChanged` to
every screen of every mode; :meth:`PortalMixin.rebuild` then composes the screen anew (so
texts set in ``compose`` follow) and runs its ``on_mount`` again, which is where a portal
screen fills its widgets (header, columns, key labels) and starts its fetch. So a screen
needs no handler of its own: its ``compose`` and ``on_mount`` must only be repeatable (no
timers or subscriptions started there; keep state that should survive in attributes).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from textual import events
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, Input

from core.authz import REASON_REQUIRED, Actor
from core.errors import DomainError, PermissionDenied
from core.services import stepup
from core.services.approval_guard import ApprovalRequested
from core.services.stepup import CodeSent, StepUpRequired
from tui.bindings import label_bindings
from tui.messages import ActorChanged, DatabaseResumed
from tui.widgets.header import SessionHeader
from tui.widgets.keybar import KeyBar
from tui.widgets.table_screen import TableScreen

if TYPE_CHECKING:
    from textual.app import App

    from core.runtime import Core, UnitOfWork
    from tui.portal import Portal

P = ParamSpec("P")
R = TypeVar("R")


class PortalMixin:
    """What every screen and dialog of the portal shares."""

    @property
    def portal(self) -> Portal:
        """The session shell, as screens may see it (never the App class itself)."""
        return self.app  # type: ignore[attr-defined]

    @property
    def _textual_app(self) -> App[Any]:
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
        """A refusal as an error toast; a filed R21 approval request is no failure: it is
        shown as an information (every flow that can file one passes here)."""
        if isinstance(error, ApprovalRequested):
            self.show_info(error.render(self.actor.locale))
            return
        self.portal.notify(error.render(self.actor.locale), severity="error", timeout=8)

    def show_info(self, text: str) -> None:
        self.portal.notify(text, severity="information", timeout=8, markup=False)

    def label_bindings(self, prefix: str, labels: Mapping[str, str] | None = None) -> None:
        """Footer labels in the session's language for the bindings whose id starts with
        ``prefix``: ``labels`` maps the rest of the id to an i18n key, else the id is the key.
        Bindings are frozen dataclasses, so they are replaced. Remembered, so that a
        language change relabels them again (:meth:`relabel_bindings`)."""
        calls: list[tuple[str, Mapping[str, str] | None]] = self.__dict__.setdefault(
            "_label_calls", [])
        if (prefix, labels) not in calls:
            calls.append((prefix, labels))
        def label(rest: str) -> str | None:
            if labels is None:
                return self.t(prefix + rest)
            return self.t(labels[rest]) if rest in labels else None

        label_bindings(self, prefix, label)  # type: ignore[arg-type]

    def relabel_bindings(self) -> None:
        """Every :meth:`label_bindings` of this screen again, in the current language."""
        for prefix, labels in list(self.__dict__.get("_label_calls", ())):
            self.label_bindings(prefix, labels)

    @property
    def session_ending(self) -> bool:
        """The App is exiting (the client went away) or this screen is being removed."""
        node: Any = self
        return bool(node.app._exit or node._closing or node._pruning)

    async def _on_message(self, message: Message) -> None:
        """A screen mounted while the session ends has no children: Textual cut its compose
        short (a closing node mounts nothing) but still sends Mount. The portal's mount
        handlers fill composed widgets, so they are skipped then instead of failing with
        NoMatches (a fast close of the connection logged that as an error)."""
        if isinstance(message, events.Mount) and self.session_ending:
            return
        await super()._on_message(message)  # type: ignore[misc]

    async def _on_actor_changed(self, _message: ActorChanged) -> None:
        if self.__dict__.get("_writes", 0):
            # a change is being made: rebuild when its worker has shown the result
            self.__dict__["_rebuild_pending"] = True
            return
        if not self._in_sight():
            # covered or in another mode: rebuilt when it comes back, so a switch costs
            # the shared loop one screen, not every screen of the session at once
            self.__dict__["_stale"] = True
            return
        await self.rebuild()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual also runs its own ``Screen._on_screen_resume`` (handlers are per class)."""
        refetch = self.__dict__.pop("_refetch", False)
        if self.__dict__.pop("_stale", False):
            self.call_later(self.rebuild)  # type: ignore[attr-defined]  # fetches anew too
        elif refetch:
            self.call_later(self.refetch)  # type: ignore[attr-defined]

    def _on_database_resumed(self, _message: DatabaseResumed) -> None:
        """The database connection is back after it was lost (the App posts this to every
        screen of the session): the events of the gap were missed, so what the screen shows
        is read again: now when it is in sight, else when it comes back (one read per
        session, not one per screen of every mode at once)."""
        if self._in_sight():
            self.refetch()
        else:
            self.__dict__["_refetch"] = True

    def refetch(self) -> None:
        """Read again what this screen shows: its ``reload`` (the worker that every screen
        with live data has, :class:`~tui.widgets.table_screen.TableScreen` included); a
        screen that fetches otherwise overrides this."""
        reload = getattr(self, "reload", None)
        if callable(reload):
            reload()

    def _in_sight(self) -> bool:
        """On top of the current mode, or only under dialogs (seen through them)."""
        screen: Any = self
        stack = list(screen.app.screen_stack)
        if screen not in stack:
            return False
        return all(isinstance(above, ModalScreen) for above in stack[stack.index(screen) + 1:])

    async def rebuild(self) -> None:
        """Show this screen for the session's current actor (language, view mode, customer).

        Its workers are cancelled first (a fetch would fill widgets that are being
        replaced; writes run shielded, see :meth:`write`), then the screen is composed
        anew and its ``on_mount`` handlers run again: they fill the widgets and start
        the fetch. Typed text in named fields and the focus are kept."""
        screen: Any = self
        if not screen.is_attached:
            return
        screen.workers.cancel_node(screen)
        typed = {field.id: field.value for field in screen.query(Input)
                 if field.id and field.value and not field.password}
        ticked = {box.id: box.value for box in screen.query(Checkbox) if box.id}
        focused = screen.focused.id if screen.focused is not None else None
        await screen.recompose()
        if not screen.is_attached:
            return
        for setup in _mount_handlers(type(self)):
            result = setup(self)
            if inspect.isawaitable(result):
                await result
        for field in screen.query(Input):
            if field.id in typed and not field.value:
                field.value = typed[field.id]
        for box in screen.query(Checkbox):
            if box.id in ticked and not box.disabled:
                box.value = ticked[box.id]
        if focused is not None:
            for widget in screen.query(f"#{focused}"):
                if widget.focusable:
                    widget.focus()
        self.relabel_bindings()
        screen.refresh_bindings()

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
        core refuses without one, and the call is retried with it (audited with it).
        When the core asks for a step-up code (R20), the code dialog requests one and runs
        the same call with it (:meth:`ask_stepup_code`); cancelling it raises
        :class:`screens.code_dialog.StepUpCancelled` and changes nothing.

        The write itself is shielded: a worker cancelled meanwhile (the session ends) does
        not cut a change in half or lose it after the user asked; a language or view change
        meanwhile rebuilds the screen only after the write returned (:meth:`rebuild`)."""
        state = self.__dict__
        state["_writes"] = state.get("_writes", 0) + 1
        try:
            try:
                return await self._write_as(self.actor, fn, args, kwargs)
            except PermissionDenied as error:
                if error.key != REASON_REQUIRED:
                    raise
                reason = await self.ask_support_reason()
                if reason is None:
                    raise
            return await self._write_as(self.actor.with_reason(reason), fn, args, kwargs)
        finally:
            state["_writes"] -= 1
            if not state["_writes"] and state.pop("_rebuild_pending", False):
                # after the worker's own code that shows the result (it runs on from here)
                self.call_later(self.rebuild)  # type: ignore[attr-defined]

    async def _write_as(
        self, actor: Actor, fn: Callable[..., Awaitable[R]], args: Any, kwargs: Any
    ) -> R:
        """One shielded run of the write; when the core asks for a step-up code (R20) the
        code dialog requests one, and the same write runs again in it with the code."""
        try:
            return await asyncio.shield(self.core.run(fn, actor, *args, **kwargs))
        except StepUpRequired as needed:
            return await self.ask_stepup_code(needed, actor, fn, args, kwargs)

    async def ask_stepup_code(
        self, needed: StepUpRequired, actor: Actor, fn: Callable[..., Awaitable[R]],
        args: Any, kwargs: Any,
    ) -> R:
        """R20: send a code to the actor's own mobile, show the code dialog and return what
        the write returned with the right code. Cancelled: :class:`StepUpCancelled`
        (nothing changed); any other refusal of the write is raised as without a code."""
        from screens.code_dialog import CodeDialog, StepUpCancelled

        async def send() -> CodeSent:
            return await asyncio.shield(self.core.run(
                stepup.request, actor, action=needed.action, object_id=needed.object_id))

        async def attempt(code: str) -> R:
            return await asyncio.shield(self.core.run(fn, actor, *args, code=code, **kwargs))

        dialog = CodeDialog(await send(), attempt, send)
        self._textual_app.push_screen(dialog)
        outcome = await dialog.answer
        if outcome is None:
            raise StepUpCancelled()
        ran, value = outcome
        if not ran:
            raise value
        return value

    async def ask_support_reason(self) -> str | None:
        """Show the reason dialog and wait for it (works in handlers and workers alike);
        the last reason is offered again for the next change on the same customer."""
        from screens.reason_dialog import ReasonDialog

        dialog = ReasonDialog(self.actor.customer_name, self.portal.support_reason)
        self._textual_app.push_screen(dialog)
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
            result = await self.core.read(fn, self.actor, *args, **kwargs)
        except DomainError as error:
            if self.session_ending:
                raise asyncio.CancelledError from None
            self.refused(error)
            return None
        if self.session_ending:  # nothing left to show it in: the worker ends quietly
            raise asyncio.CancelledError
        return result


def _mount_handlers(cls: type) -> list[Callable[[Any], Any]]:
    """The portal's own ``on_mount`` handlers of ``cls``, most derived first, as Textual
    calls them on Mount (Textual's internal ``_on_mount`` handlers are not repeated)."""
    handlers = []
    for klass in cls.__mro__:
        if klass.__module__.startswith("textual"):
            continue
        handler = klass.__dict__.get("on_mount")
        if handler is not None and not getattr(handler, "_textual_on", None):
            handlers.append(handler)
    return handlers


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
