"""R26 OpenSSH user certificates: the CA public keys of ``LINEDESK_USER_CA_KEYS`` and the
server connection that hands each certificate asyncssh accepted to the portal's auth.

asyncssh validates a user certificate itself (signature by the CA, type, validity window,
the username among its principals, ``source-address``) once :meth:`PortalConnection
.validate_ca_key <ssh_server.auth.PortalConnection.validate_ca_key>` accepted its CA; it
accepts a certificate *without* principals for any user, which the portal refuses: a
certificate names the account it is for. The certificate's ``valid_before`` is remembered so
that a session outliving it is ended (``PortalConnection`` schedules that).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncssh

log = logging.getLogger(__name__)

KEY_TYPES = ("ssh-", "ecdsa-", "sk-")
FOREVER = 0xFFFFFFFFFFFFFFFF
"""``valid_before`` of a certificate without an end (``ssh-keygen`` without ``-V``)."""


_PRINCIPALS = re.compile(r'(?:^|,)\s*principals="([^"]*)"', re.IGNORECASE)


def parse_ca_keys(
    text: str,
) -> tuple[dict[bytes, str], list[str], dict[bytes, frozenset[str]]]:
    """Public key data → SHA256 fingerprint of every CA key in ``text`` (OpenSSH public key
    lines as in ``authorized_keys``: comments and blank lines skipped, a leading
    ``cert-authority`` and other options allowed), what is wrong with the other lines, and
    the accounts a CA is limited to by a ``principals="a,b"`` option: as in OpenSSH, a
    certificate of that CA must then name one of them too (else the option was ignored and
    the CA could sign in every account)."""
    keys: dict[bytes, str] = {}
    errors: list[str] = []
    limits: dict[bytes, frozenset[str]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.strip().split()
        if not words or words[0].startswith("#"):
            continue
        start = next((i for i, w in enumerate(words) if w.startswith(KEY_TYPES)), None)
        try:
            if start is None:
                raise ValueError("no key type")
            key = asyncssh.import_public_key(" ".join(words[start:]))
        except (asyncssh.KeyImportError, ValueError):
            errors.append(f"line {number}: not an OpenSSH public key")
            continue
        keys[key.public_data] = key.get_fingerprint("sha256")
        options = " ".join(words[:start])
        if "principals=" in options.lower():
            found = _PRINCIPALS.search(options)
            if found is None:
                errors.append(f'line {number}: principals= needs a quoted list '
                              '(principals="name1,name2")')
                del keys[key.public_data]
                continue
            limits[key.public_data] = frozenset(
                p.strip() for p in found.group(1).split(",") if p.strip())
    return keys, errors, limits


Stamp = tuple[int, int, int, int, int]
"""What tells a changed file: device, inode, size, mtime and ctime (ns)."""


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _read(path: Path) -> tuple[Stamp, str]:
    """The file's text and the stamp of exactly what was read (in a thread)."""
    with path.open("rb") as fh:
        stamp = _stamp(os.fstat(fh.fileno()))
        return stamp, fh.read(MAX_FILE + 1).decode("utf-8")


MAX_FILE = 1024 * 1024
"""A CA key file is a few lines; a bigger one is not read (an error, the keys stay)."""


