"""Pilot tests walking the credential wizard by keys, cancelling at every step."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from textual.widgets import Button, Checkbox, DataTable

from core.authz import Actor
from core.models import (
    Account,
    Contract,
    ContractType,
    CredentialStatus,
    LineCredential,
    OutboxMessage,
)
from core.runtime import Core
from core.services import credentials
from screens.contract_overview import ContractOverviewScreen
from screens.credential_wizard import CredentialWizardScreen
from tests.stepup_helpers import run_with_code
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tests.tui.stepup_pilot import enter_code
from tui.app import LinedeskApp


async def contract_id(core: Core, ctype: ContractType) -> int:
    async with core.uow(readonly=True) as uow:
        found = await uow.session.scalar(
            select(Contract.id).where(Contract.type == ctype, Contract.contract_ref.like("V-1000%"))
            .order_by(Contract.id)
        )
    assert found is not None
    return int(found)


async def snapshot(core: Core, cid: int) -> tuple[Any, ...]:
    """Everything generating would change: contract state, credentials, outbox."""
    async with core.uow(readonly=True) as uow:
        contract = await uow.session.get(Contract, cid)
        assert contract is not None
        creds = (
            await uow.session.execute(
                select(LineCredential.id, LineCredential.status).where(
                    LineCredential.contract_id == cid
                )
            )
        ).all()
        outbox = await uow.session.scalar(select(func.count()).select_from(OutboxMessage))
    return (contract.version, contract.line_online, contract.credentials_generated_at,
            sorted(creds), outbox)


async def open_wizard(app: LinedeskApp, pilot: Any, cid: int) -> CredentialWizardScreen:
    """From the contract overview: mark the contract (site overview if needed), press n."""
    await pilot.press("1")
    await settle(pilot)
    overview = app.screen
    assert isinstance(overview, ContractOverviewScreen)
    view = overview._by_id[cid]
    table = overview.query_one("#contracts", DataTable)
    if view.parent_id is not None:
        table.move_cursor(row=table.get_row_index(str(view.parent_id)))
        await pilot.press("s")
        await settle(pilot)
    table.move_cursor(row=table.get_row_index(str(cid)))
    await pilot.press("n")
    await settle(pilot)
    wizard = app.screen
    assert isinstance(wizard, CredentialWizardScreen) and wizard.contract_id == cid
    return wizard


async def test_full_walk_by_keys(demo_core: Core, actors: dict[str, Actor]) -> None:
    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_MSN_COMPLETE)
    before = await snapshot(demo_core, cid)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        text = screen_text(app)
        assert "Schritt 1 von 5" in text and "Verträge mit Anschluss" in text
        await pilot.press("w")
        await settle(pilot)
        text = screen_text(app)
        assert "Schritt 2 von 5" in text and "sofort ungültig" in text
        assert "ONLINE" in text and "Easy Login ist aktiviert" in text
        await pilot.press("w")
        await settle(pilot)
        text = screen_text(app)
        assert "Schritt 3 von 5" in text
        assert "sa***@muster-gmbh.de" in text and "+49170*****67" in text
        assert "sabine.muster@muster-gmbh.de" not in text
        assert wizard.query_one("#btn-next", Button).disabled
        await pilot.press("w")  # no consent: no way on
        await settle(pilot)
        assert wizard.step == 3
        await pilot.press("c")
        await settle(pilot)
        assert wizard.query_one("#consent", Checkbox).value
        assert not wizard.query_one("#btn-next", Button).disabled
        await pilot.press("w")
        await settle(pilot)
        assert "Schritt 4 von 5" in screen_text(app)
        assert await snapshot(demo_core, cid) == before  # nothing happened yet
        await pilot.press("g")
        await enter_code(app, pilot, demo_core)  # R20: the code from the SMS
        await settle(pilot)
        text = screen_text(app)
        assert (
            "Schritt 5 von 5" in text and "Es wurden neue Internet-Zugangsdaten generiert" in text
        )
        assert "Zurück zur Vertragsansicht" in text
        assert not any("anderen Sitzung" in n.message for n in app._notifications)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ContractOverviewScreen)
    version, online, generated, creds, outbox = await snapshot(demo_core, cid)
    assert version > before[0] and not online and generated is not None and outbox == 2
    assert [s for _, s in creds].count(CredentialStatus.ACTIVE) == 1 and len(creds) == 2


@pytest.mark.parametrize("step", [1, 2, 3, 4])
async def test_cancel_at_each_step_changes_nothing(
    demo_core: Core, actors: dict[str, Actor], step: int
) -> None:
    cid = await contract_id(demo_core, ContractType.CLOUD_PBX_BRANCH)
    before = await snapshot(demo_core, cid)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        for _ in range(step - 1):
            if wizard.step == 3:
                await pilot.press("c")
            await pilot.press("w")
            await settle(pilot)
        assert wizard.step == step
        if step == 3:
            await pilot.press("c")  # even a ticked consent is no change
            await settle(pilot)
        if step == 4:
            await pilot.click("#btn-cancel")
        else:
            await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContractOverviewScreen)
        assert any("nichts geändert" in n.message for n in app._notifications)
    assert await snapshot(demo_core, cid) == before


async def test_ineligible_contract_is_explained(demo_core: Core, actors: dict[str, Actor]) -> None:
    cid = await contract_id(demo_core, ContractType.SIP_TRUNK)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        text = screen_text(app)
        assert "[R2]" not in text and "Cloud PBX Filialvertrag" in text
        assert wizard.query_one("#btn-next", Button).disabled
        await pilot.press("w")
        await settle(pilot)
        assert wizard.step == 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContractOverviewScreen)


async def test_missing_mobile_blocks_consent_and_links_user_management(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    async with demo_core.uow() as uow:
        admin = await uow.session.get(Account, actors["admin"].account_id)
        assert admin is not None
        admin.mobile = None
    cid = await contract_id(demo_core, ContractType.CLOUD_PBX_MAIN)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        await pilot.press("w", "w")
        await settle(pilot)
        assert wizard.step == 3
        assert wizard.query_one("#consent", Checkbox).disabled
        assert "Benutzerverwaltung" in screen_text(app)
        await pilot.press("c", "w")
        await settle(pilot)
        assert wizard.step == 3
        await pilot.press("u")
        await settle(pilot)
        assert app.current_mode == "users"


async def test_second_admin_was_faster(demo_core: Core, actors: dict[str, Actor]) -> None:
    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_ACCESS_PLUS)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        await pilot.press("w", "w", "c", "w")
        await settle(pilot)
        assert wizard.step == 4
        # meanwhile somebody else generates for the same contract
        await run_with_code(demo_core, credentials.generate, actors["admin"], contract_id=cid,
                            consent=True)
        await settle(pilot)
        assert any("soeben in einer anderen Sitzung" in n.message for n in app._notifications)
        await pilot.press("g")
        await settle(pilot)
        text = screen_text(app)
        assert "inzwischen" in text and wizard.step == 4 and wizard.failed
        assert "Zurück zur Vertragsansicht" in text
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ContractOverviewScreen)
    async with demo_core.uow(readonly=True) as uow:
        active = await uow.session.scalar(select(func.count()).select_from(LineCredential).where(
            LineCredential.contract_id == cid, LineCredential.status == CredentialStatus.ACTIVE))
        outbox = await uow.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert active == 1 and outbox == 2


async def test_english_wizard(demo_core: Core, actors: dict[str, Actor]) -> None:
    from dataclasses import replace

    cid = await contract_id(demo_core, ContractType.CLOUD_PBX_MAIN)
    app = LinedeskApp(demo_core, replace(actors["admin"], locale="en"))
    async with app.run_test(size=(140, 45)) as pilot:
        await open_wizard(app, pilot, cid)
        await pilot.press("w")
        await settle(pilot)
        text = screen_text(app)
        assert "Step 2 of 5" in text and "invalid at once" in text


async def test_support_gives_a_reason_when_generating(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from screens.reason_dialog import ReasonDialog

    cid = await contract_id(demo_core, ContractType.CLOUD_PBX_MAIN)
    support = actors["support"].for_customer(
        actors["admin"].customer_id, customer_name="Muster GmbH"
    )
    app = LinedeskApp(demo_core, support)
    async with app.run_test(size=(140, 45)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        assert "sa***@muster-gmbh.de" in wizard.query_one("#delivery").render().plain  # type: ignore[attr-defined]
        await pilot.press("w", "w", "c", "w", "g")
        await wait_until(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"TICKET-99", "ctrl+s")
        await enter_code(app, pilot, demo_core)  # R20: to support's own mobile
        await settle(pilot)
        assert wizard.step == 5
    from core.models import AuditEvent

    async with demo_core.uow(readonly=True) as uow:
        row = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "credentials.generated"))
    assert row is not None and row.reason == "TICKET-99" and row.via_support


async def test_consent_text_is_shown_whole_on_80_columns(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_MSN_COMPLETE)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_wizard(app, pilot, cid)
        for _ in range(2):
            await pilot.press("w")
            await settle(pilot)
        assert wizard.step == 3
        text = " ".join(screen_text(app).split())
        assert ("Ich bestätige, dass die angegebene E-Mail-Adresse und Mobilfunk-Rufnummer zur "
                "Verifizierung der Internet-Zugangsdaten verwendet werden dürfen.") in text
        await pilot.press("c")
        await settle(pilot)
        assert wizard.query_one("#consent", Checkbox).value
