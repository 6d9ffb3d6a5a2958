"""Encryption at rest for outbox payloads (they carry mails with codes until delivered).

The key is 32 random bytes in ``<data_dir>/secret.key`` (mode 0600) or, for several
nodes, base64 in ``LINEDESK_SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class SecretBox:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("secret key must be 32 bytes")
        self._aead = AESGCM(key)
        self._mac_key = hmac.digest(key, b"linedesk-mac-v1", hashlib.sha256)
        """A separate key for :meth:`mac`, derived so the AES key is never used twice."""

    def mac(self, data: bytes) -> str:
        """HMAC-SHA256 (hex) keyed with the secret key: for short secrets (one-time codes)
        whose hash must be worthless without the key (six digits fall to any offline search)."""
        return hmac.new(self._mac_key, data, hashlib.sha256).hexdigest()

    def seal(self, plain: bytes, *, aad: bytes = b"") -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, plain, aad)

    def open(self, sealed: bytes, *, aad: bytes = b"") -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], aad)

    @classmethod
    def from_data_dir(cls, data_dir: Path, env_key: str | None = None) -> SecretBox:
        if env_key:
            return cls(base64.b64decode(env_key))
        path = data_dir / "secret.key"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        return cls(path.read_bytes())
