"""Pilot tests: notifications do not expire by the wall clock.

A test asserts that a notification was raised (``app._notifications``, ``notifications()``)
after the steps that raise it have settled; on a busy machine those steps can take longer
than the notification's few seconds (CI-like load: the wizard's "nichts geändert" was gone
by the time the overview had reloaded). The portal's own rules still apply unchanged: at
most three at once, a repeat replaces the one shown, the "connection lost" notice is taken
back when the connection is back. (``run_test`` shows no toasts unless asked to, so no toast
timer removes them either; test_app_shell's toast test asks and waits for its toasts.)
"""

from __future__ import annotations

import pytest
from textual.notifications import Notification


@pytest.fixture(autouse=True)
def _notifications_do_not_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Notification, "has_expired", property(lambda self: False))
