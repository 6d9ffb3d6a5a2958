"""Archiv (key 4): the customer's audit log, newest first, filterable with ``/`` (R17).

Admins (and support acting for the customer) see every event, including support
actions with their reason, source address and key fingerprint; employees see only
their own actions (decided in :mod:`core.services.audit`). New events appear live.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Static

from core.i18n import CATALOG, format_datetime
from core.services import audit
from core.services.audit import AuditView
from screens.base import PortalScreen, portal_footer
from tui.messages import DomainEventMessage
from tui.sanitize import clean, safe_text
from tui.widgets.header import SessionHeader
from tui.widgets.table_screen import selected_key

COLUMNS: tuple[tuple[str, str], ...] = (
    ("at", "ui.audit.col.at"),
    ("user", "ui.audit.col.user"),
    ("action", "ui.audit.col.action"),
    ("target", "ui.audit.col.target"),
    ("support", "ui.audit.col.support"),
    ("source", "ui.audit.col.source"),
    ("key", "ui.audit.col.key"),
)
FILTER_DELAY = 0.25
"""Seconds of typing pause before the filter queries (not one query per keystroke)."""
PAGE = 200
"""Events fetched per page; ``m`` loads the next page."""


class AuditScreen(PortalScreen):
    """The audit log as a table with a detail line for the highlighted event."""

    CSS_PATH = "audit.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filtern", id="ui.audit.key.filter"),
        Binding("m", "more", "Mehr laden", id="ui.audit.key.more"),
        Binding("ctrl+r", "reload", "Neu laden", id="ui.audit.key.reload", show=False),
        Binding("escape", "clear_filter", "Filter leeren", id="ui.audit.key.clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.events: dict[str, AuditView] = {}
        """The loaded events, by row key (event id as text), newest first."""
        self.limit = PAGE
        """How many events are shown; grows by a page with ``m``."""
        self.exhausted = False
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        yield Static("", classes="hint", id="scope")
        yield Input(placeholder=self.t("ui.audit.filter_placeholder"), id="filter", max_length=100)
        yield DataTable(cursor_type="row", zebra_stripes=True, id="events")
        yield Static("", id="detail")
        with Horizontal(classes="button-row"):
            yield Button(self.t("ui.audit.button.filter"), id="filter-button")
            yield Button(self.t("ui.audit.button.more"), id="more")
            yield Button(self.t("ui.audit.button.reload"), id="reload")
        yield portal_footer()

    def on_mount(self) -> None:
        self.label_bindings("ui.")
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(self.t(label), key=key)
        self.apply_actor()
        table.focus()

    def apply_actor(self) -> None:
        self.query_one(SessionHeader).show(self.actor, self.t("ui.nav.audit"))
        scope = "ui.audit.scope.all" if self.actor.is_admin_view else "ui.audit.scope.own"
        self.query_one("#scope", Static).update(self.t(scope))
        self.limit = PAGE
        self.reload()

    @work(exclusive=True, group="load")
    async def reload(self, jump_to: int | None = None) -> None:
        """Fetch the events again; the cursor stays on the selected event (or goes to row
        ``jump_to``: the first row "Mehr laden" added) and is scrolled into view."""
        query = self.query_one("#filter", Input).value
        events = await self.fetch(audit.list_events, query=query or None, limit=self.limit)
        if events is None:
            return
        self.exhausted = len(events) < self.limit
        self.query_one("#more", Button).disabled = self.exhausted
        self.events = {str(e.id): e for e in events}
        table = self.query_one(DataTable)
        current = selected_key(table)
        table.clear()
        loc = self.actor.locale
        for event in events:
            table.add_row(
                format_datetime(event.at, loc),
                self.user_text(event),
                self.action_label(event.action),
                safe_text(event.target_text or event.target),
                Text(clean(event.reason or "–"), style="bold yellow")
                if event.via_support
                else Text(""),
                safe_text(event.source_address or ""),
                safe_text(self.short_fingerprint(event.key_fingerprint)),
                key=str(event.id),
            )
        if jump_to is not None and jump_to < table.row_count:
            table.move_cursor(row=jump_to, scroll=True)
        elif current in self.events:
            table.move_cursor(row=table.get_row_index(current), scroll=True)
        else:
            table.move_cursor(row=0)
            table.scroll_home(animate=False)
        if not events:
            self.query_one("#detail", Static).update(self.t("ui.audit.empty"))
        else:
            self.show_detail()

    def user_text(self, event: AuditView) -> Text:
        role_key = f"role.{event.actor_role}"
        role = self.t(role_key) if role_key in CATALOG else self.t("ui.audit.role.system")
        return Text(f"{clean(event.actor_username)} ({role})",
                    style="yellow" if event.via_support else "")

    def action_label(self, action: str) -> str:
        """Known actions have a label (``audit.action.<code>``); others a neutral word, never
        their code (SPEC §8)."""
        key = f"audit.action.{action}"
        return self.t(key) if key in CATALOG else self.t("audit.action.other")

    @staticmethod
    def short_fingerprint(fingerprint: str | None) -> str:
        if not fingerprint:
            return ""
        return fingerprint if len(fingerprint) <= 20 else f"{fingerprint[:19]}…"

    @on(DataTable.RowHighlighted)
    def show_detail(self) -> None:
        key = selected_key(self.query_one(DataTable))
        event = self.events.get(key) if key else None
        if event is None:
            return
        text = Text()
        text.append(self.action_label(event.action), style="bold")
        if event.via_support:
            text.append("  ")
            text.append(
                self.t("ui.audit.support_line", reason=clean(event.reason or "–")), style="yellow"
            )
        if event.key_fingerprint:
            text.append(f"  {clean(event.key_fingerprint)}", style="dim")
        if event.description:
            text.append("\n")
            text.append(clean(event.description))
        self.query_one("#detail", Static).update(text)

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.limit = PAGE
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self.reload)

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(Button.Pressed, "#filter-button")
    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(Button.Pressed, "#more")
    def action_more(self) -> None:
        if not self.exhausted:
            self.limit += PAGE
            self.reload(jump_to=self.query_one(DataTable).row_count)

    def action_clear_filter(self) -> None:
        """Esc: clear a set filter (and show everything again)."""
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
            if self._filter_timer is not None:
                self._filter_timer.stop()
            self.limit = PAGE
            self.reload()
        self.query_one(DataTable).focus()

    @on(Button.Pressed, "#reload")
    def action_reload(self) -> None:
        self.reload()

    def on_domain_event_message(self, message: DomainEventMessage) -> None:
        if message.event.name == "AuditRecorded":
            self.reload()
