"""R20 in the TUI: swap, assignment with traffic-data deletion and credential generation
ask for the SMS code in a dialog inside the flow; the code is read from the SMS in the
outbox as a person reads their phone. A wrong code shows the tries left, Esc changes
nothing, "neuen Code senden" sends another one (and the rate limit says when it is enough).
"""

from __future__ import annotations

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Checkbox, Select

from core.authz import Actor
from core.models import CallRecord, ContractType, StepUpCode
from core.runtime import Core
from core.services import numbers
from screens.code_dialog import CodeDialog
from screens.credential_wizard import CredentialWizardScreen
from screens.number_dialogs import AssignDialog, ForwardingDialog, SwapDialog
from tests.stepup_helpers import take_code_from_outbox
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tests.tui.stepup_pilot import enter_code, press_confirm, wait_code_dialog
from tests.tui.test_credential_wizard import contract_id, open_wizard, snapshot
from tests.tui.test_number_dialogs import (
    INACTIVE,
    MIA_MAIN,
    count,
    dialog_session,
    status_of,
)
from tui.app import LinedeskApp


async def codes(core: Core, status: str) -> int:
    async with core.uow(readonly=True) as uow:
        return int(await uow.session.scalar(
            select(func.count()).select_from(StepUpCode).where(StepUpCode.status == status)) or 0)


async def wait_rows(pilot: Pilot[None], core: Core, n: int) -> None:
    """Until ``n`` codes have been requested (the resend runs in the dialog's worker)."""
    for _ in range(300):
        async with core.uow(readonly=True) as uow:
            if await uow.session.scalar(select(func.count()).select_from(StepUpCode)) == n:
                return
        await pilot.pause(0.05)
    raise AssertionError(f"not {n} codes")


async def swap_asks_for_the_code(app: LinedeskApp, pilot: Pilot[None]) -> CodeDialog:
    """In the open swap dialog of Mia's main number: the inactive number chosen and
    confirmed; returns the code dialog that asks (the swap dialog's worker waits for it)."""
    app.screen.query_one("#new", Select).value = INACTIVE
    await settle(pilot)
    press_confirm(app)
    return await wait_code_dialog(app, pilot)


async def test_swap_asks_for_the_code_wrong_then_right(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, MIA_MAIN, "w", SwapDialog) as (app, pilot):
        dialog = await swap_asks_for_the_code(app, pilot)
        await wait_until(pilot, lambda: "Code an" in screen_text(app))
        text = screen_text(app)
        assert "Code an +49170*****67 gesendet, 10 Minuten gültig" in text
        assert "Rufnummerntausch" in text and "neuen Code senden" in text
        code = await take_code_from_outbox(demo_core)
        wrong = "000000" if code != "000000" else "111111"
        await pilot.press(*wrong, "enter")
        await wait_until(pilot, lambda: "Noch 4 Versuche" in screen_text(app))
        assert app.screen is dialog
        assert (await status_of(demo_core, admin, MIA_MAIN)).status == "active"
        await pilot.press(*"12345678")  # max_length: six digits at most
        assert len(dialog.query_one("#code").value) == 6  # type: ignore[attr-defined]
        await pilot.press("ctrl+a", "ctrl+k", *code, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ForwardingDialog))
        old = await status_of(demo_core, admin, MIA_MAIN)
        new = await status_of(demo_core, admin, INACTIVE)
        assert (old.status, new.status, new.assigned_to) == ("inactive", "active", "mia")
    assert await codes(demo_core, "used") == 1


async def test_esc_in_the_code_dialog_changes_nothing(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, MIA_MAIN, "w", SwapDialog) as (app, pilot):
        await swap_asks_for_the_code(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, SwapDialog))
        await settle(pilot)
        assert "ohne Bestätigungscode wurde nichts geändert" in screen_text(app)
        old = await status_of(demo_core, admin, MIA_MAIN)
        assert (old.status, old.forwarding_target) == ("active", "sip:mia@muster-gmbh.de")
        assert (await status_of(demo_core, admin, INACTIVE)).status == "inactive"
        # the swap dialog is still there: confirming again asks for a (new) code
        press_confirm(app)
        await enter_code(app, pilot, demo_core)
        assert isinstance(app.screen, ForwardingDialog)
        assert (await status_of(demo_core, admin, MIA_MAIN)).status == "inactive"


