"""OpenSSH public key lines: parsing and SHA256 fingerprints (no asyncssh in core)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from core.errors import ValidationError

ALLOWED_KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",  # the key type; signatures must still be rsa-sha2-256/512 (server setting)
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
    }
)


@dataclass(frozen=True)
class PublicKey:
    key_type: str
    blob: bytes
    comment: str

    @property
    def fingerprint(self) -> str:
        return fingerprint_of_blob(self.blob)

    @property
    def openssh(self) -> str:
        line = f"{self.key_type} {base64.b64encode(self.blob).decode()}"
        return f"{line} {self.comment}" if self.comment else line


def fingerprint_of_blob(blob: bytes) -> str:
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def parse_public_key(line: str) -> PublicKey:
    parts = line.strip().split(None, 2)
    if len(parts) < 2 or parts[0] not in ALLOWED_KEY_TYPES:
        raise ValidationError("error.invalid_ssh_key")
    try:
        blob = base64.b64decode(parts[1], validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        embedded = blob[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError) as exc:
        raise ValidationError("error.invalid_ssh_key") from exc
    if embedded != parts[0]:
        raise ValidationError("error.invalid_ssh_key")
    comment = parts[2].strip() if len(parts) > 2 else ""
    return PublicKey(parts[0], blob, "".join(ch for ch in comment if ch.isprintable())[:200])
