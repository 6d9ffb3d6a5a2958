"""Help: the keys of the portal."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Static

from screens.base import PortalDialog


class HelpScreen(PortalDialog[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 80; height: auto; border: round $primary; padding: 1 2; background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark", "dismiss", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.t("ui.help.title"), classes="title")
            yield Static(self.t("ui.help.body"))
            yield Button(self.t("ui.help.close"), id="close", variant="primary")

    def on_button_pressed(self) -> None:
        self.dismiss(None)
