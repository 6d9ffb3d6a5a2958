"""Password/PIN hashing (argon2id, off the event loop) and input validation."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import string
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import ValidationError
from core.phones import normalize_phone as normalize_phone  # re-exported (older callers)
from core.phones import validate_mobile as validate_mobile

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~35 ms of CPU per
# check. The library default (64 MiB, 3 passes, 4 lanes) costs ~240 ms of CPU, which made
# a burst of 100 logins saturate both cores for 24 s before any screen was drawn.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 8

# Hashing has its own threads, one per core: more parallel hashes than cores only add latency
# and 19 MiB of memory each, and they no longer queue behind other work in the default pool.
# One pool per process: a forked worker inherits the pool object but not its threads.
_hash_pool: tuple[int, ThreadPoolExecutor] | None = None
T = TypeVar("T")


def _pool() -> ThreadPoolExecutor:
    global _hash_pool
    if _hash_pool is None or _hash_pool[0] != os.getpid():
        _hash_pool = (os.getpid(), ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1),
                                                      thread_name_prefix="linedesk-hash"))
    return _hash_pool[1]


def stop_hashing_threads() -> None:
    """End this process's hashing threads (before forking workers: a child would inherit
    them half-copied); the next check starts new ones."""
    global _hash_pool
    if _hash_pool is not None:
        _hash_pool[1].shutdown(wait=True)
        _hash_pool = None


async def _off_loop(fn: Callable[..., T], *args: object) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool(), fn, *args)


async def hash_secret(plain: str) -> str:
    """argon2id hash; runs in a thread because hashing takes tens of milliseconds."""
    return await _off_loop(_hasher.hash, plain)


def _verify(hashed: str | None, plain: str) -> bool:
    try:
        return _hasher.verify(hashed or _DUMMY_HASH, plain) and hashed is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """True for hashes made with other (older) parameters."""
    try:
        return _hasher.check_needs_rehash(hashed)
    except InvalidHashError:
        return False


async def verify_secret(hashed: str | None, plain: str) -> bool:
    """Constant work whether or not a hash exists, so unknown users are not revealed by timing."""
    return await _off_loop(_verify, hashed, plain)


def random_password(length: int = 24) -> str:
    """Strong random password without look-alike characters (typed into routers by hand)."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    alphabet += "-_.+!"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in pw)
            and any(c.isupper() for c in pw)
            and any(c.isdigit() for c in pw)
        ):
            return pw


def random_digits(length: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(length))


_EMAIL_RE = re.compile(
    r"^(?=.{3,254}$)(?=.{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


def validate_email(value: str) -> str:
    """RFC 5322 dot-atom address with a domain that has a TLD; returns it trimmed."""
    candidate = value.strip()
    if not _EMAIL_RE.match(candidate):
        raise ValidationError("error.invalid_email", value=value[:80])
    return candidate


def validate_username(value: str) -> str:
    if not _USERNAME_RE.match(value):
        raise ValidationError("error.invalid_username", value=value[:40])
    return value


def validate_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationError("error.weak_password", min=MIN_PASSWORD_LENGTH)
    return value


def mask_email(value: str | None) -> str:
    """``anna.schmidt@muster.de`` → ``an***@muster.de``."""
    if not value or "@" not in value:
        return "–"
    local, domain = value.rsplit("@", 1)
    return f"{local[:2]}***@{domain}"


def mask_phone(value: str | None) -> str:
    """``+491701234567`` → ``+49170*****67``."""
    if not value:
        return "–"
    if len(value) <= 6:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 8) + value[-2:]
