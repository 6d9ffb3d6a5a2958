"""The header: always shows who is signed in, for which customer, in which view mode."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from core.authz import Actor
from core.i18n import t
from tui.sanitize import clean


def header_text(actor: Actor, *, title: str = "") -> Text:
    loc = actor.locale
    text = Text()
    text.append(" linedesk ", style="bold reverse")
    if title:
        text.append(f" {clean(title)} ", style="bold")
    text.append("  ")
    if actor.via_support:
        if actor.customer_id is not None:
            text.append(t(loc, "ui.header.support_access", customer=clean(actor.customer_name)),
                        style="bold black on yellow")
        else:
            text.append(t(loc, "ui.header.support_no_customer"), style="bold")
    else:
        text.append(clean(actor.customer_name or ""), style="bold")
    text.append("  ·  ")
    text.append(f"{clean(actor.username)} ({t(loc, f'role.{actor.role.value}')})")
    text.append("  ·  ")
    mode = "ui.view_mode.admin" if actor.is_admin_view else "ui.view_mode.user"
    text.append(f"{t(loc, 'ui.view_mode')}: {t(loc, mode)}")
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

    def show(self, actor: Actor, title: str = "") -> None:
        self.update(header_text(actor, title=title))
