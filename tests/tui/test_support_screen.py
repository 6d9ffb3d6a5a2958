"""Pilot tests of support access: customer search as home, opening (audited), header,
read-only until a reason is given, the reason dialog."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from core.authz import Actor
from core.models import AuditEvent
from core.runtime import Core
from core.services import numbers
from screens.reason_dialog import ReasonDialog
from screens.support import CustomerSearchScreen
from tests.tui.pilot_helpers import screen_text, settle, wait_until
from tui.app import LinedeskApp


async def _audit(core: Core, action: str) -> list[AuditEvent]:
    async with core.uow(readonly=True) as uow:
        return list(
            await uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        )


async def _open_muster(app: LinedeskApp, pilot: Pilot[None]) -> None:
    """From the customer search support starts at: find Muster GmbH and open it."""
    await settle(pilot)
    await pilot.press(*"muster", "enter")
    await wait_until(pilot, lambda: app.screen.query_one("#hits", DataTable).row_count == 1)
    await pilot.press("o")
    await wait_until(
        pilot, lambda: app.actor.customer_id is not None and app.current_mode == "home"
    )
    await settle(pilot)


async def _write_asking_for_a_reason(
    pilot: Pilot[None], screen: Any, fn: Callable[..., Awaitable[numbers.NumberView]], number: str
) -> asyncio.Task[numbers.NumberView | None]:
    """``screen`` runs a write for support: until it asks for the reason; the write's task."""
    task = asyncio.create_task(screen.call(fn, number=number))
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ReasonDialog))
    return task


async def test_support_starts_at_customer_search(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: "o Öffnen" in screen_text(app))
        assert isinstance(app.screen, CustomerSearchScreen)
        text = screen_text(app)
        assert "Support – kein Kunde geöffnet" in text
        assert "Kundensuche" in text and "o Öffnen" in text
        # no customer open: the portal areas are disabled, the search is not
        assert app.check_action("switch_mode", ("numbers",)) is None
        assert app.check_action("switch_mode", ("customers",)) is True


async def test_search_by_phone_number_in_national_form(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"089 123456300", "enter")
        table = app.screen.query_one("#hits", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        text = screen_text(app)
        assert "Beispiel AG" in text and "Rufnummer +4989123456300" in text


async def test_open_customer_shows_support_header_and_is_audited(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await _open_muster(app, pilot)
        assert app.actor.customer_name == "Muster GmbH"
        assert app.actor.reason is None
        assert app.current_mode == "home"
        assert app.check_action("switch_mode", ("numbers",)) is True
        assert "Support-Zugriff: Muster GmbH" in screen_text(app)
        events = await _audit(demo_core, "support.customer_opened")
        assert len(events) == 1
        assert events[0].customer_id == app.actor.customer_id
        assert events[0].actor_username == "support" and events[0].via_support
        assert events[0].source_address == "127.0.0.1"
        # reads work read-only
        listed = await demo_core.read(numbers.list_numbers, app.actor)
        assert len(listed) >= 12
        # back to the search and close the customer again
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, CustomerSearchScreen))
        app.screen.query_one("#hits", DataTable).focus()
        await pilot.press("x")
        await wait_until(pilot, lambda: "Support – kein Kunde geöffnet" in screen_text(app))
        assert app.actor.customer_id is None


