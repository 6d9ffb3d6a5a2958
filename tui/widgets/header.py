"""The header: always shows who is signed in, for which customer, in which view mode.

On a narrow terminal the header drops, in this order, the "Ansichtsmodus:" label and the
role, then narrows its separators, so that the screen title, the customer, the user and
the view mode itself stay visible (they say where one is and decide what the screen shows
and allows). Only where even that does not fit is the title left out, and the line is
cut at its end.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from core.authz import Actor
from core.i18n import t
from tui.sanitize import clean


def header_text(actor: Actor, *, title: str = "", width: int | None = None) -> Text:
    """The header line; with ``width``, the fullest variant that fits it."""
    # (title, role, "Ansichtsmodus:" label, wide separators), fullest first
    variants = [(True, True, True, True), (True, True, False, True),
                (True, False, False, True), (True, False, False, False),
                (False, False, False, False)]
    text = Text()
    for show_title, show_role, show_label, wide in variants:
        text = _header(actor, title if show_title else "", role=show_role, label=show_label,
                       wide=wide)
        if width is None or text.cell_len <= width:
            break
    return text


def _header(actor: Actor, title: str, *, role: bool, label: bool, wide: bool = True) -> Text:
    loc = actor.locale
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" linedesk ", style="bold reverse")
    if title:
        text.append(f" {clean(title)} ", style="bold")
    sep = "  ·  " if wide else " · "
    text.append("  " if wide else " ")
    if actor.via_support:
        if actor.customer_id is not None:
            text.append(t(loc, "ui.header.support_access", customer=clean(actor.customer_name)),
                        style="bold black on yellow")
        else:
            text.append(t(loc, "ui.header.support_no_customer"), style="bold")
    else:
        text.append(clean(actor.customer_name or ""), style="bold")
    text.append(sep)
    user = clean(actor.username)
    text.append(f"{user} ({t(loc, f'role.{actor.role.value}')})" if role else user)
    text.append(sep)
    mode = t(loc, "ui.view_mode.admin" if actor.is_admin_view else "ui.view_mode.user")
    text.append(f"{t(loc, 'ui.view_mode')}: {mode}" if label else mode)
    return text


class SessionHeader(Static):
    DEFAULT_CSS = """
    SessionHeader {
        dock: top;
        height: 1;
        background: $primary-background;
        color: $text;
    }
    """

    def __init__(self, content: str = "", *, id: str | None = None) -> None:
        super().__init__(content, id=id)
        self._shown: tuple[Actor, str] | None = None
        """The actor and title last shown, drawn again for a new width."""

    def show(self, actor: Actor, title: str = "") -> None:
        self._shown = (actor, title)
        self._draw()

    def _draw(self) -> None:
        if self._shown is not None:
            actor, title = self._shown
            width = self.size.width or (self.app.size.width if self.is_attached else None)
            text = header_text(actor, title=title, width=width)
            agent = getattr(self.app, "shadowed_by", None) if self.is_attached else None
            if agent:  # R23: support watches this session (ssh_server/shadow.py)
                watched = t(actor.locale, "support.shadow.header", agent=clean(agent))
                text = Text.assemble((f" {watched} ", "bold black on yellow"), " ", text,
                                     no_wrap=True, overflow="ellipsis")
            self.update(text)

    def redraw(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()
