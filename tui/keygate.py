"""Each key reaches what has focus once the keys before it are fully handled.

Textual hands a key to the focused widget by putting it in that widget's
queue; a binding runs only when the key has bubbled back up to the app, a
few queue hops later.  Keys that arrive together (typed ahead while the app
is busy, one SSH packet, a paste without bracketed-paste) are all handed to
the widget that had focus when the *first* arrived: the letters typed after
`a` (add a team member) went to the table, not into the dialog `a` opens;
the digits after Enter went to the entry of the item Enter had just left.

The gate holds keys (and pastes) as they arrive and releases them one at a
time: the next one goes to the app only when every queue of the app and its
current screen has drained, so it is handed to whatever has focus then (a
dialog opened by the key before it, the next field after Tab).  Order is
kept; nothing is dropped.  A handler that waits for something the user must
do (none does today) cannot stall the keys: after `PATIENCE` seconds
without progress the next key goes anyway.

Uses Textual internals (checked against Textual 8.2): `MessagePump._message_queue`
and `Event.is_forwarded`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from textual import events
from textual.app import App

PATIENCE = 2.0
"""Seconds a key waits for the one before it to be handled before it goes anyway."""
ROUNDS = 256
"""Queue hops one key may take (widget, its parents, the screen, the app, what they post)."""


class KeyGate(App[Any]):
    """Mixin for the app (listed before `App`): keys and pastes handled one at a time, in order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: deque[events.Event] = deque()
        self._released: set[int] = set()
        self._releasing = False
        self.last_key_at = 0.0
        """When the newest key arrived (event-loop time)."""

    @property
    def keys_waiting(self) -> int:
        """Keys typed but not handled yet."""
        return len(self._held)

    def typing(self, pause: float) -> bool:
        """Keys are waiting, or one arrived less than `pause` seconds ago: the user is typing
        (so a dialog that was not asked for would catch keys meant for the screen)."""
        return bool(self._held) or self._releasing or asyncio.get_running_loop().time() - self.last_key_at < pause

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if id(event) in self._released:
                self._released.discard(id(event))
            else:
                self.last_key_at = asyncio.get_running_loop().time()
                self._held.append(event)
                if not self._releasing:
                    self._releasing = True
                    asyncio.get_running_loop().create_task(self._release())
                return
        await super().on_event(event)

    async def _release(self) -> None:
        try:
            while self._held and self.is_running:
                event = self._held.popleft()
                self._released.add(id(event))
                if not self.post_message(event):
                    self._released.discard(id(event))
                    continue
                await self._handled()
        finally:
            self._releasing = False

    async def _handled(self) -> None:
        """Wait until the app and every widget of the current screen have empty queues."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        for _ in range(ROUNDS):
            try:
                nodes = [self, *self.screen.walk_children(with_self=True)]
            except Exception:  # noqa: BLE001 - no screen while the app starts or ends
                return
            busy = [node for node in nodes if not node._message_queue.empty()]
            if not busy:
                return
            try:  # until those have handled what they hold; what that posts elsewhere is the next round's
                await asyncio.wait_for(_round(busy), max(0.01, deadline - loop.time()))
            except TimeoutError:
                return


async def _round(nodes: list[Any]) -> None:
    """Until every node has handled what was in its queue when this began."""
    remaining = len(nodes)
    drained = asyncio.Event()

    def one_done() -> None:
        nonlocal remaining
        remaining -= 1
        if remaining <= 0:
            drained.set()

    for node in nodes:
        if not node.call_later(one_done):
            one_done()
    await drained.wait()
