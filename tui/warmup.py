"""Warm the process up before the first login.

The first App in a process pays once for what every later one reuses: parsing each widget
class's ``DEFAULT_CSS`` (shared through :mod:`tui.css_cache`), Textual's per-class binding and
CSS-type tables, Rich's style and cell-width caches. Measured before this existed: the first
login cost ~20 MB and ~0.3 s more than the next ones, and its garbage triggered the only full
collections (25–55 ms pauses) of a login burst. :func:`warm_up` renders one headless App with
the widgets the portal screens use, then the server collects and freezes before listening.
No data, no core: nothing of a customer is involved.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    DataTable,
    Input,
    Label,
    LoadingIndicator,
    Select,
    SelectionList,
    Static,
)

from tui.widgets.header import SessionHeader
from tui.widgets.keybar import KeyBar


class _WarmUpApp(App[None]):
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # the portal's: parsed once, shared
    BINDINGS = [("q", "quit", "Beenden")]

    def compose(self) -> ComposeResult:
        yield SessionHeader("linedesk")
        with VerticalScroll():
            with Vertical():
                yield Static("Rufnummern", classes="title")
                yield Label("Filter")
                yield Input(placeholder="Filter", max_length=100)
                yield Select([("Aktiv", 1), ("Inaktiv", 2)], allow_blank=False)
                yield SelectionList[int](("a", 1), ("b", 2))
                yield Checkbox("Verkehrsdaten löschen")
                with Horizontal():
                    yield Button("Aktivieren", variant="primary")
                    yield Button("Abbrechen")
                with ContentSwitcher(initial="one"):
                    yield Static("eins", id="one")
                    yield LoadingIndicator(id="two")
                yield DataTable(cursor_type="row")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Rufnummer", "Status", "Bereich", "Datum")
        table.add_rows([(f"+49 30 1234{i:03d}", "aktiv", "030", "21.11.2026") for i in range(30)])
        self.notify("linedesk")
        self.call_after_refresh(self._interact)

    def _interact(self) -> None:
        table = self.query_one(DataTable)
        table.focus()
        table.move_cursor(row=3)
        self.call_after_refresh(self.exit)


_warmed = False


async def warm_up() -> None:
    """Render the warm-up App once per process, headless at 120×40 (~0.3 s CPU, before
    listening). A worker forked from a warmed supervisor shares its warm caches and skips."""
    global _warmed
    if _warmed:
        return
    await _WarmUpApp().run_async(headless=True, size=(120, 40))
    _warmed = True
