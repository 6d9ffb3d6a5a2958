"""R23: the user is asked in their own session whether support may watch it.

The kit dialog (:class:`tui.widgets.dialog.Dialog`), but consent is a deliberate act: the
dialog appears while the user may be typing elsewhere (an Enter to submit a form, a burst
held by the typeahead gate), so

* it starts on "Ablehnen": Enter presses the focused button, so a stray Enter declines;
  ``z`` (or Tab to "Zulassen" and Enter, or a click on it) allows; Esc declines; ctrl+s,
  which confirms every other dialog, does nothing here;
* no key made before the dialog was painted nor within :attr:`ShadowConsentDialog.GUARD`
  seconds after counts (:func:`tui.typeahead.typed_before` drops them, however long they
  were held), nor does a click then; the keys are shown in the key bar once they count.

No answer within the time (60 s by default) counts as a no and the dialog closes itself.
The answer goes to the waiting request (:mod:`ssh_server.shadow`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from core.clock import BERLIN
from screens.base import PortalMixin
from tui.bindings import label_bindings
from tui.sanitize import clean
from tui.widgets.dialog import Dialog

if TYPE_CHECKING:
    from tui.live_sessions import LiveSession


class ShadowConsentDialog(PortalMixin, Dialog[str]):
    """Answers ``accepted``, ``declined`` or ``timeout`` through ``answered``."""

    CSS_PATH = "shadow_dialog.tcss"
    CONFIRM_VARIANT = "warning"
    AUTO_FOCUS = "#cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("z", "allow", "Zulassen", id="shadow.allow"),
        Binding("ctrl+s", "app.bell", show=False),  # not a consent (every other dialog's OK)
    ]
    GUARD: ClassVar[float] = 0.5
    """Seconds after the dialog is painted in which no key or click answers it: keys in
    flight to the server while the user had not seen it yet (one round trip) and a reflex."""

    def __init__(self, agent: str, seconds: float, answered: Callable[[str], None]) -> None:
        super().__init__()
        self.agent = agent
        self.seconds = seconds
        self._answered = answered
        self.answer: str | None = None
        self.keys_since = math.inf
        """Keys made before this (monotonic) time are dropped (:mod:`tui.typeahead`)."""

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
        label_bindings(self, "shadow.", {"allow": self.t("support.shadow.ask_accept")})
        self.refresh_bindings()
        self.set_timer(self.seconds, self.give_up)
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self.keys_since = time.monotonic() + self.GUARD
        self.set_timer(self.GUARD, self._arm)

    def _arm(self) -> None:
        wait = self.keys_since - time.monotonic()
        if wait > 0:  # a timer may fire a little early
            self.set_timer(wait, self._arm)
            return
        self.refresh_bindings()  # the key bar shows z and Esc now

    @property
    def armed(self) -> bool:
        """The guard is over: keys and clicks answer."""
        return time.monotonic() >= self.keys_since

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("allow", "cancel") and not self.armed:
            return False
        return super().check_action(action, parameters)

    def action_allow(self) -> None:
        self.action_confirm()

    def action_dialog_enter(self) -> None:
        if self.focused is not None and isinstance(self.focused, Button):
            raise SkipAction()  # the focused button presses itself ("Ablehnen" at first)
        self.app.bell()  # Enter alone never consents

    def action_confirm(self) -> None:
        if self.armed:
            super().action_confirm()

    def action_cancel(self) -> None:
        if self.armed:
            super().action_cancel()

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
