"""Porting orders (Rufnummern portieren, R16, R31): the list with each order's state and
carrier date, the highlighted order's timeline with its comments, the form for a new order,
``c`` to comment and ``s`` to cancel a submitted order. Pushed by the number dashboard's
"Rufnummern portieren" button.

The rules (verified area, E.164 numbers of that area, 15 working days lead time, states,
who may cancel or comment) live in :mod:`core.services.porting`: whether an order can be
cancelled is the view's :meth:`~core.services.porting.PortingOrderView.allows`, never a
state compared here; the form only parses what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Select, Static

from core.errors import DomainError, ValidationError
from core.i18n import format_date, format_datetime
from core.services import areas, porting
from core.services.porting import PortingOrderView
from screens.areas import FormDialog
from screens.base import PortalMixin, PortalTableScreen, portal_footer
from tui.messages import DomainEventMessage
from tui.sanitize import clean, safe_text
from tui.widgets.dialog import Dialog
from tui.widgets.header import SessionHeader
from tui.widgets.table_screen import selected_key

COLUMNS: tuple[tuple[str, str], ...] = (
    ("ref", "ui.porting.col.ref"),
    ("area", "ui.porting.col.area"),
    ("numbers", "ui.porting.col.numbers"),
    ("provider", "ui.porting.col.provider"),
    ("wished", "ui.porting.col.wished"),
    ("date", "ui.porting.col.date"),
    ("status", "ui.porting.col.status"),
)
STATUS_STYLES: dict[str, str] = dict(zip(
    porting.STATUS_LABELS, ("yellow", "cyan", "green", "red", "dim"), strict=True))
"""A colour per state, in the order of core's states (submitted, confirmed, completed,
rejected, cancelled)."""


def split_numbers(value: str) -> list[str]:
    """Numbers separated by commas, semicolons or line breaks (spaces inside a number stay)."""
    return [part.strip() for part in re.split(r"[,;\n]+", value) if part.strip()]


class CreatePortingDialog(FormDialog[PortingOrderView]):
    """Numbers, old provider, account holder and wished date for a new porting order."""

    CSS_PATH = "porting.tcss"
    TITLE_KEY = "ui.porting.create.title"
    CONFIRM_KEY = "ui.porting.create.confirm"

    def __init__(self, verified: list[tuple[str, str]], earliest: date) -> None:
        super().__init__()
        self.verified = verified
        """``(prefix, name)`` of the customer's verified areas."""
        self.earliest = earliest

    def body(self) -> ComposeResult:
        loc = self.actor.locale
        yield Static(
            self.t("ui.porting.create.info", days=porting.MIN_WORKING_DAYS,
                   date=format_date(self.earliest, loc)),
            classes="hint",
        )
        yield Static(self.t("ui.porting.create.area"))
        yield Select(
            [(f"{prefix} {clean(name)}", prefix) for prefix, name in self.verified],
            value=self.verified[0][0] if self.verified else Select.NULL,
            allow_blank=not self.verified,
            id="area",
        )
        yield Static(self.t("ui.porting.create.numbers"))
        yield Input(placeholder="030 1234567, 030 1234568", id="numbers", max_length=2000)
        yield Static(self.t("ui.porting.create.provider"))
        yield Input(max_length=porting.MAX_TEXT, id="provider")
        yield Static(self.t("ui.porting.create.holder"))
        yield Input(
            value=clean(self.actor.customer_name or ""), max_length=porting.MAX_TEXT, id="holder"
        )
        yield Static(self.t("ui.porting.create.date"))
        yield Input(value=format_date(self.earliest, "de"), id="wished", max_length=20)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#numbers", Input).focus()

    async def submit(self) -> PortingOrderView | None:
        area = self.query_one("#area", Select).value
        try:
            # TT.MM.JJJJ, ISO, "frühestens" or "+20wd" (working days), read by the core
            wished = porting.parse_wished_date(self.query_one("#wished", Input).value,
                                               self.core.clock.today())
        except ValidationError as error:
            self.show_error(error)
            return None
        return await self.call(
            porting.create_order,
            area=area if isinstance(area, str) else "",
            numbers=split_numbers(self.query_one("#numbers", Input).value),
            old_provider=self.query_one("#provider", Input).value,
            account_holder=self.query_one("#holder", Input).value,
            wished_date=wished,
        )


