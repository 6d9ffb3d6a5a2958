"""The portal App: one instance per SSH session (or local terminal), all sharing one Core."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar, cast

from textual.actions import parse as parse_action
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.notifications import Notification
from textual.screen import ModalScreen, Screen

from core.authz import Actor, ViewMode
from core.errors import DatabaseUnavailable, DomainError, PermissionDenied
from core.events import EVENTS_INTERRUPTED, EVENTS_RESUMED, DomainEvent, Subscription
from core.i18n import CATALOG, LOCALES, t
from core.runtime import Core
from core.services import users as users_service
from screens.audit import AuditScreen
from screens.contract_overview import ContractOverviewScreen
from screens.deadlines import DeadlinesScreen
from screens.home import HomeScreen
from screens.number_dashboard import NumberDashboardScreen
from screens.support import CustomerSearchScreen
from screens.users import UsersScreen
from tui.messages import ActorChanged, DatabaseResumed, DomainEventMessage
from tui.portal import Portal
from tui.served import ServedTerminal, harden
from tui.typeahead import TypeaheadApp

log = logging.getLogger(__name__)

NAV_IDS = frozenset({
    "nav.contracts", "nav.numbers", "nav.users", "nav.audit", "nav.help", "nav.quit",
    "nav.view", "nav.customers", "nav.language", "nav.deadlines",
})
MAX_TOASTS = 3
"""Notifications shown at once: more would cover the content (the oldest goes first)."""
DB_LOST_TIMEOUT = 24 * 3600.0
"""The "connection interrupted" notice stays until the connection is back (it is removed then)."""


def _nav_label(binding_id: str) -> str:
    """The i18n key of a global key's label: its short form when there is one."""
    short = f"ui.{binding_id}.key"
    return short if short in CATALOG else f"ui.{binding_id}"


