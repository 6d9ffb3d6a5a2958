"""Local areas (Ortsnetze): verify an address by PIN letter and buy numbers (R16).

Pushed by the number dashboard's "Rufnummern kaufen" button. The table lists every
local area with the customer's verification state and the latest PIN letter; the row
actions request a letter, enter its PIN and order numbers. All rules live in
:mod:`core.services.areas`; this screen only shows them and their refusals.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Select, Static

from core.errors import DomainError
from core.i18n import format_date, format_datetime, format_money
from core.services import areas, number_blocks
from core.services.areas import AreaView, PinLetterView
from screens.base import PortalMixin, PortalTableScreen, portal_footer
from tui.messages import DomainEventMessage
from tui.sanitize import clean, safe_text
from tui.widgets.dialog import Dialog
from tui.widgets.header import SessionHeader
from tui.widgets.table_screen import selected_key

T = TypeVar("T")

AREA_EVENTS = frozenset(
    {
        "PinLetterRequested",
        "PinLetterExpired",
        "PinLetterInvalidated",
        "PinAttemptFailed",
        "AreaVerified",
        "NumbersOrdered",
        "AreaOperatorNoteSet",
    }
)
"""Bus events after which the area table is re-fetched (also from other sessions)."""


COLUMNS: tuple[tuple[str, str], ...] = (
    ("prefix", "ui.areas.col.prefix"),
    ("name", "ui.areas.col.name"),
    ("state", "ui.areas.col.state"),
    ("address", "ui.areas.col.address"),
    ("numbers", "ui.areas.col.numbers"),
)
LETTER_LABELS: dict[str, str] = {
    "outstanding": "ui.areas.letter.outstanding",
    "verified": "ui.areas.letter.verified",
    "invalidated": "ui.areas.letter.invalidated",
    "expired": "ui.areas.letter.expired",
}
FAILED_STATES: dict[str, str] = {
    "invalidated": "ui.areas.state.invalidated",
    "expired": "ui.areas.state.expired",
}


class FormDialog(PortalMixin, Dialog[T], Generic[T]):
    """Title, explanation, fields, confirm and cancel: the frame of every form here, on the
    kit's :class:`~tui.widgets.dialog.Dialog` (Enter and ctrl+s confirm, Esc cancels, the
    focus starts in the first field, never on "Abbrechen").

    ``submit`` runs one service through :meth:`call`; a refusal is shown as a
    notification and on the dialog's error line, and the dialog stays open so the user
    can correct or cancel.
    """

    CSS_PATH = "areas.tcss"
    TITLE_KEY = ""
    CONFIRM_KEY = ""

    def title_text(self) -> str:
        return self.t(self.TITLE_KEY)

    def confirm_text(self) -> str:
        return self.t(self.CONFIRM_KEY)

    def cancel_text(self) -> str:
        return self.t("ui.areas.cancel")

    def on_mount(self) -> None:
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()
        else:
            self.query_one("#confirm", Button).focus()

    def show_error(self, error: DomainError) -> None:
        PortalMixin.show_error(self, error)
        self.show_inline(error.render(self.actor.locale))

    async def confirm(self) -> T | None:
        self.show_inline("")
        return await self.submit()

    async def submit(self) -> T | None:
        raise NotImplementedError


class AreaDialog(FormDialog[T], Generic[T]):
    """A form about one local area, named in the title."""

    def __init__(self, area: AreaView) -> None:
        super().__init__()
        self.area = area

    def title_text(self) -> str:
        return self.t(self.TITLE_KEY, area=self.area.prefix, name=clean(self.area.name))


class RequestPinDialog(AreaDialog[PinLetterView]):
    """Request a PIN letter for an address in one local area."""

    TITLE_KEY = "ui.areas.request.title"
    CONFIRM_KEY = "ui.areas.request.confirm"

    def body(self) -> ComposeResult:
        yield Static(
            self.t(
                "ui.areas.request.info",
                days=areas.PIN_VALIDITY.days,
                attempts=areas.MAX_PIN_ATTEMPTS,
                interval=areas.RESEND_INTERVAL.days,
            ),
            classes="hint",
        )
        yield Static(self.t("ui.areas.request.address"))
        yield Input(
            value=clean(self.area.address or ""),
            placeholder=self.t("ui.areas.request.address_placeholder"),
            max_length=areas.MAX_ADDRESS_LENGTH,
            id="address",
        )

    async def submit(self) -> PinLetterView | None:
        address = self.query_one("#address", Input).value
        return await self.call(areas.request_pin, area=self.area.prefix, address=address)


class EnterPinDialog(AreaDialog[AreaView]):
    """Enter the PIN from the letter; a wrong PIN keeps the dialog open (attempts left)."""

    TITLE_KEY = "ui.areas.pin.title"
    CONFIRM_KEY = "ui.areas.pin.confirm"

    def body(self) -> ComposeResult:
        yield Static(self.info_text(), classes="hint", id="pin-info")
        yield Static(self.t("ui.areas.pin.label"))
        yield Input(password=True, max_length=areas.PIN_LENGTH, restrict=r"[0-9]*", id="pin")

    def info_text(self) -> str:
        letter = self.area.letter
        if letter is None:
            return ""
        return self.t(
            "ui.areas.pin.info",
            address=clean(letter.address),
            date=format_date(letter.expires_at, self.actor.locale),
            left=letter.attempts_left,
        )

    async def submit(self) -> AreaView | None:
        pin_input = self.query_one("#pin", Input)
        pin, pin_input.value = pin_input.value, ""
        result = await self.call(areas.verify_pin, area=self.area.prefix, pin=pin)
        if result is None:
            # A wrong PIN was counted: show the attempts that are really left now.
            fresh = await self.fetch(areas.get_area, area=self.area.prefix)
            if fresh is not None:
                self.area = fresh
                self.query_one("#pin-info", Static).update(self.info_text())
        return result


class OrderNumbersDialog(AreaDialog[list[str]]):
    """Buy 1..10 numbers in a verified area; they arrive inactive."""

    TITLE_KEY = "ui.areas.order.title"
    CONFIRM_KEY = "ui.areas.order.confirm"

    def body(self) -> ComposeResult:
        loc = self.actor.locale
        yield Static(
            self.t(
                "ui.areas.order.info",
                max=areas.MAX_ORDER,
                once=format_money(areas.ACTIVATION_FEE_CENTS, loc),
                monthly=format_money(areas.MONTHLY_PRICE_CENTS, loc),
                held=self.area.number_count,
                limit=areas.OPERATOR_NOTE_LIMIT,
            ),
            classes="hint",
        )
        # R30: SIP-Trunk customers may order a block instead (shown once core says so)
        yield Static(self.t("ui.blocks.order.kind"), id="kind-label", classes="hidden")
        yield Select[int]([(self.t("ui.blocks.order.single"), 0)], value=0, allow_blank=False,
                          id="kind", classes="hidden")
        yield Static(self.t("ui.areas.order.count", max=areas.MAX_ORDER), id="count-label")
        yield Input(value="1", type="integer", max_length=2, id="count")
        yield Static("", id="block-quote", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.load_block_sizes()

    @work(exclusive=True, group="block-sizes")
    async def load_block_sizes(self) -> None:
        sizes = await self.fetch(number_blocks.block_sizes)
        if not sizes or not self.is_attached:
            return
        kind = self.query_one("#kind", Select)
        kind.set_options([(self.t("ui.blocks.order.single"), 0),
                          *[(self.t("ui.blocks.order.block", size=n), n) for n in sizes]])
        kind.value = 0
        kind.remove_class("hidden")
        self.query_one("#kind-label", Static).remove_class("hidden")

    @property
    def block_size(self) -> int:
        value = self.query_one("#kind", Select).value
        return value if isinstance(value, int) else 0

    @on(Select.Changed, "#kind")
    def _kind_changed(self) -> None:
        single = not self.block_size
        self.query_one("#count", Input).display = single
        self.query_one("#count-label", Static).display = single
        self.query_one("#block-quote", Static).update("")
        if not single:
            self.load_block_quote(self.block_size)

    @work(exclusive=True, group="block-quote")
    async def load_block_quote(self, size: int) -> None:
        """R30: the block and its prices before ordering (a refusal shows right away)."""
        quote = await self.fetch(number_blocks.block_quote, area=self.area.prefix, size=size)
        if quote is None or not self.is_attached or self.block_size != size:
            return
        loc = self.actor.locale
        self.query_one("#block-quote", Static).update(self.t(
            "ui.blocks.order.quote", block=quote.national, size=quote.size,
            contract=clean(quote.contract_ref), fee=format_money(quote.activation_fee_cents, loc),
            monthly=format_money(quote.monthly_price_cents, loc),
            total=format_money(quote.total_activation_cents, loc),
            total_monthly=format_money(quote.total_monthly_cents, loc)))

    async def submit(self) -> list[str] | None:
        if self.block_size:
            quote = await self.call(number_blocks.order_block, area=self.area.prefix,
                                    size=self.block_size)
            return list(quote.numbers) if quote is not None else None
        raw = self.query_one("#count", Input).value.strip()
        count = int(raw) if raw.lstrip("-").isdigit() else 0
        return await self.call(areas.order_numbers, area=self.area.prefix, count=count)


class AreasScreen(PortalTableScreen):
    """Local areas with verification state; request PIN letters, enter PINs, order numbers."""

    CSS_PATH = "areas.tcss"
    TITLE_KEY = "ui.areas.title"
    COLUMNS = COLUMNS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "request", "PIN-Brief", id="ui.areas.key.request", show=False),
        Binding("p", "enter_pin", "PIN", id="ui.areas.key.pin", show=False),
        Binding("o", "order", "Bestellen", id="ui.areas.key.order", show=False),
        Binding("ctrl+r", "reload", "Neu laden", id="ui.areas.key.reload"),
        Binding("escape", "back", "Zurück", id="ui.areas.key.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: dict[str, AreaView] = {}
        """The areas as last fetched, by prefix."""

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        yield Static(self.t("ui.areas.hint"), classes="hint", id="hint")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="areas")
        yield Static("", id="detail")
        with Horizontal(classes="button-row"):
            yield Button(self.t("ui.areas.button.request"), id="request", variant="primary")
            yield Button(self.t("ui.areas.button.pin"), id="pin")
            yield Button(self.t("ui.areas.button.order"), id="order", variant="success")
            yield Button(self.t("ui.areas.button.back"), id="back")
        yield portal_footer()

    @work(exclusive=True, group="load")
    async def reload(self) -> None:
        views = await self.fetch(areas.list_areas)
        if views is None:
            return
        self.views = {v.prefix: v for v in views}
        table = self.query_one(DataTable)
        current = selected_key(table)
        table.clear()
        for view in views:
            table.add_row(
                view.prefix,
                safe_text(view.name),
                self.state_text(view),
                safe_text(view.address or "–"),
                str(view.number_count),
                key=view.prefix,
            )
        if current in self.views:
            table.move_cursor(row=table.get_row_index(current))
        self.show_detail()

    def state_text(self, view: AreaView) -> Text:
        loc = self.actor.locale
        if view.verified:
            return Text(self.t("ui.areas.state.verified", date=format_date(view.verified_at, loc)),
                        style="green")
        letter = view.letter
        if letter is not None and letter.status == "outstanding":
            return Text(
                self.t("ui.areas.state.outstanding", date=format_date(letter.expires_at, loc)),
                style="yellow",
            )
        if letter is not None and letter.status in FAILED_STATES:
            return Text(self.t(FAILED_STATES[letter.status]), style="red")
        return Text(self.t("ui.areas.state.none"))

    def selected(self) -> AreaView | None:
        key = selected_key(self.query_one(DataTable))
        return self.views.get(key) if key else None

    @on(DataTable.RowHighlighted)
    def show_detail(self) -> None:
        view = self.selected()
        detail = self.query_one("#detail", Static)
        if view is None:
            detail.update("")
            return
        loc = self.actor.locale
        text = Text(f"{view.prefix} {clean(view.name)}: ", style="bold")
        letter = view.letter
        if view.verified:
            text.append(self.t("ui.areas.detail.verified"))
        elif letter is None:
            text.append(self.t("ui.areas.detail.none"))
        else:
            text.append(
                self.t(
                    "ui.areas.detail.letter",
                    created=format_datetime(letter.created_at, loc),
                    status=self.t(LETTER_LABELS.get(letter.status, "ui.areas.letter.outstanding")),
                    expires=format_date(letter.expires_at, loc),
                    left=letter.attempts_left,
                    next=format_date(letter.next_request_at, loc),
                )
            )
        detail.update(text)

    def on_domain_event_message(self, message: DomainEventMessage) -> None:
        if message.event.name in AREA_EVENTS:
            self.reload()

    def selected_unverified(self) -> AreaView | None:
        """The highlighted area if it still needs verifying; a verified one is only warned about."""
        view = self.selected()
        if view is not None and view.verified:
            self.notify(self.t("ui.areas.already_verified", area=view.prefix), severity="warning")
            return None
        return view

    @on(Button.Pressed, "#request")
    def action_request(self) -> None:
        view = self.selected_unverified()
        if view is not None:
            self.app.push_screen(RequestPinDialog(view), self._requested)

    def _requested(self, letter: PinLetterView | None) -> None:
        if letter is not None:
            self.notify(self.t("ui.areas.request.done", area=letter.area,
                               date=format_date(letter.expires_at, self.actor.locale)))
            self.reload()

    @on(Button.Pressed, "#pin")
    def action_enter_pin(self) -> None:
        view = self.selected_unverified()
        if view is None:
            return
        if view.letter is None or view.letter.status != "outstanding":
            self.notify(self.t("ui.areas.pin.no_letter", area=view.prefix), severity="warning")
            return
        self.app.push_screen(EnterPinDialog(view), self._verified)

    def _verified(self, view: AreaView | None) -> None:
        if view is not None:
            self.notify(self.t("ui.areas.pin.done", area=view.prefix, name=clean(view.name)))
            self.reload()

    @on(Button.Pressed, "#order")
    def action_order(self) -> None:
        view = self.selected()
        if view is None:
            return
        if not view.verified:
            self.notify(self.t("ui.areas.order.not_verified", area=view.prefix), severity="warning")
            return
        self.app.push_screen(OrderNumbersDialog(view), self._ordered)

    def _ordered(self, numbers: list[str] | None) -> None:
        if numbers:
            self.notify(
                self.t("ui.areas.order.done", count=len(numbers), numbers=", ".join(numbers)),
                timeout=10,
            )
            self.reload()
