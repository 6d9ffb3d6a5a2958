"""``linedesk tui``: the portal in the local terminal, after a login screen.

The same :class:`tui.app.LinedeskApp` as over SSH, driven by Textual's own terminal driver
(one App per process here, so its process-wide behaviour is fine). R25 account locks are
checked like over SSH, by the same core gate (``core.services.locks``): a locked account is
refused after its password was verified, and a running portal ends with the notice (printed
on the restored terminal) when its account is locked meanwhile.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App

from core.authz import Actor
from core.config import Settings
from core.i18n import t
from core.runtime import Core
from core.services import locks
from screens.login import LOCALE, LoginScreen
from tui.sanitize import clean, safe_text
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

    async def _authenticate(self, username: str, password: str) -> tuple[Actor | None, str | None]:
        from core.services import auth as auth_service

        result = await auth_service.authenticate_password(
            self.core, username=username, password=password, source=SOURCE,
            audit_login=False,  # recorded below, once the account is known not to be locked
        )
        actor = result.actor
        if actor is None:
            return None, t(LOCALE, "error.auth_locked" if result.locked else "error.auth_failed")
        refusal = await locks.refuse_locked_login(self.core, actor, method="password")
        if refusal is not None:
            return None, refusal.message(actor.locale, clean)
        await self.core.run(auth_service.record_login, actor)
        return actor, None


async def end_when_locked(core: Core, app: App[Any], actor: Actor) -> str:
    """R25 for the local portal: when ``actor``'s account is locked, ``app`` exits with the
    notice (Textual prints it once the terminal is restored); returns the notice."""
    refusal = await locks.wait_until_locked(core, core.bus, actor.account_id)
    current = getattr(app, "actor", actor)  # the language may have been switched meanwhile
    notice = refusal.message(current.locale, clean)
    app.exit(return_code=1, message=safe_text(notice))
    return notice


async def run_local_async(settings: Settings, *, demo: bool) -> None:
    from core import migrate
    from tui.app import LinedeskApp

    core = Core(settings)
    try:
        await migrate.prepare(core, demo=demo)
        core.start_background(scheduler=False)
        actor = await LoginApp(core).run_async()
        if actor is not None:
            app = LinedeskApp(core, actor)
            watch = asyncio.create_task(end_when_locked(core, app, actor), name="linedesk-lock")
            try:
                await app.run_async()
            finally:
                watch.cancel()
    finally:
        await core.close()


def run_local(settings: Settings, demo: bool = False) -> None:
    """Run the login screen, then the portal, in this terminal."""
    asyncio.run(run_local_async(settings, demo=demo))
