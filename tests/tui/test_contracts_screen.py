"""Pilot tests of the contract overview: selectors, table, site overview, filter, action."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select
from textual.widgets._select import SelectOverlay

from core.authz import Actor
from core.models import Contract, ContractType, CustomerNumber, Product
from core.runtime import Core
from screens.contract_overview import ContractOverviewScreen
from screens.credential_wizard import CredentialWizardScreen
from tests.tui.pilot_helpers import screen_text, settle
from tui.app import LinedeskApp
from tui.widgets.keybar import KeyBar


def table_refs(app: LinedeskApp) -> list[str]:
    table = app.screen.query_one("#contracts", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def open_overview(app: LinedeskApp, pilot: Pilot[None]) -> ContractOverviewScreen:
    await pilot.press("1")
    await settle(pilot)
    assert isinstance(app.screen, ContractOverviewScreen)
    return app.screen


async def test_overview_lists_top_level_contracts_and_filters(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_overview(app, pilot)
        refs = table_refs(app)
        assert "V-1000001-0001" in refs  # CompanyFlex framework contract
        assert all(not screen._by_id[int(k)].parent_id for k in
                   (str(v.id) for v in screen._all if v.contract_ref in refs))
        text = screen_text(app)
        assert (
            "Vertragsübersicht" in text
            and "Kundennummer" in text
            and "Neue Internet-Zugangsdaten" in text
        )
        screen.query_one("#customer-number", Select).value = "1000002"
        await settle(pilot)
        assert table_refs(app) and all(r.startswith("V-1000002") for r in table_refs(app))
        screen.query_one("#customer-number", Select).value = "*"
        screen.query_one("#product", Select).value = "sip_trunk"
        await settle(pilot)
        assert [screen._by_id[v.id].type for v in screen._visible()] == ["sip_trunk"]
        screen.query_one("#product", Select).value = "*"
        await pilot.press("slash", *"leipzig", "enter")
        await settle(pilot)
        assert len(table_refs(app)) == 1
        assert "Filiale Leipzig" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "V-1000001-0001" in table_refs(app)


async def test_site_overview_shows_branches(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_overview(app, pilot)
        main = next(v for v in screen._all if v.type == "cloud_pbx_main")
        table = screen.query_one("#contracts", DataTable)
        table.move_cursor(row=table.get_row_index(str(main.id)))
        await pilot.press("s")
        await settle(pilot)
        assert sorted(table_refs(app)) == sorted(main.sites)
        text = screen_text(app)
        assert "Standorte-/Filialübersicht" in text and "Filiale Hamburg" in text
        await pilot.press("escape")
        await settle(pilot)
        assert screen.marked is not None and screen.marked.id == main.id


async def test_action_selector_opens_wizard_for_marked_contract(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_overview(app, pilot)
        marked = screen.marked
        assert marked is not None
        await pilot.click("#btn-next")
        await settle(pilot)
        assert isinstance(app.screen, CredentialWizardScreen)
        assert app.screen.contract_id == marked.id


async def test_employee_gets_an_explanation(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(160, 45)) as pilot:
        await open_overview(app, pilot)
        assert table_refs(app) == []
        assert "nur dem Administrator-Konto" in screen_text(app)


async def test_small_terminal_keeps_every_button_visible(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_overview(app, pilot)
        text = screen_text(app)
        for label in ("weiter (w)", "Standorte/Filialen (s)", "Filtern (/)", "V-1000001-0001"):
            assert label in text, label


async def test_english_labels(demo_core: Core, actors: dict[str, Actor]) -> None:
    from dataclasses import replace

    app = LinedeskApp(demo_core, replace(actors["admin"], locale="en"))
    async with app.run_test(size=(160, 45)) as pilot:
        await open_overview(app, pilot)
        text = screen_text(app)
        assert "Contract overview" in text and "New internet access credentials" in text
        assert "Cloud PBX main-site contract" in text


async def test_hundreds_of_contracts_stay_fast(demo_core: Core, actors: dict[str, Actor]) -> None:
    async with demo_core.uow() as uow:
        cn = await uow.session.scalar(
            select(CustomerNumber).where(CustomerNumber.number == "1000002")
        )
        assert cn is not None
        now = uow.clock.now()
        for i in range(600):
            uow.session.add(Contract(
                customer_number_id=cn.id, product=Product.COMPANYFLEX,
                type=ContractType.COMPANYFLEX_ACCESS_PLUS, contract_ref=f"V-1000002-{5000 + i}",
                site_name=f"Filiale {i:03d}", street=f"Hauptstraße {i}", postal_code="20095",
                city="Hamburg", has_line=True, line_online=True, line_id=f"DSLX{i:05d}",
                credentials_generated_at=now - timedelta(days=i), created_at=now,
            ))
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_overview(app, pilot)
        assert len(table_refs(app)) > 600
        await pilot.press("slash", *"filiale 59", "enter")
        await settle(pilot)
        assert len(table_refs(app)) == 10
        assert screen.marked is not None


@pytest.mark.parametrize("locale", ["de", "en"])
async def test_action_dropdown_opens_over_the_table_not_the_key_bar(
    demo_core: Core, actors: dict[str, Actor], locale: str
) -> None:
    app = LinedeskApp(demo_core, replace(actors["admin"], locale=locale))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_overview(app, pilot)
        action = screen.query_one("#action", Select)
        label = "weiter (w)" if locale == "de" else "next (w)"
        assert label in screen_text(app)  # the button beside the drop-down fits
        action.focus()
        await pilot.press("enter")
        await settle(pilot)
        overlay = action.query_one(SelectOverlay)
        assert overlay.display
        below = screen.query_one("#more-actions").region
        assert overlay.region.bottom <= screen.query_one("#contracts").region.bottom
        assert not overlay.region.overlaps(below)
        assert not overlay.region.overlaps(screen.query_one(KeyBar).region)
        option = "Neue Internet-Zugangsdaten (n)" if locale == "de" else "New internet"
        assert option in screen_text(app)


async def test_filter_survives_a_language_switch(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_overview(app, pilot)
        await pilot.press("slash", *"hamburg", "enter")
        await settle(pilot)
        shown = table_refs(app)
        assert shown and len(shown) < len(screen._all)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await settle(pilot)
        assert app.actor.locale == "en"
        box = screen.query_one("#filter", Input)
        assert box.value == "hamburg" and box.display
        assert table_refs(app) == shown and "Contract overview" in screen_text(app)
