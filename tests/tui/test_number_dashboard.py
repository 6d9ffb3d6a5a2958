"""Pilot tests of the number dashboard: table, marker, filter, sort, user view, live
updates in place, action links (keys and mouse), and a customer with 10,000 numbers
(paging by keys and by running the cursor past the page's ends)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from rich.segment import Segment
from rich.text import Text
from sqlalchemy import insert, select
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from core.authz import Actor
from core.models import Number, NumberKind, NumberStatus, PortingOrder, PortingStatus
from core.runtime import Core
from core.services import numbers
from screens.number_dashboard import PAGE_SIZE, NumberDashboardScreen
from screens.number_dialogs import ActivateDialog
from tests.tui.pilot_helpers import notifications, screen_text
from tests.tui.pilot_helpers import settle as settle_pilot
from tui.app import LinedeskApp

TOM_NUMBER = "+4930123456101"
INACTIVE = "+4930123456104"
PORTING = "+4930987654321"


async def settle(app: LinedeskApp, pilot: Pilot[None]) -> None:
    """Let workers and the messages they post run to the end: an action's worker posts a
    result that starts the reload worker, hence more than one round."""
    for _ in range(3):
        await settle_pilot(pilot)


async def open_dashboard(app: LinedeskApp, pilot: Pilot[None]) -> NumberDashboardScreen:
    await pilot.press("2")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, NumberDashboardScreen)
    return screen


def table_of(screen: NumberDashboardScreen) -> DataTable[object]:
    return screen.query_one("#numbers", DataTable)


def e164_column(screen: NumberDashboardScreen) -> list[str]:
    table = table_of(screen)
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


def row_text(screen: NumberDashboardScreen, e164: str) -> list[str]:
    table = table_of(screen)
    return [str(c) for c in table.get_row(screen._keys[e164])]


def action_content(screen: NumberDashboardScreen) -> Content:
    visual = screen.query_one("#actions", Static).visual
    content = getattr(visual, "content", visual)  # DrawnOnce wraps it
    assert isinstance(content, Content)
    return content


def action_lines(screen: NumberDashboardScreen) -> list[str]:
    return action_content(screen).plain.splitlines()


def linked(screen: NumberDashboardScreen, name: str) -> bool:
    """The action's label is a link (clickable) rather than dimmed."""
    return any(f"act('{name}')" in str(span.style) and "dim" not in str(span.style)
               for span in action_content(screen).spans)


async def click_action(pilot: Pilot[None], screen: NumberDashboardScreen, label: str) -> None:
    """Click the middle of an action link, found by its label."""
    for y, line in enumerate(action_lines(screen)):
        if label in line:
            x = line.index(label) + len(label) // 2 + 1  # + the line's left padding
            assert await pilot.click("#actions", offset=(x, y))
            return
    raise AssertionError(f"{label!r} not in {action_lines(screen)}")


async def select_number(screen: NumberDashboardScreen, pilot: Pilot[None], e164: str) -> None:
    table = table_of(screen)
    table.move_cursor(row=table.get_row_index(screen._keys[e164]), animate=False)
    await settle_pilot(pilot)


SITE_LOCATION = {"emergency_street": "Friedrichstraße", "emergency_house_number": "123",
                 "emergency_postcode": "10117", "emergency_city": "Berlin"}
"""R29: the emergency location the demo site gives its numbers (activation needs one)."""


async def add_numbers(core: Core, admin: Actor, count: int, *, active: Callable[[int], bool],
                      age: timedelta = timedelta(0)) -> None:
    """``count`` extra numbers +49305550iiiii on the demo customer's first contract."""
    async with core.uow() as uow:
        first = await uow.session.scalar(select(Number).where(Number.e164 == TOM_NUMBER))
        assert first is not None
        now = uow.clock.now()
        await uow.session.execute(insert(Number), [
            {"customer_id": admin.customer_id, "contract_id": first.contract_id,
             "e164": f"+49305550{i:05d}", "area_prefix": "030", "kind": NumberKind.VOICE,
             "status": NumberStatus.ACTIVE if active(i) else NumberStatus.INACTIVE,
             "settings": {}, "activation_fee_cents": 995, "monthly_price_cents": 250,
             "created_at": now - age, "version": 1, **SITE_LOCATION}
            for i in range(count)
        ])


