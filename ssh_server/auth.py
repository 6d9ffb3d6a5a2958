"""SSH authentication of one connection: public key, password, keyboard-interactive.

Identity binding (Soft Serve GHSA-pchf-49fh-w34r / CVE-2023-43809): an offered public key
proves nothing. ``validate_public_key`` only tells asyncssh which keys are acceptable;
asyncssh then verifies the signature and, only on success, calls :meth:`auth_completed`.
Password and keyboard-interactive logins bind their own actor when they succeed, so a key
offered earlier on the same connection can never become the identity of a session that
was authenticated another way, nor of another username.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import asyncssh

from core.authz import Actor
from core.i18n import t
from core.services import auth as auth_service
from core.services import certificates as certificate_service
from core.services import locks
from ssh_server.certificates import FOREVER
from ssh_server.limits import AttemptCounter, Hold
from tui.sanitize import clean

if TYPE_CHECKING:
    from ssh_server.server import PortalServer
    from ssh_server.session import PortalSession

log = logging.getLogger(__name__)

MAX_USERNAME = 64
CERT_CLOSE_GRACE = 3.0
"""Seconds after a certificate expired before its connection is closed from our side (the
sessions' notices go out first)."""


class PortalConnection(asyncssh.SSHServer):
    """asyncssh's per-connection callbacks, bound to the portal's core and limits."""

    def __init__(self, server: PortalServer) -> None:
        self.server = server
        self.core = server.core
        self.conn: asyncssh.SSHServerConnection | None = None
        self.source = ""
        self.session_id = secrets.token_hex(8)
        """Names this connection in the audit rows (sign-in, failures, what it changes)."""
        self.actor: Actor | None = None
        """Bound in :meth:`auth_completed` only; sessions wait for :attr:`ready`."""
        self.ready = asyncio.Event()
        self.attempts = AttemptCounter()
        self.sessions: set[PortalSession] = set()
        self._unauth: Hold | None = None
        self._admission: asyncio.Task[None] | None = None
        self._keys_user: str | None = None
        self._keys: dict[bytes, str] = {}
        self._password_actor: Actor | None = None
        self._verified_key: tuple[str, str] | None = None
        self._verified_cert: tuple[str, str, int, str] | None = None
        """R26: (username, certified key's fingerprint, valid_before, key id) of the
        certificate asyncssh accepted last; used like :attr:`_verified_key`."""
        self._cert_expiry: asyncio.TimerHandle | None = None
        self._closed = False
        self.refusal: str | None = None
        """Why the authenticated account gets no session (R25: locked), shown to the user."""

    # -- connection --------------------------------------------------------------------

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("", 0)
        self.source = str(peer[0])
        self.server.connections.add(self)

    def client_version_received(self) -> None:
        """Called by the pre-auth gate (:mod:`ssh_server.gate`) once the client sent its
        SSH version string: only from now on does it count against its source, so sockets
        that never speak SSH (closed by the gate after a few seconds) lock nobody out."""
        if self._closed or self._unauth is not None:
            return
        hold = self.server.limits.hold_connection(self.source)
        if hold is None:
            self._refuse()
            return
        self._unauth = hold
        if self.server.limits.shared is not None:  # workers: the supervisor's answer
            self._admission = asyncio.get_running_loop().create_task(self._check_admitted(hold))

    async def _check_admitted(self, hold: Hold) -> None:
        if not await hold.confirmed() and not self._closed:
            self._refuse()

    def _refuse(self) -> None:
        log.warning("too many unauthenticated connections from %s", self.source)
        asyncio.get_running_loop().call_soon(self._disconnect, "too many connections")

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        if self._cert_expiry is not None:
            self._cert_expiry.cancel()
            self._cert_expiry = None
        self._release_unauth()
        self.server.connections.discard(self)
        self.ready.set()
        for session in list(self.sessions):
            session.connection_closed()

    def _release_unauth(self) -> None:
        if self._unauth is not None:
            self._unauth.release()
            self._unauth = None

    def _disconnect(self, reason: str) -> None:
        if self.conn is not None and not self._closed:
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, reason)

    # -- authentication ----------------------------------------------------------------

    async def begin_auth(self, username: str) -> bool:
        banner = self.server.settings.banner
        if banner and self.conn is not None and self._keys_user is None:
            self.conn.send_auth_banner(banner if banner.endswith("\n") else banner + "\r\n")
        if self._unauth is not None and not await self._unauth.confirmed():
            return True  # refused across workers: disconnecting, no database work for it
        await self._load_keys(username)
        return True

    async def _load_keys(self, username: str) -> None:
        self._keys_user = username
        self._keys = {}
        if not username or len(username) > MAX_USERNAME:
            return
        async with self.core.uow(readonly=True) as uow:
            lines = await auth_service.authorized_keys(uow, username=username)
        for line in lines:
            try:
                key = asyncssh.import_public_key(line)
            except (asyncssh.KeyImportError, ValueError):
                continue
            self._keys[key.public_data] = key.get_fingerprint("sha256")

    def public_key_auth_supported(self) -> bool:
        return True

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """Acceptable for this username? (asyncssh checks the signature afterwards.)"""
        self._verified_key = None
        self._verified_cert = None
        if username != self._keys_user:
            await self._load_keys(username)
        fingerprint = self._keys.get(key.public_data)
        if fingerprint is None:
            if self.attempts.reject_key():
                asyncio.get_running_loop().call_soon(self._disconnect, "too many keys")
            return False
        # Remembered as a candidate only: auth_completed uses it solely when no password
        # or keyboard-interactive login succeeded, i.e. when the signature check passed.
        self._verified_key = (username, fingerprint)
        return True

    def validate_ca_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """R26: is ``key`` one of the CAs of ``LINEDESK_USER_CA_KEYS``? (asyncssh then checks
        the certificate's signature, validity window and principals.)"""
        self._verified_cert = None
        if not username or len(username) > MAX_USERNAME:
            return False
        return key.public_data in self.server.user_ca_keys

    def certificate_accepted(self, username: str, cert: Any) -> None:
        """Called by :class:`ssh_server.certificates.PortalServerConnection` for a certificate
        asyncssh accepted for ``username`` (a candidate, like a key: the identity is bound in
        :meth:`auth_completed` only when its signature check passed)."""
        self._verified_key = None
        # asyncssh keeps the validity window and id private (it enforces the window itself)
        self._verified_cert = (username, cert.key.get_fingerprint("sha256"),
                               int(getattr(cert, "_valid_before", FOREVER)),
                               str(getattr(cert, "_key_id", "") or "")[:100])

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        return await self._check_password(username, password)

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(
        self, username: str, lang: str, submethods: str
    ) -> tuple[str, str, str, list[tuple[str, bool]]]:
        return ("", t("de", "ssh.kbdint.instructions"), "", [(t("de", "ssh.kbdint.prompt"), False)])

    async def validate_kbdint_response(self, username: str, responses: Sequence[str]) -> bool:
        if len(responses) != 1:
            await self._record_failure(username)
            return False
        return await self._check_password(username, responses[0])

    async def _check_password(self, username: str, password: str) -> bool:
        self._verified_key = None
        self._verified_cert = None
        if not username or len(username) > MAX_USERNAME or len(password) > 1024:
            self._count_failure()
            return False
        result = await auth_service.authenticate_password(
            self.core, username=username, password=password, source=self.source,
            audit_login=False,  # recorded by the session (interactive or command)
            session_id=self.session_id,
        )
        if result.actor is None:
            log.info("password login failed for %r from %s", username[:MAX_USERNAME], self.source)
            self._count_failure()
            return False
        self._password_actor = result.actor
        return True

    async def _record_failure(self, username: str) -> None:
        async with self.core.uow() as uow:
            await auth_service.record_failure(uow, username=username, source=self.source,
                                              session_id=self.session_id)
        self._count_failure()

    def _count_failure(self) -> None:
        self.server.stats.logins_failed += 1
        if self.attempts.fail():
            self._disconnect("too many failed attempts")

    async def auth_completed(self) -> None:
        """Bind the identity: the password actor, else the key whose signature asyncssh verified."""
        try:
            assert self.conn is not None
            username = self.conn.get_extra_info("username")
            actor = self._password_actor
            if actor is None and self._verified_key is not None:
                key_user, fingerprint = self._verified_key
                if key_user == username:
                    async with self.core.uow() as uow:
                        result = await auth_service.login_key(
                            uow, username=username, fingerprint=fingerprint, source=self.source,
                            audit_login=False,  # recorded by the session
                        )
                    actor = result.actor
            valid_before: int | None = None
            if actor is None and self._verified_cert is not None:
                cert_user, fingerprint, valid_before, key_id = self._verified_cert
                if cert_user == username:
                    async with self.core.uow() as uow:
                        result = await certificate_service.login_certificate(
                            uow, username=username, fingerprint=fingerprint, source=self.source)
                    actor = result.actor
                    log.info("certificate %r (key %s) of %r accepted from %s", key_id,
                             fingerprint, username, self.source)
            if actor is None or actor.username != username:
                log.warning("no identity after authentication of %r; closing", username)
                self.conn.close()
                return
            actor = dataclasses.replace(actor, session_id=self.session_id)
            self._release_unauth()
            if await self._refused_as_locked(actor):
                return
            self.actor = actor
            self.server.stats.logins_ok += 1
            if valid_before is not None and valid_before < FOREVER:
                self._expire_at(valid_before)
        finally:
            self.ready.set()

    async def _refused_as_locked(self, actor: Actor) -> bool:
        """R25, the gate every entry point shares (``core.services.locks``), checked only now,
        after the credentials were verified. The connection stays without an actor: its
        session shows :attr:`refusal` and ends."""
        method = "publickey" if actor.key_fingerprint else "password"
        refusal = await locks.refuse_locked_login(self.core, actor, method=method)
        if refusal is None:
            return False
        self.refusal = refusal.message(actor.locale, clean)
        log.info("login of locked account %r refused (%s)", actor.username, method)
        return True

    def _expire_at(self, valid_before: int) -> None:
        """R26: end the connection's sessions when its certificate expires."""
        delay = max(0.0, valid_before - time.time())
        self._cert_expiry = asyncio.get_running_loop().call_later(delay, self._certificate_expired)

    def _certificate_expired(self) -> None:
        self._cert_expiry = None
        log.info("certificate of %r expired; ending its sessions",
                 self.actor.username if self.actor else "?")
        for session in list(self.sessions):
            session.end_with_notice("cert.session_expired")
        # the client closes after its channels' exit; a connection without one is closed
        asyncio.get_running_loop().call_later(CERT_CLOSE_GRACE, self._close_expired)

    def _close_expired(self) -> None:
        if self.conn is not None and not self._closed:
            self.conn.close()

    # -- channels ----------------------------------------------------------------------

    def session_requested(self) -> Any:
        from ssh_server.session import PortalSession

        return PortalSession(self)

    def connection_requested(self, *args: Any) -> bool:
        return False

    def server_requested(self, *args: Any) -> bool:
        return False

    def unix_connection_requested(self, *args: Any) -> bool:
        return False

    def unix_server_requested(self, *args: Any) -> bool:
        return False
