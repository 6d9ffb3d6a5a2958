"""Fristen (key 5, SPEC R22): everything that will happen by itself, by date, with one key
(``u``) to undo or cancel the selected entry where that is possible.

What is listed, for whom, and which entry allows what (or why not) is decided in
:mod:`core.services.deadlines`; this screen shows it, asks for confirmation and calls
:func:`core.services.deadlines.resolve`. It re-fetches on the domain events that change a
deadline (from this or another session).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import ScreenResume, ScreenSuspend
from textual.timer import Timer
from textual.widgets import Button, DataTable, Static

from core.errors import DomainError
from core.i18n import format_date
from core.services import approvals, deadlines
from core.services.deadlines import Deadline
from screens.approvals import ApprovalsScreen
from screens.base import PortalMixin, PortalTableScreen, portal_footer
from tui.messages import DomainEventMessage
from tui.sanitize import clean, safe_text
from tui.widgets.dialog import Dialog
from tui.widgets.header import SessionHeader
from tui.widgets.table_screen import selected_key

COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "ui.deadlines.col.date"),
    ("days", "ui.deadlines.col.days"),
    ("kind", "ui.deadlines.col.kind"),
    ("object", "ui.deadlines.col.object"),
    ("detail", "ui.deadlines.col.detail"),
)
EVENTS: tuple[str, ...] = (
    "NumberDeactivation", "NumberDeactivated", "NumbersSwapped", "NumberAssigned",
    "NumbersUnassigned", "PinLetter", "PinAttempt", "AreaVerified", "PortingOrder",
    "CredentialReset", "Approval",
)
"""Prefixes of the domain events after which the list is fetched again."""
REFRESH_SLACK = 1.0
"""Seconds after a day ends or an entry's time passes before the list is fetched again."""
KIND_STYLES: dict[str, str] = dict(zip(
    deadlines.KINDS, ("yellow", "cyan", "magenta", "red", "green"), strict=True))
"""A colour per deadline kind, in the order of core's KINDS (deactivation, PIN letter,
porting, reset, approval)."""


def action_word(entry: Deadline) -> str:
    """The texts' key part for the entry's action: ``undo``, ``cancel`` (a scheduled reset)
    or ``cancel_porting`` (R31: a submitted porting order)."""
    if entry.action == deadlines.UNDO:
        return "undo"
    return "cancel_porting" if entry.kind == deadlines.KIND_PORTING else "cancel"


DONE_KEYS: dict[str, str] = {
    "undo": "ui.deadlines.undone",
    "cancel": "ui.deadlines.cancelled",
    "cancel_porting": "ui.deadlines.porting_cancelled",
}
"""The notification after the action, by :func:`action_word`."""


class ResolveDialog(PortalMixin, Dialog[str]):
    """Confirm undoing or cancelling one entry; the write runs in the dialog."""

    CSS_PATH = "deadlines.tcss"
    CONFIRM_VARIANT = "warning"

    def __init__(self, entry: Deadline) -> None:
        super().__init__()
        self.entry = entry

    def _word(self) -> str:
        return action_word(self.entry)

    def title_text(self) -> str:
        return self.t(f"ui.deadlines.{self._word()}.title")

    def confirm_text(self) -> str:
        return self.t(f"ui.deadlines.{self._word()}.confirm")

    def cancel_text(self) -> str:
        return self.t("ui.deadlines.back")

    def body(self) -> ComposeResult:
        entry = self.entry
        yield Static(Text(self.t(
            f"ui.deadlines.{self._word()}.question", object=clean(entry.object),
            detail=clean(entry.detail), date=format_date(entry.date, self.actor.locale),
        )), classes="dialog-text")

    async def confirm(self) -> str | None:
        try:
            # write() asks support staff for a reason (ticket id) and retries with it
            return await self.write(deadlines.resolve, key=self.entry.key,
                                    version=self.entry.version)
        except DomainError as error:  # changed meanwhile: say why, close
            self.show_error(error)
            self.dismiss(None)
            return None


