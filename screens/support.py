"""Support staff's home: find a customer and open its portal (read-only until a reason is
given).

Searching and opening are core services (:mod:`core.services.support`); opening is
audited in the customer's log. This screen only shows hits and swaps the session actor.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Static

from core.errors import DomainError
from core.services import support as support_service
from core.services.support import CustomerHit
from screens.base import PortalScreen, portal_footer
from tui.sanitize import clean, safe_text
from tui.widgets.header import SessionHeader


class CustomerSearchScreen(PortalScreen):
    """Search by name, customer number or phone number; open or close a customer."""

    CSS_PATH = "support.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Suchen", id="support.search.button"),
        Binding("o", "open_customer", "Öffnen", id="support.search.open"),
        Binding("x", "close_customer", "Kunde schließen", id="support.search.close", show=False),
        Binding("w", "shadow", "Zuschauen", id="support.shadow.key"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[CustomerHit] = []
        """The current search result, in table order."""

    def compose(self) -> ComposeResult:
        yield SessionHeader(id="header")
        with Vertical(id="support-body"):
            yield Static(id="support-intro", classes="hint")
            with Horizontal(id="search-row"):
                yield Input(id="search-input", max_length=100)
                yield Button(id="search-button", variant="primary")
            yield Static(id="support-status")
            yield DataTable(id="hits", cursor_type="row", zebra_stripes=True)
            with Horizontal(classes="button-row"):
                yield Button(id="open-button", variant="warning")
                yield Button(id="close-button")
                yield Button(id="shadow-button")
        yield portal_footer()

    def on_mount(self) -> None:
        self._render_texts()
        self.query_one("#search-input", Input).focus()

    def _render_texts(self) -> None:

        self.query_one(SessionHeader).show(self.actor, self.t("support.search.title"))
        self.query_one("#support-intro", Static).update(self.t("support.search.intro"))
        self.query_one("#search-input", Input).placeholder = self.t("support.search.placeholder")
        self.query_one("#search-button", Button).label = f"/ {self.t('support.search.button')}"
        self.query_one("#open-button", Button).label = f"o {self.t('support.search.open')}"
        close = self.query_one("#close-button", Button)
        close.label = f"x {self.t('support.search.close')}"
        close.disabled = self.actor.customer_id is None
        shadow = self.query_one("#shadow-button", Button)  # R23: the key w as a button too
        shadow.label = f"w {self.t('support.shadow.key')}"
        shadow.disabled = self.actor.customer_id is None
        table = self.query_one("#hits", DataTable)
        table.clear(columns=True)
        for key in ("support.col.customer_numbers", "support.col.name", "support.col.city",
                    "support.col.matched"):
            table.add_column(self.t(key), key=key)
        self._fill_table()
        self._show_current()
        self.label_bindings("support.")
        self.refresh_bindings()

    def _show_current(self) -> None:
        status = self.query_one("#support-status", Static)
        if self.actor.customer_id is not None:
            status.update(
                safe_text(
                    self.t("support.search.current", customer=self.actor.customer_name or "–")
                )
            )
        elif self.hits:
            count = len(self.hits)
            status.update(self.t("support.search.one") if count == 1
                          else self.t("support.search.count", count=count))
        else:
            status.update("")

    def _fill_table(self) -> None:
        table = self.query_one("#hits", DataTable)
        table.clear()
        for hit in self.hits:
            table.add_row(
                safe_text(", ".join(hit.customer_numbers)),
                safe_text(hit.name),
                safe_text(hit.city),
                safe_text(self.t(f"support.matched.{hit.matched}", value=hit.matched_value)),
                key=str(hit.id),
            )

    def action_focus_search(self) -> None:
        self.query_one("#search-input", Input).focus()

    @on(Input.Submitted, "#search-input")
    @on(Button.Pressed, "#search-button")
    def _search_requested(self) -> None:
        self.search(self.query_one("#search-input", Input).value)

    @work(exclusive=True, group="support-search")
    async def search(self, query: str) -> None:
        hits = await self.fetch(support_service.search_customers, query=query)
        if hits is None:
            return
        self.hits = hits
        self._fill_table()
        if hits:
            self.query_one("#hits", DataTable).focus()
            self._show_current()
        else:
            self.query_one("#support-status", Static).update(self.t("support.search.none"))

    def _selected(self) -> CustomerHit | None:
        table = self.query_one("#hits", DataTable)
        if not self.hits or table.cursor_row < 0 or table.cursor_row >= len(self.hits):
            return None
        return self.hits[table.cursor_row]

    @on(DataTable.RowSelected, "#hits")
    @on(Button.Pressed, "#open-button")
    def action_open_customer(self) -> None:
        hit = self._selected()
        if hit is None:
            self.portal.notify(self.t("support.search.select"), severity="warning")
            return
        self.open_customer(hit.id)

    @work(exclusive=True, group="support-open")
    async def open_customer(self, customer_id: int) -> None:
        opened = await self.call(support_service.open_customer, customer_id=customer_id)
        if opened is None:
            return
        self.portal.set_actor(opened)
        self.portal.notify(
            clean(self.t("support.search.opened", customer=opened.customer_name or "–")),
            markup=False,
        )
        self.app.switch_mode(self.portal.home_mode())

    @on(Button.Pressed, "#close-button")
    def action_close_customer(self) -> None:
        if self.actor.customer_id is None:
            return
        self.portal.set_actor(self.actor.for_customer(None))

    # -- R23 shadowing: watch a live session of the open customer's users ---------------

    def _shadow_control(self) -> Any:
        """The session's shadowing part (ssh_server.shadow.SessionShadow), None locally."""
        return getattr(getattr(self.app, "served", None), "shadow", None)

    @on(Button.Pressed, "#shadow-button")
    def action_shadow(self) -> None:
        self.pick_shadow()

    @work(exclusive=True, group="support-shadow-pick")
    async def pick_shadow(self) -> None:
        from screens.shadow_dialog import ShadowPickDialog

        if self.actor.customer_id is None:
            self.portal.notify(self.t("error.support_no_customer"), severity="warning")
            return
        control = self._shadow_control()
        if control is None:
            self.portal.notify(self.t("support.shadow.unavailable"), severity="warning")
            return
        try:
            sessions = await control.candidates(self.actor)
        except DomainError as error:
            self.show_error(error)
            return
        if not sessions:
            self.portal.notify(self.t("support.shadow.none"))
            return
        names = {s.key: s.username for s in sessions}

        def picked(key: str | None) -> None:
            if key:
                self.request_shadow(key, names.get(key, "?"))

        self.app.push_screen(ShadowPickDialog(sessions), picked)

    @work(exclusive=True, group="support-shadow")
    async def request_shadow(self, key: str, user: str) -> None:
        control = self._shadow_control()
        if control is None:
            return
        self.portal.notify(clean(self.t("support.shadow.waiting", user=user)), markup=False,
                           timeout=5)
        try:
            result = await control.request(self.actor, key)
        except DomainError as error:
            self.show_error(error)
            return
        if result != "started":
            self.portal.notify(clean(self.t(f"support.shadow.{result}", user=user)),
                               markup=False, severity="warning")
