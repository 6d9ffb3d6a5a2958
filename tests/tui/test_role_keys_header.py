"""Keys a role can never use are not offered (core decides: Actor.role_may, can_switch_view):
an employee's help, key bar and Fristen hint list no view switch, no approvals and no undo;
an admin's still do. At 80×24 the header keeps the screen title (buy numbers, the English
credential wizard) and drops the role and the "Ansichtsmodus:" label first."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Button, Static

from core.authz import Actor, Permission
from core.i18n import t
from core.models import ContractType
from core.runtime import Core
from core.services import approvals, deadlines
from screens.areas import AreasScreen
from screens.help import HelpScreen
from tests.tui.pilot_helpers import notifications, screen_text, wait_until
from tests.tui.test_credential_wizard import contract_id, open_wizard
from tests.tui.test_deadlines_screen import open_deadlines, settle
from tui.app import LinedeskApp
from tui.widgets.header import header_text

SIZE = (160, 45)


def key_bar(app: LinedeskApp) -> str:
    return screen_text(app).splitlines()[app.size.height - 1]


def test_core_says_what_a_role_can_ever_do(actors: dict[str, Actor]) -> None:
    employee, admin, support = actors["mia"], actors["admin"], actors["support"]
    assert not employee.can_switch_view and not support.can_switch_view
    assert admin.can_switch_view
    assert not employee.role_may(Permission.USER_READ)
    assert employee.role_may(Permission.NUMBER_READ)
    assert not deadlines.may_resolve(employee) and not approvals.may_list(employee)
    # an admin in the user view can switch back: the keys stay offered
    user_view = admin.with_view_mode(type(admin.view_mode)("user"))
    assert deadlines.may_resolve(user_view) and approvals.may_list(user_view)


@pytest.mark.parametrize("who", ["mia", "tom"])
async def test_employee_is_not_offered_v_a_or_undo(
    demo_core: Core, actors: dict[str, Actor], who: str
) -> None:
    actor = actors[who]
    app = LinedeskApp(demo_core, actor)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deadlines(app, pilot)
        bar = key_bar(app)
        view, approvals_label = t(actor.locale, "ui.nav.view"), t(actor.locale,
                                                                  "ui.approvals.key.open")
        undo = t(actor.locale, "ui.deadlines.key.resolve")
        assert "? " in bar
        for label in (f"v {view}", f"a {approvals_label}", f"u {undo}"):
            assert label not in bar, bar
        hint = str(screen.query_one("#scope", Static).render())
        assert t(actor.locale, "ui.deadlines.hint.view") in hint
        assert t(actor.locale, "ui.deadlines.hint") not in hint
        assert "u " not in hint.split(".", 1)[1]
        assert not screen.query_one("#resolve", Button).display
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settle(pilot)
        text = screen_text(app)
        for label in (view, approvals_label, undo):
            assert label not in text, label
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        # pressed anyway: the core's refusal, not silence
        await pilot.press("v")
        await wait_until(pilot, lambda: t(actor.locale, "support.view.employee_only")
                         in notifications(app))
        assert app.actor.view_mode is actor.view_mode


async def test_admin_is_still_offered_v_a_and_undo(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    actor = actors["admin"]
    app = LinedeskApp(demo_core, actor)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deadlines(app, pilot)
        bar = key_bar(app)
        assert f"v {t('de', 'ui.nav.view')}" in bar
        assert f"a {t('de', 'ui.approvals.key.open')}" in bar
        hint = str(screen.query_one("#scope", Static).render())
        assert t("de", "ui.deadlines.hint") in hint
        assert screen.query_one("#resolve", Button).display
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settle(pilot)
        text = screen_text(app)
        for label in ("ui.nav.view", "ui.approvals.key.open", "ui.deadlines.key.resolve"):
            assert t("de", label) in text, label


def test_header_drops_role_and_label_before_the_title(actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    title = t("de", "ui.areas.title")
    full = header_text(admin, title=title).plain
    assert "Ansichtsmodus" in full and "(Administrator)" in full
    narrow = header_text(admin, title=title, width=80)
    assert narrow.cell_len <= 80
    assert title in narrow.plain and "Admin-Ansicht" in narrow.plain
    assert "Muster GmbH" in narrow.plain and "admin" in narrow.plain


def header_line(app: LinedeskApp) -> str:
    return screen_text(app).splitlines()[0]


async def test_buy_numbers_keeps_its_title_at_80_columns(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await wait_until(pilot, lambda: app.current_mode == "numbers")
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, AreasScreen))
        await settle(pilot)
        line = header_line(app)
        assert t("de", "ui.areas.title") in line, line
        assert "Muster GmbH" in line and "Admin-Ansicht" in line


async def test_english_credential_wizard_keeps_its_title_at_80_columns(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    cid = await contract_id(demo_core, ContractType.COMPANYFLEX_MSN_COMPLETE)
    app = LinedeskApp(demo_core, replace(actors["admin"], locale="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_wizard(app, pilot, cid)
        await settle(pilot)
        line = header_line(app)
        assert t("en", "credentials.title") in line, line
        assert "Muster GmbH" in line and "Admin view" in line


async def test_admin_in_user_view_is_told_why_instead_of_an_empty_approvals_list(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    """Fristen, `v` to the user view, `a`: it opened Freigaben with an empty table and the
    notice "Nur das Administrator-Konto (Admin-Ansicht) ..." (the list was refused there).
    The key now says it on Fristen and opens nothing; back in the admin view it opens."""
    from screens.approvals import ApprovalsScreen
    from screens.deadlines import DeadlinesScreen

    app = LinedeskApp(demo_core, actors["admin"])
    async with app.run_test(size=SIZE) as pilot:
        await open_deadlines(app, pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: not app.actor.is_admin_view)
        await settle(pilot)
        assert f"a {t('de', 'ui.approvals.key.open')}" not in key_bar(app)
        await pilot.press("a")
        await wait_until(pilot, lambda: t("de", "error.admin_only") in notifications(app))
        await settle(pilot)
        assert isinstance(app.screen, DeadlinesScreen)
        await pilot.press("v")
        await wait_until(pilot, lambda: app.actor.is_admin_view)
        await settle(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalsScreen))



@pytest.mark.parametrize("who", ["mia", "admin"])
async def test_contract_keys_in_the_user_view_say_why(
    demo_core: Core, actors: dict[str, Actor], who: str
) -> None:
    """The contract overview in the user view (an employee's, or an admin's after "v")
    explains that it is the admin view's; its "w" answered "Bitte zuerst einen Vertrag
    markieren" (no contract can ever be marked there) and the key bar offered w and /.
    They are not offered now and, pressed, say why."""
    from screens.contract_overview import ContractOverviewScreen

    app = LinedeskApp(demo_core, actors[who])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if app.actor.is_admin_view:
            await pilot.press("v")
            await wait_until(pilot, lambda: not app.actor.is_admin_view)
        await pilot.press("1")
        await wait_until(pilot, lambda: isinstance(app.screen, ContractOverviewScreen))
        await settle(pilot)
        offered = key_bar(app).split("^q")[0]
        assert "w " not in offered and "/ " not in offered, key_bar(app)
        for key in ("w", "s", "n", "slash"):
            await pilot.press(key)
        await wait_until(pilot, lambda: t("de", "error.admin_only") in notifications(app))
        assert "Bitte zuerst einen Vertrag markieren." not in notifications(app)