class CommentDialog(PortalMixin, Dialog[PortingOrderView]):
    """R31: a comment on one order (the write asks support for a reason)."""

    def __init__(self, order: PortingOrderView) -> None:
        super().__init__()
        self.order = order

    def title_text(self) -> str:
        return self.t("ui.porting.comment.title", ref=clean(ref_of(self.order)))

    def confirm_text(self) -> str:
        return self.t("ui.porting.comment.confirm")

    def cancel_text(self) -> str:
        return self.t("ui.porting.dialog.back")

    def body(self) -> ComposeResult:
        yield Static(self.t("ui.porting.comment.info", max=porting.MAX_COMMENT),
                     classes="dialog-text")
        yield Input(placeholder=self.t("ui.porting.comment.placeholder"),
                    max_length=porting.MAX_COMMENT, id="comment")

    def on_mount(self) -> None:
        self.query_one("#comment", Input).focus()

    async def confirm(self) -> PortingOrderView | None:
        text = self.query_one("#comment", Input).value
        if not text.strip():
            self.show_inline(self.t("error.porting.comment_required"))
            return None
        try:
            return await self.write(porting.add_comment, order_id=self.order.id, text=text)
        except ValidationError as error:  # too long, control characters: fix and retry
            self.show_inline(error.render(self.actor.locale))
            return None
        except DomainError as error:
            self.show_error(error)
            self.dismiss(None)
            return None


class CancelPortingDialog(PortalMixin, Dialog[PortingOrderView]):
    """R31: confirm cancelling a submitted order; the write runs here."""

    CONFIRM_VARIANT = "warning"

    def __init__(self, order: PortingOrderView) -> None:
        super().__init__()
        self.order = order

    def title_text(self) -> str:
        return self.t("ui.porting.cancel.title", ref=clean(ref_of(self.order)))

    def confirm_text(self) -> str:
        return self.t("ui.porting.cancel.confirm")

    def cancel_text(self) -> str:
        return self.t("ui.porting.dialog.back")

    def body(self) -> ComposeResult:
        yield Static(Text(self.t(
            "ui.porting.cancel.question", numbers=clean(", ".join(self.order.numbers)),
            provider=clean(self.order.old_provider),
        )), classes="dialog-text")

    async def confirm(self) -> PortingOrderView | None:
        try:
            return await self.write(porting.cancel_order, order_id=self.order.id,
                                    expected_version=self.order.version)
        except DomainError as error:  # confirmed meanwhile: say why, close
            self.show_error(error)
            self.dismiss(None)
            return None


def ref_of(order: PortingOrderView) -> str:
    return order.reference