async def test_write_asks_for_reason_and_audits_it(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await _open_muster(app, pilot)
        screen = app.screen
        task = await _write_asking_for_a_reason(pilot, screen, numbers.activate,
                                                "+4930123456104")
        await wait_until(pilot, lambda: "im Namen von Muster GmbH" in screen_text(app))
        await pilot.press("enter")  # empty reason is not accepted
        await wait_until(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert isinstance(app.screen, ReasonDialog)
        await wait_until(pilot, lambda: "Ohne Grund" in screen_text(app))
        await pilot.press(*"T-4711", "enter")
        view = await asyncio.wait_for(task, 20)
        assert view is not None and view.status == "active"
        events = await _audit(demo_core, "number.activated")
        assert [(e.reason, e.via_support, e.actor_username) for e in events] == [
            ("T-4711", True, "support")
        ]
        assert app.actor.reason is None  # the session stays read-only; the reason is per change
        # the next change offers the same reason again
        task = await _write_asking_for_a_reason(pilot, screen, numbers.deactivate,
                                                "+4930123456104")
        await pilot.press("enter")
        assert (await asyncio.wait_for(task, 20)) is not None
        assert [e.reason for e in await _audit(demo_core, "number.deactivation_marked")] == [
            "T-4711"
        ]


async def test_cancelled_reason_changes_nothing(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await _open_muster(app, pilot)
        task = await _write_asking_for_a_reason(pilot, app.screen, numbers.activate,
                                                "+4930123456104")
        await pilot.press("escape")
        assert (await asyncio.wait_for(task, 20)) is None
        await wait_until(pilot, lambda: not isinstance(app.screen, ReasonDialog))
        assert any("Grund" in n.message for n in app._notifications)
        assert await _audit(demo_core, "number.activated") == []
        current = await demo_core.read(numbers.get_number, app.actor, number="+4930123456104")
        assert current.status == "inactive"


async def test_support_open_is_visible_in_the_customers_archive(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    support_app = LinedeskApp(demo_core, actors["support"])
    async with support_app.run_test(size=(160, 40)) as pilot:
        await _open_muster(support_app, pilot)
    admin_app = LinedeskApp(demo_core, actors["admin"])
    async with admin_app.run_test(size=(200, 40)) as pilot:
        await pilot.press("4")
        await wait_until(
            pilot, lambda: "Support hat das Kundenportal geöffnet" in screen_text(admin_app)
        )
    other_app = LinedeskApp(demo_core, actors["beispiel"])
    async with other_app.run_test(size=(200, 40)) as pilot:
        await pilot.press("4")
        await wait_until(
            pilot, lambda: "Anmeldung" in screen_text(other_app)
        )  # its own log is shown
        assert "Support hat das Kundenportal geöffnet" not in screen_text(other_app)


async def test_watching_has_a_button_on_the_customer_search(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """R23's ``w`` (Zuschauen) was only a key: the customer search showed the buttons
    "o Öffnen" and "x Kunde schließen" but none for watching (README: every action also has a
    visible button). Disabled until a customer is open, like closing one."""
    from textual.widgets import Button

    from tests.tui.pilot_helpers import notifications

    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: "o Öffnen" in screen_text(app))
        button = app.screen.query_one("#shadow-button", Button)
        assert "w Zuschauen" in str(button.label) and button.disabled
        await _open_muster(app, pilot)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, CustomerSearchScreen))
        await settle(pilot)
        button = app.screen.query_one("#shadow-button", Button)
        assert not button.disabled
        await pilot.click("#shadow-button")
        await wait_until(pilot, lambda: "Zuschauen ist hier nicht möglich." in
                         notifications(app))


async def test_watch_before_a_customer_is_open_says_it_like_every_other_key(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """`w` (Zuschauen) before a customer was opened said "Erst einen Kunden öffnen.",
    the area keys "Support-Zugriff: bitte zuerst einen Kunden öffnen." — one thing, one
    sentence."""
    from core.i18n import t
    from tests.tui.pilot_helpers import notifications

    app = LinedeskApp(demo_core, actors["support"])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"muster", "enter")
        await wait_until(pilot, lambda: app.screen.query_one("#hits", DataTable).row_count == 1)
        app.screen.query_one("#hits", DataTable).focus()
        await pilot.press("w")
        expected = t("de", "error.support_no_customer")
        await wait_until(pilot, lambda: expected in notifications(app))
        assert "Erst einen Kunden öffnen." not in notifications(app)
