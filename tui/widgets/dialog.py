"""One dialog frame for the whole portal, with the product-wide key rule:

* **Enter** confirms the primary action (in a text field, on a checkbox, anywhere in the
  dialog) — except where Enter has its own meaning: a focused button presses itself (so
  Enter on "Abbrechen" cancels, but the dialog never *starts* there), a list or an open
  drop-down picks its entry;
* **ctrl+s** also confirms;
* **Esc** cancels (dismisses with ``None``).

The confirm button is never disabled (a disabled button cannot be focused and a key on
it would do nothing silently): while the dialog cannot be confirmed it looks dimmed, and
confirming then shows *why* on the dialog's error line. Confirming runs in a worker, so a
write that opens another dialog (the support reason, a step-up code) never blocks the
App's message loop; a second confirm while one runs is ignored.

How to use it (texts come from the subclass: the kit knows no i18n)::

    class RenameDialog(PortalMixin, Dialog[str]):      # PortalMixin: t(), actor, write()
        def title_text(self) -> str:   return self.t("ui.x.rename.title")
        def confirm_text(self) -> str: return self.t("ui.x.rename.confirm")
        def cancel_text(self) -> str:  return self.t("ui.cancel")

        def body(self) -> ComposeResult:
            yield Input(id="name")                     # the first field gets the focus

        def on_mount(self) -> None:
            self.ready(False, self.t("ui.x.rename.loading"))   # optional: not yet
            ...
            self.ready(True)

        async def confirm(self) -> str | None:         # None keeps the dialog open
            name = self.query_one("#name", Input).value
            if not name:
                self.show_inline(self.t("ui.x.rename.empty"))
                return None
            return await self.write(services.rename, name=name)

``self.app.push_screen(RenameDialog(), callback)`` then gets the result, or ``None``.
Hooks: :meth:`header` (lines above the body), :meth:`body`, :meth:`confirm`,
:meth:`cancelled`; :meth:`ready` and :meth:`show_inline` to talk to the user.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Select, SelectionList, Static, TextArea

from tui.bindings import label_bindings
from tui.sanitize import clean
from tui.widgets.keybar import KeyBar

R = TypeVar("R")

_OWN_ENTER = (Button, OptionList, SelectionList, TextArea, Select, Input)
"""Focused widgets for which Enter keeps its own meaning (press, pick, new line, open);
an Input's Enter submits it, and a submitted field confirms the dialog (unless the
dialog's own ``Input.Submitted`` handler calls ``event.prevent_default()``)."""


class Dialog(ModalScreen[R | None], Generic[R]):
    """Title, optional header lines, body, an error line, confirm and cancel buttons, keys."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > #dialog {
        width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; padding: 1 2; background: $panel; overflow-y: auto;
    }
    Dialog > #dialog > .dialog--title { text-style: bold; padding: 0 0 1 0; }
    Dialog > #dialog > #dialog-error { color: $error; height: auto; }
    Dialog > #dialog > .dialog--buttons { height: auto; margin: 1 0 0 0; }
    Dialog > #dialog > .dialog--buttons > Button { margin: 0 1 0 0; }
    Dialog #confirm.-blocked { opacity: 60%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "dialog_enter", "OK", show=False, priority=True, id="dialog.enter"),
        Binding("ctrl+s", "confirm", "OK", id="dialog.confirm"),
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]
    CONFIRM_VARIANT: ClassVar[str] = "primary"

    def __init__(self) -> None:
        super().__init__()
        self._not_ready: str | None = None
        """None: may be confirmed; else why not ('' while loading: nothing to say yet)."""
        self._busy = False
        """A confirm is running."""

    # ------------------------------------------------------------ what a dialog says

    def title_text(self) -> str:
        return ""

    def confirm_text(self) -> str:
        return "OK"

    def cancel_text(self) -> str:
        return "Cancel"

    def header(self) -> ComposeResult:
        """Lines between the title and the body (e.g. the object the dialog is about)."""
        yield from ()

    def body(self) -> ComposeResult:
        yield from ()

    async def confirm(self) -> R | None:
        """The dialog's one action; its result closes the dialog, None keeps it open."""
        raise NotImplementedError(type(self).__name__)

    def cancelled(self) -> None:
        """Called when the dialog is cancelled, before it closes."""

    # ------------------------------------------------------------ frame

    def compose(self) -> ComposeResult:
        # the key labels too: a portal screen is composed again for a new language
        labels = {"confirm": self.confirm_text(), "cancel": self.cancel_text(),
                  "enter": self.confirm_text()}
        label_bindings(self, "dialog.", labels)
        with Vertical(id="dialog"):
            yield Static(clean(self.title_text()), classes="dialog--title")
            yield from self.header()
            yield from self.body()
            error = Static("", id="dialog-error")
            error.display = False
            yield error
            with Horizontal(classes="dialog--buttons"):
                yield Button(clean(self.confirm_text()), id="confirm",
                             variant=self.CONFIRM_VARIANT)  # type: ignore[arg-type]
                yield Button(clean(self.cancel_text()), id="cancel")
        yield KeyBar()

    def _on_mount(self, event: events.Mount) -> None:
        self.refresh_bindings()  # the labels set in compose

    # ------------------------------------------------------------ talking to the user

    def ready(self, ok: bool, reason: str | None = None) -> None:
        """May the dialog be confirmed now? If not, ``reason`` is what confirming says."""
        self._not_ready = None if ok else (reason or "")
        self.query_one("#confirm", Button).set_class(not ok, "-blocked")

    def finished(self, close_text: str) -> None:
        """The dialog has done its work and only shows the outcome: one button,
        ``close_text``, and the key bar says what its keys do now (Enter, ctrl+s and Esc
        all close), not the confirmation it offered before."""
        self.query_one("#confirm", Button).label = clean(close_text)
        self.query_one("#cancel", Button).display = False
        label_bindings(self, "dialog.", {"confirm": close_text, "enter": close_text,
                                         "cancel": close_text})
        self.refresh_bindings()

    @property
    def is_ready(self) -> bool:
        return self._not_ready is None

    def show_inline(self, text: str) -> None:
        """A message on the dialog's error line (empty: clear it; it then takes no line)."""
        line = self.query_one("#dialog-error", Static)
        line.update(clean(text))
        line.display = bool(text)

    # ------------------------------------------------------------ keys and buttons

    def action_dialog_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, _OWN_ENTER) or (focused is not None and any(
                isinstance(node, _OWN_ENTER) for node in focused.ancestors)):
            raise SkipAction()
        self.action_confirm()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#confirm")
    def _confirm_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_confirm(self) -> None:
        if self._busy:
            return
        if self._not_ready is not None:
            if self._not_ready:
                self.show_inline(self._not_ready)
            else:
                self.app.bell()
            return
        self._busy = True
        self.show_inline("")
        self.run_worker(self._run_confirm(), group="dialog-confirm", exclusive=True)

    async def _run_confirm(self) -> None:
        try:
            result = await self.confirm()
        finally:
            self._busy = False
        if result is not None and self.is_attached and self.app.screen is self:
            self.dismiss(result)

    def action_cancel(self) -> None:
        if self._busy:
            return
        self.cancelled()
        self.dismiss(None)
