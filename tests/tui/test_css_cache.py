"""Sessions share parsed stylesheets (a login would otherwise re-parse every .tcss)."""

from __future__ import annotations

from unittest import mock

from core.authz import Actor
from core.runtime import Core
from tests.tui.pilot_helpers import settle
from tui import css_cache
from tui.app import LinedeskApp


async def test_second_app_parses_no_css(demo_core: Core, actors: dict[str, Actor]) -> None:
    from textual.css import parse as css_parse

    css_cache.install()
    first = LinedeskApp(demo_core, actors["admin"])
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert css_cache.size() > 0
    second = LinedeskApp(demo_core, actors["admin"])
    with mock.patch.object(css_parse, "parse_rule_set", side_effect=AssertionError("parsed again")):
        async with second.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert "Muster GmbH" in str(second.screen.query_one("SessionHeader").render())


def _rules_by_widget(app: LinedeskApp) -> dict[str, dict[str, object]]:
    return {
        f"{i}:{type(node).__name__}#{node.id}": dict(node.styles.base._rules)
        for i, node in enumerate(app.screen.walk_children(with_self=True))
    }


async def test_second_session_takes_styles_from_the_shared_cache_and_they_are_textuals(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    css_cache.install()
    for who in ("admin", "admin"):  # the first fills the cache, the second must hit it
        app = LinedeskApp(demo_core, actors[who])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            await settle(pilot)
            before = css_cache.stats()
            await pilot.press("1")
            await settle(pilot)
            after = css_cache.stats()
            cached = _rules_by_widget(app)
            for node in app.screen.walk_children(with_self=True):
                css_cache.uncached_apply(app.stylesheet, node)
            assert _rules_by_widget(app) == cached
    assert after["hits"] > before["hits"]
    assert after["misses"] == before["misses"], "the second session's contracts screen missed"


async def test_class_and_focus_changes_get_their_own_styles(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    from textual.widgets import Button

    css_cache.install()
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        buttons = list(app.screen.query(Button))
        buttons[1].focus()
        await settle(pilot)
        focused, other = buttons[1], buttons[2]
        assert focused.styles.text_style != other.styles.text_style or (
            focused.styles.background != other.styles.background
        )
        other.add_class("-active")
        await settle(pilot)
        active = dict(other.styles.base._rules)
        css_cache.uncached_apply(app.stylesheet, other)
        assert dict(other.styles.base._rules) == active
