"""``linedesk tui``: the portal in the local terminal, after a login screen.

The same :class:`tui.app.LinedeskApp` as over SSH, driven by Textual's own terminal driver
(one App per process here, so its process-wide behaviour is fine).
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App

from core.authz import Actor
from core.config import Settings
from core.runtime import Core
from screens.login import LoginScreen
from tui.typeahead import TypeaheadApp

SOURCE = "local"
"""Source address recorded in the audit log for logins at the server's console."""


class LoginApp(TypeaheadApp, App[Actor]):
    """Only the login screen; returns the signed-in actor (or None when quit)."""

    TITLE = "linedesk"

    def __init__(self, core: Core, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.core = core

    def on_mount(self) -> None:
        self.push_screen(LoginScreen(self._authenticate), callback=self.exit)

    async def _authenticate(self, username: str, password: str) -> tuple[Actor | None, bool]:
        from core.services.auth import authenticate_password

        result = await authenticate_password(
            self.core, username=username, password=password, source=SOURCE
        )
        return result.actor, result.locked


async def run_local_async(settings: Settings, *, demo: bool) -> None:
    from core import migrate
    from tui.app import LinedeskApp

    core = Core(settings)
    try:
        await migrate.prepare(core, demo=demo)
        core.start_background(scheduler=False)
        actor = await LoginApp(core).run_async()
        if actor is not None:
            await LinedeskApp(core, actor).run_async()
    finally:
        await core.close()


def run_local(settings: Settings, demo: bool = False) -> None:
    """Run the login screen, then the portal, in this terminal."""
    asyncio.run(run_local_async(settings, demo=demo))
