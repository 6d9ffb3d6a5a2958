"""Typing ahead at flood speed: keys reach the screen and field that is ready, in order.

The keys are posted to the App all at once, without the pause Pilot's ``press`` makes after
each key (a person typing fast, or a whole line arriving in one SSH packet).
"""

from __future__ import annotations

import ast
import asyncio
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.widgets import Input

from core.authz import Actor
from core.runtime import Core
from core.services import numbers
from screens.login import LoginScreen
from screens.users import NewEmployeeDialog, UsersScreen
from tests.tui.pilot_helpers import settle, wait_until
from tui import typeahead
from tui.app import LinedeskApp
from tui.local import LoginApp
from tui.typeahead import TypeaheadGate

ROOT = Path(__file__).resolve().parents[2]
SPECIAL = {"\t": ("tab", "\t"), "\r": ("enter", "\r")}


def flood(app: App[Any], text: str) -> None:
    """Every key of ``text`` into the App's queue at once (``\\t`` Tab, ``\\r`` Enter)."""
    for char in text:
        name, character = SPECIAL.get(char) or (
            char if char.isalnum() else _character_to_key(char), char)
        app.post_message(events.Key(name, character))


def value(app: App[Any], selector: str) -> str:
    return app.screen.query_one(selector, Input).value


def typed(app: App[Any], screen: type[Screen[Any]], selector: str) -> str | None:
    """What the field ``selector`` of the current screen holds once that screen is a
    ``screen`` and has composed the field; None before (a condition for ``wait_until``: the
    screen is pushed a moment before its fields exist)."""
    if not isinstance(app.screen, screen):
        return None
    fields = app.screen.query(selector).results(Input)
    field = next(fields, None)
    return None if field is None else field.value


async def test_login_typed_ahead_before_the_screen_exists(demo_core: Core) -> None:
    app = LoginApp(demo_core)
    async with app.run_test(size=(100, 30)) as pilot:
        flood(app, "admin\tadmin-demo")  # before the login screen is even pushed
        await wait_until(pilot, lambda: typed(app, LoginScreen, "#password")  # type: ignore[arg-type]
                         == "admin-demo")
        assert value(app, "#username") == "admin"
        assert app.focused is app.screen.query_one("#password", Input)
        flood(app, "\r")
        await wait_until(pilot, lambda: app.return_value is not None)  # type: ignore[arg-type]
    assert app.return_value is not None and app.return_value.username == "admin"


async def test_login_retyped_after_a_wrong_password_goes_to_the_password(
    demo_core: Core,
) -> None:
    app = LoginApp(demo_core)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # wrong password, Enter, and the right one typed on while the first is checked
        flood(app, "admin\twrong\radmin-demo")
        await wait_until(pilot, lambda: value(app, "#password") == "admin-demo",  # type: ignore[arg-type]
                         timeout=20)
        assert value(app, "#username") == "admin"
        assert "fehlgeschlagen" in str(app.screen.query_one("#login-error").render())


async def test_new_employee_dialog_typed_ahead(demo_core: Core, actors: dict[str, Actor]) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        # "n" opens the dialog; the fields are typed before it has been composed
        flood(app, "nlea\tLea Neu\tlea@muster-gmbh.de\t0176 0000001")
        # 38 keys, each handed on once the App settled (a flood is paced): on a busy machine
        # that takes a while
        await wait_until(pilot, lambda: typed(app, NewEmployeeDialog, "#new-mobile")
                         == "0176 0000001", timeout=30)
        assert value(app, "#username") == "lea"
        assert value(app, "#full-name") == "Lea Neu"
        assert value(app, "#new-email") == "lea@muster-gmbh.de"


async def test_keys_for_a_mode_switch_reach_the_new_screen(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        # from the home screen into another mode, its dialog and its first field at once
        flood(app, "3nzoe")
        await wait_until(pilot, lambda: typed(app, NewEmployeeDialog, "#username") == "zoe")


def _input_calls(path: Path) -> list[tuple[int, bool]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, any(kw.arg == "max_length" for kw in node.keywords))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "Input"
    ]


def test_every_input_has_a_max_length() -> None:
    """A field without a cap re-measures an unbounded value on every key (issue 12)."""
    missing = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in ("screens", "tui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, capped in _input_calls(path) if not capped
    ]
    assert not missing, missing


