"""The command palette (Ctrl+P): every action valid where you are, by name,
and every field of the form on screen.

The actions are the active bindings with an id, so the palette, the footer
and F1 help can never disagree, and a remapped key shows as remapped.  The
fields are the form's own rows (its headings name each one's section), so
"职务" or "email" finds the contact's title or e-mail in a long form.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import ActiveBinding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from auditdesk.tui.screens.form_screen import FormScreen


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


class FieldCommands(Provider):
    """"Go to: section › field" for each field the form on screen shows."""

    def _fields(self) -> Iterator[tuple[str, str]]:
        screen = self.screen
        if not isinstance(screen, FormScreen):
            return
        section = ""
        for spec in screen.SPECS:
            if spec.kind == "heading":
                section = screen.t(spec.label)
            elif spec.kind != "info" and screen.query(f"#{spec.id}"):  # (rows a choice hides are absent)
                label = f"{section} › {screen.t(spec.label)}" if section else screen.t(spec.label)
                yield screen.t("palette.go_to", field=label), spec.path

    def _go(self, path: str) -> None:
        screen = self.screen
        if isinstance(screen, FormScreen):
            screen.go_to(path)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, path in self._fields():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._go, path), text=text)
