"""Pilot: the credential wizard's "zu einem Zeitpunkt" (R19) with the step-up code (R20):
the time dialog offers the next 22:00 Berlin, a time too soon is refused in the dialog, a
valid one asks for the SMS code and ends at step 5 saying when; nothing is generated now."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Input

from core.authz import Actor
from core.models import ContractType, ScheduledReset
from core.runtime import Core
from screens.reset_time_dialog import ResetTimeDialog
from tests.stepup_helpers import take_code_from_outbox
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tests.tui.test_credential_wizard import contract_id, open_wizard, snapshot
from tui.app import LinedeskApp


async def test_schedule_at_a_time_from_the_wizard(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_MSN_COMPLETE)
    before = await snapshot(demo_core, cid)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        for key in ("w", "w", "c", "w"):
            await pilot.press(key)
            await settle(pilot)
        assert wizard.step == 4 and "Zu einem Zeitpunkt" in screen_text(app)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, ResetTimeDialog))
        field = app.screen.query_one("#reset-at", Input)
        assert field.value == "2026-11-21 22:00"  # the suggestion, Berlin time
        field.value = "2026-11-21 11:05"  # 5 minutes ahead: too soon
        await pilot.press("enter")
        await wait_until(pilot, lambda: "15 Minuten" in screen_text(app))
        assert isinstance(app.screen, ResetTimeDialog)
        field.value = "2026-11-21 22:00"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "#code" in {f"#{w.id}" for w in app.screen.query(Input)})
        assert "+49170*****67" in screen_text(app)
        code = await take_code_from_outbox(demo_core)
        await pilot.press(*code)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is wizard and wizard.step == 5)
        text = screen_text(app)
        assert "geplant" in text and "21.11.2026 22:00" in text
    async with demo_core.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(ScheduledReset))).all()
    assert [(r.contract_id, r.status) for r in rows] == [(cid, "scheduled")]
    version, online, generated, creds, _ = await snapshot(demo_core, cid)
    assert (version, online, generated, creds) == before[:4]  # nothing generated now


async def test_cancelling_the_time_dialog_keeps_step_4(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_MSN_COMPLETE)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        for key in ("w", "w", "c", "w", "z"):
            await pilot.press(key)
            await settle(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ResetTimeDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is wizard)
        assert wizard.step == 4 and wizard.scheduled is None
    async with demo_core.uow(readonly=True) as uow:
        assert (await uow.session.scalars(select(ScheduledReset))).all() == []