class DeadlinesScreen(PortalTableScreen):
    """The deadlines as a table, the selected entry's action (or why there is none) below."""

    CSS_PATH = "deadlines.tcss"
    TITLE_KEY = "ui.nav.deadlines"
    COLUMNS = COLUMNS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "resolve", "Zurücknehmen", id="ui.deadlines.key.resolve"),
        Binding("ctrl+r", "reload", "Neu laden", id="ui.deadlines.key.reload", show=False),
        Binding("a", "approvals", "Freigaben", id="ui.approvals.key.open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, Deadline] = {}
        """The entries as last fetched, by row key (:attr:`Deadline.key`)."""
        self._tick: Timer | None = None
        """Fetches again when the list changes by time alone (:func:`deadlines.next_change`)."""
        self._left = False
        """Another screen or mode came on top: events went past this screen meanwhile (the
        App hands them to the current mode's screens only), so it re-fetches on return."""

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        yield Static("", classes="hint", id="scope")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="deadlines")
        yield Static("", id="why")
        with Horizontal(classes="button-row"):
            yield Button(self.t("ui.deadlines.button.resolve"), id="resolve", variant="warning")
            yield Button(self.t("ui.deadlines.button.reload"), id="reload")
        yield portal_footer()

    def show_header(self) -> None:
        super().show_header()
        scope = "ui.deadlines.scope.all" if self.actor.is_admin_view else "ui.deadlines.scope.own"
        # an employee can never undo or cancel (core): the hint does not promise ``u``
        may_resolve = deadlines.may_resolve(self.actor)
        hint = "ui.deadlines.hint" if may_resolve else "ui.deadlines.hint.view"
        self.query_one("#scope", Static).update(f"{self.t(scope)} {self.t(hint)}")
        self.query_one("#resolve", Button).display = may_resolve

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys the actor's role can never use are not offered (core decides: an employee
        neither undoes deadlines nor sees approvals); pressed anyway, the App says why."""
        if action == "resolve" and not deadlines.may_resolve(self.actor):
            return False
        if action == "approvals" and not approvals.may_list_now(self.actor):
            return False  # never (employee) or not in this view mode: pressed, says why
        return super().check_action(action, parameters)

    def days_text(self, entry: Deadline) -> Text:
        text = deadlines.days_text(entry.days_left, self.actor.locale)
        if entry.days_left < 0:
            return Text(text, style="bold red")
        if entry.days_left == 0:
            return Text(text, style="bold yellow")
        return Text(text, style="bold" if entry.days_left <= 7 else "")

    @work(exclusive=True, group="load")
    async def reload(self) -> None:
        found = await self.fetch(deadlines.list_deadlines)
        if found is None:
            return
        self.entries = {e.key: e for e in found}
        table = self.query_one(DataTable)
        current = selected_key(table)
        table.clear()
        loc = self.actor.locale
        for entry in found:
            table.add_row(
                format_date(entry.date, loc),
                self.days_text(entry),
                Text(self.t(f"deadlines.kind.{entry.kind}"),
                     style=KIND_STYLES.get(entry.kind, "")),
                safe_text(entry.object),
                safe_text(entry.detail),
                key=entry.key,
            )
        if current in self.entries:
            table.move_cursor(row=table.get_row_index(current))
        self.show_selected()
        self._schedule_tick(found)

    def _schedule_tick(self, found: list[Deadline]) -> None:
        if self._tick is not None:
            self._tick.stop()
        now = self.core.clock.now()
        delay = (deadlines.next_change(now, found) - now).total_seconds() + REFRESH_SLACK
        self._tick = self.set_timer(delay, self.reload)

    def selected(self) -> Deadline | None:
        key = selected_key(self.query_one(DataTable))
        return self.entries.get(key) if key else None

    @on(DataTable.RowHighlighted)
    def show_selected(self) -> None:
        entry = self.selected()
        why = self.query_one("#why", Static)
        if entry is None:
            why.update(self.t("ui.deadlines.empty") if not self.entries else "")
            return
        if entry.action is not None:
            word = action_word(entry)
            why.update(Text(f"u: {self.t(f'ui.deadlines.{word}.confirm')}", style="bold"))
        else:
            why.update(Text(clean(entry.refusal or ""), style="dim"))

    @on(Button.Pressed, "#resolve")
    def action_resolve(self) -> None:
        """``u``: undo or cancel the selected entry after confirmation; else say why not."""
        entry = self.selected()
        if entry is None:
            self.app.bell()
            self.notify(self.t("ui.deadlines.nothing_selected"), severity="warning")
            return
        if entry.action is None:
            self.app.bell()
            self.notify(clean(entry.refusal or ""), severity="warning")
            return
        self.app.push_screen(ResolveDialog(entry), self._resolved(entry))

    def _resolved(self, entry: Deadline) -> Callable[[str | None], None]:
        def done(result: str | None) -> None:
            if result is None:
                return
            self.notify(self.t(DONE_KEYS[action_word(entry)], object=clean(entry.object)))
            self.reload()
        return done

    def action_approvals(self) -> None:
        """``a``: the customer's open four-eyes requests (R21), to approve or reject."""
        self.app.push_screen(ApprovalsScreen())

    @on(Button.Pressed, "#reload")
    def reload_pressed(self) -> None:
        self.reload()

    def on_screen_suspend(self, _: ScreenSuspend) -> None:
        self._left = True

    def on_screen_resume(self, _: ScreenResume) -> None:
        """Back in sight: fetch again (one small read; days left may have changed too)."""
        if self._left:
            self._left = False
            self.reload()

    def on_domain_event_message(self, message: DomainEventMessage) -> None:
        if message.event.name.startswith(EVENTS):
            self.reload()
