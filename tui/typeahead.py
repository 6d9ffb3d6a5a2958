"""Keys typed ahead reach the screen and field that is ready for them, in order.

Textual routes a key to ``app.focused`` the moment the App takes it from its queue, but
what a key *does* happens later, in other message queues: Tab moves the focus only after
the key bubbled from the focused field up to the screen's binding; a key that opens a
dialog leaves the new screen composing and its ``focus()`` call pending. Keys typed faster
than that (``admin<Tab>admin-demo`` in one burst, an e-mail address right after ``n``)
were routed with the old focus: the password landed in the username field.

:class:`TypeaheadGate` holds every key (and paste) while the previous one is still being
handled anywhere in the App or its current screen, or while a screen is being pushed and
mounted, or while the current screen says it ``holds_typeahead`` (it is fetching what the
last key asked for, e.g. the dashboard's rows after Enter in its filter: keys typed on act
on those rows, not in the filter box nor on the rows before), and releases them one by
one, in order, once the App is settled. Keys typed at
human speed find the App settled and pass at once. The gate also bounds what one session
may have pending: past :data:`HELD_LIMIT` further keys are dropped (the driver stops
parsing into a full gate, see :class:`tui.driver.ChannelDriver`).

:class:`TypeaheadApp` is the App mixin that installs the gate (one ``on_event`` hook), and
fits a paste to the focused field: escapes were already dropped by the driver, lines are
joined, the text is cut to the field's ``max_length`` with exactly one notice.

A screen whose answer must be a deliberate act (R23's consent to being watched) sets
``keys_since`` (a ``time.monotonic()`` value, like every Textual event's ``time``): keys and
pastes made before it are dropped while that screen is on top, however long the gate held
them, so an Enter typed for the form underneath never answers the dialog. A key's time is
when the session received it (the driver makes the event as the bytes arrive).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events
from textual.widgets import Input

from core.i18n import t

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

HELD_LIMIT = 256
"""Keys held per session; more are dropped (no person types that far ahead)."""
MAX_HOLD = 3.0
"""Seconds one key waits for the App to settle before it is released anyway (a safety valve
for an App that never settles), counted as the App's chances to run: each turn of the event
loop counts at most :data:`_TURN`, so on a loaded machine, where one turn takes far longer, a
key is not released into a screen or dialog that is still being built only because the
machine was slow (it would land in the wrong field or be lost)."""
_TURN = 0.01
"""What one turn of the loop counts towards :data:`MAX_HOLD` at most (5 × :data:`_POLL`)."""
PACE_AFTER = 32
"""Held keys beyond which each key waits :data:`PACE` times as long as the App took for the
one before (a flooding session gets about a quarter of the loop for its keys)."""
PACE = 3.0
MAX_PACE = 0.5
_POLL = 0.002
"""Pause between "settled yet?" checks once a few immediate re-checks did not suffice."""

PASTE_CUT = "linedesk_cut"
"""Attribute the driver sets on a :class:`events.Paste` it cut at its own cap."""


def _busy(node: MessagePump, *, handling: bool = False) -> bool:
    """A message of ``node`` is queued or being handled (``handling``: by the caller)."""
    queue: Any = node._message_queue
    if queue.values or node._next_callbacks:
        return True
    if handling:
        return False
    # an idle pump waits on its queue's event; a busy one is somewhere inside a handler
    waiters = queue.ready_event._waiters
    return not any(not waiter.done() for waiter in waiters)


def app_settled(app: App[Any], *, handling: bool = False) -> bool:
    """True when no message of the App or of its current screen is waiting or running
    (``handling``: called from the App's own handler, which is allowed to run)."""
    if not app.is_running or not app._screen_stack or _busy(app, handling=handling):
        return False
    screen = app.screen
    if screen.id == "_default" and getattr(app, "TYPEAHEAD_FIRST_SCREEN", False):
        return False  # the App's own first screen has not been pushed yet
    if not screen.is_mounted:
        return False
    if getattr(screen, "holds_typeahead", False):
        return False  # it is fetching what the last key asked for (a filter's rows)
    return not any(_busy(node) for node in screen.walk_children(with_self=True))


class TypeaheadGate:
    """Per-App queue of keys that arrived before the App was ready for them."""

    def __init__(self, app: App[Any], *, limit: int = HELD_LIMIT) -> None:
        self.app = app
        self.limit = limit
        self.held: deque[events.Event] = deque()
        self.dropped = 0
        """Keys dropped because :attr:`limit` were held already."""
        self._released: events.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def room(self) -> int:
        """How many more keys may be handed to the App now."""
        return max(0, self.limit - len(self.held) - self.app._message_queue.qsize())

    def admit(self, event: events.Event) -> bool:
        """Called for each key/paste the App takes from its queue: True to handle it now."""
        if event is self._released:
            self._released = None
            return True
        if isinstance(event, events.Key) and self._quits(event.key):
            return True  # quitting never waits behind keys typed ahead (nor is dropped)
        if not self.held and self._released is None and app_settled(self.app, handling=True):
            return True
        if len(self.held) >= self.limit:
            self.dropped += 1
            return False
        self.held.append(event)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._release(), name="linedesk-typeahead")
        return False

    def _quits(self, key: str) -> bool:
        bindings = self.app._bindings.key_to_bindings.get(key, ())
        return any(b.priority and b.action in ("quit", "app.quit") for b in bindings)

    async def _release(self) -> None:
        loop = asyncio.get_running_loop()
        while self.held:
            start = loop.time()
            held_for = 0.0
            checks = 0
            while not app_settled(self.app) and held_for < MAX_HOLD:
                if not self.app.is_running:
                    self.held.clear()
                    return
                checks += 1
                before = loop.time()
                await asyncio.sleep(0 if checks < 8 else _POLL)
                held_for += min(_TURN, loop.time() - before)
            if len(self.held) > PACE_AFTER:
                # a flood: the session gets at most about a quarter of the loop for its keys
                await asyncio.sleep(min(MAX_PACE, PACE * (loop.time() - start)))
            event = self.held.popleft()
            self._released = event
            if not self.app.post_message(event):
                self._released = None
                self.held.clear()
                return
            # the released key is in the App's queue now: the next check waits for it
            await asyncio.sleep(0)

    def close(self) -> None:
        self.held.clear()
        if self._task is not None:
            self._task.cancel()
            self._task = None


