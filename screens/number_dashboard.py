"""The number dashboard (key ``2``): the customer's numbers with their state and the
row actions of the help page "Rufnummern verwalten".

Built for 10,000 numbers and many sessions: the core counts, filters, sorts and pages in
one read (``PAGE_SIZE`` rows per page, ``[``/``]`` to page, and the arrow keys turn the page
when the cursor runs past the first or last row), so the table never holds more than one
page; a change announced on the event bus re-fetches only the numbers it names and updates
their cells in place, so the cursor and scroll position stay where they are.
Per key only the table's two cursor rows and, when the selected number's state differs,
the one line of action links are redrawn: the actions are links in a single Static (keys
and mouse) rather than a row of Buttons, and the footer is left alone.
Employees (and admins in user view) see only their own numbers and no admin actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Resize, ScreenResume, ScreenSuspend
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import RowDoesNotExist

from core.enums import (
    KIND_LABELS,
    STATUS_LABELS,
    STATUS_SHORT_LABELS,
    NumberAction,
    NumberKind,
    NumberStatus,
)
from core.errors import DomainError
from core.events import DomainEvent, Subscription
from core.i18n import format_date, format_money
from core.services import numbers
from core.services.number_views import BlockInfo
from core.services.numbers import (
    FaxSendResult,
    NumberPage,
    NumberView,
    SwapResult,
    national_form,
)
from screens.base import PortalScreen, portal_footer
from screens.bulk_marks import BulkMarks
from screens.location_dialog import LocationDialog
from screens.number_dialogs import (
    ActivateDialog,
    AssignDialog,
    DeactivateDialog,
    FaxCredentialsDialog,
    ForwardingDialog,
    SwapDialog,
    UndoDeactivationDialog,
)
from tui.bindings import label_bindings
from tui.messages import DomainEventMessage
from tui.sanitize import clean, safe_text
from tui.widgets.header import SessionHeader
from tui.widgets.number_table import DrawnOnce, NumberTable

BLOCK_ROW_PREFIX = "block-"
"""Row key of an R30 block's own row (a number's row key is its id)."""

COLUMNS: tuple[tuple[str, int], ...] = (
    ("marker", 1),
    ("national", 14),
    ("e164", 15),
    ("area", 12),
    ("kind", 16),
    ("status", 24),
    ("date", 12),
    ("assigned", 18),
    ("price", 9),
)
"""Column key and fixed width (fixed widths: no measuring of 10,000 rows)."""

NARROW_WIDTHS: dict[str, int] = {"status": 10, "assigned": 16, "kind": 8, "area": 10}
"""Widths when the full ones do not fit (short status labels, cut names end in "…")."""
COLUMN_PRIORITY: tuple[str, ...] = (
    "marker", "national", "status", "assigned", "date", "price", "kind", "area", "e164",
)
"""Which columns stay when the terminal is narrow: the key ones first (80×24 keeps
marker, number, status, employee, date and price)."""
CELL_PADDING = 2
"""Columns a cell takes besides its width (DataTable's padding, one each side)."""


def column_layout(width: int) -> tuple[tuple[str, int], ...]:
    """The columns (in display order) and widths that fit ``width`` terminal columns."""
    if sum(w + CELL_PADDING for _, w in COLUMNS) <= width:
        return COLUMNS
    chosen: set[str] = set()
    used = 0
    for key in COLUMN_PRIORITY:
        need = NARROW_WIDTHS.get(key, dict(COLUMNS)[key]) + CELL_PADDING
        if used + need <= width or not chosen:
            chosen.add(key)
            used += need
    return tuple((key, NARROW_WIDTHS.get(key, w)) for key, w in COLUMNS if key in chosen)


ROW_ACTIONS: tuple[tuple[str, str], ...] = (
    (NumberAction.ACTIVATE, "a"),
    (NumberAction.DEACTIVATE, "d"),
    (NumberAction.UNDO, "u"),
    (NumberAction.SWAP, "w"),
    (NumberAction.ASSIGN, "z"),
    (NumberAction.FAX, "f"),
    (NumberAction.FORWARDING, "r"),
    (NumberAction.LOCATION, "n"),
)
PAGE_SIZE = 50
"""Rows per page: one to two screens full. Every row held costs memory in each session
(cells, drawn lines); the arrow keys turn the page at its ends, and a page costs one
indexed read and one redraw."""
MORE_ACTIONS: tuple[tuple[str, str], ...] = (
    ("filter", "/"),
    ("sort", "s"),
    ("prev_page", "["),
    ("next_page", "]"),
    ("buy", "b"),
    ("port", "p"),
)
"""The second line of action links: not about the selected number."""

LINES_CACHED = PAGE_SIZE + 1
"""Table lines kept drawn per session: the page's and the header."""

ADMIN_ACTIONS = frozenset({name for name, _ in ROW_ACTIONS} | {"buy", "port"})

ACTION_LABELS: dict[str, str] = {
    "activate": "ui.numbers.action.activate",
    "deactivate": "ui.numbers.action.deactivate",
    "undo": "ui.numbers.action.undo",
    "swap": "ui.numbers.action.swap",
    "assign": "ui.numbers.action.assign",
    "fax": "ui.numbers.action.fax",
    "forwarding": "ui.numbers.action.forwarding",
    "location": "ui.numbers.action.location",
    "filter": "ui.numbers.action.filter",
    "sort": "ui.numbers.action.sort",
    "buy": "ui.numbers.action.buy",
    "port": "ui.numbers.action.port",
    "prev_page": "ui.numbers.action.prev_page",
    "next_page": "ui.numbers.action.next_page",
}
KEY_LABELS: dict[str, str] = {
    **ACTION_LABELS,
    "mark": "ui.bulk.key.mark",
    "mark_all": "ui.bulk.key.mark_all",
    "toggle_block": "ui.blocks.key.toggle",
    "fax": "ui.numbers.key.fax",
    "buy": "ui.numbers.key.buy",
    "port": "ui.numbers.key.port",
}
"""Footer labels: shorter where the button says more, so that the keys fit one line."""
COLUMN_LABELS: dict[str, str] = {
    "marker": "ui.numbers.col.marker",
    "national": "ui.numbers.col.national",
    "e164": "ui.numbers.col.e164",
    "area": "ui.numbers.col.area",
    "kind": "ui.numbers.col.kind",
    "status": "ui.numbers.col.status",
    "date": "ui.numbers.col.date",
    "assigned": "ui.numbers.col.assigned",
    "price": "ui.numbers.col.price",
}
STATUS_SHORT = STATUS_SHORT_LABELS
"""Status labels for the narrow status column."""

_STATUS_STYLE: dict[NumberStatus, str] = {
    NumberStatus.ACTIVE: "green",
    NumberStatus.INACTIVE: "dim",
    NumberStatus.PENDING_DEACTIVATION: "bold red",
    NumberStatus.PORTING: "yellow",
}


SORTS: tuple[tuple[str, str], ...] = (
    ("number", "national"),
    ("status", "status"),
    ("assigned", "assigned"),
    ("date", "date"),
    ("area", "area"),
    ("price", "price"),
)
"""Orders cycled with ``s``: the core's order name and the column it is named after."""


def numbers_in(event: DomainEvent) -> list[str]:
    """The numbers an event names (``number`` and/or ``numbers`` in its payload)."""
    found: list[str] = []
    single = event.payload.get("number")
    if isinstance(single, str):
        found.append(single)
    many = event.payload.get("numbers")
    if isinstance(many, list | tuple):
        found += [n for n in many if isinstance(n, str)]
    return list(dict.fromkeys(found))


class NumberDashboardScreen(BulkMarks, PortalScreen):
    """Rufnummern-Verwaltung: table, filter, sort, row actions, buy and port."""

    CSS_PATH = "number_dashboard.tcss"
    AUTO_FOCUS = "#numbers"
    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(key, f"row_action('{name}')", name, id=f"numbers.{name}", show=False)
          for name, key in ROW_ACTIONS],
        Binding("slash", "filter", "filter", id="numbers.filter"),
        Binding("s", "sort", "sort", id="numbers.sort"),
        Binding("space", "mark", "mark", id="numbers.mark", show=False),
        Binding("asterisk", "mark_all", "mark_all", id="numbers.mark_all", show=False),
        Binding("b", "buy", "buy", id="numbers.buy", show=False),
        Binding("plus", "toggle_block", "toggle_block", id="numbers.toggle_block", show=False),
        Binding("p", "port", "port", id="numbers.port", show=False),
        Binding("left_square_bracket", "page(-1)", "prev_page", id="numbers.prev_page", show=False),
        Binding("right_square_bracket", "page(1)", "next_page", id="numbers.next_page", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._views: dict[str, NumberView] = {}
        """Row key (number id) → the number as last fetched."""
        self._keys: dict[str, str] = {}
        """E.164 → row key."""
        self._query = ""
        self._sort = 0
        self._page = 0
        self._total = 0
        """Numbers matching the filter (all pages)."""
        self._action_state: tuple[object, ...] = ()
        self._missed = False
        """An event of this customer was published while the screen was covered."""
        self._watch: Subscription | None = None
        """While covered: a bus subscription that only sets :attr:`_missed` (the App
        delivers events to the current mode's screens only, and a screen covered by
        another one is not told when its mode is left and re-entered)."""
        self._action_lines: dict[tuple[object, ...], DrawnOnce] = {}
        """The action links per state (of this actor and language)."""
        self._loading = False
        """A page is being fetched: arrow keys at the page's ends wait for it."""
        self._awaiting_rows = False
        """Enter in the filter, or a page key: those rows are being fetched, typed keys wait
        for them."""
        self._layout: tuple[tuple[str, int], ...] = ()
        """The columns shown (those that fit the terminal's width)."""
        self._location_text: str | None = None
        """The emergency-location line as drawn (R29)."""
        self._expanded: set[int] = set()
        """R30: the blocks shown with their numbers (the others as one row)."""

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        yield Static("", id="hint", classes="hint")
        yield Input(id="filter", placeholder=self.t("ui.numbers.filter_placeholder"), disabled=True,
                    max_length=100)
        yield NumberTable(columns=len(COLUMNS), lines_cached=LINES_CACHED, id="numbers",
                          cursor_type="row", zebra_stripes=True)
        yield Static("", id="summary")
        yield Static("", id="location")
        yield Static("", id="actions")
        yield portal_footer()

    def on_mount(self) -> None:
        """Fill the widgets and fetch; runs again when the screen is rebuilt for a new
        language or view mode (:meth:`screens.base.PortalMixin.rebuild`)."""
        self._layout = ()  # a new table: also after a rebuild (language, view mode)
        self._set_columns(self.app.size.width)
        self._apply_actor()
        if self._query:  # rebuilt with a filter applied: keep showing it
            box = self.query_one("#filter", Input)
            box.value = self._query
            box.disabled = False
            box.add_class("visible")
        self.reload()

    def _set_columns(self, width: int) -> bool:
        """Show the columns that fit ``width`` (the table's margins and scroll bar
        subtracted); False when that is what is shown already."""
        layout = column_layout(width - 4)
        if layout == self._layout:
            return False
        self._layout = layout
        table = self.query_one(NumberTable)
        table.clear(columns=True)
        for key, column_width in layout:
            table.add_column(self.t(COLUMN_LABELS[key]), key=key, width=column_width)
        return True

    def on_resize(self, event: Resize) -> None:
        if self._set_columns(event.size.width):
            table = self.query_one(NumberTable)
            # a number's row, or a collapsed block's row (an expanded one follows its numbers)
            keep = [v for k, v in self._views.items() if not k.startswith(BLOCK_ROW_PREFIX)
                    or (v.block is not None and v.block.id not in self._expanded)]
            self._views.clear()
            self._keys.clear()
            for view in keep:
                self._add_row(table, view)

    def _apply_actor(self) -> None:
        """Header, hints, translated key labels and admin-only actions for the actor."""
        self._action_state = ()
        self._action_lines.clear()
        self._location_text = None
        self.query_one(SessionHeader).show(self.actor, self.t("ui.numbers.title"))
        admin = self.actor.is_admin_view
        hint = f"{self.t('ui.numbers.pending_marker')}  {self.t('ui.numbers.price_hint')}"
        if not admin:
            hint = f"{self.t('ui.numbers.user_view_hint')}  {hint}"
        self.query_one("#hint", Static).update(hint)
        label_bindings(
            self, "numbers.", lambda rest: self.t(KEY_LABELS[rest]) if rest in KEY_LABELS else None
        )
        self._sync_actions(layout=True)
        self.refresh_bindings()

    # ---------------------------------------------------------------- loading

    @work(exclusive=True, group="load")
    async def reload(self, cursor: int | None = None, focus: bool = False) -> None:
        """Fetch the current page (count and rows in one read) and fill the table, keeping
        the cursor on its number, or putting it on row ``cursor`` (-1: the last row);
        ``focus``: then focus the table."""
        keep = self.__dict__.pop("_move_to", None) or self._current_key()
        self._loading = True
        try:
            page: NumberPage | None = await self.fetch(
                numbers.number_page, query=self._query or None, offset=self._page * PAGE_SIZE,
                limit=PAGE_SIZE, order=SORTS[self._sort][0],
                expanded=tuple(sorted(self._expanded)) if self.actor.is_admin_view else None)
        finally:
            self._loading = False
        if page is None or not self.is_attached:
            self._awaiting_rows = False
            if focus and self.is_attached:
                self.query_one(NumberTable).focus()
            return
        self._total = page.total
        self._page = page.offset // PAGE_SIZE
        table = self.query_one(NumberTable)
        table.clear()
        self._views.clear()
        self._keys.clear()
        for view in page.views:
            self._add_row(table, view)
        if cursor is not None and table.row_count:
            table.move_cursor(row=cursor % table.row_count, animate=False)
        elif keep is not None and keep in self._views:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self._update_summary()
        self._sync_actions()
        if focus:
            table.focus()
        self._awaiting_rows = False

    @on(NumberTable.Edge)
    def _edge(self, event: NumberTable.Edge) -> None:
        """Arrow key past the page's first or last row: the page before or after."""
        event.stop()
        if self._loading or not 0 <= self._page + event.step < self.pages:
            return
        self._page += event.step
        self.reload(cursor=0 if event.step > 0 else -1)

    def _add_row(self, table: NumberTable, view: NumberView) -> None:
        block = view.block
        if block is not None and self.actor.is_admin_view:
            # R30: the block's row first; its numbers below it only while expanded
            head = f"{BLOCK_ROW_PREFIX}{block.id}"
            if head not in self._views:
                self._views[head] = view
                table.add_row(*self._block_cells(view), key=head)
            if block.id not in self._expanded:
                self._keys.setdefault(view.e164, head)
                return
        key = str(view.id)
        self._views[key] = view
        self._keys[view.e164] = key
        table.add_row(*self._cells(view), key=key)

    def _block_cells(self, v: NumberView) -> list[Any]:
        """R30: the block's row: range, size, the block's state and monthly price."""
        block = v.block
        assert block is not None
        loc = self.actor.locale
        status = NumberStatus(block.status)
        pending = status is NumberStatus.PENDING_DEACTIVATION
        widths = dict(self._layout)
        status_labels = STATUS_LABELS if widths.get("status", 0) >= 24 else STATUS_SHORT
        price = format_money(block.monthly_price_cents, loc)
        in_use = v.in_use
        marker = self.marker_cell(v.e164, pending)
        if not marker.plain:
            marker = Text("▾" if block.id in self._expanded else "▸", style="bold")
        cells: dict[str, Text] = {
            "marker": marker,
            "national": Text(f"{national_form(block.first, v.area_prefix)}–{block.last[-2:]}",
                             style="bold" if status is NumberStatus.ACTIVE else ""),
            "e164": Text(f"{block.first}–{block.last[-2:]}"),
            "area": safe_text(f"{v.area_prefix} {v.area_name}"),
            "kind": Text(self.t("ui.blocks.kind" if widths.get("kind", 0) >= 16
                                else "ui.blocks.kind_short", size=block.size), style="bold"),
            "status": Text(self.t(status_labels[status]), style=_STATUS_STYLE.get(status, "")),
            "date": Text(format_date(block.deactivation_date, loc) if block.deactivation_date
                         else "", style="bold red" if pending else ""),
            "assigned": Text(self.t("ui.blocks.count", size=block.size), style="dim"),
            "price": Text(price if in_use else f"({price})", justify="right",
                          style="" if in_use else "dim"),
        }
        return [cells[key] for key, _ in self._layout]

    def _cells(self, v: NumberView) -> list[Any]:
        """The row's cells for the columns shown."""
        loc = self.actor.locale
        status = NumberStatus(v.status)
        pending = v.pending
        kind = "fax_personal" if v.personal_fax else v.kind
        widths = dict(self._layout)
        status_labels = STATUS_LABELS if widths.get("status", 0) >= 24 else STATUS_SHORT
        price = format_money(v.monthly_price_cents, loc)
        cells: dict[str, Text] = {
            "marker": self.marker_cell(v.e164, pending),  # R27 marks, else "!" if pending
            "national": Text(f"└ {v.national}" if self._nested(v) else v.national,
                             style="bold" if status is NumberStatus.ACTIVE else ""),
            "e164": Text(v.e164),
            "area": safe_text(f"{v.area_prefix} {v.area_name}"),
            "kind": Text(self.t(KIND_LABELS[kind])),
            "status": Text(self.t(status_labels[status]), style=_STATUS_STYLE.get(status, "")),
            "date": self._date_cell(v),
            "assigned": safe_text(v.assigned_name or v.assigned_to or ""),
            # an inactive number costs nothing: its price is what activating would cost
            "price": Text(price if v.in_use else f"({price})", justify="right",
                          style="" if v.in_use else "dim"),
        }
        return [cells[key] for key, _ in self._layout]

    def _date_cell(self, v: NumberView) -> Text:
        """The deactivation date; for a number being ported in (R22/R31) its switch-over
        day as the core gives it: ``→`` the confirmed one, ``?`` after a wished one."""
        loc = self.actor.locale
        if v.porting is not None:
            key = ("ui.numbers.porting_date.confirmed" if v.porting.confirmed
                   else "ui.numbers.porting_date.wished")
            return Text(self.t(key, date=format_date(v.porting.day, loc)),
                        style="yellow" if v.porting.confirmed else "dim yellow")
        return Text(format_date(v.deactivation_date, loc) if v.deactivation_date else "",
                    style="bold red" if v.pending else "")

    def _nested(self, v: NumberView) -> bool:
        """R30: a number shown below its (expanded) block's row."""
        return (v.block is not None and self.actor.is_admin_view
                and f"{BLOCK_ROW_PREFIX}{v.block.id}" in self._views)

    def _update_row(self, table: NumberTable, view: NumberView) -> None:
        key = self._keys.get(view.e164)
        if key is None:
            self._add_row(table, view)
            return
        self._views[key] = view
        if view.block is not None and self.actor.is_admin_view:
            head = f"{BLOCK_ROW_PREFIX}{view.block.id}"
            if head in self._views:  # the block's row shows the block's state
                if key != head:
                    self._views[head] = view
                table.replace_row(head, self._block_cells(view))
            if key == head:
                return
        table.replace_row(key, self._cells(view))

    def _remove_row(self, table: NumberTable, e164: str) -> None:
        key = self._keys.pop(e164, None)
        if key is None:
            return
        self._views.pop(key, None)
        try:
            table.remove_row(key)
        except RowDoesNotExist:
            pass

    def _int(self, value: int) -> str:
        """Thousands separator of the session's language (10.013 / 10,013)."""
        return f"{value:,}".replace(",", "." if self.actor.locale == "de" else ",")

    @property
    def pages(self) -> int:
        return max(1, -(-self._total // PAGE_SIZE))

    def _update_summary(self) -> None:
        shown = len(self._views)
        first = self._page * PAGE_SIZE + 1 if shown else 0
        text = self.t("ui.numbers.count", first=self._int(first),
                      last=self._int(self._page * PAGE_SIZE + shown), total=self._int(self._total),
                      page=self._page + 1, pages=self.pages)
        if self._query:
            text += "  ·  " + self.t("ui.numbers.filtered", query=clean(self._query))
        if not shown:
            text = f"{self.t('ui.numbers.empty')}  {text}"
        column = SORTS[self._sort][1]
        text += "  ·  " + self.t("ui.numbers.sorted_by", column=self.t(COLUMN_LABELS[column]))
        text += self.marks_text()
        self.query_one("#summary", Static).update(text, layout=False)  # one line, fixed height

    # ---------------------------------------------------------------- live updates

    @on(DomainEventMessage)
    def _on_domain_event(self, message: DomainEventMessage) -> None:
        event = message.event
        changed = numbers_in(event)
        if changed:
            versions = event.payload.get("versions")
            room = (not self._query and len(self._views) < PAGE_SIZE
                    and self._page == self.pages - 1)
            # a number neither shown nor able to appear here needs no read (R27: a bulk change
            # of 1,000 numbers cost every open dashboard 1,000 reads)
            stale = [e for e in changed if not self._is_current(e, versions)
                     and (e in self._keys or room)]
            if stale:
                # the events queued now are read together (one read, not one per event)
                pending: list[str] = self.__dict__.setdefault("_live_pending", [])
                if not pending:
                    self.call_later(self._refresh_pending)
                pending.extend(stale)
        elif event.name.startswith(("Number", "Porting")):
            self.reload()

    def _refresh_pending(self) -> None:
        pending = self.__dict__.pop("_live_pending", [])
        if pending:
            self.refresh_numbers(list(dict.fromkeys(pending)))

    def _is_current(self, e164: str, versions: object) -> bool:
        """This session already shows that version (its own action updated the row)."""
        key = self._keys.get(e164)
        version = versions.get(e164) if isinstance(versions, dict) else None
        return key is not None and isinstance(version, int) and self._views[key].version >= version

    @work(group="live")
    async def refresh_numbers(self, e164s: list[str]) -> None:
        """Re-fetch only the changed numbers (one query); a number no longer visible
        leaves the table."""
        try:
            views = await self.core.read(numbers.get_numbers, self.actor, numbers=e164s)
        except DomainError:
            return
        if not self.is_attached:
            return  # the session ended meanwhile
        by_number: dict[str, NumberView] = {v.e164: v for v in views}
        table = self.query_one(NumberTable)
        for e164 in e164s:
            view = by_number.get(e164)
            if view is not None and view.block is not None and e164 not in self._keys:
                if view.block.first == e164 and self.actor.is_admin_view:
                    self.reload()  # R30: a new block: its row belongs where the page says
                continue
            if view is None:
                if e164 in self._keys:
                    self._remove_row(table, e164)
                    self._total = max(0, self._total - 1)
            elif e164 in self._keys:
                self._update_row(table, view)
            elif not self._query and len(self._views) < PAGE_SIZE and self._page == self.pages - 1:
                # newly visible (e.g. just assigned to this employee) and room on the last page
                self._add_row(table, view)
                self._total += 1
        self._update_summary()
        self._sync_actions()

    def on_screen_suspend(self, _: ScreenSuspend) -> None:
        self._missed = False
        self._unwatch()
        self._watch = self.core.bus.subscribe(self._note_event, customer_id=self.actor.customer_id)

    def _note_event(self, event: DomainEvent) -> None:
        if numbers_in(event) or event.name.startswith(("Number", "Porting")):
            self._missed = True

    def on_screen_resume(self, _: ScreenResume) -> None:
        """Back on top: current data if anything changed meanwhile (one page read)."""
        self._unwatch()
        if self._missed:
            self._missed = False
            self.reload()

    def _unwatch(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    def on_unmount(self) -> None:
        self._unwatch()

    # ---------------------------------------------------------------- selection and keys

    def _current_key(self) -> str | None:
        table = self.query_one(NumberTable)
        if not table.row_count:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except RowDoesNotExist:
            return None

    @property
    def selected(self) -> NumberView | None:
        key = self._current_key()
        return self._views.get(key) if key is not None else None

    def _allowed(self, name: str, view: NumberView | None) -> bool:
        """The core's answer (:attr:`NumberView.actions`, on a block's row the block's
        :attr:`BlockInfo.actions`), not a copy of its rules."""
        target = self._target(view)
        return target is not None and target.allows(name)

    def _on_block_row(self) -> bool:
        key = self._current_key()
        return key is not None and key.startswith(BLOCK_ROW_PREFIX)

    def _target(self, view: NumberView | None) -> NumberView | BlockInfo | None:
        """What the row actions ask: the number, or on a block's row the block."""
        if view is not None and view.block is not None and self._on_block_row():
            return view.block
        return view

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        name = str(parameters[0]) if action in ("row_action", "act") and parameters else action
        if name in ADMIN_ACTIONS and not self.actor.is_admin_view:
            return False
        if action == "act":
            return True  # action_act goes through the same checks as the keys
        if action == "page":
            if self.pages == 1:
                return False  # one page: no paging keys in the footer
            step = int(str(parameters[0])) if parameters else 0
            return None if not 0 <= self._page + step < self.pages else True
        return True  # a refused row action still runs its key: it says why

    def _sync_actions(self, *, layout: bool = False) -> None:
        """The action links follow the selected number's state and the page: redrawn only
        when that changed (one Static; the footer does not show these keys)."""
        view = self.selected
        self._sync_location(view)
        state = (
            tuple(self._allowed(name, view) for name, _ in ROW_ACTIONS),
            self._page > 0,
            self._page < self.pages - 1,
        )
        if state == self._action_state:
            return
        self._action_state = state
        # a handful of states per actor (the number's status × first/last page)
        content = self._action_lines.get(state)
        if content is None:
            content = self._action_lines[state] = DrawnOnce(self._action_markup(state))
        self.query_one("#actions", Static).update(content, layout=layout)

    def _sync_location(self, view: NumberView | None) -> None:
        """R29: the selected number's emergency location on one line, redrawn only when
        its text changes (neighbouring numbers of one site share it)."""
        if view is None:
            text = ""
        elif view.emergency_location is not None:
            text = self.t("ui.numbers.location.line", location=clean(view.emergency_location.text))
        elif view.kind == NumberKind.FAX:
            text = self.t("ui.numbers.location.fax")
        else:
            text = self.t("ui.numbers.location.missing")
        line = self.query_one("#location", Static)
        if self._location_text != text:
            self._location_text = text
            line.set_class(view is not None and view.kind == NumberKind.VOICE
                           and view.emergency_location is None, "missing")
            line.update(text, layout=False)

    def _action_markup(self, state: tuple[tuple[bool, ...], bool, bool]) -> Content:
        """The links for one state. The text is the same whatever is enabled (only styles
        and links differ), so its size only changes with the actor."""
        admin = self.actor.is_admin_view
        enabled = dict(zip((name for name, _ in ROW_ACTIONS), state[0], strict=True))
        enabled.update(prev_page=state[1], next_page=state[2])
        lines: list[Content] = []
        if admin:
            lines.append(self._links(ROW_ACTIONS, enabled))
        lines.append(
            self._links(
                [(n, k) for n, k in MORE_ACTIONS if admin or n not in ADMIN_ACTIONS], enabled
            )
        )
        return Content("\n").join(lines)

    def _links(self, actions: Iterable[tuple[str, str]], enabled: dict[str, bool]) -> Content:
        """``Label (key)`` per action: a link to the action, dimmed when not possible
        (clickable all the same: the click says why). Built from styled pieces, not
        markup, so keys like ``[`` stay text (markup showed a literal ``[/]``)."""
        parts: list[tuple[str, str] | str] = []
        for name, key in actions:
            label = f" {self.t(ACTION_LABELS[name])} ({key}) "
            click = f"@click=screen.act('{name}')"
            if not enabled.get(name, True):
                parts.append((label, f"dim {click}"))
            elif name in ("buy",):
                parts.append((label, f"bold white on green {click}"))
            else:
                parts.append((label, f"reverse {click}"))
            parts.append(" ")
        return Content.assemble(*parts[:-1])

    def action_act(self, name: str) -> None:
        """A click on an action link: the same as its key."""
        if name in ("filter", "sort", "buy", "port"):
            getattr(self, f"action_{name}")()
        elif name in ("prev_page", "next_page"):
            self.action_page(-1 if name == "prev_page" else 1)
        elif name in ACTION_LABELS:
            self.action_row_action(name)

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._sync_actions()

    # ---------------------------------------------------------------- blocks (R30)

    def action_toggle_block(self) -> None:
        """``+`` (or Enter on a block's row): show a block's numbers below its row, or
        hide them again; on one of its numbers: hide them."""
        view = self.selected
        if view is None or view.block is None or not self.actor.is_admin_view:
            self.notify(self.t("ui.numbers.select_row"), severity="warning")
            return
        block = view.block.id
        if block in self._expanded:
            self._expanded.discard(block)
        else:
            self._expanded.add(block)
        self._move_to = f"{BLOCK_ROW_PREFIX}{block}"
        self.reload()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if str(event.row_key.value).startswith(BLOCK_ROW_PREFIX):
            event.stop()
            self.action_toggle_block()

    # ---------------------------------------------------------------- filter and sort

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.disabled = False
        box.add_class("visible")
        box.focus()

    @property
    def holds_typeahead(self) -> bool:
        """Keys typed while a filter's rows or another page are fetched wait for them
        (tui.typeahead): the rows on show are the old ones (and after a filter the filter
        box still has the focus)."""
        return self._awaiting_rows

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._query = event.value.strip()
        self._page = 0
        self._awaiting_rows = True  # until reload() showed the result and focused the table
        if not self._query:
            self._hide_filter()
        # the table takes the focus once it holds the result: focusing it now would redraw
        # the old page (new focus style) while the query runs
        self.reload(focus=True)

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus or self._query:
            box.value = ""
            self._hide_filter()
            if self._query:
                self._query = ""
                self._page = 0
                self.reload()

    def _hide_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("visible")
        box.disabled = True
        self.query_one(NumberTable).focus()

    def action_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        self._page = 0
        self.reload()

    def action_page(self, step: int) -> None:
        if 0 <= self._page + step < self.pages:
            self._page += step
            self._awaiting_rows = True  # "]a": the "a" is for the next page's row
            self.query_one(NumberTable).move_cursor(row=0, animate=False)
            self.reload()
        else:
            self.notify(self.t("ui.numbers.first_page" if step < 0 else "ui.numbers.last_page"))

    # ---------------------------------------------------------------- actions

    def action_row_action(self, name: str) -> None:
        if self.bulk_action(name):  # R27: numbers are marked, the action is for all of them
            return
        view = self.selected
        if view is None:
            self.notify(self.t("ui.numbers.select_row"), severity="warning")
            return
        target = self._target(view)
        refusal = target.refusal(name) if target is not None else None
        if refusal is not None:
            self.notify(clean(refusal), severity="warning")
            return
        if name == "activate":
            self.app.push_screen(ActivateDialog(view), self._activated)
        elif name == "deactivate":
            self.app.push_screen(DeactivateDialog(view), self._deactivated)
        elif name == "undo":
            self.app.push_screen(UndoDeactivationDialog(view), self._undone)
        elif name == "swap":
            self.app.push_screen(SwapDialog(view), self._swapped)
        elif name == "assign":
            self.app.push_screen(AssignDialog(view), self._assigned)
        elif name == "fax":
            self.app.push_screen(FaxCredentialsDialog(view), self._fax_sent)
        elif name == "forwarding":
            self.app.push_screen(ForwardingDialog(view), self._forwarded)
        elif name == "location":
            self.app.push_screen(LocationDialog(view), self._located)

    def _show(self, *views: NumberView) -> None:
        table = self.query_one(NumberTable)
        for view in views:
            self._update_row(table, view)
        self._update_summary()
        self._sync_actions()

    def _activated(self, view: NumberView | None) -> None:
        if view is not None:
            self._show(view)
            if view.block is not None:  # R30: the whole block (its rows follow the events)
                self.notify(self.t("ui.blocks.activate.done", block=view.block.national,
                                   count=view.block.size))
                return
            self.notify(self.t("ui.numbers.activate.done", number=view.national))

    def _deactivated(self, view: NumberView | None) -> None:
        if view is not None:
            self._show(view)
            date = format_date(view.deactivation_date, self.actor.locale)
            if view.block is not None:
                self.notify(self.t("ui.blocks.deactivate.done", block=view.block.national,
                                   count=view.block.size, date=date))
                return
            self.notify(self.t("ui.numbers.deactivate.done", number=view.national, date=date))

    def _undone(self, view: NumberView | None) -> None:
        if view is not None:
            self._show(view)
            if view.block is not None:
                self.notify(self.t("ui.blocks.undo.done", block=view.block.national,
                                   count=view.block.size))
                return
            self.notify(self.t("ui.numbers.undo.done", number=view.national))

    def _swapped(self, result: SwapResult | None) -> None:
        if result is None:
            return
        self._show(result.old, result.new)
        self.notify(
            self.t("ui.numbers.swap.done", old=result.old.national, new=result.new.national)
        )
        # R13: the new number starts unconfigured; offer forwarding to an IP device
        self.app.push_screen(ForwardingDialog(result.new, after_swap=True), self._forwarded)

    def _assigned(self, view: NumberView | None) -> None:
        if view is not None:
            self._show(view)
            self.notify(self.t("ui.numbers.assign.done", number=view.national,
                               user=clean(view.assigned_name or view.assigned_to)))

    def _fax_sent(self, result: FaxSendResult | None) -> None:
        if result is not None:
            self.notify(
                self.t("ui.numbers.fax.done", users=", ".join(clean(u) for u in result.recipients))
            )

    def _forwarded(self, view: NumberView | None) -> None:
        if view is not None:
            self._show(view)
            self.notify(self.t("ui.numbers.forwarding.done", number=view.national))

    def _located(self, view: NumberView | None) -> None:
        if view is not None:
            self._show(view)
            location = view.emergency_location.text if view.emergency_location else "–"
            self.notify(self.t("ui.numbers.location.done", number=view.national,
                               location=clean(location)))

    def action_buy(self) -> None:
        """"Rufnummern kaufen": the ordering screen of the areas module."""
        try:
            from screens.areas import AreasScreen
        except ImportError:
            self.notify(self.t("ui.numbers.not_available"), severity="warning")
            return
        self.app.push_screen(AreasScreen())

    def action_port(self) -> None:
        """"Rufnummern portieren": the porting screen."""
        try:
            from screens.porting import PortingScreen
        except ImportError:
            self.notify(self.t("ui.numbers.not_available"), severity="warning")
            return
        self.app.push_screen(PortingScreen())