async def test_admin_sees_all_numbers_with_marker_date_and_actions(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        assert len(e164_column(screen)) == 14  # 13 numbers and the R30 block's row
        pending = row_text(screen, "+4930123456103")
        assert (
            pending[0] == "!" and "31.12.2026" in pending and "Deaktivierung vorgemerkt" in pending
        )
        mia = row_text(screen, "+4930123456100")
        assert mia[:4] == ["", "030 123456100", "+4930123456100", "030 Berlin"]
        assert "Mia Schneider" in mia and "2,50\u00a0€" in mia
        assert "Fax (persönlich)" in row_text(screen, "+4930123456110")
        text = screen_text(app)
        for label in ("Aktivieren (a)", "Tauschen (w)", "Rufnummern kaufen", "Rufnummern portieren",
                      "Rufnummern 1–14 von 14 · Seite 1/1"):
            assert label in text
        # row actions follow the selected number's state
        await select_number(screen, pilot, INACTIVE)
        assert linked(screen, "activate") and not linked(screen, "deactivate")
        await select_number(screen, pilot, TOM_NUMBER)
        assert not linked(screen, "activate") and linked(screen, "deactivate")
        assert not linked(screen, "prev_page") and not linked(screen, "next_page")  # one page
        # ... and are reachable by mouse: a dimmed one does nothing, a link opens its dialog
        await click_action(pilot, screen, "Aktivieren (a)")
        await settle(app, pilot)
        assert app.screen is screen
        await select_number(screen, pilot, INACTIVE)
        await click_action(pilot, screen, "Aktivieren (a)")
        await settle(app, pilot)
        assert isinstance(app.screen, ActivateDialog)


async def test_employee_sees_only_own_numbers_and_no_admin_actions(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["mia"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        assert sorted(e164_column(screen)) == [
            "+4930123456100", "+4930123456102", "+4930123456110", "+4940123456202"]
        text = screen_text(app)
        assert "Anwender-Ansicht: Sie sehen die Ihnen zugeordneten Rufnummern." in text
        assert "Aktivieren" not in text and "Rufnummern kaufen" not in text
        await pilot.press("d")
        await settle(app, pilot)
        assert app.screen is screen  # no dialog for an employee
        status = await demo_core.read(numbers.get_number, actors["mia"], number="+4930123456100")
        assert status.status == "active"


async def test_filter_and_sort(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"tom", "enter")
        await settle(app, pilot)
        assert e164_column(screen) == [TOM_NUMBER]
        assert "Rufnummern 1–1 von 1" in screen_text(app) and "Filter: „tom“" in screen_text(app)
        await pilot.press("slash", "escape")
        await settle(app, pilot)
        assert len(e164_column(screen)) == 14

        await pilot.press("s")  # by status
        await settle(app, pilot)
        statuses = [row_text(screen, e)[5] for e in e164_column(screen)
                    if e in screen._keys]  # (the block's row shows a range)
        assert statuses == sorted(statuses, key=lambda s: {
            "aktiv": 0, "inaktiv": 1, "Deaktivierung vorgemerkt": 2, "in Portierung": 3}[s])
        assert "sortiert nach Status" in screen_text(app)
        await pilot.press("s")  # by employee: assigned ones first
        await settle(app, pilot)
        assert row_text(screen, e164_column(screen)[0])[7] != ""
        assert row_text(screen, e164_column(screen)[-1])[7] == ""


async def test_change_in_another_session_updates_the_row_in_place(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        await select_number(screen, pilot, INACTIVE)
        cursor = table_of(screen).cursor_row
        loads: list[object] = []
        original = screen.reload
        screen.reload = lambda: loads.append(original())  # type: ignore[method-assign]
        # another admin session (same customer) marks tom's number for deactivation
        await demo_core.run(numbers.deactivate, actors["admin"], number=TOM_NUMBER)
        await settle(app, pilot)
        row = row_text(screen, TOM_NUMBER)
        assert row[0] == "!" and "31.12.2026" in row
        assert table_of(screen).cursor_row == cursor
        assert loads == []  # only the changed row was fetched
        # a number assigned away disappears from an employee's dashboard, and back
    app2 = LinedeskApp(demo_core, actors["tom"])
    async with app2.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app2, pilot)
        assert e164_column(screen) == [TOM_NUMBER]
        await demo_core.run(
            numbers.assign, actors["admin"], number="+4930123456102", username="tom"
        )
        await settle(app2, pilot)
        assert sorted(e164_column(screen)) == ["+4930123456101", "+4930123456102"]
        await demo_core.run(numbers.assign, actors["admin"], number=TOM_NUMBER, username="mia")
        await settle(app2, pilot)
        assert e164_column(screen) == ["+4930123456102"]


async def test_ten_thousand_numbers(demo_core: Core, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    await add_numbers(demo_core, admin, 10_000, active=lambda i: i % 3 != 0,
                      age=timedelta(days=1))
    app = LinedeskApp(demo_core, admin)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        assert table_of(screen).row_count == PAGE_SIZE
        pages = -(-10_014 // PAGE_SIZE)
        assert f"Rufnummern 1–{PAGE_SIZE} von 10.014 · Seite 1/{pages}" in screen_text(app)
        target = "+4930555000020"  # on the first page
        await select_number(screen, pilot, target)
        cursor = table_of(screen).cursor_row
        loads: list[object] = []
        original = screen.reload
        screen.reload = lambda: loads.append(original())  # type: ignore[method-assign]
        await demo_core.run(numbers.deactivate, admin, number=target)
        await settle(app, pilot)
        screen.reload = original  # type: ignore[method-assign]
        assert row_text(screen, target)[0] == "!"
        assert table_of(screen).cursor_row == cursor
        assert loads == []  # the change re-fetched one number, not the table
        # (speed is measured in bench/dashboard.py, not here)

        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert e164_column(screen)[0] == f"+49305550{PAGE_SIZE - 9:05d}"
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert e164_column(screen)[0] == "+4930123456100"
        await pilot.press("slash", *"555000999", "enter")
        await settle(app, pilot)
        assert e164_column(screen) == ["+4930555000999"]
        # a filter matching ten of the 10,013 numbers: exactly those, counted by the core
        await pilot.press("slash", *(["backspace"] * 9), *"55500012", "enter")
        await settle(app, pilot)
        assert e164_column(screen) == [f"+493055500012{i}" for i in range(10)]
        assert "Rufnummern 1–10 von 10 · Seite 1/1" in screen_text(app)


async def test_cursor_past_the_page_end_loads_the_next_page(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """The table holds one page; the arrow keys turn it at either end."""
    admin = actors["admin"]
    await add_numbers(demo_core, admin, PAGE_SIZE * 2, active=lambda i: False)
    total = PAGE_SIZE * 2 + 14  # 13 numbers and the demo block's row
    app = LinedeskApp(demo_core, admin)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        table = table_of(screen)
        page1 = e164_column(screen)
        assert (
            len(page1) == PAGE_SIZE
            and linked(screen, "next_page")
            and not linked(screen, "prev_page")
        )
        table.move_cursor(row=PAGE_SIZE - 2, animate=False)
        await pilot.press("down")
        await settle(app, pilot)
        assert table.cursor_row == PAGE_SIZE - 1 and e164_column(screen) == page1  # not yet
        await pilot.press("down")  # past the last row: the next page, cursor on its first row
        await settle(app, pilot)
        page2 = e164_column(screen)
        assert page2[0] == f"+49305550{PAGE_SIZE - 9:05d}" and len(page2) == PAGE_SIZE
        assert table.cursor_row == 0 and table.row_count == PAGE_SIZE
        assert f"Rufnummern {PAGE_SIZE + 1}–{2 * PAGE_SIZE} von {total} · Seite 2/3" in screen_text(
            app
        )
        assert linked(screen, "prev_page")
        await pilot.press("up")  # before the first row: the previous page, cursor on its last
        await settle(app, pilot)
        assert e164_column(screen) == page1 and table.cursor_row == PAGE_SIZE - 1
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown", "pagedown")
        await settle(app, pilot)
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown", "pagedown")
        await settle(app, pilot)
        await pilot.press("down", "down", "down", "down")
        await settle(app, pilot)
        assert f"von {total} · Seite 3/3" in screen_text(app)
        assert e164_column(screen)[-1] == "+4940123456202" and len(e164_column(screen)) == 14
        table.move_cursor(row=13, animate=False)
        await pilot.press("down")  # the last page's last row: nothing after it
        await settle(app, pilot)
        assert "Seite 3/3" in screen_text(app) and table.cursor_row == 13
        assert not linked(screen, "next_page")


async def test_view_mode_switch_and_english(demo_core: Core, actors: dict[str, Actor]) -> None:
    from core.authz import ViewMode

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        assert len(e164_column(screen)) == 14
        app.set_actor(actors["admin"].with_view_mode(ViewMode.USER))
        await settle(app, pilot)
        assert e164_column(screen) == ["+4940123456200"]
        assert not linked(screen, "activate") and not linked(screen, "buy")
        assert "Aktivieren (a)" not in screen_text(app) and "Rufnummern kaufen" not in screen_text(
            app
        )
        assert linked(screen, "filter") and linked(screen, "sort")
    app = LinedeskApp(demo_core, actors["tom"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        text = screen_text(app)
        assert "User view: you see the numbers assigned to you." in text
        assert row_text(screen, TOM_NUMBER)[4:6] == ["Voice", "active"]
        assert "€2.50" in row_text(screen, TOM_NUMBER)


async def test_buy_and_port_buttons_open_their_screens(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from screens.areas import AreasScreen
    from screens.porting import PortingScreen

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, AreasScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        await click_action(pilot, screen, "Rufnummern portieren (p)")
        await settle(app, pilot)
        assert isinstance(app.screen, PortingScreen)


def drawn(lines: list[list[Segment]]) -> list[list[tuple[str, object, object]]]:
    """Per character: the character, its style (without the mouse metadata) and that metadata."""
    return [[(char, segment.style.clear_meta_and_links() if segment.style else None,
              segment.style.meta if segment.style else None)
             for segment in line for char in segment.text] for line in lines]


async def test_table_draws_cells_as_datatable_does(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """NumberTable's own cell drawing gives DataTable's segments: every column (bold, red
    marker, right-aligned price), zebra rows, cursor and hover, a value cropped to its column."""
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        table = table_of(screen)
        table.update_cell(
            screen._keys[TOM_NUMBER], "assigned", Text("Übermäßig langer Name " * 3, style="bold")
        )
        await settle(app, pilot)
        long_row = table.get_row_index(screen._keys[TOM_NUMBER])
        columns = list(table.columns.values())
        checked = 0
        for row in range(table.row_count):
            style = table._get_row_style(row, table.rich_style)
            for index, column in enumerate(columns):
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    width = column.get_render_width(table)
                    table._cell_render_cache.clear()
                    ours = table._render_cell(row, index, style, width, cursor, hover)
                    table._cell_render_cache.clear()
                    theirs = DataTable._render_cell(table, row, index, style, width, cursor, hover)
                    if row == long_row and column.key.value == "assigned":
                        # a cut value ends in "…" (DataTable folds it: "Mia Schne")
                        ours_text = "".join(c for c, _, _ in drawn(ours)[0])
                        theirs_text = "".join(c for c, _, _ in drawn(theirs)[0])
                        assert ours_text.rstrip().endswith("…")
                        assert ours_text[:-3] == theirs_text[:-3]
                        checked += 1
                        continue
                    assert drawn(ours) == drawn(theirs), (row, column.key.value, cursor, hover)
                    checked += 1
        assert checked == 14 * 9 * 3


async def test_cached_lines_equal_fresh_ones_after_cursor_moves_and_scrolling(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """NumberTable caches a line by whether its row has the cursor (not by where the cursor
    is): after moves, scrolling and a live update its lines equal freshly drawn ones."""
    admin = actors["admin"]
    await add_numbers(demo_core, admin, 80, active=lambda i: i % 2 == 1)
    app = LinedeskApp(demo_core, admin)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_dashboard(app, pilot)
        table = table_of(screen)

        def lines() -> list[list[list[tuple[str, object, object]]]]:
            # the table's own lines (below Textual's per-widget cache of drawn lines)
            return [drawn([list(table.render_line(y))]) for y in range(table.size.height)]

        for keys in (["down"] * 30, ["up"] * 12, ["pagedown"], ["down"] * 3):
            await pilot.press(*keys)
            await settle(app, pilot)
            cached = lines()
            for cache in (table._lines, table._row_render_cache, table._cell_render_cache):
                cache.clear()
            assert cached == lines(), keys
        assert table.scroll_offset.y > 0
        # live updates: the row under the cursor and one above it (its line is cached)
        above = str(table.get_row_at(table.cursor_row - 1)[2])
        for number in (screen.selected.e164, above):  # type: ignore[union-attr]
            view = await demo_core.read(numbers.get_number, admin, number=number)
            if view.status == "active":
                await demo_core.run(numbers.deactivate, admin, number=number)
            else:
                await demo_core.run(numbers.activate, admin, number=number)
        await settle(app, pilot)
        cached = lines()
        table._lines.clear()
        table._cell_render_cache.clear()
        table._row_render_cache.clear()
        assert cached == lines()
        assert any("!" in "".join(c for c, *_ in line[0]) for line in cached)


async def test_same_row_changed_twice_in_another_session_shows_each_state(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """A row redrawn for a live update is redrawn again for the next one (mark, undo, mark),
    whether or not the cursor is on it."""
    admin = actors["admin"]
    app = LinedeskApp(demo_core, admin)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)

        def painted(national: str) -> str:
            return next(line for line in screen_text(app).splitlines() if national in line)

        for cursor_on in (INACTIVE, TOM_NUMBER):
            await select_number(screen, pilot, cursor_on)
            for service in (numbers.deactivate, numbers.undo_deactivation, numbers.deactivate,
                            numbers.undo_deactivation):
                await demo_core.run(service, admin, number=TOM_NUMBER)
                await settle(app, pilot)
                marked = service is numbers.deactivate
                line = painted("030 123456101")
                assert ("Deaktivierung vorgemerkt" in line) is marked, (cursor_on, service, line)
                assert ("31.12.2026" in line) is marked and (
                    line.lstrip().startswith("!")
                ) is marked


async def test_covered_dashboard_shows_current_data_when_it_comes_back(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Issue 11.8: a change made in another session while this dashboard is covered (by
    one of its dialogs, by another screen of its mode, by another mode) is shown when the
    dashboard comes back."""
    from screens.number_dialogs import DeactivateDialog
    from screens.porting import PortingScreen

    admin = actors["admin"]
    other = LinedeskApp(demo_core, admin)
    app = LinedeskApp(demo_core, admin)
    async with other.run_test(size=(120, 40)) as other_pilot, app.run_test(size=(160, 45)) as pilot:
        other_screen = await open_dashboard(other, other_pilot)
        screen = await open_dashboard(app, pilot)
        # covered by a dialog
        await select_number(screen, pilot, "+4930123456100")
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DeactivateDialog)
        await select_number(other_screen, other_pilot, TOM_NUMBER)
        await demo_core.run(numbers.deactivate, admin, number=TOM_NUMBER)
        await settle(other, other_pilot)
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        row = row_text(screen, TOM_NUMBER)
        assert row[0] == "!" and "Deaktivierung vorgemerkt" in row
        assert "Deaktivierung vorgemerkt" in painted_row(app, "030 123456101")
        # covered by another screen of the numbers mode (Portieren)
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PortingScreen)
        await demo_core.run(numbers.undo_deactivation, admin, number=TOM_NUMBER)
        await demo_core.run(numbers.activate, admin, number=INACTIVE)
        await settle(app, pilot)
        app.pop_screen()
        await settle(app, pilot)
        assert app.screen is screen
        assert row_text(screen, TOM_NUMBER)[0] == "" and "aktiv" in row_text(screen, TOM_NUMBER)
        assert row_text(screen, INACTIVE)[5] == "aktiv"
        assert " aktiv " in painted_row(app, "030 123456104")
        assert "vorgemerkt" not in painted_row(app, "030 123456101")
        # away in another mode
        await pilot.press("1")
        await settle(app, pilot)
        await demo_core.run(numbers.deactivate, admin, number=INACTIVE)
        await pilot.press("2")
        await settle(app, pilot)
        assert row_text(screen, INACTIVE)[0] == "!"
        assert "Deaktivierung vorgemerkt" in painted_row(app, "030 123456104")
        # covered by another screen, then away in another mode, back, and uncovered
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        await demo_core.run(numbers.undo_deactivation, admin, number=INACTIVE)
        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, PortingScreen)
        app.pop_screen()
        await settle(app, pilot)
        assert app.screen is screen
        assert row_text(screen, INACTIVE)[0] == ""
        assert "vorgemerkt" not in painted_row(app, "030 123456104")


def painted_row(app: LinedeskApp, national: str) -> str:
    """The row as it is on the screen (not only in the table's data)."""
    return next((line for line in screen_text(app).splitlines() if national in line), "")


async def test_80x24_keeps_the_key_columns_and_says_why_an_action_is_refused(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Issue 11.14: at 80×24 the number, status, employee and marker stay visible (short
    status labels, fewer columns); the paging links show no markup; a refused action and
    a click on a dimmed link say the core's reason; an inactive number's price is shown
    as what activation would cost."""
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dashboard(app, pilot)
        text = screen_text(app)
        header = next(
            line for line in text.splitlines() if "Rufnummer " in line and "Status" in line
        )
        for column in ("!", "Rufnummer", "Status", "Mitarbeiter"):
            assert column in header
        pending = painted_row(app, "030 123456103")
        assert pending.lstrip().startswith("!") and "vorgemerkt" in pending
        assert "Mia Schneider" in painted_row(app, "030 123456100")
        assert "(2,50\u00a0€)" in painted_row(app, "030 123456104")  # inactive: not a cost now
        assert "[/]" not in text and "Zurück ([)" in text
        await select_number(screen, pilot, INACTIVE)
        await pilot.press("d")
        await settle(app, pilot)
        assert "ist inaktiv: deaktivieren lässt sich nur eine aktive Rufnummer" in notifications(
            app
        )
        await click_action(pilot, screen, "Rückgängig (u)")
        await settle(app, pilot)
        assert "rückgängig machen lässt sich nur" in notifications(app)
    assert all(len(line) <= 80 for line in text.splitlines())


async def test_filter_finds_translated_status_words(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("slash", *"vorgemerkt", "enter")
        await settle(app, pilot)
        assert e164_column(screen) == ["+4930123456103"]


async def test_a_number_being_ported_in_shows_its_porting_date(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """R22/R31: the date column of a number in an open porting order shows the day the
    core gives: the wished one (with "?") until the carrier confirms, then the confirmed
    one; a change arrives live with the order's event."""
    async with demo_core.uow() as uow:
        order = await uow.session.scalar(select(PortingOrder).where(
            PortingOrder.customer_id == actors["admin"].customer_id))
        assert order is not None and order.numbers == [PORTING]
        wished = uow.clock.now().date() + timedelta(days=20)
        order.status, order.confirmed_date, order.wished_date = (
            PortingStatus.SUBMITTED, None, wished)
        order_id, customer_id = order.id, order.customer_id
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_dashboard(app, pilot)
        row = row_text(screen, PORTING)
        assert "in Portierung" in row and f"→{wished:%d.%m.%Y}?" in row
        assert "31.12.2026" in row_text(screen, "+4930123456103")  # deactivation dates stay
        assert not any(cell.startswith("→") for cell in row_text(screen, TOM_NUMBER))
        # the carrier confirms another day: the row follows the order's event
        confirmed = wished + timedelta(days=3)
        async with demo_core.uow() as uow:
            order = await uow.session.get(PortingOrder, order_id)
            assert order is not None
            order.status, order.confirmed_date = PortingStatus.CONFIRMED, confirmed
            uow.emit("PortingOrderConfirmed", customer_id, order_id=order_id, numbers=[PORTING])
        await settle(app, pilot)
        row = row_text(screen, PORTING)
        assert f"→{confirmed:%d.%m.%Y}" in row and f"→{wished:%d.%m.%Y}?" not in row