def typed_before(screen: object, event: events.Event) -> bool:
    """``event`` was made before ``screen`` took keys (its ``keys_since``, if it has one)."""
    since = getattr(screen, "keys_since", None)
    return since is not None and event.time < since


def fit_paste(app: App[Any], event: events.Paste, locale: str) -> None:
    """Join the paste's lines for a one-line field, cut it to the field's room, tell once."""
    focused = app.focused
    cut = bool(getattr(event, PASTE_CUT, False))
    text = event.text
    if isinstance(focused, Input):
        text = " ".join(line for line in text.splitlines() if line) if "\n" in text or \
            "\r" in text else text
        if focused.max_length:
            selection = focused.selection
            taken = abs(selection.end - selection.start)
            room = max(0, focused.max_length - len(focused.value) + taken)
            if len(text) > room:
                text, cut = text[:room], True
        event.text = text
    if cut:
        app.notify(t(locale, "ssh.paste_cut", chars=len(text)), severity="warning")


class TypeaheadApp:
    """App mixin (put it before ``App`` in the bases): keys wait for the App to settle."""

    TYPEAHEAD_FIRST_SCREEN = True
    """The App pushes its first screen in ``on_mount``: keys wait until it did."""

    _typeahead: TypeaheadGate | None = None

    @property
    def typeahead(self) -> TypeaheadGate:
        if self._typeahead is None:
            self._typeahead = TypeaheadGate(self)  # type: ignore[arg-type]
        return self._typeahead

    def typeahead_locale(self) -> str:
        actor = getattr(self, "actor", None)
        return str(getattr(actor, "locale", "de"))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if not self.typeahead.admit(event):
                return
            if typed_before(self.screen, event) and not (  # type: ignore[attr-defined]
                    isinstance(event, events.Key) and self.typeahead._quits(event.key)):
                return  # typed before the screen on top wanted an answer: not one
            if isinstance(event, events.Paste):
                fit_paste(self, event, self.typeahead_locale())  # type: ignore[arg-type]
        await super().on_event(event)  # type: ignore[misc]

    def _on_unmount(self, event: events.Unmount) -> None:
        if self._typeahead is not None:
            self._typeahead.close()
