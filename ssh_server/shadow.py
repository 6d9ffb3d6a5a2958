"""R23 shadowing: support watches a live session of one of its open customer's users, with
the user's consent, read-only.

Design:

* :class:`ShadowHub` (one per server) lists the live App sessions of a customer's users
  from ``server.sessions`` and runs a request: the user's App shows the consent dialog
  (:mod:`screens.shadow_dialog`, 60 s, no answer is a no), the outcome is audited in the
  customer's Archiv (:func:`core.services.support.record_shadow`).
* After yes, the user's session output is tapped where it is written
  (``PortalSession.write``) and teed through a :class:`MirrorFilter` into the support
  session's channel (and so into support's R24 recording), after a full repaint of the
  user's screen. Meanwhile the support session is in *mirror mode*: its own App's output
  is dropped and every key it sends is swallowed by the session (it never reaches any
  App) except ``q``/Ctrl+X, which stops watching; then support's App repaints.
* Sizes differ: the filter clips the user's frames to the support terminal (rows and
  columns, one row kept for the status line) and a smaller user screen is letterboxed
  (the rest stays blank); nothing in it depends on the sizes matching.
* The user's header says "Support schaut zu: NAME"; Ctrl+X in the user's session ends it
  at any time (the session takes that key while watched, on any screen or dialog).
* Support's side is one :class:`Mirror` (filter, status line, support's keys, the way
  back), whether the user's session is in this process (:class:`Shadow`) or in another
  one (:class:`RemoteMirror`, fed by the user's process's :class:`RemoteWatch`).
* Across worker processes and nodes the same steps travel as :data:`SIGNAL` bus events
  (the supervisor's hub, or PostgreSQL NOTIFY). A process killed with ``kill -9`` tells
  nobody, so both sides of a remote watching send keepalives and end it when the other
  side stayed silent for :data:`PEER_TIMEOUT_SECONDS` (:meth:`ShadowHub.tick`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.cells import get_character_cell_size

from core.authz import Actor
from core.errors import DomainError
from core.events import DomainEvent
from core.i18n import t
from core.models import Role
from core.services import support as support_service
from tui.live_sessions import LiveSession

if TYPE_CHECKING:
    from ssh_server.server import PortalServer
    from ssh_server.session import PortalSession

log = logging.getLogger(__name__)

CONSENT_SECONDS = 60.0
"""How long the user has to answer (no answer is a no)."""
USER_STOP_KEY = "\x18"
"""Ctrl+X: the user ends the watching (taken by the session while watched)."""
VIEWER_STOP_KEYS = frozenset({"q", "Q", "\x18"})
SIGNAL = "ShadowSignal"
"""Bus event between worker processes and nodes (hub or PostgreSQL NOTIFY)."""
SIGNAL_CUSTOMER = -1
"""No customer has this id: no App's subscription passes the signal on to its screens."""
CHUNK = 1000
"""Characters of output per signal: JSON escapes ESC and non-ASCII as 6 bytes, so a piece
is at most ~6 KB (PostgreSQL's NOTIFY allows < 8000 bytes); a longer one is halved."""
PIECE_BYTES = 7000
LIST_WAIT = 0.4
"""Seconds the other processes get to name their sessions."""
KEEPALIVE_SECONDS = 1.0
"""A watching that spans two processes: each side sends the other an ``alive`` signal when
it sent it nothing else for this long (an idle user's App writes nothing for minutes)."""
PEER_TIMEOUT_SECONDS = 5.0
"""... and ends the watching when it heard nothing from the other side for this long: the
process holding the other session was killed (``kill -9`` tells nobody anything) or its
node lost the hub or the database. Signals cross the supervisor's hub or a PostgreSQL NOTIFY
in milliseconds, so 5 s is five keepalives in a row missing: a worker whose loop is only
busy for a moment (a GC pass, many sessions repainting at once) does not lose a healthy
watching, while support waits at most about 6 s (this plus one check) for the notice. A
loop stuck for longer is not healthy anyway: the supervisor kills a worker after
``LINEDESK_WORKER_HEARTBEAT_TIMEOUT`` (10 s) without a heartbeat."""
LOST = "lost"
"""``ended_by`` of a watching whose other side stopped answering."""
ENDED_KEPT = 256
"""Ended remote watchings remembered, so that a late signal of one (a node that was cut off
comes back) is answered with its end instead of leaving that side watching."""
_TOKEN = secrets.token_hex(6)
_MIRROR_OPS = frozenset({"frame", "reset", "end", "alive"})
"""Signals of a user's process to support's (the mirror)."""
_WATCH_OPS = frozenset({"repaint", "stop", "alive"})
"""Signals of support's process to the user's (the watch)."""


