"""Pilot tests: admins switch Admin-Ansicht ⇄ Anwender-Ansicht, employees cannot."""

from __future__ import annotations

from core.authz import Actor, ViewMode
from core.runtime import Core
from core.services import numbers
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tui.app import LinedeskApp


def notifications(app: LinedeskApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_admin_switches_to_user_view_and_back(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(
            pilot, lambda: "Ansicht wechseln" in screen_text(app)
        )  # footer shows the key
        assert "Ansichtsmodus: Admin-Ansicht" in screen_text(app)
        await pilot.press("v")
        await wait_until(pilot, lambda: "Ansichtsmodus: Anwender-Ansicht" in screen_text(app))
        assert app.actor.view_mode is ViewMode.USER
        assert any("Anwender-Ansicht" in m for m in notifications(app))
        # the user view sees what an employee sees: only the admin's own numbers
        own = await demo_core.read(numbers.list_numbers, app.actor)
        assert own and {n.assigned_to for n in own} == {"admin"}
        await pilot.press("v")
        await wait_until(pilot, lambda: "Ansichtsmodus: Admin-Ansicht" in screen_text(app))
        assert app.actor.view_mode is ViewMode.ADMIN
        everything = await demo_core.read(numbers.list_numbers, app.actor)
        assert len(everything) > len(own)


async def test_employee_has_only_the_user_view(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await wait_until(
            pilot, lambda: any("nur die Anwender-Ansicht" in m for m in notifications(app))
        )
        assert app.actor.view_mode is ViewMode.USER
        assert not app.actor.is_admin_view
        assert "Ansichtsmodus: Anwender-Ansicht" in screen_text(app)


async def test_english_admin_gets_english_view_labels(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from dataclasses import replace

    app = LinedeskApp(demo_core, replace(actors["admin"], locale="en"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: "Switch view" in screen_text(app))
        await pilot.press("v")
        await wait_until(pilot, lambda: "View mode: User view" in screen_text(app))


async def test_support_has_no_view_switch(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: "Kundensuche" in screen_text(app))
        assert "Ansicht wechseln" not in screen_text(app)
        assert app.check_action("toggle_view_mode", ()) is False
