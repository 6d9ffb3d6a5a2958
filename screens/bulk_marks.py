"""R27 marks in the number dashboard: space marks the number under the cursor, ``*`` marks
every number the filter matches (across its pages; again: unmarks them), and while numbers
are marked the action keys activate (``a``), deactivate (``d``), undo (``u``) and assign
(``z``) open :class:`~screens.bulk_dialog.BulkDialog` for all marked numbers instead of
the one under the cursor.

A mixin for :class:`screens.number_dashboard.NumberDashboardScreen` (kept apart so the
dashboard stays one screen's layout and loading): it uses the dashboard's ``selected``,
``_query``, ``_views``, ``_update_row``, ``_update_summary`` and ``reload``. The marks are
numbers (E.164), so they survive paging, sorting, filtering and live updates; a finished
bulk action clears them.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work

from core.enums import NumberAction
from core.services import bulk
from screens.bulk_dialog import BulkDialog

BULK_KEYS: frozenset[str] = frozenset(a.value for a in bulk.BULK_ACTIONS)
"""Row actions that apply to all marked numbers while some are marked."""

MARK = "●"
"""The marker column of a marked row (a pending deactivation's ``!`` otherwise)."""


class BulkMarks:
    """Marking and the bulk dialog; state in :attr:`marks` (per screen, per session)."""

    @property
    def marks(self) -> set[str]:
        """The marked numbers (E.164)."""
        found: set[str] = self.__dict__.setdefault("_bulk_marks", set())
        return found

    def marker_cell(self, e164: str, pending: bool) -> Text:
        if e164 in self.marks:
            return Text(MARK, style="bold reverse")
        return Text("!", style="bold red") if pending else Text("")

    def marks_text(self) -> str:
        """The summary's part about the marks ('' when none)."""
        if not self.marks:
            return ""
        me: Any = self
        return "  ·  " + me.t("ui.bulk.marked", count=len(self.marks))

    def _redraw_marked(self, numbers: set[str]) -> None:
        me: Any = self
        from tui.widgets.number_table import NumberTable

        table = me.query_one(NumberTable)
        for view in list(me._views.values()):
            if view.e164 in numbers:
                me._update_row(table, view)
        me._update_summary()

    def action_mark(self) -> None:
        """Space: mark or unmark the number under the cursor."""
        me: Any = self
        view = me.selected
        if view is None:
            me.notify(me.t("ui.numbers.select_row"), severity="warning")
            return
        if view.e164 in self.marks:
            self.marks.discard(view.e164)
        else:
            self.marks.add(view.e164)
        self._redraw_marked({view.e164})

    @work(exclusive=True, group="bulk-marks")
    async def action_mark_all(self) -> None:
        """``*``: mark every number the filter matches (all pages); if all of them are
        marked already, unmark them."""
        me: Any = self
        found = await me.fetch(bulk.matching, query=me._query or None)
        if found is None:
            return
        matching = set(found)
        if matching and matching <= self.marks:
            self.marks.difference_update(matching)
            me.notify(me.t("ui.bulk.unmarked_all", count=len(matching)))
        else:
            self.marks.update(matching)
            me.notify(me.t("ui.bulk.marked_all", count=len(matching), total=len(self.marks)))
        self._redraw_marked(matching)

    def bulk_action(self, name: str) -> bool:
        """Open the bulk dialog for ``name`` when numbers are marked (True: opened)."""
        if not self.marks or name not in BULK_KEYS:
            return False
        me: Any = self
        ordered = sorted(self.marks)
        me.app.push_screen(BulkDialog(NumberAction(name), ordered), self._bulk_done)
        return True

    def _bulk_done(self, outcome: bulk.BulkOutcome | None) -> None:
        if outcome is None:
            return
        me: Any = self
        self.marks.clear()
        me.notify(me.t("cmd.bulk.summary", done=outcome.count, refused=len(outcome.refused)),
                  severity="warning" if outcome.refused else "information")
        me.reload()
