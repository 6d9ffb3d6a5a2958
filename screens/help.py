"""Help (``?``): the keys of the screen it was opened on, then the global ones."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Static

from screens.base import PortalDialog
from tui.sanitize import clean

Keys = list[tuple[str, str]]
"""(shown key, label in the session's language)."""


def key_table(keys: Keys) -> Text:
    """One line per key: the key bold in a fixed column, then its label."""
    width = max((len(key) for key, _ in keys), default=0) + 2
    text = Text()
    for index, (key, label) in enumerate(keys):
        if index:
            text.append("\n")
        text.append(f"  {clean(key):<{width}}", style="bold")
        text.append(clean(label))
    return text


class HelpScreen(PortalDialog[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "dismiss", show=False),
    ]

    def __init__(self, screen_keys: Keys | None = None, global_keys: Keys | None = None) -> None:
        super().__init__()
        self.screen_keys = screen_keys or []
        """The keys of the screen below, as the key bar and the buttons name them."""
        self.global_keys = global_keys or []

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.t("ui.help.title"), classes="title")
            yield Static(self.t("ui.help.screen_keys"), classes="help-section")
            yield Static(key_table(self.screen_keys) if self.screen_keys
                         else self.t("ui.help.no_screen_keys"), id="help-screen-keys")
            yield Static(self.t("ui.help.global_keys"), classes="help-section")
            yield Static(key_table(self.global_keys), id="help-global-keys")
            yield Static(self.t("ui.help.body"), id="help-body")
            yield Button(self.t("ui.help.close"), id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)
