"""The dialogs of the number dashboard, with the texts of the help page.

Each dialog loads what it shows through a read service, runs exactly one write service
on confirm and dismisses with its result (``None`` when cancelled: nothing changed).
A malformed input keeps the dialog open with the message; any other refusal is shown
as a notification and closes the dialog so that the dashboard shows fresh data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from core.authz import Actor
from core.enums import KIND_LABELS
from core.errors import DomainError, ValidationError
from core.i18n import format_date, format_money
from core.runtime import UnitOfWork
from core.services import impact, numbers
from core.services.impact import NumberImpact
from core.services.numbers import (
    DeactivationQuote,
    FaxRecipientChoice,
    FaxSendResult,
    NumberView,
    Quote,
    SwapResult,
)
from screens.base import PortalMixin
from screens.code_dialog import StepUpCancelled
from tui.sanitize import clean
from tui.widgets.dialog import Dialog

SWAP_PAGE = 50
"""Choices per list in the swap dialog (the customer may hold 10,000 numbers)."""

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def lost_text(view: NumberImpact, locale: str) -> Text:
    """R18: the settings a swap or deactivation deletes, as plain text (user data inside)."""
    return Text(clean(impact.render_lost(view, locale), keep_newlines=True))


class NumberDialog(PortalMixin, Dialog[T], Generic[T]):
    """The number dialogs on the kit's :class:`~tui.widgets.dialog.Dialog` (Enter and
    ctrl+s confirm, Esc cancels): the title, the number line, confirm and cancel labels
    from i18n keys; :meth:`load` fetches what the dialog shows and says when it is ready."""

    CSS_PATH = "number_dialogs.tcss"
    TITLE_KEY = ""
    CONFIRM_KEY = ""
    CANCEL_KEY = "ui.numbers.cancel"

    def __init__(self, view: NumberView | None) -> None:
        super().__init__()
        self.view = view
        """The number the dialog was opened on (None: the dialog lets the user choose)."""

    def title_text(self) -> str:
        return self.t(self.TITLE_KEY)

    def confirm_text(self) -> str:
        return self.t(self.CONFIRM_KEY)

    def cancel_text(self) -> str:
        return self.t(self.CANCEL_KEY)

    def header(self) -> ComposeResult:
        if self.view is not None:
            yield Static(self.t("ui.numbers.number_line", number=self.view.national), id="number")

    def on_mount(self) -> None:
        self.ready(False)
        self.load()

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        """Fetch what the dialog shows; say when it may be confirmed."""
        self.ready(True)

    async def submit(
        self,
        fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R | None:
        try:
            # write() asks support staff for a reason (ticket id) and retries with it
            return await self.write(fn, *args, **kwargs)
        except (ValidationError, StepUpCancelled) as error:  # the dialog stays open
            self.show_inline(error.render(self.actor.locale))
            return None
        except DomainError as error:
            self.refused(error)
            return None

    def refused(self, error: DomainError) -> None:
        """A refusal closes the dialog (the number changed meanwhile)."""
        self.show_error(error)
        self.dismiss(None)


class ActivateDialog(NumberDialog[NumberView]):
    """R11: price first, then "Rufnummer jetzt kostenpflichtig aktivieren"."""

    TITLE_KEY = "ui.numbers.activate.title"
    CONFIRM_KEY = "ui.numbers.activate.confirm"

    def __init__(self, view: NumberView) -> None:
        super().__init__(view)
        self.quote: Quote | None = None

    def body(self) -> ComposeResult:
        yield Static("", id="prices", classes="warning-box")

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        assert self.view is not None
        self.quote = await self.fetch(numbers.activation_quote, number=self.view.e164)
        if self.quote is None:
            return
        loc = self.actor.locale
        text = self.t(
            "ui.numbers.activate.prices", once=format_money(self.quote.activation_fee_cents, loc),
            monthly=format_money(self.quote.monthly_price_cents, loc))
        block = self.quote.block
        if block is not None:  # R30: the whole block is activated
            text = "\n".join((
                self.t("ui.blocks.dialog_note", number=self.quote.national,
                       block=block.national, count=block.size),
                self.t("ui.blocks.activate_prices", count=block.size,
                       fee=format_money(self.quote.activation_fee_cents, loc),
                       monthly=format_money(self.quote.monthly_price_cents, loc),
                       total=format_money(block.activation_fee_cents, loc),
                       total_monthly=format_money(block.monthly_price_cents, loc)),
            ))
        self.query_one("#prices", Static).update(text)
        self.ready(True)

    async def confirm(self) -> NumberView | None:
        assert self.view is not None and self.quote is not None
        return await self.submit(numbers.activate, number=self.view.e164,
                                 expected_version=self.quote.version)


class DeactivateDialog(NumberDialog[NumberView]):
    """R12: shows the deactivation date, then "Rufnummer jetzt deaktivieren"."""

    TITLE_KEY = "ui.numbers.deactivate.title"
    CONFIRM_KEY = "ui.numbers.deactivate.confirm"

    def __init__(self, view: NumberView) -> None:
        super().__init__(view)
        self.quote: DeactivationQuote | None = None

    def body(self) -> ComposeResult:
        yield Static("", id="info", classes="warning-box")
        yield Static("", id="lost")  # R18: the settings that will be lost

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        assert self.view is not None
        self.quote = await self.fetch(numbers.deactivation_quote, number=self.view.e164)
        if self.quote is None:
            return
        lost = await self.fetch(impact.number_impact, number=self.view.e164)
        if lost is not None:
            self.query_one("#lost", Static).update(lost_text(lost, self.actor.locale))
        text = self.t("ui.numbers.deactivate.info",
                      date=format_date(self.quote.deactivation_date, self.actor.locale))
        if self.quote.block is not None:  # R30: the whole block
            text = self.t("ui.blocks.dialog_note", number=self.quote.national,
                          block=self.quote.block.national, count=self.quote.block.size
                          ) + "\n" + text
        self.query_one("#info", Static).update(text)
        self.ready(True)

    async def confirm(self) -> NumberView | None:
        assert self.view is not None and self.quote is not None
        return await self.submit(numbers.deactivate, number=self.view.e164,
                                 expected_version=self.quote.version)


class UndoDeactivationDialog(NumberDialog[NumberView]):
    """R12: a number marked for deactivation stays active."""

    TITLE_KEY = "ui.numbers.undo.title"
    CONFIRM_KEY = "ui.numbers.undo.confirm"

    def body(self) -> ComposeResult:
        assert self.view is not None
        text = self.t("ui.numbers.undo.info",
                      date=format_date(self.view.deactivation_date, self.actor.locale))
        if self.view.block is not None:  # R30: the whole block
            text = self.t("ui.blocks.dialog_note", number=self.view.national,
                          block=self.view.block.national, count=self.view.block.size
                          ) + "\n" + text
        yield Static(text, id="info")

    async def confirm(self) -> NumberView | None:
        assert self.view is not None
        return await self.submit(numbers.undo_deactivation, number=self.view.e164,
                                 expected_version=self.view.version)


class SwapDialog(NumberDialog[SwapResult]):
    """R13: choose the active number to give up and the inactive one to take; warns
    that all settings of the old number are deleted irrevocably. The choices are pages
    of the core's ``swap_options`` (which numbers qualify is the core's rule); a filter
    line narrows the targets when there are more than one page."""

    TITLE_KEY = "ui.numbers.swap.title"
    CONFIRM_KEY = "ui.numbers.swap.confirm"

    def __init__(self, view: NumberView | None = None) -> None:
        super().__init__(None)
        self.start = view
        self._active: dict[str, NumberView] = {}
        self._inactive: dict[str, NumberView] = {}
        self._more_new = 0
        """Targets beyond the page shown (the filter narrows them)."""
        self._targets_kind: object = object()
        """The old number's kind the targets were read for (none read yet)."""

    def body(self) -> ComposeResult:
        yield Static(self.t("ui.numbers.swap.old"))
        yield Select[str]([], id="old", prompt="–")
        yield Static(self.t("ui.numbers.swap.new"))
        yield Input(id="new-filter", classes="hidden", max_length=100,
                    placeholder=self.t("ui.numbers.swap.filter_placeholder"))
        yield Select[str]([], id="new", prompt="–")
        more = Static("", id="new-more", classes="hint")
        more.display = False
        yield more
        # R18: the old number's settings that will be lost join the warning (80x24 fits)
        yield Static(self.t("ui.numbers.swap.warning"), classes="warning-box danger",
                     id="swap-warning")

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        page = await self.fetch(numbers.swap_options, side="old", limit=SWAP_PAGE)
        if page is None:
            return
        views = list(page.views)
        start = self.start
        if start is not None and start.e164 not in {v.e164 for v in views} and start.in_use:
            views.insert(0, start)  # the row the dialog was opened on, even beyond the page
        old = self.query_one("#old", Select)
        old.set_options([(self._label(n), n.e164) for n in views])
        if start is not None and start.in_use:
            old.value = start.e164
        self._active = {n.e164: n for n in views}
        await self._load_new(keep=start.e164 if start is not None and not start.in_use else None)
        await self._load_lost()

    async def _load_lost(self) -> None:
        """R18: what the chosen old number loses."""
        old = self.query_one("#old", Select).value
        lost = await self.fetch(impact.number_impact, number=old) if isinstance(old, str) else None
        text = self.t("ui.numbers.swap.warning")
        if lost is not None and lost.lost:
            text += "\n" + impact.render_lost(lost, self.actor.locale, inline=True)
        self.query_one("#swap-warning", Static).update(Text(clean(text, keep_newlines=True)))

    @work(exclusive=True, group="lost")
    async def reload_lost(self) -> None:
        await self._load_lost()

    async def _load_new(self, *, query: str | None = None, keep: str | None = None) -> None:
        kind = self._old_kind()
        self._targets_kind = kind
        page = await self.fetch(numbers.swap_options, side="new", kind=kind, query=query,
                                limit=SWAP_PAGE)
        if page is None:
            return
        new = self.query_one("#new", Select)
        current = keep or (new.value if isinstance(new.value, str) else None)
        self._inactive = {n.e164: n for n in page.views}
        new.set_options([(self._label(n), n.e164) for n in self._inactive.values()])
        if current in self._inactive:
            new.value = current
        self._more_new = page.total - len(page.views)
        if self._more_new > 0 or query:
            self.query_one("#new-filter", Input).remove_class("hidden")
        more = self.query_one("#new-more", Static)
        more.update(self.t("ui.numbers.swap.more", shown=len(page.views), total=page.total)
                    if self._more_new > 0 else "")
        more.display = self._more_new > 0
        if not self._active or (not self._inactive and not query):
            self.show_inline(self.t("ui.numbers.swap.none"))
        self._check()

    def _label(self, n: NumberView) -> str:
        kind = self.t(KIND_LABELS[n.kind])
        who = f" · {clean(n.assigned_to)}" if n.assigned_to else ""
        return f"{n.national} ({kind}){who}"

    def _check(self) -> None:
        old, new = self.query_one("#old", Select).value, self.query_one("#new", Select).value
        if not self._active:
            self.ready(False, self.t("ui.numbers.swap.none"))
        elif not isinstance(old, str):
            self.ready(False, self.t("ui.numbers.swap.pick_old"))
        elif not isinstance(new, str):
            self.ready(False, self.t("ui.numbers.swap.pick_new"))
        else:
            self.ready(True)

    def _old_kind(self) -> str | None:
        old = self.query_one("#old", Select).value
        return self._active[old].kind if isinstance(old, str) and old in self._active else None

    @on(Select.Changed, "#old")
    def _old_changed(self) -> None:
        self.reload_lost()
        if self._old_kind() != self._targets_kind:  # targets are per kind (voice, fax)
            self.reload_new(self.query_one("#new-filter", Input).value.strip() or None)
        else:
            self._check()

    @on(Select.Changed, "#new")
    def _new_changed(self) -> None:
        self._check()

    @on(Input.Changed, "#new-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.reload_new(event.value.strip() or None)

    @work(exclusive=True, group="targets")
    async def reload_new(self, query: str | None = None) -> None:
        await self._load_new(query=query)

    @on(Input.Submitted, "#new-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.prevent_default()  # Enter in the filter does not confirm: it narrows the list
        self.query_one("#new", Select).focus()

    async def confirm(self) -> SwapResult | None:
        old, new = self.query_one("#old", Select).value, self.query_one("#new", Select).value
        if not isinstance(old, str) or not isinstance(new, str):
            return None
        return await self.submit(numbers.swap, old=old, new=new,
                                 expected_old_version=self._active[old].version,
                                 expected_new_version=self._inactive[new].version)


class ForwardingDialog(NumberDialog[NumberView]):
    """Forwarding to an IP device (offered right after a swap)."""

    TITLE_KEY = "ui.numbers.forwarding.title"
    CONFIRM_KEY = "ui.numbers.forwarding.confirm"

    def __init__(self, view: NumberView, *, after_swap: bool = False) -> None:
        super().__init__(view)
        self.after_swap = after_swap
        if after_swap:
            self.CANCEL_KEY = "ui.numbers.forwarding.later"

    def body(self) -> ComposeResult:
        assert self.view is not None
        yield Static(self.t("ui.numbers.forwarding.info"))
        current = self.view.forwarding_target or self.t("ui.numbers.forwarding.none")
        yield Static(self.t("ui.numbers.forwarding.current", target=clean(current)), id="current")
        yield Input(self.view.forwarding_target or "", id="target", max_length=40,
                    placeholder=self.t("ui.numbers.forwarding.placeholder"))

    async def confirm(self) -> NumberView | None:
        assert self.view is not None
        target = self.query_one("#target", Input).value
        return await self.submit(numbers.set_forwarding, number=self.view.e164, target=target,
                                 expected_version=self.view.version)


class AssignDialog(NumberDialog[NumberView]):
    """R14: shows the current user, offers "Verkehrsdaten löschen", choose the employee."""

    TITLE_KEY = "ui.numbers.assign.title"
    CONFIRM_KEY = "ui.numbers.assign.confirm"

    def body(self) -> ComposeResult:
        assert self.view is not None
        current = self.view.assigned_to
        who = (
            f"{clean(self.view.assigned_name)} ({clean(current)})"
            if current and self.view.assigned_name
            else clean(current)
            if current
            else self.t("ui.numbers.assign.nobody")
        )
        yield Static(self.t("ui.numbers.assign.current", user=who), id="current")
        yield Checkbox(self.t("ui.numbers.assign.delete_traffic"), id="delete-traffic",
                       disabled=current is None)
        yield Static(self.t("ui.numbers.assign.delete_traffic_hint"), classes="hint")
        yield Static(self.t("ui.numbers.assign.employee"))
        yield Select[str]([], id="employee", prompt=self.t("ui.numbers.assign.choose"))

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        assert self.view is not None
        choices = await self.fetch(numbers.list_assignees)
        if choices is None:
            return
        options = [
            (
                f"{clean(c.full_name)} ({clean(c.username)})" if c.full_name else clean(c.username),
                c.username,
            )
            for c in choices
            if c.username != self.view.assigned_to
        ]
        self.query_one("#employee", Select).set_options(options)

        self._chosen()

    @on(Select.Changed, "#employee")
    def _chosen(self) -> None:
        chosen = isinstance(self.query_one("#employee", Select).value, str)
        self.ready(chosen, self.t("ui.numbers.assign.pick"))

    async def confirm(self) -> NumberView | None:
        assert self.view is not None
        username = self.query_one("#employee", Select).value
        if not isinstance(username, str):
            return None
        return await self.submit(
            numbers.assign, number=self.view.e164, username=username,
            delete_traffic_data=self.query_one("#delete-traffic", Checkbox).value,
            expected_version=self.view.version,
        )


class FaxCredentialsDialog(NumberDialog[FaxSendResult]):
    """R15: choose employees; for a personal fax the choice is locked to its owner."""

    TITLE_KEY = "ui.numbers.fax.title"
    CONFIRM_KEY = "ui.numbers.fax.confirm"

    def __init__(self, view: NumberView) -> None:
        super().__init__(view)
        self.choice: FaxRecipientChoice | None = None

    def body(self) -> ComposeResult:
        yield Static(self.t("ui.numbers.fax.info"), id="info")
        yield SelectionList[str](id="recipients")
        yield Static("", id="sent-before", classes="hint")

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        assert self.view is not None
        self.choice = await self.fetch(numbers.fax_recipients, number=self.view.e164)
        if self.choice is None:
            return
        choice = self.choice
        if choice.personal:
            self.query_one("#info", Static).update(
                self.t("ui.numbers.fax.personal", owner=clean(choice.owner)))
        recipients = self.query_one("#recipients", SelectionList)
        no_mail = self.t("ui.numbers.fax.no_email")
        recipients.add_options(
            [
                Selection(
                    f"{clean(c.full_name)} ({clean(c.username)})"
                    + ("" if c.has_email else f" {no_mail}"),
                    c.username,
                    c.username in choice.preselected,
                    disabled=not c.has_email,
                )
                for c in choice.candidates
            ]
        )
        recipients.disabled = choice.locked
        if choice.already_sent_to:
            self.query_one("#sent-before", Static).update(
                self.t(
                    "ui.numbers.fax.sent_before",
                    users=", ".join(clean(u) for u in choice.already_sent_to),
                )
            )
        self._check()

    @on(SelectionList.SelectedChanged)
    def _check(self) -> None:
        chosen = bool(self.query_one("#recipients", SelectionList).selected)
        self.ready(chosen, self.t("error.numbers.no_recipients"))

    async def confirm(self) -> FaxSendResult | None:
        assert self.view is not None
        chosen: list[Any] = list(self.query_one("#recipients", SelectionList).selected)
        return await self.submit(numbers.send_fax_credentials, number=self.view.e164,
                                 usernames=[str(u) for u in chosen],
                                 expected_version=self.view.version)
