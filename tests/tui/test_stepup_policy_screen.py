"""Pilot: the step-up policy (R20) in user management — admins see it and toggle it with
`b`; turning it off asks for the SMS code, turning it on does not; employees have no toggle."""

from __future__ import annotations

from core.authz import Actor
from core.runtime import Core
from core.services import stepup
from screens.code_dialog import CodeDialog
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tests.tui.stepup_pilot import enter_code
from tests.tui.test_users_screen import open_users
from tui.app import LinedeskApp


async def test_admin_turns_the_policy_off_with_a_code_and_on_without(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    app = LinedeskApp(demo_core, admin)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_users(app, pilot)
        await wait_until(pilot, lambda: "Bestätigungscode per SMS ist eingeschaltet"
                         in screen_text(app))
        await pilot.press("b")
        await enter_code(app, pilot, demo_core)
        await wait_until(pilot, lambda: "ist abgeschaltet" in screen_text(app))
        assert (await demo_core.read(stepup.get_policy, admin)).required is False
        await pilot.press("b")  # on again: no code needed
        await settle(pilot)
        await wait_until(pilot, lambda: "ist eingeschaltet" in screen_text(app))
        assert not isinstance(app.screen, CodeDialog)
    assert (await demo_core.read(stepup.get_policy, admin)).required is True


async def test_employee_sees_no_policy(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(140, 45)) as pilot:
        await open_users(app, pilot)
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert "Bestätigungscode per SMS" not in screen_text(app)
        assert not isinstance(app.screen, CodeDialog)
    assert (await demo_core.read(stepup.get_policy, actors["admin"])).required is True
