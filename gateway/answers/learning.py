"""What the 范例 marks' and guidance notes' routes answer (gateway/api/learning.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from .kit import list_of, maybe, string


class ExampleMark(Schema):
    """A 范例 mark: a published item shown to operators drafting the same matter in the same sector."""
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True, metadata={"description": "the version in force (a correction takes the mark over)"})
    title = string()
    extract = string(metadata={"description": "the body as plain text, about 80 characters"})
    audience = string(metadata={"description": "society, party, unit or specific: who may see the example"})
    unit_code = string()
    unit_name = string()
    entry_code = string(metadata={"description": "the catalogue matter (事项)"})
    sector = string()
    reason = string()
    marked_by = string()
    marked_at = string()
    ended_by = maybe()
    ended_at = maybe(metadata={"description": "null while the mark is current"})
    end_reason = maybe(metadata={"description": "the office's reason, or 事项已撤回 when the item was withdrawn"})


class ListedExampleMark(ExampleMark):
    matter = string(metadata={"description": "the matter's name, as the catalogue has it"})


class GuidanceNote(Schema):
    """A guidance note (分类指导) for a catalogue matter and a sector (null: every sector)."""
    id = fields.Integer(required=True)
    entry_code = string()
    sector = maybe()
    title = string()
    body = string()
    revision = fields.Integer(required=True, metadata={"description": "send it back to revise or retire"})
    written_by = string()
    written_at = string()
    revised_by = string()
    revised_at = string()
    retired_by = maybe()
    retired_at = maybe()
    retired_reason = maybe()


class ListedGuidanceNote(GuidanceNote):
    matter = string()


ExampleMarks = list_of("ExampleMarks", ListedExampleMark, "The marks asked for, newest first.")
GuidanceNotes = list_of("GuidanceNotes", ListedGuidanceNote, "The notes asked for, by matter.")

ANSWERS = {
    ("GET", "/api/v1/examples"): ExampleMarks,
    ("POST", "/api/v1/examples"): ExampleMark,
    ("POST", "/api/v1/examples/<id:mark_id>/end"): ExampleMark,
    ("GET", "/api/v1/guidance"): GuidanceNotes,
    ("POST", "/api/v1/guidance"): GuidanceNote,
    ("GET", "/api/v1/guidance/<id:note_id>"): GuidanceNote,
    ("PATCH", "/api/v1/guidance/<id:note_id>"): GuidanceNote,
    ("POST", "/api/v1/guidance/<id:note_id>/retire"): GuidanceNote,
}
