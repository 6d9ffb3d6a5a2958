"""Command-mode slips a first-hour user makes (found with the OpenSSH client): the answer
says what was wrong in the user's language and nothing changes."""

from __future__ import annotations

import pytest

from core.authz import Actor
from core.runtime import Core
from ssh_server.commands import execute


@pytest.mark.parametrize("command", [
    "approvals approve 0", "approvals reject -1 --comment x", "porting show abc",
    "porting cancel 0", "porting comment x --text hi", "credentials cancel 0",
    "credentials cancel abc",
])
async def test_an_id_that_is_no_id_is_named_in_words(
    demo_core: Core, actors: dict[str, Actor], command: str
) -> None:
    """`approvals approve 0` said "ungültiger Wert für ID: invalid _id value: '0'" (argparse's
    English with the function's name); `credentials cancel 0` looked the reset up."""
    result = await execute(demo_core, actors["admin"], command)
    assert result.exit_code == 2, result.stderr
    assert "_id" not in result.stderr and "invalid" not in result.stderr
    assert "ungültiger Wert für ID" in result.stderr and "1, 2, 3, ..." in result.stderr