def process_id() -> str:
    """This process among all workers and nodes (workers are forked: the pid tells them
    apart, the token the nodes)."""
    return f"{_TOKEN}-{os.getpid()}"


MIRROR_HIGH_WATER = 512 * 1024
"""Bytes queued for the support client before mirrored frames are dropped (a repaint of the
user's screen follows once it caught up)."""


_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]P_^X][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # OSC/DCS/APC/PM/SOS string
    r"|\x1b[ -/]*[0-~]"  # other ESC
    r"|[\x00-\x1f\x7f]"  # C0 control
)
_INCOMPLETE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|[\]P_^X][^\x07\x1b\x9c]*|[ -/]*)?\Z")


class MirrorFilter:
    """Fits the user's output to the support terminal: text outside ``cols`` × ``rows`` is
    dropped (cursor moves, colours and modes pass), strings (OSC 52 clipboard, titles) never
    pass; a sequence cut at a chunk's end waits for the next chunk."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols = max(1, cols)
        self.rows = max(1, rows)
        self.row = 1
        self.col = 1
        self.cleared = False
        """An erase of the whole display passed (the status line must be drawn again)."""
        self._tail = ""

    def feed(self, data: str) -> str:
        data = self._tail + data
        self._tail = ""
        cut = _INCOMPLETE.search(data)
        if cut is not None and cut.start() < len(data):
            if len(data) - cut.start() <= 256:
                self._tail = data[cut.start():]
            data = data[:cut.start()]
        out: list[str] = []
        pos = 0
        for match in _SEQ.finditer(data):
            if match.start() > pos:
                self._text(data[pos:match.start()], out)
            self._control(match.group(), out)
            pos = match.end()
        if pos < len(data):
            self._text(data[pos:], out)
        return "".join(out)

    def _text(self, text: str, out: list[str]) -> None:
        if self.row > self.rows or self.col > self.cols:
            self.col += len(text)
            return
        room = self.cols - self.col + 1
        if len(text) <= room and text.isascii():
            out.append(text)
            self.col += len(text)
            return
        kept: list[str] = []
        for char in text:
            width = get_character_cell_size(char)
            if width > room:
                room = 0
                break
            kept.append(char)
            room -= width
            self.col += width
        out.append("".join(kept))
        if room == 0:
            self.col = self.cols + 1

    def _control(self, seq: str, out: list[str]) -> None:
        if len(seq) == 1:  # C0
            if seq == "\r":
                self.col = 1
            elif seq == "\n":
                self.row += 1
            elif seq == "\b":
                self.col = max(1, self.col - 1)
            if seq in "\r\n\b" and self.row <= self.rows:
                out.append(seq)
            return
        if seq[1] in "]P_^X":
            return  # strings never reach the support terminal
        if seq[1] != "[":
            out.append(seq)
            return
        final = seq[-1]
        params = seq[2:-1]
        if final in "Hf" and not params.startswith("?"):
            parts = params.split(";")
            self.row = _number(parts[0])
            self.col = _number(parts[1]) if len(parts) > 1 else 1
            if self.row <= self.rows and self.col <= self.cols:
                out.append(seq)
            return
        if final == "d":
            self.row = _number(params)
            if self.row <= self.rows:
                out.append(seq)
            return
        if final == "G":
            self.col = _number(params)
            if self.col <= self.cols and self.row <= self.rows:
                out.append(seq)
            return
        if final == "J" and params in ("", "0", "2", "3"):
            self.cleared = True
        out.append(seq)


def _number(text: str) -> int:
    try:
        return max(1, int(text or "1"))
    except ValueError:
        return 1


class Mirror:
    """Support's side of one watching, whether the user's session runs in this process
    (:class:`Shadow`) or in another (:class:`RemoteMirror`): the filter that fits the user's
    frames to support's terminal, the status line, support's keys and the way back to
    support's own App. Subclasses say how a full frame of the user's screen is asked for."""

    def __init__(self, hub: ShadowHub, viewer: PortalSession, agent: Actor, user: str,
                 session: str) -> None:
        self.hub = hub
        self.viewer = viewer
        self.agent = agent
        self.user_name = user
        self.session_key = session
        """The watched session's key (its Archiv entries name it)."""
        self.shadow_id = ""
        """A watching across processes: its id, so its end is written once (both sides may)."""
        self.ended = False
        self.filter = MirrorFilter(*self._fit())
        self._lost = False
        """Frames were dropped (support's client fell behind): a full frame is due."""

    def _fit(self) -> tuple[int, int]:
        cols, rows = self.viewer.size
        return cols, max(1, rows - 1)  # the last row is the status line

    def ask_repaint(self) -> None:
        """Ask the user's App for a full frame."""
        raise NotImplementedError

    def reset(self) -> None:
        """Clear support's terminal and draw the status line; the filter starts afresh."""
        self.filter = MirrorFilter(*self._fit())
        self._lost = False
        self.viewer.send_out("\x1b[0m\x1b[2J\x1b[H")
        self._status()

    def restart(self) -> None:
        """:meth:`reset`, then a full frame of the user's screen."""
        self.reset()
        self.ask_repaint()

    def _status(self) -> None:
        cols, rows = self.viewer.size
        text = t(self.agent.locale, "support.shadow.status", user=_plain(self.user_name))
        self.viewer.send_out(f"\x1b[{rows};1H\x1b[0m\x1b[7m{_clip(text, cols)}\x1b[K\x1b[0m")

    def frame(self, data: str) -> None:
        """A piece of the user's output (already sent to the user)."""
        if self.ended:
            return
        if self.viewer.write_buffer_size() > MIRROR_HIGH_WATER:
            self._lost = True
            return
        if self._lost:
            self.restart()
            return
        out = self.filter.feed(data)
        if out:
            self.viewer.send_out(out)
        if self.filter.cleared:
            self.filter.cleared = False
            self._status()

    def viewer_input(self, data: str) -> None:
        """Support's keys: swallowed; its stop key ends the watching."""
        if data in VIEWER_STOP_KEYS or USER_STOP_KEY in data:
            self.end("support")

    def end(self, by: str) -> None:
        raise NotImplementedError

    def _leave_viewer(self, by: str, *, audit: bool = True) -> None:
        """Support's own App back (repainted) with a notice; the end in the Archiv."""
        if self.viewer.shadow.mirror is self:
            self.viewer.shadow.mirror = None
        app = self.viewer.app
        if app is not None and not self.viewer.closed.is_set():
            self.viewer.send_out("\x1b[0m\x1b[2J\x1b[H")
            app.call_later(_repaint, app)
            if by == LOST:
                app.call_later(partial(app.notify, t(self.agent.locale, "support.shadow.lost"),
                                       severity="warning", timeout=10))
            else:
                app.call_later(app.notify, t(self.agent.locale, "support.shadow.ended"))
        if audit:
            self.hub.audit_names(self.agent, self.user_name, "ended", self.session_key, by=by,
                                 shadow=self.shadow_id)


