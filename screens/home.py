"""Home screen: who is signed in, for which customer, and where to go."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.base import PortalScreen, portal_footer
from tui.sanitize import clean
from tui.widgets.header import SessionHeader


class HomeScreen(PortalScreen):
    CSS_PATH = "home.tcss"

    def compose(self) -> ComposeResult:
        yield SessionHeader(id="header")
        with Vertical(id="home-body"):
            yield Static(id="home-title", classes="title")
            yield Static(id="home-customer")
            yield Static(id="home-user")
            yield Static(id="home-hint", classes="hint")
            with Horizontal(id="nav-buttons"):
                yield Button(id="go-contracts")
                yield Button(id="go-numbers")
                yield Button(id="go-users")
                yield Button(id="go-audit")
                yield Button(id="go-deadlines")
        yield portal_footer()

    def on_mount(self) -> None:
        self._render_texts()

    def _render_texts(self) -> None:
        actor = self.actor
        self.query_one(SessionHeader).show(actor, self.t("ui.nav.home"))
        self.query_one("#home-title", Static).update(self.t("ui.home.title"))
        customer = actor.customer_name or "–"
        self.query_one("#home-customer", Static).update(
            self.t("ui.home.customer", customer=clean(customer))
        )
        self.query_one("#home-user", Static).update(
            self.t(
                "ui.home.signed_in_as",
                user=clean(actor.username),
                role=self.t(f"role.{actor.role.value}"),
            )
        )
        self.query_one("#home-hint", Static).update(self.t("ui.home.navigate"))
        for mode, key, label in (
            ("contracts", "1", "ui.nav.contracts"),
            ("numbers", "2", "ui.nav.numbers"),
            ("users", "3", "ui.nav.users"),
            ("audit", "4", "ui.nav.audit"),
            ("deadlines", "5", "ui.nav.deadlines"),
        ):
            self.query_one(f"#go-{mode}", Button).label = f"{key} {self.t(label)}"

    @on(Button.Pressed)
    def _navigate(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("go-"):
            self.app.switch_mode(event.button.id.removeprefix("go-"))
