"""Placeholder until its issue lands: shows the header and the navigation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Static

from screens.base import PortalScreen
from tui.widgets.header import SessionHeader


class NumberDashboardScreen(PortalScreen):
    def compose(self) -> ComposeResult:
        yield SessionHeader()
        yield Static(self.t("ui.placeholder"), classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SessionHeader).show(self.actor, self.t("ui.nav.numbers"))
