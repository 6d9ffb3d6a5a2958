"""When the server pays for a full collection (it pauses every session)."""

from __future__ import annotations

from ssh_server.server import RECLAIM_CHEAP_LIVE, GcPolicy


def test_nothing_ended_nothing_to_reclaim() -> None:
    assert not GcPolicy().should_reclaim(0)
    assert not GcPolicy().should_reclaim(500)


def test_few_live_sessions_reclaim_after_any_ended() -> None:
    policy = GcPolicy()
    policy.session_ended()
    assert policy.should_reclaim(0)
    assert policy.should_reclaim(RECLAIM_CHEAP_LIVE)


def test_many_live_sessions_wait_until_as_many_ended() -> None:
    policy = GcPolicy()
    live = 200
    for _ in range(live - 1):
        policy.session_ended()
    assert not policy.should_reclaim(live)
    policy.session_ended()
    assert policy.should_reclaim(live)
    assert not policy.should_reclaim(live + 1)



_RSS_AFTER_CHECKS = """
import asyncio, sys
from core.security import hash_secret, verify_secret
from ssh_server.server import tune_malloc
if sys.argv[1] == "tuned":
    assert tune_malloc()
def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20
async def checks():
    hashed = await hash_secret("geheim-123")
    before = rss_mb()
    await asyncio.gather(*[verify_secret(hashed, "geheim-123") for _ in range(6)])
    print(rss_mb() - before)
asyncio.run(checks())
"""


def test_password_checks_give_their_memory_back() -> None:
    """argon2 allocates 19 MiB per check in a hashing thread; with glibc's adaptive mmap
    threshold those blocks stayed resident after the check (95 MB after six parallel ones)."""
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("glibc only")
    root = Path(__file__).resolve().parents[2]

    def growth(mode: str) -> float:
        out = subprocess.run([sys.executable, "-c", _RSS_AFTER_CHECKS, mode], cwd=root,
                             capture_output=True, text=True, check=True, timeout=60)
        return float(out.stdout.strip())

    assert growth("default") > 19, "glibc kept nothing: this check cannot see the difference"
    assert growth("tuned") < 19
