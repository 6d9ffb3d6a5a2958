"""Sessions share parsed stylesheets (a login would otherwise re-parse every .tcss)."""

from __future__ import annotations

from unittest import mock

from core.authz import Actor
from core.runtime import Core
from tui import css_cache
from tui.app import LinedeskApp


async def test_second_app_parses_no_css(demo_core: Core, actors: dict[str, Actor]) -> None:
    from textual.css import parse as css_parse

    css_cache.install()
    first = LinedeskApp(demo_core, actors["admin"])
    async with first.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert css_cache.size() > 0
    second = LinedeskApp(demo_core, actors["admin"])
    with mock.patch.object(css_parse, "parse_rule_set", side_effect=AssertionError("parsed again")):
        async with second.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert "Muster GmbH" in str(second.screen.query_one("SessionHeader").render())
