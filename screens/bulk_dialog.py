"""R27 in the TUI: one dialog for a bulk action on the numbers marked in the dashboard.

It opens with the core's preview (how many numbers the action changes, the one-time and
monthly total, every number it would refuse and why), confirms once for all, shows that it
is working while the one unit of work runs (the session stays responsive: the write runs in
the dialog's worker), then shows the result per number; Enter or "Schließen" closes it with
the :class:`~core.services.bulk.BulkOutcome` (``None`` when cancelled before applying).
Assign first asks for the employee; the preview follows the choice.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Select, Static

from core.enums import NumberAction
from core.errors import DomainError
from core.i18n import format_date, format_money
from core.services import bulk, numbers
from screens.base import PortalMixin
from tui.sanitize import clean
from tui.widgets.dialog import Dialog

SHOWN_LINES = 200
"""Per-number lines the dialog lists (a summary line says how many more there are)."""


class BulkDialog(PortalMixin, Dialog[bulk.BulkOutcome]):
    """Preview, one confirmation, result per number."""

    CSS_PATH = "bulk_dialog.tcss"

    def __init__(self, action: NumberAction, marked: Sequence[str]) -> None:
        super().__init__()
        self.action = action
        self.marked = tuple(marked)
        """The numbers (E.164) marked in the dashboard, in its order."""
        self.preview: bulk.BulkOutcome | None = None
        self.result: bulk.BulkOutcome | None = None

    def title_text(self) -> str:
        return self.t(f"ui.bulk.title.{self.action.value}", count=len(self.marked))

    def confirm_text(self) -> str:
        return self.t(f"ui.bulk.confirm.{self.action.value}")

    def cancel_text(self) -> str:
        return self.t("ui.numbers.cancel")

    def body(self) -> ComposeResult:
        if self.action is NumberAction.ASSIGN:
            yield Static(self.t("ui.numbers.assign.employee"))
            yield Select[str]([], id="employee", prompt=self.t("ui.numbers.assign.choose"))
        yield Static(self.t("ui.bulk.loading"), id="bulk-summary")
        with VerticalScroll(id="bulk-lines"):
            yield Static("", id="bulk-details")

    def on_mount(self) -> None:
        self.ready(False)
        if self.action is NumberAction.ASSIGN:
            self.load_assignees()
        else:
            self.load_preview(None)

    @work(exclusive=True, group="load")
    async def load_assignees(self) -> None:
        choices = await self.fetch(numbers.list_assignees)
        if choices is None:
            return
        options = [(f"{clean(c.full_name)} ({clean(c.username)})" if c.full_name
                    else clean(c.username), c.username) for c in choices]
        self.query_one("#employee", Select).set_options(options)
        self.query_one("#bulk-summary", Static).update(self.t("ui.numbers.assign.pick"))
        self.ready(False, self.t("ui.numbers.assign.pick"))

    @on(Select.Changed, "#employee")
    def _chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.load_preview(event.value)

    def _username(self) -> str | None:
        if self.action is not NumberAction.ASSIGN:
            return None
        value = self.query_one("#employee", Select).value
        return value if isinstance(value, str) else None

    @work(exclusive=True, group="load")
    async def load_preview(self, username: str | None) -> None:
        self.ready(False)
        preview = await self.fetch(bulk.preview, action=self.action, numbers=self.marked,
                                   username=username)
        if preview is None:
            return
        self.preview = preview
        loc = self.actor.locale
        self.query_one("#bulk-summary", Static).update(self.t(
            f"cmd.bulk.preview.{self.action.value}", count=preview.count,
            total=len(preview.items), one_time=format_money(preview.one_time_cents, loc),
            monthly=format_money(preview.monthly_cents, loc),
            date=format_date(preview.deactivation_date, loc), user=preview.target or "–"))
        lines = [self.t("ui.bulk.refused_header")] if preview.refused else []
        lines += [self.t("ui.bulk.line.refused", number=i.national, reason=i.reason or "")
                  for i in preview.refused[:SHOWN_LINES]]
        self._details(lines, len(preview.refused))
        self.ready(preview.count > 0, self.t("ui.bulk.nothing"))

    def _details(self, lines: list[str], total: int) -> None:
        if total > SHOWN_LINES:
            lines.append(self.t("ui.bulk.more", count=total - SHOWN_LINES))
        self.query_one("#bulk-details", Static).update(clean("\n".join(lines),
                                                             keep_newlines=True))

    def action_cancel(self) -> None:
        """Esc after the apply closes with the result too (the changes are made)."""
        if self.result is not None and not self._busy:
            self.dismiss(self.result)
            return
        super().action_cancel()

    async def confirm(self) -> bulk.BulkOutcome | None:
        if self.result is not None:
            return self.result
        if self.preview is None:
            return None
        summary = self.query_one("#bulk-summary", Static)
        summary.update(self.t("ui.bulk.working", count=self.preview.count))
        try:
            # write() asks support staff for a reason (ticket id) and retries with it
            result = await self.write(bulk.apply, action=self.action, numbers=self.marked,
                                      username=self._username(),
                                      expected_versions=self.preview.versions)
        except DomainError as error:
            self.show_error(error)
            self.dismiss(None)
            return None
        self.result = result
        summary.update(self.t("cmd.bulk.summary", done=result.count,
                              refused=len(result.refused)))
        lines = [
            self.t("ui.bulk.line.done", number=i.national) if i.ok
            else self.t("ui.bulk.line.refused", number=i.national, reason=i.reason or "")
            for i in result.items[:SHOWN_LINES]
        ]
        self._details(lines, len(result.items))
        self.finished(self.t("ui.bulk.close"))
        if self.action is NumberAction.ASSIGN:
            self.query_one("#employee", Select).disabled = True
        return None
