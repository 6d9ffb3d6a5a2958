"""R20 in the TUI: the step-up code dialog, opened by :meth:`screens.base.PortalMixin.write`
when the core answers a write with :class:`~core.services.stepup.StepUpRequired`.

``write`` requests the code (the core sends it by SMS to the acting user's own mobile),
opens this dialog and waits for :attr:`CodeDialog.answer`. The dialog runs the *same* write
again with the typed code: a wrong code keeps it open with the tries left, an expired or
voided code asks for a new one ("neuen Code senden", ctrl+n, rate-limited by the core);
Esc cancels and nothing is changed (``write`` raises :class:`StepUpCancelled`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, Static

from core.errors import DomainError
from core.services import stepup
from core.services.stepup import CodeSent
from screens.base import PortalMixin
from tui.widgets.dialog import Dialog


class StepUpCancelled(DomainError):
    """The user closed the code dialog: the write did not run."""

    def __init__(self) -> None:
        super().__init__("ui.stepup.cancelled")


class CodeDialog(PortalMixin, Dialog[bool]):
    """Six digits, Enter confirms, Esc cancels. :attr:`answer` resolves with
    ``(True, result)`` when the write ran, ``(False, error)`` when the core refused it for
    another reason than the code (the caller shows that as usual), or None (cancelled)."""

    CSS_PATH = "code_dialog.tcss"
    CONFIRM_VARIANT = "warning"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "resend", "neuen Code senden", id="stepup.resend"),
    ]

    def __init__(
        self,
        sent: CodeSent,
        attempt: Callable[[str], Awaitable[Any]],
        resend: Callable[[], Awaitable[CodeSent]],
    ) -> None:
        super().__init__()
        self.sent = sent
        self._attempt = attempt
        self._resend = resend
        self._resent = False
        self.answer: asyncio.Future[tuple[bool, Any] | None] = (
            asyncio.get_running_loop().create_future())

    def title_text(self) -> str:
        return self.t("ui.stepup.title")

    def confirm_text(self) -> str:
        return self.t("ui.stepup.confirm")

    def cancel_text(self) -> str:
        return self.t("ui.stepup.cancel")

    def body(self) -> ComposeResult:
        yield Static(self.t(f"stepup.action.{self.sent.action}"), id="stepup-what")
        yield Static(self._sent_text(), id="stepup-sent")
        yield Input(id="code", max_length=stepup.CODE_DIGITS, restrict=r"[0-9]*",
                    placeholder=self.t("ui.stepup.placeholder"))
        yield Button(self.t("ui.stepup.resend") + " (ctrl+n)", id="resend", compact=True)

    def _sent_text(self) -> str:
        key = "ui.stepup.resent" if self._resent else "ui.stepup.sent"
        minutes = int(stepup.CODE_TTL.total_seconds() // 60)
        return self.t(key, mobile=self.sent.masked_mobile, minutes=minutes)

    def on_mount(self) -> None:
        self.label_bindings("stepup.", {"resend": "ui.stepup.resend"})
        self.refresh_bindings()
        self.query_one("#code", Input).focus()

    async def confirm(self) -> bool | None:
        field = self.query_one("#code", Input)
        try:
            code = stepup.normalize_code(field.value)
        except DomainError as error:  # the core says what a code is; no try is used up
            self.show_inline(error.render(self.actor.locale))
            field.focus()
            return None
        try:
            result = await self._attempt(code)
        except stepup.StepUpRequired:  # cannot happen with a code; say it like a wrong one
            self.show_inline(self.t("stepup.error.no_code"))
            return None
        except DomainError as error:
            if error.rule == "R20" and error.key.startswith("stepup.error."):
                # wrong (tries left), used, voided, expired: stay, a new code may help
                self.show_inline(error.render(self.actor.locale))
                field.value = ""
                field.focus()
                return None
            self._answer((False, error))
            return True
        self._answer((True, result))
        return True

    @on(Button.Pressed, "#resend")
    def _resend_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_resend()

    def action_resend(self) -> None:
        self.run_worker(self._do_resend(), group="stepup-resend", exclusive=True)

    async def _do_resend(self) -> None:
        try:
            self.sent = await self._resend()
        except DomainError as error:  # rate limit, no mobile any more
            self.show_inline(error.render(self.actor.locale))
            return
        self._resent = True
        self.query_one("#stepup-sent", Static).update(self._sent_text())
        self.show_inline("")
        field = self.query_one("#code", Input)
        field.value = ""
        field.focus()

    def _answer(self, value: tuple[bool, Any] | None) -> None:
        if not self.answer.done():
            self.answer.set_result(value)

    def on_unmount(self) -> None:
        self._answer(None)
