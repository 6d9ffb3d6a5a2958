"""The key bar at the bottom of every top-level screen: one widget drawing one line.

Textual's ``Footer`` is a container of one ``FooterKey`` widget per binding and recomposes
all of them whenever the bindings change (each screen switch, each focus change). With one
App per SSH session that was ~10 % of a login's CPU and a dozen widgets per screen held by
every session. This bar draws the same ``key label`` pairs as text, repaints (no recompose)
when the bindings change, and maps a click to the key under the pointer.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

from tui.sanitize import clean


class KeyBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key", "keybar--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str, bool]] = []
        """(first column, end column, key, enabled) of every key drawn."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def entries(self) -> list[tuple[str, str, str, bool]]:
        """(key, shown key, label, enabled) per action, in the order the screen offers them;
        an action bound to several keys shows its first."""
        seen: set[str] = set()
        result: list[tuple[str, str, str, bool]] = []
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            if type(node).__module__.startswith("textual."):
                continue  # a Textual widget's own key ("Dismiss menu"): English only
            seen.add(binding.action)
            result.append((binding.key, self.app.get_key_display(binding),
                           binding.description, enabled))
        return result

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        label_style = self.get_component_rich_style("keybar--description")
        text = Text(" ", no_wrap=True, overflow="ellipsis")
        spans: list[tuple[int, int, str, bool]] = []
        for key, shown, label, enabled in self.entries():
            start = len(text)
            dim = Style(dim=True) if not enabled else Style()
            # as compact as Textual's compact footer: 1–4, v and ? must fit 120 columns
            text.append(clean(shown), key_style + dim)
            text.append(f" {clean(label)} " if label else " ", label_style + dim)
            spans.append((start, len(text), key, enabled))
        self._spans = spans
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