class PortingScreen(PortalTableScreen):
    """The customer's porting orders, newest first, with the highlighted order's timeline."""

    CSS_PATH = "porting.tcss"
    TITLE_KEY = "ui.porting.title"
    COLUMNS = COLUMNS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "create", "Neuer Auftrag", id="ui.porting.key.create", show=False),
        Binding("c", "comment", "Kommentar", id="ui.porting.key.comment", show=False),
        Binding("s", "cancel_order", "Stornieren", id="ui.porting.key.cancel", show=False),
        Binding("ctrl+r", "reload", "Neu laden", id="ui.porting.key.reload"),
        Binding("escape", "back", "Zurück", id="ui.porting.key.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[str, PortingOrderView] = {}
        """The orders as last fetched, by row key (order id as text)."""
        self.focus_key: str | None = None
        """Row to highlight after the next reload (a just created order)."""

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        yield Static(self.t("ui.porting.hint"), classes="hint")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="orders")
        yield Static("", id="timeline")
        with Horizontal(classes="button-row"):
            yield Button(self.t("ui.porting.button.create"), id="create", variant="success")
            yield Button(self.t("ui.porting.button.comment"), id="comment")
            yield Button(self.t("ui.porting.button.cancel"), id="cancel-order", variant="warning")
            yield Button(self.t("ui.porting.button.back"), id="back")
        yield portal_footer()

    def status_text(self, status: str) -> Text:
        key = porting.STATUS_LABELS.get(status)
        label = self.t(key) if key else clean(status)
        return Text(label, style=STATUS_STYLES.get(status, ""))

    def date_text(self, order: PortingOrderView) -> Text:
        """The carrier's date once confirmed, marked when it is not the wished one."""
        if order.confirmed_date is None:
            return Text("–", style="dim")
        shown = format_date(order.confirmed_date, self.actor.locale)
        if order.date_differs:
            return Text(self.t("ui.porting.date_differs", date=shown), style="bold yellow")
        return Text(shown)

    @work(exclusive=True, group="load")
    async def reload(self) -> None:
        orders = await self.fetch(porting.list_orders)
        if orders is None:
            return
        self.orders = {str(o.id): o for o in orders}
        table = self.query_one(DataTable)
        current, self.focus_key = self.focus_key or selected_key(table), None
        table.clear()
        loc = self.actor.locale
        for order in orders:
            shown = ", ".join(order.numbers[:2]) + (" …" if len(order.numbers) > 2 else "")
            table.add_row(
                safe_text(order.reference),
                order.area,
                safe_text(f"{len(order.numbers)}: {shown}"),
                safe_text(order.old_provider),
                format_date(order.wished_date, loc),
                self.date_text(order),
                self.status_text(order.status),
                key=str(order.id),
            )
        if current in self.orders:
            table.move_cursor(row=table.get_row_index(current))
        self.show_timeline()

    def selected(self) -> PortingOrderView | None:
        key = selected_key(self.query_one(DataTable))
        return self.orders.get(key) if key else None

    @on(DataTable.RowHighlighted)
    def show_timeline(self) -> None:
        order = self.selected()
        widget = self.query_one("#timeline", Static)
        if order is None:
            widget.update(self.t("ui.porting.empty"))
            return
        loc = self.actor.locale
        text = Text()
        text.append(self.t("ui.porting.timeline", ref=clean(ref_of(order))), style="bold")
        text.append("\n")
        text.append(self.t("ui.porting.detail", holder=clean(order.account_holder),
                           numbers=", ".join(order.numbers)))
        if order.date_differs:
            text.append("\n")
            text.append(self.t("ui.porting.other_date",
                               date=format_date(order.confirmed_date, loc),
                               wished=format_date(order.wished_date, loc)), style="bold yellow")
        for event in order.timeline:
            text.append(f"\n  {format_datetime(event.at, loc)}  ")
            if event.is_comment:
                text.append(self.t("ui.porting.comment_by", author=clean(event.author or "–"),
                                   role=self.t(f"role.{event.author_role}")), style="magenta")
                text.append(f" {clean(event.note)}")
                continue
            text.append_text(self.status_text(event.status))
            note = clean(event.note_text(loc))
            if note:
                text.append(f" – {note}")
        if order.reject_code:
            text.append("\n")
            text.append(self.t("ui.porting.reject_line", code=order.reject_code_text(loc),
                               text=clean(order.reason_text(loc))), style="red")
        elif order.next_step_at is not None:
            text.append("\n")
            text.append(
                self.t("ui.porting.next_step", date=format_datetime(order.next_step_at, loc)),
                style="dim",
            )
        text.append("\n")
        why = order.refusal(porting.ACTION_CANCEL)
        text.append(self.t("ui.porting.keys_hint") if why is None else clean(why), style="dim")
        widget.update(text)

    def on_domain_event_message(self, message: DomainEventMessage) -> None:
        if message.event.name.startswith(("PortingOrder", "AreaVerified")):
            self.reload()

    @on(Button.Pressed, "#comment")
    def action_comment(self) -> None:
        """``c``: a comment on the highlighted order (R31)."""
        order = self.selected()
        if order is None:
            self.app.bell()
            return
        if not order.allows(porting.ACTION_COMMENT):
            self.app.bell()
            self.notify(clean(order.refusal(porting.ACTION_COMMENT) or ""), severity="warning")
            return
        self.app.push_screen(CommentDialog(order), self._changed("ui.porting.commented"))

    @on(Button.Pressed, "#cancel-order")
    def action_cancel_order(self) -> None:
        """``s``: cancel the highlighted order after a confirmation, or say why not (R31)."""
        order = self.selected()
        if order is None:
            self.app.bell()
            return
        if not order.allows(porting.ACTION_CANCEL):
            self.app.bell()
            self.notify(clean(order.refusal(porting.ACTION_CANCEL) or ""), severity="warning")
            return
        self.app.push_screen(CancelPortingDialog(order), self._changed("ui.porting.cancelled"))

    def _changed(self, key: str) -> Callable[[PortingOrderView | None], None]:
        def done(order: PortingOrderView | None) -> None:
            if order is not None:
                self.focus_key = str(order.id)
                self.notify(self.t(key, ref=clean(ref_of(order))))
                self.reload()
        return done

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        self._open_create()

    @work(exclusive=True, group="create")
    async def _open_create(self) -> None:
        views = await self.fetch(areas.list_areas)
        if views is None:
            return
        verified = [(v.prefix, v.name) for v in views if v.verified]
        if not verified:
            self.notify(self.t("ui.porting.no_verified_area"), severity="warning")
            return
        earliest = porting.earliest_wished_date(self.core.clock.today())
        self.app.push_screen(CreatePortingDialog(verified, earliest), self._created)

    def _created(self, order: PortingOrderView | None) -> None:
        if order is not None:
            self.focus_key = str(order.id)
            self.notify(self.t("ui.porting.created", ref=clean(ref_of(order)),
                               date=format_date(order.wished_date, self.actor.locale)))
            self.reload()
