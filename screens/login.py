"""Login screen of ``linedesk tui`` (local terminal). Over SSH the SSH server authenticates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from core.authz import Actor
from core.i18n import t
from screens.base import portal_footer
from tui.sanitize import safe_text

Authenticate = Callable[[str, str], Awaitable[tuple[Actor | None, str | None]]]
"""(username, password) → (actor, None), or (None, why not: the text to show)."""

LOCALE = "de"


class LoginScreen(Screen[Actor]):
    """Asks for username and password; dismisses with the signed-in actor."""

    CSS_PATH = "login.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "login", t(LOCALE, "ssh.login.submit")),
        Binding("ctrl+q", "quit_app", t(LOCALE, "ssh.login.quit"), priority=True),
    ]

    def __init__(self, authenticate: Authenticate) -> None:
        super().__init__()
        self._authenticate = authenticate
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t(LOCALE, "ssh.login.title"), classes="title")
            yield Input(placeholder=t(LOCALE, "ssh.login.username"), id="username", max_length=64)
            yield Input(placeholder=t(LOCALE, "ssh.login.password"), id="password", password=True,
                        max_length=1024)
            yield Static("", id="login-error")
            with Horizontal():
                yield Button(t(LOCALE, "ssh.login.submit"), id="login", variant="primary")
                yield Button(t(LOCALE, "ssh.login.quit"), id="quit")
        yield portal_footer()

    @on(Input.Submitted, "#username")
    def _next_field(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#login")
    async def action_login(self) -> None:
        if self._busy:
            return
        username = self.query_one("#username", Input).value.strip()
        password_input = self.query_one("#password", Input)
        if not username or not password_input.value:
            self._show_error("ssh.login.missing")
            return
        self._busy = True
        try:
            actor, refused = await self._authenticate(username, password_input.value)
        finally:
            self._busy = False
            password_input.value = ""
        if actor is None:
            self.query_one("#login-error", Static).update(
                safe_text(refused or t(LOCALE, "error.auth_failed")))
            password_input.focus()
            return
        self.dismiss(actor)

    @on(Button.Pressed, "#quit")
    def action_quit_app(self) -> None:
        self.app.exit()

    def _show_error(self, key: str) -> None:
        self.query_one("#login-error", Static).update(t(LOCALE, key))