class Shadow(Mirror):
    """One consented watching in this process: ``viewer`` (support) sees ``target`` (the
    user); the target's output is handed over directly."""

    def __init__(self, hub: ShadowHub, viewer: PortalSession, target: PortalSession,
                 agent: Actor, user: Actor) -> None:
        super().__init__(hub, viewer, agent, user.username, target.connection.session_id)
        self.target = target
        self.user = user

    def start(self) -> None:
        self.viewer.shadow.mirror = self
        self.target.shadow.watchers.append(self)
        _set_header(self.target, self.agent.username)
        self.restart()

    def ask_repaint(self) -> None:
        app = self.target.app
        if app is not None:
            app.call_later(_repaint, app)

    def forward(self, data: str) -> None:
        """The target's output (its session's tee)."""
        self.frame(data)

    def end(self, by: str) -> None:
        if self.ended:
            return
        self.ended = True
        if self.viewer.shadow.mirror is self:
            self.viewer.shadow.mirror = None
        _leave_target(self, self.target, by)
        self._leave_viewer(by)


class PeerLiveness:
    """When one side of a watching that spans two processes last heard of the other side
    and last sent it anything (times of the hub's monotonic clock)."""

    def __init__(self, now: float) -> None:
        self.heard_at = now
        self.sent_at = now

    def heard(self, now: float) -> None:
        self.heard_at = now

    def sent(self, now: float) -> None:
        self.sent_at = now

    def ping_due(self, now: float) -> bool:
        return now - self.sent_at >= KEEPALIVE_SECONDS

    def lost(self, now: float) -> bool:
        return now - self.heard_at > PEER_TIMEOUT_SECONDS


