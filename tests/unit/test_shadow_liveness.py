"""R23 across processes: each side of a remote watching sends keepalives and ends the watching
when the other side has been silent for PEER_TIMEOUT_SECONDS (its process was killed, its node
cut off). The clock is injected; the hub's signals are captured on its bus; a late signal
of an ended watching is answered with its end."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from core.authz import Actor
from core.events import DomainEvent, EventBus
from core.models import Role
from ssh_server.shadow import (
    KEEPALIVE_SECONDS,
    LOST,
    PEER_TIMEOUT_SECONDS,
    SIGNAL,
    SIGNAL_CUSTOMER,
    PeerLiveness,
    RemoteMirror,
    RemoteWatch,
    ShadowHub,
    process_id,
)

OTHER = "other-process"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeApp:
    def __init__(self, username: str) -> None:
        self.actor = SimpleNamespace(locale="de", username=username)
        self.later: list[Any] = []
        self.notices: list[tuple[str, dict[str, Any]]] = []
        self.shadowed_by: str | None = None

    def call_later(self, fn: Any, *args: Any) -> None:
        self.later.append((fn, args))

    def notify(self, text: str, **kwargs: Any) -> None:
        self.notices.append((text, kwargs))

    def run_later(self) -> None:
        for fn, args in self.later:
            fn(*args)
        self.later.clear()


class FakeSession:
    def __init__(self, username: str) -> None:
        self.size = (80, 24)
        self.out: list[str] = []
        self.app = FakeApp(username)
        self.shadow = SimpleNamespace(mirror=None, watchers=[])
        self.closed = asyncio.Event()
        self.connection = SimpleNamespace(session_id=f"{username}-session")

    def send_out(self, data: str) -> None:
        self.out.append(data)

    def write_buffer_size(self) -> int:
        return 0


def make_hub() -> tuple[ShadowHub, Clock, list[dict[str, Any]], list[tuple[str, str]]]:
    bus = EventBus()
    sent: list[dict[str, Any]] = []
    bus.subscribe(lambda event: sent.append(event.payload))
    hub = ShadowHub(SimpleNamespace(core=SimpleNamespace(bus=bus), sessions=[]))  # type: ignore[arg-type]
    clock = Clock()
    hub.clock = clock
    hub.keep_alive = lambda: None  # type: ignore[method-assign]  # the test ticks itself
    audits: list[tuple[str, str]] = []
    hub.audit_names = (  # type: ignore[method-assign]
        lambda agent, user, event, session, by="", shadow="": audits.append((event, by)))
    return hub, clock, sent, audits


def incoming(hub: ShadowHub, op: str, sid: str, **fields: object) -> None:
    hub._on_signal(DomainEvent(SIGNAL, SIGNAL_CUSTOMER,
                               {"op": op, "from": OTHER, "to": process_id(), "sid": sid,
                                **fields}))


def agent() -> Actor:
    return Actor(account_id=1, username="support", role=Role.SUPPORT, customer_id=7)


def test_liveness_pings_when_quiet_and_is_lost_only_after_the_timeout() -> None:
    live = PeerLiveness(0.0)
    assert not live.ping_due(KEEPALIVE_SECONDS - 0.01)
    assert live.ping_due(KEEPALIVE_SECONDS)
    live.sent(KEEPALIVE_SECONDS)
    assert not live.ping_due(KEEPALIVE_SECONDS + 0.5)
    assert not live.lost(PEER_TIMEOUT_SECONDS)
    assert live.lost(PEER_TIMEOUT_SECONDS + 0.01)
    live.heard(PEER_TIMEOUT_SECONDS)
    assert not live.lost(2 * PEER_TIMEOUT_SECONDS)
    assert KEEPALIVE_SECONDS * 3 <= PEER_TIMEOUT_SECONDS <= 6  # several keepalives, "a few s"


async def test_support_side_ends_with_a_notice_when_the_users_process_is_silent() -> None:
    hub, clock, sent, audits = make_hub()
    viewer = FakeSession("support")
    mirror = RemoteMirror(hub, viewer, agent(), "sid1", OTHER, "mia", "mia-session")  # type: ignore[arg-type]
    mirror.start()
    assert viewer.shadow.mirror is mirror

    # frames and keepalives from the user's process keep it going, however long
    for _ in range(10):
        clock.now += PEER_TIMEOUT_SECONDS - 1
        incoming(hub, "alive", "sid1")
        hub.tick()
    assert not mirror.ended
    # support's process sends its own keepalives (the user's side checks them)
    assert any(doc["op"] == "alive" and doc["to"] == OTHER for doc in sent)

    # a signal of the same id from another process is not a sign of life
    hub._on_signal(DomainEvent(SIGNAL, SIGNAL_CUSTOMER, {"op": "alive", "from": "third",
                                                         "to": process_id(), "sid": "sid1"}))
    clock.now += PEER_TIMEOUT_SECONDS
    hub.tick()
    assert not mirror.ended  # exactly the timeout: not yet
    clock.now += 0.5
    sent.clear()
    hub.tick()
    assert mirror.ended and viewer.shadow.mirror is None
    assert "sid1" not in hub.remote_mirrors
    assert audits == [("ended", LOST)]  # an ordinary end in the Archiv
    assert [doc["op"] for doc in sent] == ["stop"]  # in case it is only cut off
    viewer.app.run_later()
    (text, options), = viewer.app.notices
    assert text.startswith("Die beobachtete Sitzung ist beendet")
    assert options["severity"] == "warning"
    assert "\x1b[2J" in viewer.out[-1]  # support's own screen is drawn again

    # it comes back: its late frames are answered with the end, nothing is shown
    shown = len(viewer.out)
    sent.clear()
    incoming(hub, "frame", "sid1", data="late frame")
    assert [(doc["op"], doc["sid"], doc["to"]) for doc in sent] == [("stop", "sid1", OTHER)]
    assert len(viewer.out) == shown


async def test_user_side_stops_showing_support_when_supports_process_is_silent() -> None:
    hub, clock, sent, audits = make_hub()
    target = FakeSession("mia")
    watch = RemoteWatch(hub, target, "sid2", OTHER, "support",  # type: ignore[arg-type]
                        agent_actor=agent())
    watch.start()
    target.app.run_later()
    assert target.app.shadowed_by == "support" and target.shadow.watchers == [watch]

    clock.now += KEEPALIVE_SECONDS
    sent.clear()
    hub.tick()
    assert [doc["op"] for doc in sent] == ["alive"]
    watch.forward("x")  # output counts as speaking: no extra keepalive
    clock.now += 0.5
    sent.clear()
    hub.tick()
    assert sent == []

    clock.now += PEER_TIMEOUT_SECONDS
    hub.tick()
    assert watch.ended and not target.shadow.watchers
    assert target.app.shadowed_by is None  # the header is hers again
    target.app.run_later()
    assert [text for text, _ in target.app.notices] == ["Support schaut nicht mehr zu."]
    assert audits == [("ended", LOST)]  # support's process cannot write it: this one does

    sent.clear()
    incoming(hub, "alive", "sid2")  # support's process back after all: told it is over
    assert [(doc["op"], doc["by"]) for doc in sent] == [("end", LOST)]


@pytest.mark.parametrize("op", ["repaint", "stop"])
async def test_signals_of_unknown_watchings_are_ignored(op: str) -> None:
    hub, _clock, sent, _audits = make_hub()
    incoming(hub, op, "never-seen")
    assert sent == []


async def test_an_end_the_users_side_found_lost_is_not_written_twice() -> None:
    hub, _clock, _sent, audits = make_hub()
    viewer = FakeSession("support")
    mirror = RemoteMirror(hub, viewer, agent(), "sid3", OTHER, "mia", "mia-session")  # type: ignore[arg-type]
    mirror.start()
    incoming(hub, "end", "sid3", by=LOST)  # support's loop was stuck; mia's side gave up
    assert mirror.ended and audits == []
    viewer.app.run_later()
    assert viewer.app.notices[0][0].startswith("Die beobachtete Sitzung ist beendet")

    other = RemoteMirror(hub, viewer, agent(), "sid4", OTHER, "mia", "mia-session")  # type: ignore[arg-type]
    other.start()
    incoming(hub, "end", "sid4", by="user")
    assert audits == [("ended", "user")]
