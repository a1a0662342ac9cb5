"""disclosure's entrypoints for units learning from each other (learning.py): the county office's
范例 marks and guidance notes (分类指导), what the item editor shows beside an obligation, and
the portal's examples. Mixed into DisclosureService, which has `db`."""
from __future__ import annotations

from typing import Any

from services.common.actor import Actor
from services.common.entrypoints import command, query

from . import learning


class LearningRpc:
    @command
    def mark_example(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        """范例: a published item of a catalogue matter marked for a sector (ExampleMarked)."""
        return learning.mark(self.db, actor, data)

    @command
    def unmark_example(self, actor: Actor, mark_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """The mark ends, with the office's reason (ExampleUnmarked)."""
        return learning.unmark(self.db, actor, mark_id, data)

    @query
    def list_examples(self, actor: Actor, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """The office's marks: current ones (`ended`: all), by matter (`entry_code`) and sector."""
        return learning.list_marks(self.db.session, actor, filters)

    @query
    def public_examples(self) -> list[dict[str, Any]]:
        """The current marks of published society items, for the portal's models page."""
        return learning.public_examples(self.db.session)

    @query
    def editor_aids(self, actor: Actor, obligation_id: int) -> dict[str, Any]:
        """Beside the editor of an item for this obligation: examples and guidance notes."""
        return learning.editor_aids(self.db.session, actor, obligation_id)

    @query
    def list_guidance(self, actor: Actor, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return learning.list_notes(self.db.session, actor, filters)

    @query
    def get_guidance(self, actor: Actor, note_id: int) -> dict[str, Any]:
        return learning.get_note(self.db.session, actor, note_id)

    @command
    def create_guidance(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return learning.create_note(self.db, actor, data)

    @command
    def revise_guidance(self, actor: Actor, note_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """A new revision; refused when the form names an older one (a stale form)."""
        return learning.revise_note(self.db, actor, note_id, data)

    @command
    def retire_guidance(self, actor: Actor, note_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return learning.retire_note(self.db, actor, note_id, data)