class RemoteWatch:
    """On the user's process: a watching from a support session on another process; the
    user's output goes out in signals (the filter runs where support is)."""

    def __init__(self, hub: ShadowHub, target: PortalSession, sid: str, viewer_process: str,
                 agent: str, *, agent_actor: Actor | None = None) -> None:
        self.hub = hub
        self.target = target
        self.sid = sid
        self.process = viewer_process
        self.agent = agent
        self.agent_actor = agent_actor
        """Support as its process named it in the request: the Archiv entry of an end
        that support's process can no longer write (it stopped answering)."""
        self.user_name = target.app.actor.username if target.app is not None else "?"
        self.ended = False
        self.liveness = PeerLiveness(hub.clock())

    def send(self, op: str, **fields: object) -> None:
        self.hub.signal(op, to=self.process, sid=self.sid, **fields)
        self.liveness.sent(self.hub.clock())

    def start(self) -> None:
        self.hub.remote_watches[self.sid] = self
        self.target.shadow.watchers.append(self)
        _set_header(self.target, self.agent)
        self.hub.keep_alive()
        self.restart()

    def restart(self) -> None:
        self.send("reset")
        app = self.target.app
        if app is not None:
            app.call_later(_repaint, app)

    def forward(self, data: str) -> None:
        if self.ended:
            return
        for piece in pieces(data):
            self.send("frame", data=piece)

    def end(self, by: str, *, tell: bool = True) -> None:
        if self.ended:
            return
        self.ended = True
        self.hub.forget(self.sid, "watch")
        _leave_target(self, self.target, by)
        if by == LOST and self.agent_actor is not None:  # support's side cannot write it
            self.hub.audit_names(self.agent_actor, self.user_name, "ended",
                                 self.target.connection.session_id, by=LOST, shadow=self.sid)
        if tell:
            self.send("end", by=by)


class RemoteMirror(Mirror):
    """On support's process: shows a user's session that runs on another process."""

    def __init__(self, hub: ShadowHub, viewer: PortalSession, agent: Actor, sid: str,
                 process: str, user: str, session: str) -> None:
        super().__init__(hub, viewer, agent, user, session)
        self.sid = sid
        self.shadow_id = sid
        self.process = process
        self.liveness = PeerLiveness(hub.clock())

    def send(self, op: str, **fields: object) -> None:
        self.hub.signal(op, to=self.process, sid=self.sid, **fields)
        self.liveness.sent(self.hub.clock())

    def start(self) -> None:
        self.viewer.shadow.mirror = self
        self.hub.remote_mirrors[self.sid] = self
        self.hub.keep_alive()
        self.reset()

    def ask_repaint(self) -> None:
        self.send("repaint")

    def end(self, by: str, *, tell: bool = True) -> None:
        if self.ended:
            return
        self.ended = True
        self.hub.forget(self.sid, "mirror")
        if self.viewer.shadow.mirror is self:
            self.viewer.shadow.mirror = None
        if tell:
            self.send("stop")
        # an end the user's side found lost is in the Archiv already (written there)
        self._leave_viewer(by, audit=tell or by != LOST)


