"""Asks a support agent for the reason (ticket id) of a change made on behalf of a customer.

The core refuses support writes without a reason (``error.support_reason_required``);
:meth:`screens.base.PortalMixin.write` shows this dialog and retries with the reason.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from screens.base import PortalDialog, portal_footer
from tui.sanitize import clean

MAX_REASON_LENGTH = 200
"""Same bound as the core's ``support.clean_reason``; the input stops there."""


class ReasonDialog(PortalDialog[str | None]):
    """Returns the reason, or None when the agent cancels.

    Besides the usual dismiss result, the answer is put into :attr:`answer`, so that a
    caller running inside a message handler (not a worker) can await it without
    ``push_screen_wait``.
    """

    DEFAULT_CSS = """
    ReasonDialog { align: center middle; }
    ReasonDialog > Vertical {
        width: 76; height: auto; border: thick $warning; padding: 1 2; background: $panel;
    }
    ReasonDialog #reason-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Abbrechen", id="support.reason.cancel"),
        Binding("ctrl+s", "confirm", "Weiter", id="support.reason.confirm"),
    ]

    def __init__(self, customer_name: str | None, initial: str | None = None) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.initial = initial or ""
        self.answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        """Resolved with the reason (or None) when the dialog closes."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.t("support.reason.title"), classes="title")
            yield Static(self.t("support.reason.body", customer=clean(self.customer_name or "–")))
            yield Input(
                value=self.initial, placeholder=self.t("support.reason.placeholder"),
                max_length=MAX_REASON_LENGTH, id="reason",
            )
            yield Static("", id="reason-error")
            with Horizontal(classes="button-row"):
                yield Button(self.t("support.reason.confirm"), id="confirm", variant="warning")
                yield Button(self.t("support.reason.cancel"), id="cancel")
        yield portal_footer()

    def on_mount(self) -> None:
        self._label_bindings()
        self.query_one("#reason", Input).focus()

    def _label_bindings(self) -> None:
        from dataclasses import replace

        for key, bindings in list(self._bindings.key_to_bindings.items()):
            self._bindings.key_to_bindings[key] = [
                replace(b, description=self.t(b.id)) if b.id and b.id.startswith("support.") else b
                for b in bindings
            ]

    def _finish(self, value: str | None) -> None:
        if not self.answer.done():
            self.answer.set_result(value)
        self.dismiss(value)

    def on_unmount(self) -> None:
        if not self.answer.done():
            self.answer.set_result(None)

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        reason = " ".join(self.query_one("#reason", Input).value.split())
        if not reason:
            self.query_one("#reason-error", Static).update(self.t("support.reason.empty"))
            self.query_one("#reason", Input).focus()
            return
        self._finish(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self._finish(None)
