"""R23: the user is asked in their own session whether support may watch it.

The kit dialog (:class:`tui.widgets.dialog.Dialog`): Enter or "Zulassen" allows, Esc or
"Ablehnen" declines; no answer within the time (60 s by default) counts as a no and the
dialog closes itself. The answer goes to the waiting request (:mod:`ssh_server.shadow`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core.clock import BERLIN
from screens.base import PortalMixin
from tui.sanitize import clean
from tui.widgets.dialog import Dialog

if TYPE_CHECKING:
    from tui.live_sessions import LiveSession


class ShadowConsentDialog(PortalMixin, Dialog[str]):
    """Answers ``accepted``, ``declined`` or ``timeout`` through ``answered``."""

    CSS_PATH = "shadow_dialog.tcss"
    CONFIRM_VARIANT = "warning"

    def __init__(self, agent: str, seconds: float, answered: Callable[[str], None]) -> None:
        super().__init__()
        self.agent = agent
        self.seconds = seconds
        self._answered = answered
        self.answer: str | None = None

    def title_text(self) -> str:
        return self.t("support.shadow.ask_title")

    def confirm_text(self) -> str:
        return self.t("support.shadow.ask_accept")

    def cancel_text(self) -> str:
        return self.t("support.shadow.ask_decline")

    def body(self) -> ComposeResult:
        yield Static(clean(self.t("support.shadow.ask_body", agent=clean(self.agent),
                                  seconds=round(self.seconds))), markup=False)

    def on_mount(self) -> None:
        self.set_timer(self.seconds, self.give_up)

    def _answer(self, answer: str) -> None:
        if self.answer is None:
            self.answer = answer
            self._answered(answer)

    async def confirm(self) -> str | None:
        self._answer("accepted")
        return "accepted"

    def cancelled(self) -> None:
        self._answer("declined")

    def give_up(self) -> None:
        """No answer in time (or the request gave up): a no; the dialog closes."""
        if self.answer is not None:
            return
        self._answer("timeout")
        if self.is_attached and self.app.screen is self:
            self.dismiss(None)
        elif self.is_attached:
            self.remove()


class ShadowPickDialog(PortalMixin, Dialog[str]):
    """Support picks one of the open customer's live sessions; dismissed with its key."""

    CSS_PATH = "shadow_dialog.tcss"

    def __init__(self, sessions: Sequence[LiveSession]) -> None:
        super().__init__()
        self.sessions = list(sessions)

    def title_text(self) -> str:
        return self.t("support.shadow.pick_title")

    def confirm_text(self) -> str:
        return self.t("support.shadow.pick_confirm")

    def cancel_text(self) -> str:
        return self.t("support.shadow.cancel")

    def body(self) -> ComposeResult:
        yield Static(clean(self.t("support.shadow.pick_intro",
                                  customer=clean(self.actor.customer_name or "–"))),
                     markup=False)
        options = [
            Option(clean(self.t("support.shadow.row", user=clean(s.username), cols=s.cols,
                                rows=s.rows,
                                since=s.since.astimezone(BERLIN).strftime("%H:%M"))),
                   id=s.key)
            for s in self.sessions
        ]
        yield OptionList(*options, id="shadow-sessions")

    def on_mount(self) -> None:
        options = self.query_one("#shadow-sessions", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#shadow-sessions")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_confirm()

    async def confirm(self) -> str | None:
        options = self.query_one("#shadow-sessions", OptionList)
        index = options.highlighted
        if index is None or not 0 <= index < len(self.sessions):
            return None
        return self.sessions[index].key