class CaKeys:
    """R26: the CA keys of ``LINEDESK_USER_CA_KEYS``, re-read when the file changes, so
    that operators can rotate CAs without a restart.

    Checked at every certificate login (:class:`PortalServerConnection`, before asyncssh
    asks :meth:`validate_ca_key <ssh_server.auth.PortalConnection.validate_ca_key>`): one
    ``os.stat`` on the loop (microseconds, no read); only when device, inode, size, mtime or
    ctime differ from the file last read is it read and parsed, in a thread, concurrent
    logins waiting for the same read. So a removed CA key is refused from the next login on;
    sessions already signed in with it go on until their certificate expires. Each worker
    process checks for itself (nothing to signal). A new file with any line that is not a
    key, or one that cannot be read (removed, unreadable, not UTF-8), is not taken: the keys
    read before stay, and an error naming the file and the line is logged once per change;
    an empty file (or only comments) is how to trust no CA any more. Write the new file
    beside the old and rename it over it: a half-written file is not read then.
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self.keys: dict[bytes, str] = {}
        self.limits: dict[bytes, frozenset[str]] = {}
        """The accounts a CA may sign in, where its line has ``principals=``."""
        self._stamp: Stamp | None = None
        self._failed: str | None = None
        """The last stat error logged (logged again only when it changes)."""
        self._reading: asyncio.Task[None] | None = None
        self.reloads = 0
        """New key sets taken since start (tests, logs)."""
        if self.path is not None:  # at start: read now; a missing file is a startup error
            stamp, text = _read(self.path)
            keys, errors, limits = parse_ca_keys(text)
            for error in errors:
                log.error("%s %s; ignored", self.path, error)
            self.keys, self.limits, self._stamp = keys, limits, stamp
            log.info("%d user CA key(s) from %s", len(keys), self.path)

    def __contains__(self, public_data: object) -> bool:
        return public_data in self.keys

    def __len__(self) -> int:
        return len(self.keys)

    def admits(self, public_data: bytes, username: str) -> bool:
        """May this CA sign in ``username`` (its ``principals=`` option, if any)?"""
        limit = self.limits.get(public_data)
        return limit is None or username in limit

    async def refresh(self) -> None:
        """Re-read the file if it changed since it was read last."""
        if self.path is None:
            return
        try:
            stamp = _stamp(os.stat(self.path))
        except OSError as exc:
            reason = f"{type(exc).__name__}: {exc.strerror}"
            if reason != self._failed:
                self._failed = reason
                log.error("user CA keys %s cannot be read (%s); keeping the %d key(s) read "
                          "before", self.path, reason, len(self.keys))
            return
        self._failed = None
        if stamp == self._stamp:
            return
        if self._reading is None or self._reading.done():
            self._reading = asyncio.get_running_loop().create_task(
                self._reload(self.path), name="user-ca-keys-reload")
        await asyncio.shield(self._reading)

    async def _reload(self, path: Path) -> None:
        try:
            stamp, text = await asyncio.to_thread(_read, path)
        except (OSError, UnicodeDecodeError) as exc:
            log.error("user CA keys %s cannot be read (%s); keeping the %d key(s) read before",
                      path, exc, len(self.keys))
            return  # the stamp stays: the next login tries again
        if stamp == self._stamp:
            return
        self._stamp = stamp
        if len(text) > MAX_FILE:
            log.error("user CA keys %s is larger than %d bytes; not read, keeping the %d "
                      "key(s) read before", path, MAX_FILE, len(self.keys))
            return
        keys, errors, limits = parse_ca_keys(text)
        if errors:
            log.error("user CA keys %s changed but is not valid (%s); keeping the %d key(s) "
                      "read before until it is fixed", path, "; ".join(errors[:5]),
                      len(self.keys))
            return
        removed = sorted(fp for data, fp in self.keys.items() if data not in keys)
        added = sorted(fp for data, fp in keys.items() if data not in self.keys)
        self.keys, self.limits = keys, limits
        self.reloads += 1
        log.info("user CA keys %s re-read: %d key(s); added %s; no longer trusted %s", path,
                 len(keys), ", ".join(added) or "none", ", ".join(removed) or "none")


CertificateHook = Callable[[str, Any], None]


class PortalServerConnection(asyncssh.SSHServerConnection):
    """asyncssh's server connection with the portal's rule for user certificates."""

    async def _validate_openssh_certificate(
        self, username: str, cert: Any
    ) -> asyncssh.SSHKey | None:
        owner = self._owner
        if not cert.principals or username not in cert.principals:
            _log_refused(owner, username, cert, "principals " + (
                ", ".join(repr(p) for p in cert.principals[:5]) if cert.principals
                else "none (a certificate must name its account)"))
            return None  # a certificate names its account; none names none
        ca_keys = getattr(getattr(owner, "server", None), "user_ca_keys", None)
        if isinstance(ca_keys, CaKeys):
            await ca_keys.refresh()  # a CA removed from the file is refused from now on
        key: asyncssh.SSHKey | None = await super()._validate_openssh_certificate(username, cert)
        if (key is not None and isinstance(ca_keys, CaKeys)
                and not ca_keys.admits(cert.signing_key.public_data, username)):
            allowed = ", ".join(sorted(ca_keys.limits[cert.signing_key.public_data]))
            _log_refused(owner, username, cert, f"its CA may only sign in {allowed or 'nobody'}"
                         " (principals= in LINEDESK_USER_CA_KEYS)")
            return None
        if key is not None and hasattr(owner, "certificate_accepted"):
            owner.certificate_accepted(username, cert)
        if key is None:
            _log_refused(owner, username, cert, _why_refused(cert, ca_keys))
        return key


def _why_refused(cert: Any, ca_keys: object) -> str:
    """Why asyncssh refused a certificate for its principal (it says nothing itself)."""
    if isinstance(ca_keys, CaKeys) and cert.signing_key.public_data not in ca_keys:
        return ("signed by a CA that is not in LINEDESK_USER_CA_KEYS ("
                f"{cert.signing_key.get_fingerprint('sha256')})")
    now = time.time()
    after, before = getattr(cert, "_valid_after", 0), getattr(cert, "_valid_before", FOREVER)
    if now < after:
        return f"not valid before {_utc(after)}"
    if now >= before:
        return f"expired at {_utc(before)}"
    return "its restrictions (source-address) do not admit this connection"


def _utc(stamp: int) -> str:
    return datetime.fromtimestamp(min(stamp, 253402300799), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _log_refused(owner: Any, username: str, cert: Any, why: str) -> None:
    """R26: the operator's log says which certificate was refused and why (the client only
    hears "Permission denied"); a certificate's id and principals are the signer's text."""
    log.info("certificate %r for %r from %s refused: %s",
             str(getattr(cert, "_key_id", "") or "")[:100], username[:64],
             getattr(owner, "source", "") or "?", why)
