"""What ``linedesk serve`` checks before it starts, in one process or as the supervisor: the
answer is one log line and exit 1, not a traceback after the database was migrated (the
README's deployment example runs ``serve --workers 1``, which checked none of this: a second
``serve`` on the same data directory started, a port in use or a missing
``LINEDESK_USER_CA_KEYS`` file ended in a Python traceback)."""

from __future__ import annotations

from pathlib import Path

from core.config import Settings


class StartupFailed(Exception):
    """``serve`` cannot start; the message is the one line for the log."""


def startup_problem(settings: Settings) -> str | None:
    """The first reason ``serve`` with ``settings`` cannot start, or None."""
    from ssh_server.gate import parse_sources
    from ssh_server.workers import port_conflict

    for name, value in (("LINEDESK_TRUSTED_SOURCES", settings.trusted_sources),
                        ("LINEDESK_PROXY_TRUSTED", settings.proxy_trusted)):
        try:
            parse_sources(value)
        except ValueError as exc:
            return f"{name}: {exc} (comma-separated addresses or CIDRs, no host names)"
    if settings.proxy_protocol and not parse_sources(settings.proxy_trusted):
        # every balancer's header would close its connection: nothing would get in
        return ("LINEDESK_PROXY_PROTOCOL=1 needs LINEDESK_PROXY_TRUSTED: the addresses of "
                "the load balancers whose PROXY headers are read")
    if settings.port:
        conflict = port_conflict(settings.host, settings.port)
        if conflict is not None:
            return f"cannot listen on {conflict}"
    if settings.metrics_port:
        conflict = port_conflict(settings.metrics_host, settings.metrics_port)
        if conflict is not None:
            return f"cannot open the metrics port (LINEDESK_METRICS_PORT) on {conflict}"
    if settings.user_ca_keys:
        path = Path(settings.user_ca_keys)
        try:
            path.read_bytes().decode("utf-8")
        except OSError as exc:
            return f"cannot read LINEDESK_USER_CA_KEYS {path}: {exc.strerror or exc}"
        except UnicodeDecodeError:
            return f"cannot read LINEDESK_USER_CA_KEYS {path}: not UTF-8 text"
    return None


def database_problem(exc: BaseException) -> str | None:
    """One line for a database that cannot be reached at start (None: another error)."""
    from core.db import is_connection_lost

    if not is_connection_lost(exc):
        return None
    return f"cannot reach the database: {type(exc).__name__}: {exc}"
