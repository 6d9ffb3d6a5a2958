"""Contract overview (Vertragsübersicht, key ``1``): customer number, product, the contract
table, the site/branch overview, and the action selector with "Neue Internet-Zugangsdaten".

All contracts of the customer are fetched once per load; choosing a customer number, a
product or typing a filter narrows the list in memory, so the screen stays fast with
hundreds of contracts. Live events about lines and credentials trigger a re-fetch.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from core.authz import Permission, permits
from core.errors import DomainError
from core.i18n import format_date
from core.services import contracts
from core.services.contracts import ContractView
from screens.base import PortalScreen, portal_footer
from tui.messages import DomainEventMessage
from tui.sanitize import clean, safe_text
from tui.widgets.header import SessionHeader

ALL = "*"
"""Select value meaning "no restriction"."""

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("ref", "contracts.col.ref", 15),
    ("number", "contracts.col.customer_number", 9),
    ("type", "contracts.col.type", 28),
    ("site", "contracts.col.site", 34),
    ("line", "contracts.col.line", 13),
    ("easy", "contracts.col.easy_login", 10),
    ("sites", "contracts.col.sites", 8),
    ("generated", "contracts.col.generated", 16),
)
"""Column key, label key and fixed width (no measuring of every row)."""

ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("new_credentials", "contracts.action.new_credentials", "n"),
    ("sites", "contracts.action.sites", "s"),
)
"""Action, label and direct key: the choices name their key, the footer has no room for it."""
KEY_LABELS: dict[str, str] = {
    "filter": "contracts.key.filter",
    "sites": "contracts.key.sites",
    "new_credentials": "contracts.key.new_credentials",
    "next": "contracts.key.next",
    "back": "contracts.key.back",
}
FILTER_DELAY = 0.25
"""Seconds of typing pause before the filter applies."""
LIVE_EVENTS = frozenset({"CredentialsGenerated", "LineOnline", "LineOffline", "ContractChanged"})


class ContractOverviewScreen(PortalScreen):
    """Festnetz-Verträge: choose, mark, act."""

    CSS_PATH = "contract_overview.tcss"
    AUTO_FOCUS = "#contracts"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "filter", id="contracts-key.filter"),
        Binding("s", "sites", "sites", id="contracts-key.sites", show=False),
        Binding("n", "new_credentials", "new_credentials", id="contracts-key.new_credentials",
                show=False),
        Binding("w", "next", "next", id="contracts-key.next"),
        Binding("escape", "back", "back", id="contracts-key.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._all: list[ContractView] = []
        """Every contract of the customer as last fetched."""
        self._by_id: dict[int, ContractView] = {}
        self._site_parent: int | None = None
        """Contract whose sites/branches are shown (site overview), or None."""
        self._cells_cache: dict[int, list[Any]] = {}
        """Rendered cells per contract id (built once per load and language)."""
        self._haystack: dict[int, str] = {}
        """Lower-cased searchable text per contract id."""
        self._filter_timer: Timer | None = None
        self._query = ""
        self._customer_number = ALL
        self._product = ALL
        self._refusal: str | None = None
        """Why the core showed no contracts (e.g. the user view), shown instead of a count."""

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        with Horizontal(id="selectors"):
            yield Label("", id="customer-number-label")
            yield Select[str]([(self.t("contracts.all_customer_numbers"), ALL)], value=ALL,
                              id="customer-number", allow_blank=False, compact=True)
            yield Label("", id="product-label")
            yield Select[str](self._product_options(), value=ALL, id="product",
                              allow_blank=False, compact=True)
        # the action row above the table: its drop-down opens over the table, not over
        # the buttons and the key bar below
        with Horizontal(id="actions", classes="button-row"):
            yield Label("", id="action-label")
            yield Select[str](self._action_options(), value=ACTIONS[0][0], id="action",
                              allow_blank=False, compact=True)
            yield Button("", id="btn-next", variant="primary", compact=True)
        # shown again after a rebuild while a filter applies (the base keeps its text)
        yield Input(id="filter", classes="" if self._query else "hidden", max_length=100)
        yield Static("", id="breadcrumb", classes="title hidden")
        yield DataTable(id="contracts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="summary", classes="hint")
        with Horizontal(id="more-actions", classes="button-row"):
            yield Button("", id="btn-sites", compact=True)
            yield Button("", id="btn-filter", compact=True)
            yield Button("", id="btn-back", compact=True, classes="hidden")
        yield portal_footer()

    def on_mount(self) -> None:
        self._apply_texts()
        self.reload()

    def _product_options(self) -> list[tuple[str, str]]:
        return [(self.t("contracts.all_products"), ALL)] + [
            (self.t(f"contracts.product.{p}"), p) for p in contracts.PRODUCTS
        ]

    def _action_options(self) -> list[tuple[str, str]]:
        return [(f"{self.t(label)} ({key})", name) for name, label, key in ACTIONS]

    def _apply_texts(self) -> None:
        """Everything language-dependent: header, labels, columns, options, key labels."""
        self.query_one(SessionHeader).show(self.actor, self.t("contracts.title"))
        self.query_one("#customer-number-label", Label).update(self.t("contracts.customer_number"))
        self.query_one("#product-label", Label).update(self.t("contracts.product"))
        self.query_one("#action-label", Label).update(self.t("contracts.action"))
        self.query_one("#filter", Input).placeholder = self.t("contracts.filter_placeholder")
        with self.prevent(Select.Changed):
            products = self.query_one("#product", Select)
            products.set_options(self._product_options())
            products.value = self._product
            action = self.query_one("#action", Select)
            action.set_options(self._action_options())
            action.value = ACTIONS[0][0]
        for button, label, key in (
            ("btn-next", "contracts.next", "w"),
            ("btn-sites", "contracts.key.sites", "s"),
            ("btn-filter", "contracts.key.filter", "/"),
            ("btn-back", "contracts.back_to_all", "esc"),
        ):
            self.query_one(f"#{button}", Button).label = f"{self.t(label)} ({key})"
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, label, width in COLUMNS:
            table.add_column(self.t(label), key=key, width=width)
        self.label_bindings("contracts-key.", KEY_LABELS)
        self.refresh_bindings()

    # ---------------------------------------------------------------- loading

    @work(exclusive=True, group="load")
    async def reload(self) -> None:
        """Fetch customer numbers and contracts, then show the current selection (the core
        decides what the actor's view mode may see: the user view sees no contracts)."""
        self._refusal = None
        numbers = await self.fetch(contracts.list_customer_numbers)
        views = await self.fetch(contracts.list_contracts)
        if numbers is None or views is None:
            return
        with self.prevent(Select.Changed):
            select = self.query_one("#customer-number", Select)
            select.set_options(
                [(self.t("contracts.all_customer_numbers"), ALL)]
                + [(Text(f"{n.number} ({n.contract_count})"), n.number) for n in numbers]
            )
            known = {n.number for n in numbers}
            self._customer_number = self._customer_number if self._customer_number in known else ALL
            select.value = self._customer_number
        self._all = views
        self._by_id = {v.id: v for v in views}
        self._index()
        if self._site_parent is not None and self._site_parent not in self._by_id:
            self._site_parent = None
        self._fill()

    def _index(self) -> None:
        """Cells and search text of every contract, so narrowing never re-renders them."""
        self._cells_cache = {v.id: self._cells(v) for v in self._all}
        self._haystack = {
            v.id: " ".join((v.contract_ref, v.site_name, v.address,
                            self.t(f"contracts.type.{v.type}"))).lower()
            for v in self._all
        }

    def _visible(self) -> list[ContractView]:
        """The contracts the current selection shows, in contract order."""
        rows = self._all
        if self._customer_number != ALL:
            rows = [v for v in rows if v.customer_number == self._customer_number]
        if self._product != ALL:
            rows = [v for v in rows if v.product == self._product]
        if self._site_parent is not None:
            return [v for v in rows if v.parent_id == self._site_parent]
        if self._query:
            needle = self._query.lower()
            return [v for v in rows if needle in self._haystack.get(v.id, "")]
        return [v for v in rows if v.parent_id is None or v.parent_id not in self._by_id]

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        keep = self.marked
        table.clear()
        visible = self._visible()
        for view in visible:
            table.add_row(*self._cells_cache[view.id], key=str(view.id))
        if keep is not None and any(v.id == keep.id for v in visible):
            table.move_cursor(row=table.get_row_index(str(keep.id)), animate=False)
        breadcrumb = self.query_one("#breadcrumb", Static)
        parent = self._by_id.get(self._site_parent) if self._site_parent is not None else None
        breadcrumb.set_class(parent is None, "hidden")
        self.query_one("#btn-back", Button).set_class(parent is None and not self._query, "hidden")
        if parent is not None:
            breadcrumb.update(Text(self.t("contracts.sites_of", ref=parent.contract_ref,
                                     site=clean(parent.site_name))))
        summary = self.t("contracts.count", shown=len(visible), total=len(self._all))
        if self._refusal is not None:
            summary = self._refusal
        elif not visible:
            summary = f"{self.t('contracts.empty')}  {summary}"
        self.query_one("#summary", Static).update(Text(summary))

    def _cells(self, v: ContractView) -> list[Any]:
        loc = self.actor.locale
        if v.has_line:
            state = self.t("contracts.online" if v.line_online else "contracts.offline")
            line = Text(f"{self.t('contracts.yes')} ({state})",
                        style="green" if v.line_online else "yellow")
        else:
            line = Text(self.t("contracts.no"), style="dim")
        site = f"{v.site_name} · {v.address}" if v.address else v.site_name
        return [
            Text(v.contract_ref, style="bold" if v.has_line else ""),
            v.customer_number,
            Text(self.t(f"contracts.type.{v.type}")),
            safe_text(site),
            line,
            Text(self.t("contracts.yes" if v.easy_login else "contracts.no")),
            Text(str(len(v.sites)) if v.sites else "–", justify="right"),
            Text(
                format_date(v.credentials_generated_at, loc) if v.credentials_generated_at else "–"
            ),
        ]

    def refused(self, error: DomainError) -> None:
        """The core shows this actor no contracts: say why where the count would be (the
        user view in this screen's words)."""
        admin_only = error.key == "error.admin_only"
        self._refusal = (self.t("contracts.admin_only") if admin_only
                         else error.render(self.actor.locale))
        self._all, self._by_id, self._cells_cache, self._haystack = [], {}, {}, {}
        self._site_parent = None
        self._fill()

    # ---------------------------------------------------------------- selection

    @property
    def marked(self) -> ContractView | None:
        """The contract under the table cursor."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        return self._by_id.get(int(key)) if key is not None else None

    @on(Select.Changed, "#customer-number")
    def _customer_number_changed(self, event: Select.Changed) -> None:
        self._customer_number = str(event.value)
        self._site_parent = None
        self._fill()

    @on(Select.Changed, "#product")
    def _product_changed(self, event: Select.Changed) -> None:
        self._product = str(event.value)
        self._site_parent = None
        self._fill()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        """Narrow after a short pause in typing, not on every key."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._apply_filter)

    def _apply_filter(self) -> None:
        self._filter_timer = None
        query = self.query_one("#filter", Input).value.strip()
        if query != self._query:
            self._query = query
            self._site_parent = None
            self._fill()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_filter()
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        marked = self.marked
        if marked is not None and marked.sites and self._site_parent is None:
            self.action_sites()

    # ---------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The contract keys only where the core lets the actor read contracts (not in the
        user view): "w" answered an employee "Bitte zuerst einen Vertrag markieren" on a
        list that can never have one. Pressed anyway, the App says why."""
        if action in ("filter", "sites", "new_credentials", "next") and not permits(
                self.actor, Permission.CONTRACT_READ):
            return False
        return super().check_action(action, parameters)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("hidden")
        box.focus()

    def action_back(self) -> None:
        """Esc: leave the filter box, then the site overview, then clear the filter."""
        box = self.query_one("#filter", Input)
        if box.has_focus:
            self.query_one(DataTable).focus()
            if not box.value:
                box.add_class("hidden")
            return
        if self._site_parent is not None:
            parent = self._site_parent
            self._site_parent = None
            self._fill()
            table = self.query_one(DataTable)
            if any(v.id == parent for v in self._visible()):
                table.move_cursor(row=table.get_row_index(str(parent)), animate=False)
            return
        if self._query:
            box.value = ""
            box.add_class("hidden")
            self._apply_filter()

    def action_sites(self) -> None:
        marked = self.marked
        if marked is None:
            self.notify(self.t("contracts.none_marked"), severity="warning")
            return
        if not marked.sites:
            self.notify(self.t("contracts.no_sites", ref=marked.contract_ref))
            return
        self._site_parent = marked.id
        self._fill()
        self.query_one(DataTable).focus()

    def action_new_credentials(self) -> None:
        self.query_one("#action", Select).value = "new_credentials"
        self.action_next()

    def action_next(self) -> None:
        """"weiter": run the chosen action on the marked contract."""
        marked = self.marked
        if marked is None:
            self.notify(self.t("contracts.none_marked"), severity="warning")
            return
        action = self.query_one("#action", Select).value
        if action == "sites":
            self.action_sites()
            return
        from screens.credential_wizard import CredentialWizardScreen

        def reload_after(_: object) -> None:
            self.reload()

        self.app.push_screen(CredentialWizardScreen(marked.id), reload_after)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        handlers = {
            "btn-next": self.action_next,
            "btn-sites": self.action_sites,
            "btn-filter": self.action_filter,
            "btn-back": self.action_back,
        }
        handler = handlers.get(event.button.id or "")
        if handler is not None:
            handler()

    # ---------------------------------------------------------------- live updates

    @on(DomainEventMessage)
    def _on_domain_event(self, message: DomainEventMessage) -> None:
        if message.event.name in LIVE_EVENTS:
            self.reload()