async def test_quit_is_not_held_behind_keys_typed_ahead(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        flood(app, "3n" + "x" * 2000)  # far more than the App takes ahead
        app.post_message(events.Key("ctrl+q", None))
        await wait_until(pilot, lambda: not app.is_running, timeout=10)


class _StubApp:
    """What :class:`TypeaheadGate` touches of an App; ``settled`` stands for app_settled."""

    is_running = True

    def __init__(self) -> None:
        self.settled = False
        self.posted: list[tuple[events.Event, bool]] = []
        """Each key the gate released, and whether the App had settled when it did."""
        self._bindings = SimpleNamespace(key_to_bindings={})

    def post_message(self, event: events.Event) -> bool:
        self.posted.append((event, self.settled))
        return True


def _gate(monkeypatch: pytest.MonkeyPatch, max_hold: float) -> tuple[_StubApp, TypeaheadGate]:
    app = _StubApp()
    monkeypatch.setattr(typeahead, "MAX_HOLD", max_hold)
    monkeypatch.setattr(typeahead, "app_settled", lambda a, handling=False: a.settled)
    return app, TypeaheadGate(app)  # type: ignore[arg-type]


async def test_a_starved_loop_does_not_release_a_key_before_the_app_settled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A busy machine: every turn of the loop takes 50 ms. The App settles after 0.5 s, far
    past MAX_HOLD (0.2 s) of wall time but in ten turns: the key still waits for it (released
    by the clock, it would land in a screen or dialog not built yet)."""
    app, gate = _gate(monkeypatch, max_hold=0.2)
    loop = asyncio.get_running_loop()
    settle_at = loop.time() + 0.5

    async def busy_machine() -> None:
        while loop.time() < settle_at:
            time.sleep(0.05)  # noqa: ASYNC251 - blocks the loop on purpose: one slow turn
            await asyncio.sleep(0)
        app.settled = True

    hog = asyncio.create_task(busy_machine())
    assert not gate.admit(events.Key("n", "n"))
    await hog
    for _ in range(1000):
        if app.posted:
            break
        await asyncio.sleep(0.005)
    assert [(event.key, settled) for event, settled in app.posted] == [("n", True)]  # type: ignore[attr-defined]


async def test_a_key_is_released_after_max_hold_when_the_app_never_settles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The safety valve stays: on a loop that turns freely, an App that never settles gets
    its keys after MAX_HOLD, in order."""
    app, gate = _gate(monkeypatch, max_hold=0.1)
    for char in "ab":
        assert not gate.admit(events.Key(char, char))
    for _ in range(1000):
        if len(app.posted) == 2:
            break
        await asyncio.sleep(0.005)
    assert [(event.key, settled) for event, settled in app.posted] == [  # type: ignore[attr-defined]
        ("a", False), ("b", False)]


async def test_keys_after_a_filter_act_on_its_result_not_in_the_filter_box(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Found with the OpenSSH client: "/123456104<Enter>n" then the new street typed fast.
    The filter box kept the focus while its query ran, so "n" landed in it (lost) and the
    street's letters reached the dashboard: its "a" opened the chargeable activation and
    the following ctrl+s confirmed it. Keys wait until the filtered rows are shown."""
    from screens.location_dialog import LocationDialog
    from screens.number_dashboard import NumberDashboardScreen

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, NumberDashboardScreen)
        flood(app, "/123456104\rnAm Wall")
        await wait_until(pilot, lambda: "Am Wall" in (
            typed(app, LocationDialog, "#location-street") or ""))
        dialog = app.screen
        assert isinstance(dialog, LocationDialog)
        assert "030 123456104" in str(dialog.query_one("#number").render())
    status = await demo_core.read(numbers.get_number, actors["admin"], number="+4930123456104")
    assert status.status == "inactive"


async def test_a_key_after_a_page_key_acts_on_the_new_page(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """"]n" typed at once: the "n" acted on the old page's first row (the cursor had moved
    there before the next page was fetched), not on the row the user sees next."""
    from screens.location_dialog import LocationDialog
    from screens.number_dashboard import NumberDashboardScreen
    from tests.tui.test_number_dashboard import add_numbers, e164_column

    await add_numbers(demo_core, actors["admin"], 120, active=lambda i: True)
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NumberDashboardScreen)
        first_of_page_one = e164_column(screen)[0]
        flood(app, "]n")
        await wait_until(pilot, lambda: isinstance(app.screen, LocationDialog))
        dialog = app.screen
        assert isinstance(dialog, LocationDialog) and dialog.view is not None
        assert dialog.view.e164 == e164_column(screen)[0] != first_of_page_one