async def test_assign_with_traffic_deletion_needs_the_code(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    mia_calls = (CallRecord.account_id == actors["mia"].account_id, CallRecord.deleted.is_(False))
    before = await count(demo_core, CallRecord, *mia_calls)
    async with dialog_session(demo_core, admin, MIA_MAIN, "z", AssignDialog) as (app, pilot):
        app.screen.query_one("#employee", Select).value = "tom"
        app.screen.query_one("#delete-traffic", Checkbox).value = True
        await settle(pilot)
        press_confirm(app)
        await wait_code_dialog(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, AssignDialog))
        assert (await status_of(demo_core, admin, MIA_MAIN)).assigned_to == "mia"
        assert await count(demo_core, CallRecord, *mia_calls) == before
        press_confirm(app)
        await enter_code(app, pilot, demo_core)
        assert not isinstance(app.screen, AssignDialog)
        assert (await status_of(demo_core, admin, MIA_MAIN)).assigned_to == "tom"
        assert await count(demo_core, CallRecord, *mia_calls) < before


async def test_new_code_replaces_the_old_and_the_rate_limit_shows(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, MIA_MAIN, "w", SwapDialog) as (app, pilot):
        await swap_asks_for_the_code(app, pilot)
        first = await take_code_from_outbox(demo_core)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: "Neuer Code an +49170*****67" in screen_text(app))
        second = await take_code_from_outbox(demo_core)
        if first != second:  # the first one no longer works
            await pilot.press(*first, "enter")
            await wait_until(pilot, lambda: "Falscher Bestätigungscode" in screen_text(app))
        for n in (3, 4, 5):  # the 15-minute window allows five codes
            await pilot.press("ctrl+n")
            await wait_rows(pilot, demo_core, n)
        await pilot.press("ctrl+n")  # the 6th: refused
        await wait_until(pilot, lambda: "Zu viele Bestätigungscodes" in screen_text(app))
        assert await codes(demo_core, "pending") == 1 and await codes(demo_core, "superseded") == 4
        newest = await take_code_from_outbox(demo_core)
        await pilot.press(*newest, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ForwardingDialog))
        assert (await status_of(demo_core, admin, MIA_MAIN)).status == "inactive"


async def test_wizard_generate_asks_for_the_code(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_MSN_COMPLETE)
    before = await snapshot(demo_core, cid)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        await pilot.press("w", "w", "c", "w")
        await settle(pilot)
        assert wizard.step == 4
        await pilot.press("g")
        await wait_code_dialog(app, pilot)
        assert "neue Internet-Zugangsdaten" in screen_text(app)
        await take_code_from_outbox(demo_core)  # read, but not typed: Esc
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, CredentialWizardScreen))
        await settle(pilot)
        assert wizard.step == 4 and not wizard.failed and not wizard.busy
        assert "nichts geändert" in screen_text(app)
        assert await snapshot(demo_core, cid) == before
        await pilot.press("g")
        await enter_code(app, pilot, demo_core)
        assert wizard.step == 5
        assert "Es wurden neue Internet-Zugangsdaten generiert" in screen_text(app)
    version, online, generated, _creds, outbox = await snapshot(demo_core, cid)
    assert version > before[0] and not online and generated is not None and outbox == 2


async def test_changed_meanwhile_the_code_dialog_closes_with_the_conflict(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    async with dialog_session(demo_core, admin, MIA_MAIN, "w", SwapDialog) as (app, pilot):
        await swap_asks_for_the_code(app, pilot)
        code = await take_code_from_outbox(demo_core)
        # another session changes the old number while the code is being typed
        await demo_core.run(numbers.set_forwarding, admin, number=MIA_MAIN, target=None)
        await pilot.press(*code, "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, CodeDialog | SwapDialog))
        await settle(pilot)
        assert any("von jemand anderem geändert" in n.message for n in app._notifications)
        assert (await status_of(demo_core, admin, MIA_MAIN)).status == "active"
    assert await codes(demo_core, "pending") == 1  # refused before the code was looked at


async def test_english_code_dialog(demo_core: Core, actors: dict[str, Actor]) -> None:
    from dataclasses import replace

    english = replace(actors["admin"], locale="en")
    async with dialog_session(demo_core, english, MIA_MAIN, "w", SwapDialog) as (app, pilot):
        await swap_asks_for_the_code(app, pilot)
        await wait_until(pilot, lambda: "Code sent to +49170*****67, valid for 10 minutes"
                         in screen_text(app))
        assert "send a new code" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: "without the confirmation code nothing was changed"
                         in screen_text(app))
