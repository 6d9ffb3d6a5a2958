"""R19 in the credential wizard: "zu einem Zeitpunkt" instead of "jetzt".

The field is prefilled with the core's suggestion (the next 22:00 Europe/Berlin at least 15
minutes ahead) in Berlin local time; the core checks the bounds (15 minutes to 30 days) and
records the consent with the contact it was given for. The step-up code (R20) is asked for
by :meth:`screens.base.PortalMixin.write` like for generating now.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Static

from core.clock import BERLIN
from core.errors import DomainError
from core.services import credentials
from core.services.approval_guard import ApprovalRequested
from core.services.credentials import ScheduledResetView
from screens.base import PortalMixin
from tui.widgets.dialog import Dialog

TIME_FORMAT = "%Y-%m-%d %H:%M"


class ResetTimeDialog(PortalMixin, Dialog[ScheduledResetView | ApprovalRequested]):
    """Dismissed with the scheduled reset, the filed R21 request (four eyes), or None when
    cancelled."""

    CSS_PATH = "reset_time_dialog.tcss"
    CONFIRM_VARIANT = "warning"

    def __init__(self, contract_id: int) -> None:
        super().__init__()
        self.contract_id = contract_id

    def title_text(self) -> str:
        return self.t("credentials.schedule.title")

    def confirm_text(self) -> str:
        return self.t("credentials.schedule.confirm")

    def cancel_text(self) -> str:
        return self.t("credentials.schedule.cancel")

    def body(self) -> ComposeResult:
        suggested = credentials.suggested_reset_time(self.core.clock.now()).astimezone(BERLIN)
        yield Static(self.t("credentials.schedule.body"))
        yield Input(value=suggested.strftime(TIME_FORMAT), max_length=25, id="reset-at")

    def on_mount(self) -> None:
        self.query_one("#reset-at", Input).focus()

    async def confirm(self) -> ScheduledResetView | ApprovalRequested | None:
        field = self.query_one("#reset-at", Input)
        try:
            at = credentials.parse_reset_time(field.value)
            return await self.write(credentials.schedule, contract_id=self.contract_id, at=at,
                                    consent=True)
        except ApprovalRequested as filed:  # not a refusal: the wizard says so
            return filed
        except DomainError as error:
            self.show_inline(error.render(self.actor.locale))
            field.focus()
            return None