def pieces(data: str, size: int = CHUNK) -> list[str]:
    """``data`` cut so that each piece's JSON is at most :data:`PIECE_BYTES`."""
    out: list[str] = []
    for at in range(0, len(data), size):
        piece = data[at:at + size]
        if len(json.dumps(piece)) > PIECE_BYTES and len(piece) > 1:
            out.extend(pieces(piece, max(1, size // 2)))
        else:
            out.append(piece)
    return out


def _set_header(session: PortalSession, agent: str | None) -> None:
    app = session.app
    if app is None:
        return
    app.shadowed_by = agent  # type: ignore[attr-defined]
    app.call_later(_redraw_headers, app)


def _leave_target(watch: Shadow | RemoteWatch, target: PortalSession, by: str) -> None:
    """The user's side of an end: off the session's watchers, the header the user's own
    again when nobody else watches, a notice unless the session itself went away."""
    if watch in target.shadow.watchers:
        target.shadow.watchers.remove(watch)
    if not target.shadow.watchers:
        _set_header(target, None)
    app = target.app
    if app is not None and by != "gone":
        app.call_later(app.notify, t(app.actor.locale, "support.shadow.user_ended"))


class SessionShadow:
    """A session's part in shadowing: whom it watches (``mirror``), who watches it."""

    def __init__(self, session: PortalSession) -> None:
        self.session = session
        self.mirror: Mirror | None = None
        """Set while this (support) session shows another session."""
        self.watchers: list[Shadow | RemoteWatch] = []
        """The watchings of this (user) session."""
        self.asking = False
        """A consent dialog is open in this session."""
        hub_of(session.server)  # listening for requests from other processes

    @property
    def hub(self) -> ShadowHub:
        return hub_of(self.session.server)

    def input(self, data: str) -> bool:
        """Keys of this session: True when they were taken here (never reach the App)."""
        if self.mirror is not None:
            self.mirror.viewer_input(data)
            return True
        if self.watchers and USER_STOP_KEY in data:
            for shadow in list(self.watchers):
                shadow.end("user")
            return True
        return False

    def tee(self, data: str) -> None:
        for shadow in list(self.watchers):
            shadow.forward(data)

    def resized(self) -> None:
        if self.mirror is not None:
            self.mirror.restart()
        for shadow in list(self.watchers):
            shadow.restart()

    def end_all(self) -> None:
        if self.mirror is not None:
            self.mirror.end("gone")
        for shadow in list(self.watchers):
            shadow.end("gone")

    # -- what the support screen calls ------------------------------------------------

    async def candidates(self, agent: Actor) -> list[LiveSession]:
        return await self.hub.all_sessions(agent)

    async def request(self, agent: Actor, key: str) -> str:
        return await self.hub.request(self.session, agent, key)


class ShadowHub:
    """The server's registry of watchable sessions and the request flow."""

    def __init__(self, server: PortalServer) -> None:
        self.server = server
        self.consent_timeout = float(os.environ.get("LINEDESK_SHADOW_CONSENT_SECONDS")
                                     or CONSENT_SECONDS)
        self._tasks: set[asyncio.Task[None]] = set()
        self._replies: dict[str, asyncio.Future[dict[str, object]]] = {}
        self._listed: dict[str, list[LiveSession]] = {}
        self.remote_watches: dict[str, RemoteWatch] = {}
        self.remote_mirrors: dict[str, RemoteMirror] = {}
        self.remote: dict[str, str] = {}
        """Session key → process of the sessions other processes named last."""
        self.clock: Callable[[], float] = time.monotonic
        """Seconds for the keepalives and timeouts of remote watchings (tests inject one)."""
        self._ended: dict[str, str] = {}
        """Signal id → ``"watch"`` or ``"mirror"`` of the last :data:`ENDED_KEPT` ended
        remote watchings of this process."""
        self._keepalive: asyncio.Task[None] | None = None
        self._subscription = server.core.bus.subscribe(self._on_signal)

    # -- liveness of remote watchings -----------------------------------------------------

    def keep_alive(self) -> None:
        """Run :meth:`tick` every :data:`KEEPALIVE_SECONDS` while a remote watching lasts."""
        if self._keepalive is None or self._keepalive.done():
            self._keepalive = asyncio.get_running_loop().create_task(
                self._keep_alive(), name="shadow-keepalive")

    async def _keep_alive(self) -> None:
        while self.remote_watches or self.remote_mirrors:
            await asyncio.sleep(KEEPALIVE_SECONDS)
            try:
                self.tick()
            except Exception:  # one broken watching must not stop the others' checks
                log.exception("shadowing keepalive failed")

    def tick(self) -> None:
        """End the remote watchings whose other side was silent for
        :data:`PEER_TIMEOUT_SECONDS`; send the others a keepalive where one is due."""
        now = self.clock()
        remotes: list[RemoteWatch | RemoteMirror] = [*self.remote_watches.values(),
                                                     *self.remote_mirrors.values()]
        for remote in remotes:
            if remote.liveness.lost(now):
                log.warning("shadowing %s: no signal from process %s for %.0f s; ended",
                            remote.sid, remote.process, now - remote.liveness.heard_at)
                remote.end(LOST)
            elif remote.liveness.ping_due(now):
                remote.send("alive")

    def forget(self, sid: str, side: str) -> None:
        """A remote watching ended here: no longer live, remembered as ended."""
        self.remote_watches.pop(sid, None)
        self.remote_mirrors.pop(sid, None)
        self._ended[sid] = side
        while len(self._ended) > ENDED_KEPT:
            del self._ended[next(iter(self._ended))]

    # -- across processes ---------------------------------------------------------------

    def signal(self, op: str, **fields: object) -> None:
        self.server.core.bus.publish(DomainEvent(
            SIGNAL, SIGNAL_CUSTOMER, {"op": op, "from": process_id(), **fields}))

    def _on_signal(self, event: DomainEvent) -> None:
        if event.name != SIGNAL:
            return
        doc = event.payload
        if doc.get("from") == process_id():
            return
        op = doc.get("op")
        to = doc.get("to")
        try:
            if op == "list":
                self._answer_list(doc)
            elif op == "ask":
                self._spawn(self._answer_ask(doc))
            elif to != process_id():
                return
            elif op == "sessions":
                self._listed.setdefault(str(doc.get("req")), []).extend(
                    LiveSession(str(k), str(u), int(c), int(r), datetime.fromisoformat(str(w)))
                    for k, u, c, r, w in doc.get("items") or [])
            elif op == "answer":
                reply = self._replies.pop(str(doc.get("req")), None)
                if reply is not None and not reply.done():
                    reply.set_result(doc)
            elif op in _MIRROR_OPS or op in _WATCH_OPS:
                self._on_peer(str(op), doc)
        except (TypeError, ValueError):
            log.warning("malformed shadowing signal %r", op)

    def _on_peer(self, op: str, doc: dict[str, object]) -> None:
        """A signal of a remote watching from its other side: counts as a sign of life."""
        sid = str(doc.get("sid"))
        sender = str(doc.get("from"))
        mirror = self.remote_mirrors.get(sid)
        watch = self.remote_watches.get(sid)
        if mirror is not None and mirror.process == sender and op in _MIRROR_OPS:
            mirror.liveness.heard(self.clock())
            if op == "frame":
                mirror.frame(str(doc.get("data") or ""))
            elif op == "reset":
                mirror.reset()
            elif op == "end":
                mirror.end(str(doc.get("by") or "gone")[:20], tell=False)
        elif watch is not None and watch.process == sender and op in _WATCH_OPS:
            watch.liveness.heard(self.clock())
            if op == "repaint":
                watch.restart()
            elif op == "stop":
                watch.end("support", tell=False)
        elif self._ended.get(sid) == "mirror" and op in ("frame", "reset", "alive"):
            self.signal("stop", to=sender, sid=sid)  # it ended here: end it there too
        elif self._ended.get(sid) == "watch" and op in ("repaint", "alive"):
            self.signal("end", to=sender, sid=sid, by=LOST)

    def _answer_list(self, doc: dict[str, object]) -> None:
        customer = doc.get("customer")
        items = []
        for session in self.server.sessions:
            app = session.app
            if app is None or session.driver is None or session.closed.is_set():
                continue
            if app.actor.via_support or app.actor.customer_id != customer:
                continue
            items.append([session.connection.session_id, app.actor.username, *session.size,
                          session.started_at.isoformat()])
        if items:
            self.signal("sessions", to=doc.get("from"), req=doc.get("req"), items=items)

    async def _answer_ask(self, doc: dict[str, object]) -> None:
        key = str(doc.get("session"))
        target = next((s for s in self.server.sessions
                       if s.connection.session_id == key and s.app is not None), None)
        reply = {"to": doc.get("from"), "req": doc.get("req")}
        if target is None or target.app is None:
            return  # not on this process
        if target.shadow.asking or target.shadow.watchers:
            self.signal("answer", result="busy", **reply)
            return
        if target.app.actor.customer_id != doc.get("customer"):
            self.signal("answer", result="gone", **reply)
            return
        agent = str(doc.get("agent") or "?")[:64]
        result = await self.consent(target, agent)
        if result == "accepted" and target.app is not None and not target.closed.is_set():
            sid = str(doc.get("sid"))
            watch = RemoteWatch(self, target, sid, str(doc.get("from")), agent,
                                agent_actor=_remote_agent(doc))
            self.remote_watches[sid] = watch
            self.signal("answer", result="accepted", user=target.app.actor.username, **reply)
            watch.start()
            return
        self.signal("answer", result="gone" if result == "accepted" else result, **reply)

    async def all_sessions(self, agent: Actor) -> list[LiveSession]:
        """This process's sessions of the open customer's users and those other worker
        processes and nodes name within :data:`LIST_WAIT`."""
        local = self.live_sessions(agent)
        req = secrets.token_hex(6)
        self._listed[req] = []
        self.signal("list", req=req, customer=agent.customer_id)
        await asyncio.sleep(LIST_WAIT)
        remote = self._listed.pop(req, [])
        for item in remote:
            self.remote[item.key] = item.username
        known = {s.key for s in local}
        merged = local + [s for s in remote if s.key not in known]
        return sorted(merged, key=lambda s: (s.username, s.since))

    async def _request_remote(self, viewer: PortalSession, agent: Actor, key: str) -> str:
        if viewer.shadow.mirror is not None:
            return "busy"
        req = secrets.token_hex(6)
        sid = secrets.token_hex(8)
        reply: asyncio.Future[dict[str, object]] = asyncio.get_running_loop().create_future()
        self._replies[req] = reply
        self.audit_names(agent, self.remote.get(key, "?"), "requested", key)
        self.signal("ask", to=None, req=req, sid=sid, session=key, agent=agent.username,
                    customer=agent.customer_id, agent_id=agent.account_id,
                    agent_session=agent.session_id, agent_source=agent.source_address,
                    agent_key=agent.key_fingerprint)
        try:
            doc = await asyncio.wait_for(reply, self.consent_timeout + 10)
        except TimeoutError:
            return "gone"
        finally:
            self._replies.pop(req, None)
        result = str(doc.get("result"))
        user = str(doc.get("user") or "?")
        process = str(doc.get("from"))
        if result == "accepted":
            if viewer.closed.is_set() or viewer.app is None:
                self.signal("stop", to=process, sid=sid)
                return "gone"
            RemoteMirror(self, viewer, agent, sid, process, user, key).start()
            result = "started"
        if result in ("started", "declined", "timeout"):
            self.audit_names(agent, user, result, key)
        return result if result in ("started", "declined", "timeout", "busy") else "gone"

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- this process -------------------------------------------------------------------

    def _sessions(self, agent: Actor) -> list[PortalSession]:
        support_service.check_shadow(agent, agent.customer_id)
        found = []
        for session in self.server.sessions:
            app = session.app
            if app is None or session.driver is None or session.closed.is_set():
                continue
            actor = app.actor
            if actor.via_support or actor.customer_id != agent.customer_id:
                continue
            found.append(session)
        return found

    def live_sessions(self, agent: Actor) -> list[LiveSession]:
        out = []
        for session in self._sessions(agent):
            assert session.app is not None
            cols, rows = session.size
            out.append(LiveSession(session.connection.session_id, session.app.actor.username,
                                   cols, rows, session.started_at))
        return sorted(out, key=lambda s: (s.username, s.since))

    async def request(self, viewer: PortalSession, agent: Actor, key: str) -> str:
        """Ask the user; ``started``, ``declined``, ``timeout``, ``gone`` or ``busy``."""
        target = next((s for s in self._sessions(agent)
                       if s.connection.session_id == key), None)
        if target is None:
            return await self._request_remote(viewer, agent, key)
        if target.app is None or target is viewer:
            return "gone"
        if target.shadow.asking or target.shadow.watchers or viewer.shadow.mirror is not None:
            return "busy"
        user = target.app.actor
        self.audit(agent, user, "requested", target)
        result = await self.consent(target, agent.username)
        if result == "accepted":
            if target.closed.is_set() or target.app is None or viewer.closed.is_set():
                result = "gone"
            else:
                result = "started"
                Shadow(self, viewer, target, agent, user).start()
        if result in ("started", "declined", "timeout"):
            self.audit(agent, user, result, target)
        return result

    async def consent(self, target: PortalSession, agent: str) -> str:
        """The consent dialog in the user's App: ``accepted``, ``declined``, ``timeout``
        or ``gone`` (the session ended meanwhile)."""
        from screens.shadow_dialog import ShadowConsentDialog

        app = target.app
        if app is None:
            return "gone"
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str] = loop.create_future()

        def answered(result: str) -> None:
            if not answer.done():
                answer.set_result(result)

        dialogs: list[ShadowConsentDialog] = []

        def ask() -> None:  # in the user's App (its context, its screen stack)
            dialog = ShadowConsentDialog(agent, self.consent_timeout, answered)
            dialogs.append(dialog)
            app.push_screen(dialog)

        target.shadow.asking = True
        try:
            app.call_later(ask)
            closed: asyncio.Future[object] = asyncio.ensure_future(target.closed.wait())
            waits: set[asyncio.Future[object]] = {answer, closed}  # type: ignore[arg-type]
            try:
                await asyncio.wait(waits, timeout=self.consent_timeout + 5,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                closed.cancel()
            result = answer.result() if answer.done() else "timeout"
            if not answer.done() and target.app is not None and dialogs:
                target.app.call_later(dialogs[0].give_up)
        finally:
            target.shadow.asking = False
        if target.closed.is_set():
            return "gone"
        return result

    def audit(self, agent: Actor, user: Actor, event: str, target: PortalSession,
              by: str = "") -> None:
        """An Archiv entry, written off the caller (the session must not wait for it)."""
        self.audit_names(agent, user.username, event, target.connection.session_id, by=by)

    def audit_names(self, agent: Actor, user: str, event: str, session: str,
                    by: str = "", shadow: str = "") -> None:
        """``shadow``: a cross-process watching's id (its end is written once in the DB)."""
        customer_id = agent.customer_id
        if customer_id is None:
            return
        self._spawn(self._audit(agent, customer_id, event, user, session, by, shadow))

    async def _audit(self, agent: Actor, customer_id: int, event: str, user: str,
                     session: str, by: str, shadow: str = "") -> None:
        try:
            await self.server.core.run(support_service.record_shadow, agent,
                                       customer_id=customer_id, event=event, user=user,
                                       session=session, by=by, shadow=shadow)
        except DomainError:
            log.warning("shadowing audit %s refused", event)
        except Exception:
            log.exception("shadowing audit %s failed", event)


def _remote_agent(doc: dict[str, object]) -> Actor | None:
    """The support agent of a request from another process (its session there, its open
    customer), for the Archiv only; None when the request does not name it fully."""
    agent_id, customer = doc.get("agent_id"), doc.get("customer")
    if not isinstance(agent_id, int) or not isinstance(customer, int):
        return None

    def text(key: str, size: int) -> str | None:
        value = doc.get(key)
        return str(value)[:size] if value else None

    return Actor(account_id=agent_id, username=str(doc.get("agent") or "?")[:64],
                 role=Role.SUPPORT, customer_id=customer, session_id=text("agent_session", 32),
                 source_address=text("agent_source", 64), key_fingerprint=text("agent_key", 100))


def hub_of(server: PortalServer) -> ShadowHub:
    hub = getattr(server, "shadows", None)
    if hub is None:
        hub = ShadowHub(server)
        server.shadows = hub  # type: ignore[attr-defined]
    return hub


def _repaint(app: object) -> None:
    screen = getattr(app, "screen", None)
    if screen is not None:
        screen.refresh(screen.region)


def _redraw_headers(app: object) -> None:
    from tui.widgets.header import SessionHeader

    stacks = list(getattr(app, "_screen_stacks", {}).values()) or [getattr(app, "screen_stack", [])]
    for stack in stacks:  # every mode's screens: a screen shown later is already right
        for screen in stack:
            for header in screen.query(SessionHeader):
                header.redraw()


def _plain(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())[:40]


def _clip(text: str, cols: int) -> str:
    out: list[str] = []
    room = cols
    for char in text:
        width = get_character_cell_size(char)
        if width > room:
            break
        out.append(char)
        room -= width
    return "".join(out)


def now_utc() -> datetime:
    return datetime.now(UTC)
