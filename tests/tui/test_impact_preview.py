"""R18 in the TUI: the credential wizard's warning step shows the line's online state with
since when and the call going on right now on the Cloud PBX main site; the swap and the
deactivation dialogs list the settings of the number that will be lost."""

from __future__ import annotations

from textual.widgets import Select, Static

from core.authz import Actor
from core.models import ContractType
from core.runtime import Core
from screens.number_dialogs import DeactivateDialog, SwapDialog
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tests.tui.test_credential_wizard import contract_id, open_wizard
from tests.tui.test_number_dialogs import MIA_MAIN, TOM_NUMBER, dialog_session
from tui.app import LinedeskApp


async def warning_step(core: Core, actor: Actor, contract: ContractType) -> str:
    """The credential wizard of the customer's ``contract`` one step on (w): what the
    warning step shows."""
    cid = await contract_id(core, contract)
    app = LinedeskApp(core, actor)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_wizard(app, pilot, cid)
        await pilot.press("w")
        await settle(pilot)
        return screen_text(app)


async def test_warning_step_lists_online_state_and_the_ongoing_call(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    text = await warning_step(demo_core, actors["admin"], ContractType.CLOUD_PBX_MAIN)
    assert "Schritt 2 von 5" in text and "Der Anschluss ist online seit" in text
    assert "Laufende Gespräche auf den Rufnummern dieses Vertrags (1)" in text
    # the demo call: Tom's number, started 12 minutes before the demo clock (10:00 UTC)
    assert "030 123456101 (tom) seit 21.11.2026 10:48 mit +49891234XXX" in text


async def test_warning_step_without_calls_says_so(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    text = await warning_step(demo_core, actors["admin"], ContractType.COMPANYFLEX_MSN_COMPLETE)
    assert "Zurzeit laufen keine Gespräche" in text


async def test_swap_dialog_lists_the_forwarding_that_will_be_lost(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with dialog_session(
        demo_core, actors["admin"], MIA_MAIN, "w", SwapDialog, size=(160, 50)
    ) as (app, pilot):
        await wait_until(pilot, lambda: "Verloren gehen" in screen_text(app))
        assert "Verloren gehen bei 030 123456100: Weiterleitung an" in screen_text(app)
        box = str(app.screen.query_one("#swap-warning", Static).render())
        assert ("Verloren gehen bei 030 123456100: Weiterleitung an sip:mia@muster-gmbh.de; "
                "Zuweisung an Mia Schneider (mia).") in box
        # another old number: its own settings
        app.screen.query_one("#old", Select).value = TOM_NUMBER
        await wait_until(pilot, lambda: "bei 030 123456101" in screen_text(app))
        assert "sip:mia@muster-gmbh.de" not in screen_text(app)


async def test_deactivate_dialog_lists_what_will_be_lost(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with dialog_session(
        demo_core, actors["admin"], MIA_MAIN, "d", DeactivateDialog, size=(160, 50)
    ) as (app, pilot):
        await wait_until(pilot, lambda: "Weiterleitung an" in screen_text(app))
        assert "Zuweisung an Mia Schneider (mia)" in screen_text(app)
