"""What changes when an App is served to a remote client instead of the local terminal.

Textual assumes one App per process: it sizes colours from the server's environment,
swaps the process-wide ``sys.stdout``/``sys.stderr`` for a capture of the App while it runs,
and prints tracebacks to the server's stderr. For a served App those become per-session.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

from rich.console import Console
from textual.filter import Monochrome

if TYPE_CHECKING:
    from textual.app import App


class ServedTerminal(Protocol):
    """The remote client's terminal, as the SSH session describes it."""

    color_system: str | None
    no_color: bool

    def app_failed(self, error_count: int) -> None:
        """The App ended with errors (logged on the server, a short notice for the client)."""


def _stream(current: Any, fallback: Any) -> Any:
    """The stream an App may "capture": never another App's capture object."""
    return fallback if type(current).__name__ == "_PrintCapture" else current


def harden(app: App[Any], served: ServedTerminal) -> None:
    """Make ``app`` safe to run next to many others in one process.

    * colours from the client's TERM / NO_COLOR instead of the server's environment;
    * ``redirect_stdout`` in ``App._process_messages`` targets the process's current streams,
      so Apps ending out of order never leave ``sys.stdout`` pointing at a dead App;
    * the error console writes nowhere (errors are reported through ``served.app_failed``).
    """
    from textual.app import _NullFile

    app.console = Console(
        color_system=served.color_system,  # type: ignore[arg-type]
        file=cast(IO[str], _NullFile()),
        markup=True,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        _environ={},
        force_terminal=True,
        safe_box=False,
        soft_wrap=False,
    )
    if served.no_color:
        app.no_color = True
        app._filters.append(Monochrome())
    app._capture_stdout = _stream(sys.stdout, sys.__stdout__)
    app._capture_stderr = _stream(sys.stderr, sys.__stderr__)
    app.error_console = Console(file=cast(IO[str], _NullFile()), markup=False, highlight=False)
