"""R21 Freigaben: the customer's open four-eyes requests, reached from Fristen with ``a``.

``f`` approves the selected request (kit dialog; the write asks for the approver's own
step-up code where the policy wants one), ``r`` rejects it with a comment. Who may decide
what is the core's (:mod:`core.services.approvals`); the list re-fetches on the
``Approval*`` events, so a request filed in another session appears at once.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static

from core.errors import DomainError
from core.i18n import format_datetime
from core.services import approvals
from core.services.approvals import ApprovalView
from screens.base import PortalMixin, PortalTableScreen, portal_footer
from tui.messages import DomainEventMessage
from tui.sanitize import clean, safe_text
from tui.widgets.dialog import Dialog
from tui.widgets.header import SessionHeader
from tui.widgets.table_screen import selected_key


class DecideDialog(PortalMixin, Dialog[ApprovalView]):
    """Approve (no input) or reject (a comment, required) one request; the write runs here."""

    CONFIRM_VARIANT = "warning"

    def __init__(self, view: ApprovalView, *, reject: bool) -> None:
        super().__init__()
        self.view = view
        self.reject = reject
        self._word = "reject" if reject else "approve"

    def title_text(self) -> str:
        return self.t(f"ui.approvals.{self._word}.title", id=self.view.id)

    def confirm_text(self) -> str:
        return self.t(f"ui.approvals.{self._word}.confirm")

    def cancel_text(self) -> str:
        return self.t("ui.approvals.back")

    def body(self) -> ComposeResult:
        yield Static(Text(self.t("ui.approvals.question", what=clean(self.view.what),
                                 user=clean(self.view.requested_by))), classes="dialog-text")
        if self.view.delivery:  # new credentials: where the requester consented to
            yield Static(Text(clean(self.view.delivery)), classes="dialog-text")
        if self.reject:
            yield Input(placeholder=self.t("ui.approvals.comment"),
                        max_length=approvals.COMMENT_MAX, id="comment")

    def on_mount(self) -> None:
        if self.reject:
            self.query_one("#comment", Input).focus()

    async def confirm(self) -> ApprovalView | None:
        try:
            if self.reject:
                comment = " ".join(self.query_one("#comment", Input).value.split())
                if not comment:
                    self.show_inline(self.t("approvals.error.comment_required"))
                    return None
                return await self.write(approvals.reject, request_id=self.view.id,
                                        comment=comment)
            return await self.write(approvals.approve, request_id=self.view.id)
        except DomainError as error:
            self.show_error(error)
            self.dismiss(None)
            return None


class ApprovalsScreen(PortalTableScreen):
    TITLE_KEY = "ui.approvals.title"
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("id", "approvals.col.id"),
        ("what", "approvals.col.what"),
        ("requested_by", "approvals.col.requested_by"),
        ("expires", "approvals.col.expires"),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "approve", "Freigeben", id="ui.approvals.key.approve"),
        Binding("r", "reject", "Ablehnen", id="ui.approvals.key.reject"),
        Binding("escape", "back", "Zurück", id="ui.approvals.key.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: dict[str, ApprovalView] = {}

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        yield DataTable(cursor_type="row", zebra_stripes=True, id="approvals")
        yield Static("", id="why")
        yield portal_footer()

    @work(exclusive=True, group="load")
    async def reload(self) -> None:
        found = await self.fetch(approvals.list_requests)
        if found is None:
            return
        self.views = {str(v.id): v for v in found}
        table = self.query_one(DataTable)
        table.clear()
        for v in found:
            table.add_row(str(v.id), safe_text(v.what), safe_text(v.requested_by),
                          format_datetime(v.expires_at, self.actor.locale), key=str(v.id))
        self.show_selected()

    def selected(self) -> ApprovalView | None:
        key = selected_key(self.query_one(DataTable))
        return self.views.get(key) if key else None

    @on(DataTable.RowHighlighted)
    def show_selected(self) -> None:
        view = self.selected()
        why = self.query_one("#why", Static)
        if view is None:
            why.update(self.t("approvals.none") if not self.views else "")
        else:
            why.update(Text(clean(view.refusal or ""), style="dim"))

    def _decide(self, *, reject: bool) -> None:
        view = self.selected()
        if view is None or view.refusal:
            self.app.bell()
            self.notify(clean(view.refusal) if view and view.refusal
                        else self.t("approvals.none"), severity="warning")
            return

        def done(result: ApprovalView | None) -> None:
            if result is not None:
                key = "approvals.rejected" if reject else "approvals.approved"
                self.notify(self.t(key, id=result.id, what=clean(result.what)))
            self.reload()

        self.app.push_screen(DecideDialog(view, reject=reject), done)

    def action_approve(self) -> None:
        self._decide(reject=False)

    def action_reject(self) -> None:
        self._decide(reject=True)

    def on_domain_event_message(self, message: DomainEventMessage) -> None:
        if message.event.name.startswith("Approval"):
            self.reload()
