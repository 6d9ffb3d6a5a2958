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
