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

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh

log = logging.getLogger(__name__)

KEY_TYPES = ("ssh-", "ecdsa-", "sk-")
FOREVER = 0xFFFFFFFFFFFFFFFF
"""``valid_before`` of a certificate without an end (``ssh-keygen`` without ``-V``)."""


def load_ca_keys(path: str | Path | None) -> dict[bytes, str]:
    """Public key data → SHA256 fingerprint of every CA key in the file (OpenSSH public key
    lines; a leading ``cert-authority`` or other options as in ``authorized_keys`` are
    skipped, as are comments and blank lines). No file configured: no CA, no certificates."""
    if not path:
        return {}
    keys: dict[bytes, str] = {}
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        words = raw.strip().split()
        if not words or words[0].startswith("#"):
            continue
        start = next((i for i, w in enumerate(words) if w.startswith(KEY_TYPES)), None)
        try:
            if start is None:
                raise ValueError("no key type")
            key = asyncssh.import_public_key(" ".join(words[start:]))
        except (asyncssh.KeyImportError, ValueError):
            log.warning("%s line %d: not an OpenSSH public key; ignored", path, number)
            continue
        keys[key.public_data] = key.get_fingerprint("sha256")
    log.info("%d user CA key(s) from %s", len(keys), path)
    return keys


CertificateHook = Callable[[str, Any], None]


class PortalServerConnection(asyncssh.SSHServerConnection):
    """asyncssh's server connection with the portal's rule for user certificates."""

    async def _validate_openssh_certificate(
        self, username: str, cert: Any
    ) -> asyncssh.SSHKey | None:
        if not cert.principals or username not in cert.principals:
            return None  # a certificate names its account; none names none
        key: asyncssh.SSHKey | None = await super()._validate_openssh_certificate(username, cert)
        owner = self._owner
        if key is not None and hasattr(owner, "certificate_accepted"):
            owner.certificate_accepted(username, cert)
        return key