class LinedeskApp(TypeaheadApp, App[None]):  # typeahead: keys wait for the App to settle
    """The whole portal for one signed-in actor.

    Per-session state (actor, locale) lives on this instance only; nothing here is
    shared with other sessions except the :class:`Core`.
    """

    CSS_PATH = "app.tcss"
    TITLE = "linedesk"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('contracts')", "Verträge", id="nav.contracts"),
        Binding("2", "switch_mode('numbers')", "Rufnummern", id="nav.numbers"),
        Binding("3", "switch_mode('users')", "Benutzer", id="nav.users"),
        Binding("4", "switch_mode('audit')", "Archiv", id="nav.audit"),
        Binding("5", "switch_mode('deadlines')", "Fristen", id="nav.deadlines"),
        Binding("v", "toggle_view_mode", "Ansicht wechseln", id="nav.view"),
        Binding("k", "switch_mode('customers')", "Kundensuche", id="nav.customers"),
        Binding("question_mark", "help", "Hilfe", id="nav.help"),
        Binding("ctrl+l", "toggle_language", "Sprache", id="nav.language", show=False),
        Binding("ctrl+q", "quit", "Beenden", id="nav.quit", priority=True),
    ]

    def __init__(
        self, core: Core, actor: Actor, *, served: ServedTerminal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.core = core
        self.actor = actor
        """The signed-in account of this session; replaced (never mutated) on view changes."""
        self._subscription: Subscription | None = None
        self.support_reason: str | None = None
        """Support: the last reason (ticket id) given for the open customer, offered again."""
        self.served = served
        """Set when this App runs for a remote (SSH) client: see :func:`tui.served.harden`."""
        if served is not None:
            harden(self, served)

    MODES: ClassVar[dict[str, Any]] = {
        "home": HomeScreen,
        "contracts": ContractOverviewScreen,
        "numbers": NumberDashboardScreen,
        "users": UsersScreen,
        "audit": AuditScreen,
        "deadlines": DeadlinesScreen,
        "customers": CustomerSearchScreen,
    }

    def t(self, key: str, /, **params: Any) -> str:
        return t(self.actor.locale, key, **params)

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self._apply_binding_labels()
        self._subscribe()
        self.switch_mode(self.home_mode())

    def home_mode(self) -> str:
        """Support without an open customer starts at the customer search, everybody else
        at home."""
        actor = self.actor
        return "customers" if actor.via_support and actor.customer_id is None else "home"

    def on_unmount(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def _subscribe(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
        self._subscription = self.core.bus.subscribe(
            self._on_domain_event, customer_id=self.actor.customer_id
        )

    def _on_domain_event(self, event: DomainEvent) -> None:
        if event.customer_id is None or event.customer_id == self.actor.customer_id:
            self.post_message(DomainEventMessage(event))

    def on_domain_event_message(self, message: DomainEventMessage) -> None:
        if message.event.name == EVENTS_INTERRUPTED:
            self._database_lost()
            return
        if message.event.name == EVENTS_RESUMED:
            self._database_back()
            return
        for screen in self.screen_stack:
            copy = DomainEventMessage(message.event)
            copy.stop()  # for the screen only: bubbling back up here would fan out forever
            screen.post_message(copy)

    # ------------------------------------------------------------ database connection

    def _database_lost(self) -> None:
        """The node lost its connection to the database (PostgreSQL restarting): one notice
        that stays until it is back. Service calls meanwhile fail with a clear message
        (:class:`core.errors.DatabaseUnavailable`), the session goes on."""
        if self._db_notice() is None:
            self.notify(self.t("ui.db.lost"), severity="warning", timeout=DB_LOST_TIMEOUT)

    def _database_back(self) -> None:
        """Connected again: the notice goes, every screen of the session re-fetches what it
        shows (those out of sight when they come back: :class:`~tui.messages.DatabaseResumed`
        in :mod:`screens.base`), since the events of the gap were missed."""
        notice = self._db_notice()
        if notice is not None:
            self._unnotify(notice)
        for screen in self.all_screens():
            screen.post_message(DatabaseResumed())
        self.notify(self.t("ui.db.back"))

    def _db_notice(self) -> Notification | None:
        """The "connection interrupted" notice shown now (in whichever language it was)."""
        texts = {t(locale, "ui.db.lost") for locale in LOCALES}
        return next((n for n in self._notifications if n.message in texts), None)

    def _handle_exception(self, error: Exception) -> None:
        """A service call that found the database unreachable and was not caught by its
        screen (a worker, a handler) is shown as the clear message, instead of ending the
        session with a traceback; anything else ends it as Textual does."""
        cause = getattr(error, "error", error)  # a worker's failure wraps it (WorkerFailed)
        if isinstance(cause, DatabaseUnavailable):
            log.warning("session of %s: a service call found the database unreachable",
                        self.actor.username)
            self.notify(cause.render(self.actor.locale), severity="error", timeout=8)
            return
        super()._handle_exception(error)

    def all_screens(self) -> list[Screen[Any]]:
        """Every screen of the session: the stacks of all modes (Textual's
        ``screen_stack`` is only the current mode's), dialogs included."""
        return [screen for stack in self._screen_stacks.values() for screen in stack]

    def set_actor(self, actor: Actor) -> None:
        """Switch view mode, language or support customer: every screen of every mode is
        rebuilt for it and re-fetches (:meth:`screens.base.PortalMixin.rebuild`)."""
        customer_changed = actor.customer_id != self.actor.customer_id
        self.actor = actor
        if customer_changed:
            self._subscribe()
            self.support_reason = None
        self._apply_binding_labels()
        for screen in self.all_screens():
            screen.post_message(ActorChanged())
        self.refresh_bindings()

    def _apply_binding_labels(self) -> None:
        """Footer labels in the session's language (bindings are frozen dataclasses); a
        short key label (``ui.<id>.key``) where the area's name is long, so that the global
        keys 1–5, v and ? fit the key bar at 120 columns."""
        for key, bindings in list(self._bindings.key_to_bindings.items()):
            self._bindings.key_to_bindings[key] = [
                replace(b, description=self.t(_nav_label(b.id))) if b.id in NAV_IDS else b
                for b in bindings
            ]

    def action_toggle_view_mode(self) -> None:
        """Admins switch between Admin-Ansicht and Anwender-Ansicht; employees only have the
        user view (the core refuses the admin view), support always sees an opened customer
        in the admin view (read-only until a reason is given)."""
        actor = self.actor
        if actor.via_support:
            self.notify(self.t("support.view.support_fixed"), severity="warning")
            return
        target = ViewMode.USER if actor.is_admin_view else ViewMode.ADMIN
        try:
            switched = actor.with_view_mode(target)
        except PermissionDenied:
            self.notify(self.t("support.view.employee_only"), severity="warning")
            return
        self.set_actor(switched)
        label = "ui.view_mode.user" if target is ViewMode.USER else "ui.view_mode.admin"
        self.notify(self.t("support.view.switched", mode=self.t(label)))

    def action_help_quit(self) -> None:
        """ctrl+c (pressed by reflex): Textual's English hint, in the session's language."""
        self.notify(self.t("ui.quit.hint"), title=self.t("ui.quit.title"))

    async def action_toggle_language(self) -> None:
        """ctrl+l: the other language, stored in the profile and applied to every screen."""
        await self.change_language(next(loc for loc in LOCALES if loc != self.actor.locale))

    async def change_language(self, locale: str) -> None:
        """Store ``locale`` as the account's language and switch this session to it."""
        if locale == self.actor.locale:
            return
        try:
            profile = await self.core.run(users_service.set_locale, self.actor, locale=locale)
        except DomainError as error:
            self.notify(error.render(self.actor.locale), severity="error", timeout=8)
            return
        self.set_actor(replace(self.actor, locale=profile.locale))
        self.notify(self.t("users.language_saved"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The customer search is support's; only admins have a view switch; support, until a
        customer is open, no portal areas (shown greyed out). Language and view mode are
        not switched under an open dialog."""
        if action == "switch_mode" and parameters == ("customers",):
            return self.actor.via_support
        if action == "switch_mode" and self.actor.via_support and self.actor.customer_id is None:
            return None
        if action in ("toggle_view_mode", "toggle_language") and self._dialog_open():
            return False
        if action == "toggle_view_mode":
            # only a role with two view modes is offered the switch (core decides)
            return self.actor.can_switch_view
        return True

    def _dialog_open(self) -> bool:
        """A portal dialog is on top (the command palette does not count: it asks for the
        commands of the screen below, and runs them after it closed)."""
        try:
            screen = self.screen
        except Exception:  # no screen yet
            return False
        return isinstance(screen, ModalScreen) and not isinstance(screen, CommandPalette)

    # ------------------------------------------------------------ keys, help, palette

    def screen_keys(
        self, screen: Screen[Any]
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(key, label) of the portal's keys active on ``screen``: its own (shown in the key
        bar or written on a button) and the global ones, in the session's language."""
        own: list[tuple[str, str]] = []
        common: list[tuple[str, str]] = []
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.id or not binding.description or not enabled:
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            entry = (self.get_key_display(binding), binding.description)
            (common if node is self else own).append(entry)
        return own, common

    def action_help(self) -> None:
        """``?``: the current screen's keys, then the global ones."""
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        own, common = self.screen_keys(self.screen)
        self.push_screen(HelpScreen(own, common))

    def action_command_palette(self) -> None:
        """ctrl+p: the portal's commands in the session's language (see
        :meth:`get_system_commands`)."""
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(CommandPalette(placeholder=self.t("ui.palette.placeholder"),
                                            id="--command-palette"))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette's commands: the current screen's keys and the global ones, by their
        labels in the session's language (instead of Textual's Keys/Theme/Screenshot)."""
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.id or not binding.description or not enabled:
                continue
            if binding.action in seen or binding.action in ("command_palette", "help"):
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                self.t("ui.palette.key", key=self.get_key_display(binding)),
                partial(self.run_action, binding.action, node),
            )
        yield SystemCommand(self.t("ui.nav.help"), self.t("ui.palette.key", key="?"),
                            self.action_help)

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        """A key of an action that is not possible right now says why, instead of doing
        nothing (SPEC §8): the screen's :meth:`~screens.base.PortalMixin.refusal` reason,
        else "only in the admin view" where the admin view would allow it, else a
        general "not possible here"."""
        if await super()._check_bindings(key, priority):
            return True
        if priority:
            return False
        reason = self._refusal(key)
        if reason is None:
            return False
        self.bell()
        self.notify(reason, severity="warning")
        return True

    def _refusal(self, key: str) -> str | None:
        """Why the portal key ``key`` does nothing on the current screen (None: it is not a
        portal key there, or its action is possible)."""
        try:
            chain = self.screen._modal_binding_chain
        except Exception:  # no screen yet
            return None
        for node, bindings in chain:
            for binding in bindings.key_to_bindings.get(key, ()):
                if not binding.id or not binding.description:
                    continue
                _namespace, name, params = parse_action(binding.action)
                if node.check_action(name, params):
                    return None
                return self._why_not(node, name, params, binding.description)
        if self._dialog_open():
            # a modal dialog's chain ends at the dialog: the App's own keys are not in it
            for binding in self._bindings.key_to_bindings.get(key, ()):
                if binding.action in ("toggle_language", "toggle_view_mode"):
                    return self.t("ui.key.close_dialog_first")
        return None

    def _why_not(self, node: DOMNode, name: str, params: tuple[object, ...],
                 label: str) -> str:
        refusal = getattr(node, "refusal", None)
        reason = refusal(name, params) if callable(refusal) else None
        if reason:
            return str(reason)
        actor = self.actor
        if not actor.is_admin_view and not actor.via_support:
            # would the customer's admin view allow it? The same check, asked for it.
            admin = replace(actor, role=type(actor.role)("admin"), view_mode=ViewMode.ADMIN)
            self.actor = admin
            try:
                allowed = bool(node.check_action(name, params))
            finally:
                self.actor = actor
            if allowed:
                return t(actor.locale, "error.admin_only")
        return t(actor.locale, "ui.key.unavailable", label=label)

    def refusal(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Why a global key is not possible (see :meth:`_check_bindings`)."""
        if action == "switch_mode" and self.actor.via_support and self.actor.customer_id is None:
            return self.t("error.support_no_customer")
        if action in ("toggle_view_mode", "toggle_language") and self._dialog_open():
            return self.t("ui.key.close_dialog_first")
        if action == "toggle_view_mode" and self.actor.via_support:
            return self.t("support.view.support_fixed")
        if action == "toggle_view_mode" and not self.actor.can_switch_view:
            return self.t("support.view.employee_only")
        return None

    # ------------------------------------------------------------ notifications

    def _on_notify(self, event: Any) -> None:
        """At most :data:`MAX_TOASTS` notifications at once and the same text only once (a
        repeat replaces the one shown, so it restarts its time instead of stacking another
        toast). Runs before Textual's own ``_on_notify``, which adds the new one."""
        new: Notification = event.notification
        shown: list[Notification] = []
        for old in list(self._notifications):
            if (old.message, old.title, old.severity) == (new.message, new.title, new.severity):
                self._unnotify(old, refresh=False)
            else:
                shown.append(old)
        for old in shown[: max(0, len(shown) + 1 - MAX_TOASTS)]:
            self._unnotify(old, refresh=False)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Served sessions never open a browser (it would open on the server)."""
        if self.served is not None:
            self.notify(self.t("ssh.refused.open_url"), severity="warning")
            return
        super().open_url(url, new_tab=new_tab)

    def _deliver_binary(self, *args: Any, **kwargs: Any) -> str | None:
        """Served sessions never save files (deliver_text/_binary/_screenshot would write
        into the server's download folder)."""
        if self.served is not None:
            self.notify(self.t("ssh.refused.download"), severity="warning")
            return None
        return super()._deliver_binary(*args, **kwargs)

    def _print_error_renderables(self) -> None:
        """Served sessions: errors go to the server log, never to the server's stderr."""
        if self.served is not None:
            if self._exception is not None:
                # the exception and its stack, never the locals (they may hold secrets)
                log.error(
                    "session of %s ended with an error:\n%s", self.actor.username,
                    "".join(traceback.format_exception(self._exception)),
                )
            self.served.app_failed(len(self._exit_renderables))
            self._exit_renderables.clear()
            return
        super()._print_error_renderables()


_PORTAL_CHECK: type[Portal] = LinedeskApp
"""mypy checks here that the App is the :class:`~tui.portal.Portal` the screens type against."""
