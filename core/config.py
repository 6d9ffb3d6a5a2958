"""Settings from flags and ``LINEDESK_*`` environment variables.

Every field is documented in the README's configuration table; a flag given on the
command line wins over the environment, which wins over the default.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A ``LINEDESK_*`` variable whose value cannot be used; the message names it."""


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_BOOL_WORDS = "not 1 or 0 (true/false, yes/no, on/off)"


def _bool(value: str) -> bool:
    word = value.strip().lower()
    if word not in _TRUE | _FALSE:  # LINEDESK_PROXY_PROTOCOL=2 or =ja was silently off
        raise ValueError(_BOOL_WORDS)
    return word in _TRUE


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("./data")
    """Holds the SQLite database, host key, Maildir, sms.jsonl, letters/ and the secret key."""
    database_url: str | None = None
    """SQLAlchemy URL; default ``sqlite+aiosqlite:///<data_dir>/linedesk.db``."""
    smtp_url: str | None = None
    """``smtp://[user:pass@]host:port[?starttls=1]`` or ``smtps://``; unset: Maildir in data dir."""
    sms_url: str | None = None
    """HTTP SMS gateway (JSON POST); unset: JSON lines in ``<data_dir>/sms.jsonl``."""
    secret_key: str | None = None
    """Base64 of 32 bytes encrypting outbox payloads at rest; unset: ``<data_dir>/secret.key``."""
    mail_from: str = "portal@linedesk.example"
    """Sender address of all e-mails."""
    host: str = "127.0.0.1"
    port: int = 2222
    public_address: str = ""
    """How users reach the portal, as written in e-mails (``portal.example.com`` or
    ``host:port``, default port 22); unset: ``host:port`` of ``serve``."""
    idle_timeout: int = 900
    """Seconds without input before an interactive session is closed (a warning comes first)."""
    login_timeout: int = 30
    max_sessions_per_user: int = 10
    max_unauth_per_source: int = 10
    """Unauthenticated connections allowed at once from one source address (counted once
    the client sent its SSH version string)."""
    trusted_sources: str = ""
    """Comma-separated addresses/CIDRs (jump hosts, NAT gateways) with 10x the per-source
    limits."""
    proxy_protocol: bool = False
    """Read a PROXY protocol v1/v2 header (client address) from the balancers in
    ``proxy_trusted``; off: a connection starting with one is closed."""
    proxy_trusted: str = ""
    """Comma-separated addresses/CIDRs of the TCP load balancers that send PROXY headers."""
    metrics_port: int = 0
    """HTTP port of ``/metrics`` (Prometheus) and ``/health`` (load balancer); 0: off."""
    metrics_host: str = "127.0.0.1"
    """Address the metrics port is bound to."""
    node_name: str = ""
    """This node's name in ``linedesk status``; unset: ``<hostname>:<port>``."""
    conn_rate_per_source: float = 10.0
    """New connections a second from one source address (token bucket; DHEat)."""
    conn_burst_per_source: int = 10
    """Connections one source may open at once before the rate applies."""
    version_timeout: float = 5.0
    """Seconds a new connection has to send its SSH version string before it is closed."""
    keepalive_interval: int = 30
    workers: int = 0
    """Server worker processes sharing the port (SO_REUSEPORT); 0: one per CPU."""
    worker_heartbeat_timeout: float = 10.0
    """Seconds without a worker's heartbeat before the supervisor kills and restarts it."""
    worker_max_rss_mb: int = 0
    """Memory ceiling of a worker (MiB): above it, it is replaced (0: no ceiling)."""
    user_ca_keys: str = ""
    """R26: a file of OpenSSH CA public keys; user certificates they signed authenticate the
    account named in their principals (unset: no certificates)."""
    record: str = "support"
    """R24: which sessions are recorded as asciicast v2: ``support``, ``all`` or ``none``."""
    record_days: int = 90
    """R24: recordings older than this many days are deleted by the scheduler."""
    record_max_mb: int = 128
    """R24: MiB one recording may hold; beyond it that recording stops (0: no limit)."""
    record_account_day_mb: int = 256
    """R24: MiB all recordings of one account started on one (UTC) day may hold together;
    beyond it the recording that reaches it stops, and later ones that day record nothing
    (0: no limit)."""
    carrier_test_switch: bool = False
    """R31: accept the simulated carrier's per-order test switch (``--carrier-scenario``,
    ``scenario``): demo and test configurations only (``serve --demo`` and ``tui --demo`` turn
    it on). Off, a customer cannot choose its own order's carrier outcome: a given scenario is
    refused and stored ones are ignored (the carrier answers as ``auto``)."""
    banner: str = "linedesk – Business Service Portal\r\n"
    log_level: str = "INFO"
    outbox_interval: float = 1.0
    """Seconds between outbox dispatcher polls."""
    scheduler_interval: float = 60.0
    """Seconds between scheduler runs (due deactivations, porting steps)."""

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'linedesk.db').resolve()}"

    def login_command(self, username: str) -> str:
        """``ssh -p 2222 USER@HOST``: how ``username`` signs in (for welcome e-mails)."""
        address = self.public_address.strip()
        host, port = self.host, self.port
        if address:
            host, port = address, 22
            if address.startswith("["):  # [IPv6]:port
                inner, _, rest = address[1:].partition("]")
                host = inner
                if rest.startswith(":") and rest[1:].isdigit():
                    port = int(rest[1:])
            elif address.count(":") == 1:
                name, _, number = address.partition(":")
                if number.isdigit():
                    host, port = name, int(number)
        elif host in ("", "0.0.0.0", "::"):  # listening everywhere names no address to use
            # the machine's name as the node labels use it: getfqdn() would ask DNS, a
            # blocking lookup on the event loop each time a welcome e-mail is written
            host = socket.gethostname()
        target = f"{username}@{host}"
        return f"ssh {target}" if port == 22 else f"ssh -p {port} {target}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"LINEDESK_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = _convert(f.type, raw)
            except ValueError as exc:
                reason = str(exc) if _BOOL_WORDS in str(exc) else "not a number"
                raise ConfigError(f"LINEDESK_{f.name.upper()}={raw[:40]!r}: {reason}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(values["data_dir"])
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _convert(type_name: Any, raw: str) -> Any:
    name = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", "")
    if name == "int":
        return int(raw)
    if name == "float":
        return float(raw)
    if name == "bool":
        return _bool(raw)
    if name == "Path":
        return Path(raw)
    return raw


ENV_FIELDS: list[str] = [f"LINEDESK_{f.name.upper()}" for f in fields(Settings)]
