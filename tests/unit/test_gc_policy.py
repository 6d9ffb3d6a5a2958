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
