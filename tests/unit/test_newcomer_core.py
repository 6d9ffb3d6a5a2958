"""Core defects a newcomer found through the OpenSSH client and the TUI."""

from __future__ import annotations

import pytest

from core.authz import Actor
from core.errors import RuleViolation, ValidationError
from core.runtime import Core
from core.services import areas

ADDRESS = "Marienplatz 1, 80331 München"


@pytest.mark.parametrize("pin", ["", "123", "12ab56", "1234567"])
async def test_a_pin_that_is_no_pin_uses_up_no_attempt(
    demo_core: Core, actors: dict[str, Actor], pin: str
) -> None:
    """`areas verify 089 12ab56` (or Enter in the PIN dialog after three digits) answered
    „Die PIN ist falsch. Verbleibende Versuche: 4.“: a slip cost one of the five attempts.
    It is a usage error now (exit 2), and the attempts are all still there."""
    admin = actors["admin"]
    await demo_core.run(areas.request_pin, admin, area="089", address=ADDRESS)
    with pytest.raises(ValidationError) as err:
        await demo_core.run(areas.verify_pin, admin, area="089", pin=pin)
    assert err.value.key == "error.areas.pin_format" and err.value.exit_code == 2
    assert "nicht gezählt" in err.value.render("de")
    view = await demo_core.read(areas.get_area, admin, area="089")
    assert view.letter is not None and view.letter.attempts_left == 5
    # a real wrong guess still counts
    with pytest.raises(RuleViolation) as wrong:
        await demo_core.run(areas.verify_pin, admin, area="089", pin="000000")
    assert wrong.value.key in ("error.areas.pin_wrong",)
    view = await demo_core.read(areas.get_area, admin, area="089")
    assert view.letter is not None and view.letter.attempts_left == 4


@pytest.mark.parametrize("locale", ["de", "en"])
async def test_help_shows_no_raw_text_keys(
    demo_core: Core, actors: dict[str, Actor], locale: str
) -> None:
    """`ssh host help` listed „deadlines  cmd.help.group.deadlines“ and „approvals
    cmd.help.group.approvals“ (untranslated keys), and its exit codes stopped at 4 although
    command mode also ends with 1 and 5 (README)."""
    from dataclasses import replace

    from ssh_server.commands import COMMANDS, execute

    admin = replace(actors["admin"], locale=locale)
    main = await execute(demo_core, admin, "help")
    assert main.exit_code == 0
    assert "cmd." not in main.stdout, main.stdout
    words = " ".join(main.stdout.split())
    assert ("1 Serverfehler" in words and "5 als Vier-Augen-Antrag" in words) or (
        "1 server error" in words and "5 filed as a four-eyes request" in words), words
    for path in sorted({c.path[:n] for c in COMMANDS for n in range(1, len(c.path) + 1)}):
        result = await execute(demo_core, admin, "help " + " ".join(path))
        assert result.exit_code == 0, path
        assert "cmd." not in result.stdout, (path, result.stdout)
