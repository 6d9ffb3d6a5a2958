"""The server log keeps command words and drops command arguments (PINs, addresses)."""

from __future__ import annotations

import logging

import pytest

from ssh_server.logs import CommandRedactor, redact_command


@pytest.mark.parametrize(("command", "logged"), [
    ("areas verify 040 123456", "areas verify …"),
    ("whoami", "whoami"),
    ("numbers undo-deactivation +4930123456106", "numbers undo-deactivation …"),
    ("numbers list --json", "numbers list …"),
    ("--json whoami", "…"),
    ("users\x1b[31m add x", "…"),
    ("", "…"),
])
def test_redact_command(command: str, logged: str) -> None:
    assert redact_command(command) == logged


def test_filter_rewrites_asyncssh_command_records() -> None:
    record = logging.LogRecord("asyncssh", logging.INFO, __file__, 1, "[conn=1, chan=0]   Command: "
                                                                      "%s",
                               ("areas verify 040 123456",), None)
    assert CommandRedactor().filter(record)
    assert record.getMessage() == "[conn=1, chan=0]   Command: areas verify …"
    other = logging.LogRecord("asyncssh", logging.INFO, __file__, 1, "Auth for user %s succeeded",
                              ("admin",), None)
    assert CommandRedactor().filter(other) and other.getMessage() == "Auth for user admin succeeded"
