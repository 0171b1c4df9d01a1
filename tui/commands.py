"""The command palette (Ctrl+P): every action valid where you are, by name.

The entries are the active bindings with an id, so the palette, the footer
and F1 help can never disagree, and a remapped key shows as remapped.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import ActiveBinding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionCommands(Provider):
    def _actions(self) -> Iterator[tuple[str, ActiveBinding]]:
        for active in self.screen.active_bindings.values():
            if active.binding.id and active.enabled:
                key = self.app.get_key_display(active.binding)
                yield f"{active.binding.description} ({key})", active

    def _run(self, active: ActiveBinding) -> None:
        self.app.call_later(self.app.run_action, active.binding.action, active.node)

    async def discover(self) -> Hits:
        for text, active in self._actions():
            yield DiscoveryHit(text, partial(self._run, active), text=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, active in self._actions():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._run, active), text=text)
