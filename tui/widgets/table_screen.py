"""The kit's table base: a screen around one table, and the row under its cursor.

Texts come from the subclass (the kit knows no i18n): a portal screen overrides
:meth:`TableScreen.show_header` and :meth:`TableScreen.column_label` (see
``screens.base.PortalTableScreen``) and implements :meth:`TableScreen.reload`, usually as a
worker that fetches one page from the core and fills the table::

    class AreasScreen(PortalTableScreen):
        COLUMNS = (("prefix", "ui.areas.col.prefix"), ...)   # column key, label

        def compose(self) -> ComposeResult:
            yield SessionHeader()
            yield DataTable(cursor_type="row")
            yield Button(..., id="back")

        @work(exclusive=True)
        async def reload(self) -> None: ...
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.screen import Screen
from textual.widgets import Button, DataTable


def selected_key(table: DataTable[Any]) -> str | None:
    """The row key under the cursor, or None for an empty table."""
    if table.row_count == 0:
        return None
    key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    return str(key) if key is not None else None


class TableScreen(Screen[None]):
    """A pushed screen around its one :class:`DataTable`: header, columns, focus on the
    table, ``reload`` on mount and on ``ctrl+r`` (``action_reload``), back (the ``#back``
    button or ``action_back``) dismisses it."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Column key and label (the label goes through :meth:`column_label`)."""

    def on_mount(self) -> None:
        self.show_header()
        table = self.query_one(DataTable)
        for key, label in self.COLUMNS:
            table.add_column(self.column_label(label), key=key)
        table.focus()
        self.reload()

    def show_header(self) -> None:
        """Fill the screen's header (title, who is signed in); nothing by default."""

    def column_label(self, label: str) -> str:
        """The shown label of a column (a subclass translates it)."""
        return label

    def reload(self) -> Any:
        """Fetch and show the table (a worker in the subclasses); also what a portal screen
        runs when the database connection is back (``screens.base.PortalMixin.refetch``)."""
        raise NotImplementedError

    def action_reload(self) -> None:
        self.reload()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss()
