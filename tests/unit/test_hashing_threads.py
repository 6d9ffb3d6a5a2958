"""Password hashing runs on its own threads, also in a forked worker process."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from core.security import hash_secret, verify_secret


@pytest.mark.skipif(sys.platform != "linux", reason="fork-based workers run on Linux")
async def test_a_forked_worker_can_still_check_passwords() -> None:
    hashed = await hash_secret("geheim-123")  # the pool's threads exist in this process now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            ok = asyncio.run(asyncio.wait_for(verify_secret(hashed, "geheim-123"), 30))
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    _, status = await asyncio.to_thread(os.waitpid, pid, 0)
    answer = os.read(read, 1)
    os.close(read)
    assert status == 0
    assert answer == b"1", "the child's password check never ran (pool without threads)"


async def test_parallel_checks_all_answer() -> None:
    hashed = await hash_secret("geheim-123")
    results = await asyncio.gather(
        *[verify_secret(hashed, p) for p in ["geheim-123", "falsch"] * 4]
    )
    assert results == [True, False] * 4


async def test_threads_can_be_stopped_before_a_fork_and_come_back() -> None:
    import threading

    from core.security import stop_hashing_threads

    hashed = await hash_secret("geheim-123")
    assert any(t.name.startswith("linedesk-hash") for t in threading.enumerate())
    stop_hashing_threads()
    assert not any(t.name.startswith("linedesk-hash") for t in threading.enumerate())
    assert await verify_secret(hashed, "geheim-123")
