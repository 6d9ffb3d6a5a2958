"""Asks a support agent for the reason (ticket id) of a change made on behalf of a customer.

The core refuses support writes without a reason (``error.support_reason_required``);
:meth:`screens.base.PortalMixin.write` shows this dialog and retries with the reason.
It is a kit :class:`~tui.widgets.dialog.Dialog`: typing goes into the reason field, Enter
and ctrl+s confirm, Esc cancels.
"""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from screens.base import PortalMixin
from tui.sanitize import clean
from tui.widgets.dialog import Dialog

MAX_REASON_LENGTH = 200
"""Same bound as the core's ``support.clean_reason``; the input stops there."""


class ReasonDialog(PortalMixin, Dialog[str]):
    """Returns the reason, or None when the agent cancels.

    Besides the usual dismiss result, the answer is put into :attr:`answer`, so that a
    caller running inside a worker or a handler can await it without ``push_screen_wait``.
    """

    CSS_PATH = "reason_dialog.tcss"
    CONFIRM_VARIANT = "warning"

    def __init__(self, customer_name: str | None, initial: str | None = None) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.initial = initial or ""
        self.answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        """Resolved with the reason (or None) when the dialog closes."""

    def title_text(self) -> str:
        return self.t("support.reason.title")

    def confirm_text(self) -> str:
        return self.t("support.reason.confirm")

    def cancel_text(self) -> str:
        return self.t("support.reason.cancel")

    def body(self) -> ComposeResult:
        yield Static(self.t("support.reason.body", customer=clean(self.customer_name or "–")))
        yield Input(
            value=self.initial, placeholder=self.t("support.reason.placeholder"),
            max_length=MAX_REASON_LENGTH, id="reason",
        )

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Changed, "#reason")
    def _reason_typed(self, event: Input.Changed) -> None:
        """Once a reason is being typed, the "no reason" error is no longer true."""
        if event.value.strip():
            self.show_inline("")

    async def confirm(self) -> str | None:
        reason = " ".join(self.query_one("#reason", Input).value.split())
        if not reason:
            self.show_inline(self.t("support.reason.empty"))
            self.query_one("#reason", Input).focus()
            return None
        if not self.answer.done():
            self.answer.set_result(reason)
        return reason

    def on_unmount(self) -> None:
        if not self.answer.done():
            self.answer.set_result(None)
