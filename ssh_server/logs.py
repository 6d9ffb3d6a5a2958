"""The server's log: one format for the single process and the workers, and no secrets in it.

asyncssh logs every exec request with its whole command line at INFO. Command mode takes
secrets as arguments (``areas verify AREA PIN``) and personal data (addresses, names), so
only the command's words are kept; its arguments never reach the log.
"""

from __future__ import annotations

import logging
import re

from core.config import Settings

_COMMAND_WORD = re.compile(r"[a-z][a-z0-9-]{0,31}")
_MAX_WORDS = 2
"""The longest command path (``numbers undo-deactivation``)."""


def redact_command(command: str) -> str:
    """``areas verify 040 123456`` → ``areas verify …``: the leading command words only."""
    words: list[str] = []
    parts = command.split()
    for part in parts[:_MAX_WORDS]:
        if not _COMMAND_WORD.fullmatch(part):
            break
        words.append(part)
    if len(words) < len(parts):
        words.append("…")
    return " ".join(words) or "…"


class CommandRedactor(logging.Filter):
    """Rewrites asyncssh's ``Command: %s`` records before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.endswith("Command: %s") and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = (redact_command(str(args[0])), *args[1:])
        return True


def redact_commands() -> None:
    """Install :class:`CommandRedactor` on asyncssh's logger (once; every server start calls
    this, also when an embedding program configured logging itself)."""
    asyncssh_log = logging.getLogger("asyncssh")
    if not any(isinstance(f, CommandRedactor) for f in asyncssh_log.filters):
        asyncssh_log.addFilter(CommandRedactor())


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """CR, LF, ESC, other C0/C1 controls and bidi overrides as ``\\n``, ``\\x1b`` …: a
    value from a client (a debug message, a disconnect reason) can neither start a forged
    log line nor drive the terminal of whoever reads the log."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class ControlEscaper(logging.Filter):
    """Escapes control characters in every record's message (not in tracebacks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        escaped = escape_controls(message)
        if escaped != message:
            record.msg, record.args = escaped, None
        return True


def configure_logging(settings: Settings, *, process_id: bool = False) -> None:
    """``linedesk serve``'s logging; ``process_id`` names the worker on each line."""
    where = " [%(process)d]" if process_id else ""
    logging.basicConfig(level=settings.log_level.upper(),
                        format=f"%(asctime)s %(levelname)s{where} %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, ControlEscaper) for f in handler.filters):
            handler.addFilter(ControlEscaper())
    redact_commands()
