"""Typing ahead at flood speed: keys reach the screen and field that is ready, in order.

The keys are posted to the App all at once, without the pause Pilot's ``press`` makes after
each key (a person typing fast, or a whole line arriving in one SSH packet).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.widgets import Input

from core.authz import Actor
from core.runtime import Core
from screens.login import LoginScreen
from screens.users import NewEmployeeDialog, UsersScreen
from tests.tui.pilot_helpers import settle, wait_until
from tui.app import LinedeskApp
from tui.local import LoginApp

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


async def test_login_typed_ahead_before_the_screen_exists(demo_core: Core) -> None:
    app = LoginApp(demo_core)
    async with app.run_test(size=(100, 30)) as pilot:
        flood(app, "admin\tadmin-demo")  # before the login screen is even pushed
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen)  # type: ignore[arg-type]
                         and value(app, "#password") == "admin-demo")
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
        await wait_until(pilot, lambda: isinstance(app.screen, NewEmployeeDialog)
                         and value(app, "#new-mobile") == "0176 0000001")
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
        await wait_until(pilot, lambda: isinstance(app.screen, NewEmployeeDialog)
                         and value(app, "#username") == "zoe")


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
