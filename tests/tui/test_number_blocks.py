"""R30 Pilot tests: the dashboard shows a number block as one row (range, count, state)
that ``+`` and Enter expand and collapse (its numbers indented below), the block's row
offers only what core allows for the whole block, deactivating from it changes every
number; the order dialog offers Block 10 / Block 100 with its price first."""

from __future__ import annotations

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import DataTable, Select

from core.authz import Actor
from core.models import Number, NumberStatus
from core.runtime import Core
from core.services import number_blocks, numbers
from screens.areas import AreasScreen, OrderNumbersDialog
from screens.number_dashboard import SORTS, NumberDashboardScreen
from screens.number_dialogs import DeactivateDialog
from tests.tui.pilot_helpers import notifications, screen_text, wait_until
from tests.tui.pilot_helpers import settle as settle_pilot
from tui.app import LinedeskApp

DEMO_BLOCK = [f"+4930700000{i}" for i in range(10)]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await settle_pilot(pilot)


async def open_dashboard(app: LinedeskApp, pilot: Pilot[None]) -> NumberDashboardScreen:
    await pilot.press("2")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, NumberDashboardScreen)
    return screen


def keys(screen: NumberDashboardScreen) -> list[str]:
    table = screen.query_one("#numbers", DataTable)
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value)
            for i in range(table.row_count)]


def cells(screen: NumberDashboardScreen, key: str) -> list[str]:
    return [str(c) for c in screen.query_one("#numbers", DataTable).get_row(key)]


async def on_row(screen: NumberDashboardScreen, pilot: Pilot[None], key: str) -> None:
    table = screen.query_one("#numbers", DataTable)
    table.move_cursor(row=table.get_row_index(key), animate=False)
    await settle(pilot)


async def test_block_row_expands_and_collapses(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        heads = [k for k in keys(screen) if k.startswith("block-")]
        assert len(heads) == 1 and len(keys(screen)) == 14  # 13 numbers and the block's row
        head = heads[0]
        row = cells(screen, head)
        assert row[:3] == ["▸", "030 7000000–09", "+49307000000–09"]
        assert "Block (10)" in row and "aktiv" in row and "10 Nummern" in row
        assert "25,00\u00a0€" in row  # the block's monthly price (10 × 2,50 €)
        assert "Rufnummern 1–14 von 14" in screen_text(app)
        await pilot.resize_terminal(100, 40)  # narrower: the columns change, the rows stay
        await settle(pilot)
        assert len(keys(screen)) == 14 and cells(screen, head)[0] == "▸"

        await on_row(screen, pilot, head)
        await pilot.press("plus")
        await settle(pilot)
        assert len(keys(screen)) == 24
        members = [cells(screen, screen._keys[e]) for e in DEMO_BLOCK]
        assert [m[1] for m in members] == [f"└ 030 700000{i}" for i in range(10)]
        assert cells(screen, head)[0] == "▾"
        assert keys(screen).index(head) + 1 == keys(screen).index(screen._keys[DEMO_BLOCK[0]])

        await on_row(screen, pilot, screen._keys[DEMO_BLOCK[4]])  # + on a number: closes
        await pilot.press("plus")
        await settle(pilot)
        assert len(keys(screen)) == 14
        assert screen._current_key() == head  # the cursor stays on the block
        await pilot.press("enter")  # Enter on the block's row opens it too
        await settle(pilot)
        assert len(keys(screen)) == 24
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert len(keys(screen)) == 24 and keys(screen)[keys(screen).index(head) + 1] == \
            screen._keys[DEMO_BLOCK[0]]

        # the filter keeps working: a number of the block finds the block's row
        await pilot.press("slash", *"7000005", "enter")
        await settle(pilot)
        assert [k for k in keys(screen) if k.startswith("block-")] == [head]
        assert screen._keys.get(DEMO_BLOCK[5]) is not None


async def test_block_row_acts_on_the_whole_block(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        head = next(k for k in keys(screen) if k.startswith("block-"))
        await on_row(screen, pilot, head)
        await pilot.press("z")  # assign is per number: the block's row says why not
        await settle(pilot)
        assert app.screen is screen and "(+)" in notifications(app)
        await pilot.press("w")
        await settle(pilot)
        assert "Blocknummern lassen sich nicht austauschen" in notifications(app)

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DeactivateDialog))
        await settle(pilot)
        text = screen_text(app)
        assert "030 7000000–7000009" in text and "alle 10 Rufnummern" in text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Block 030 7000000–7000009 (10 Rufnummern) zur Deaktivierung" in notifications(app)
        async with demo_core.uow(readonly=True) as uow:
            statuses = set(await uow.session.scalars(
                select(Number.status).where(Number.e164.in_(DEMO_BLOCK))))
        assert statuses == {NumberStatus.PENDING_DEACTIVATION}
        await wait_until(pilot, lambda: "Deaktivierung vorgemerkt" in cells(screen, head))


async def test_order_dialog_offers_blocks_with_the_price_first(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        await open_dashboard(app, pilot)
        await pilot.press("b")
        await settle(pilot)
        areas_screen = app.screen
        assert isinstance(areas_screen, AreasScreen)
        table = areas_screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("030"), animate=False)
        await settle(pilot)
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, OrderNumbersDialog))
        dialog = app.screen
        assert isinstance(dialog, OrderNumbersDialog)
        kind = dialog.query_one("#kind", Select)
        await wait_until(pilot, lambda: "hidden" not in kind.classes)
        kind.value = 10
        await wait_until(pilot, lambda: "030 7000010–7000019" in screen_text(app))
        text = screen_text(app)
        assert "V-1000001-0009" in text and "99,50\u00a0€" in text and "25,00\u00a0€" in text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is areas_screen
        assert "+49307000010" in notifications(app)
        async with demo_core.uow(readonly=True) as uow:
            bought = list(await uow.session.scalars(
                select(Number).where(Number.e164.like("+49307000%")).order_by(Number.e164)))
        assert len(bought) == 20 and len({n.block_id for n in bought}) == 2


async def test_block_row_refuses_activation_when_a_member_has_no_location(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    quote = await demo_core.run(number_blocks.order_block, actors["admin"], area="030", size=10)
    block = list(quote.numbers)
    async with demo_core.uow() as uow:  # member 7 without an emergency location (R29)
        await uow.session.execute(update(Number).where(Number.e164 == block[7]).values(
            emergency_street=None, emergency_house_number=None, emergency_postcode=None,
            emergency_city=None))
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        head = screen._keys[block[0]]
        assert head.startswith("block-")
        await on_row(screen, pilot, head)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen  # no dialog: the block refuses
        text = notifications(app)
        assert "Notrufstandort" in text and block[7] in text
        target = screen._target(screen.selected)
        assert target is not None and not target.allows("activate")


async def test_expanded_block_stays_together_in_every_sort_order(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    for number, user in ((DEMO_BLOCK[3], "tom"), (DEMO_BLOCK[8], "mia")):
        await demo_core.run(numbers.assign, actors["admin"], number=number, username=user)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        head = next(k for k in keys(screen) if k.startswith("block-"))
        await on_row(screen, pilot, head)
        await pilot.press("plus")
        await settle(pilot)
        for sort in range(len(SORTS)):  # every order once, then back to the first
            rows = keys(screen)
            start = rows.index(head)
            assert rows[start + 1:start + 11] == [screen._keys[e] for e in DEMO_BLOCK], sort
            await pilot.press("s")
            await settle(pilot)
        assert screen._sort == 0
