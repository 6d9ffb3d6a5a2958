"""The portal App: one instance per SSH session (or local terminal), all sharing one Core."""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from core.authz import Actor
from core.events import DomainEvent, Subscription
from core.i18n import t
from core.runtime import Core
from screens.audit import AuditScreen
from screens.contract_overview import ContractOverviewScreen
from screens.home import HomeScreen
from screens.number_dashboard import NumberDashboardScreen
from screens.support import CustomerSearchScreen, home_mode, toggle_view_mode
from screens.users import UsersScreen
from tui.messages import ActorChanged, DomainEventMessage
from tui.served import ServedTerminal, harden
from tui.typeahead import TypeaheadApp

log = logging.getLogger(__name__)

NAV_IDS = frozenset({
    "nav.contracts", "nav.numbers", "nav.users", "nav.audit", "nav.help", "nav.quit",
    "nav.view", "nav.customers",
})


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
        Binding("v", "toggle_view_mode", "Ansicht wechseln", id="nav.view"),
        Binding("k", "switch_mode('customers')", "Kundensuche", id="nav.customers"),
        Binding("question_mark", "help", "Hilfe", id="nav.help"),
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
        "customers": CustomerSearchScreen,
    }

    def t(self, key: str, /, **params: Any) -> str:
        return t(self.actor.locale, key, **params)

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self._apply_binding_labels()
        self._subscribe()
        self.switch_mode(home_mode(self))

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
        for screen in self.screen_stack:
            copy = DomainEventMessage(message.event)
            copy.stop()  # for the screen only: bubbling back up here would fan out forever
            screen.post_message(copy)

    def set_actor(self, actor: Actor) -> None:
        """Switch view mode, language or support customer; screens re-fetch."""
        customer_changed = actor.customer_id != self.actor.customer_id
        self.actor = actor
        if customer_changed:
            self._subscribe()
            self.support_reason = None
        self._apply_binding_labels()
        for screen in self.screen_stack:
            screen.post_message(ActorChanged())
        self.refresh_bindings()

    def _apply_binding_labels(self) -> None:
        """Footer labels in the session's language (bindings are frozen dataclasses)."""
        for key, bindings in list(self._bindings.key_to_bindings.items()):
            self._bindings.key_to_bindings[key] = [
                replace(b, description=self.t(f"ui.{b.id}")) if b.id in NAV_IDS else b
                for b in bindings
            ]

    def action_toggle_view_mode(self) -> None:
        """Admin-Ansicht ⇄ Anwender-Ansicht (rules in :func:`screens.support.toggle_view_mode`)."""
        toggle_view_mode(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The customer search is support's; support has no view switch and, until a
        customer is open, no portal areas (shown greyed out)."""
        if action == "switch_mode" and parameters == ("customers",):
            return self.actor.via_support
        if action == "switch_mode" and self.actor.via_support and self.actor.customer_id is None:
            return None
        if action == "toggle_view_mode":
            return not self.actor.via_support
        return True

    def action_help(self) -> None:
        from screens.help import HelpScreen

        self.push_screen(HelpScreen())

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
