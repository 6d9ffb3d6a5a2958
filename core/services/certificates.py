"""R26: sign-in with an OpenSSH user certificate. The SSH layer calls
:func:`login_certificate` only after asyncssh verified the certificate (signed by a CA of
``LINEDESK_USER_CA_KEYS``, within its validity window, the username among its principals)
and the client's signature with the certified key."""

from __future__ import annotations

from core.services import auth
from core.services.auth import LoginResult
from core.uow import UnitOfWork


async def login_certificate(
    uow: UnitOfWork, *, username: str, fingerprint: str, source: str | None = None,
) -> LoginResult:
    """Bind the identity of the account a verified certificate names (active, not locked
    out by failed logins); ``fingerprint`` is the certified key's, as in the Archiv."""
    account = await auth._account(uow, username)
    if account is None:
        return LoginResult(None)
    if await auth.is_locked(uow, account.id):
        return LoginResult(None, locked=True)
    actor = await auth._actor(uow, account, source=source, fingerprint=fingerprint, audit=False)
    return LoginResult(actor)
