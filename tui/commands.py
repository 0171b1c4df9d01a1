"""The command palette (Ctrl+P): every action valid where you are, by name,
and every field of the form on screen.

The actions are the active bindings with an id, so the palette, the footer
and F1 help can never disagree, and a remapped key shows as remapped.  The
fields are the form's own rows (its headings name each one's section), so
"职务" or "email" finds the contact's title or e-mail in a long form; in the
scoring view, the items by code, clause and text ("B17", "投诉").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.binding import ActiveBinding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from auditdesk.tui.screens.form_screen import FormScreen
from auditdesk.tui.screens.scoring import ScoringScreen
from auditdesk.tui.shown import shown


class _Named(Provider):
    """Entries found by their names: `entries` gives (name, what choosing it does)."""

    def entries(self) -> Iterator[tuple[str, Callable[[], None]]]:
        return iter(())

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, run in self.entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, text=text)


class ActionCommands(_Named):
    def entries(self) -> Iterator[tuple[str, Callable[[], None]]]:
        for active in self.screen.active_bindings.values():
            if active.binding.id and active.enabled:
                key = self.app.get_key_display(active.binding)
                yield f"{active.binding.description} ({key})", partial(self._run, active)

    def _run(self, active: ActiveBinding) -> None:
        self.app.call_later(self.app.run_action, active.binding.action, active.node)

    async def discover(self) -> Hits:
        for text, run in self.entries():
            yield DiscoveryHit(text, run, text=text)


class FieldCommands(_Named):
    """"Go to: section › field" for each field the form on screen shows, and "Go to: code
    clause text" for each item in the scoring view."""

    def entries(self) -> Iterator[tuple[str, Callable[[], None]]]:
        screen = self.screen
        if isinstance(screen, ScoringScreen):
            for item in screen.session.catalog.items.values():
                name = f"{item.code} {item.clause} {shown(item.text)}"
                yield screen.t("palette.go_to", field=name), partial(screen.table.go_to, item.code)
            return
        if not isinstance(screen, FormScreen):
            return
        section = ""
        for spec in screen.SPECS:
            if spec.kind == "heading":
                section = screen.t(spec.label)
            elif spec.kind != "info" and screen.query(f"#{spec.id}"):  # (rows a choice hides are absent)
                label = f"{section} › {screen.t(spec.label)}" if section else screen.t(spec.label)
                yield screen.t("palette.go_to", field=label), partial(screen.go_to, spec.path)
