"""An item's attachments (附件): documents, scans and photos that back a disclosure.

Content is stored once by its SHA-256 (Blob) whatever items it belongs to; an Attachment
row names it per item. Attachments change only while the item is a draft, by an operator
of its unit. The type is decided by the bytes, not by the name or by what the client
declares: a file whose content is not one of the allowed kinds, or is another kind than
declared, is refused, so a renamed executable never reaches a reader.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import posixpath
import re
import zipfile
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import InvalidInput, NotFound
from services.common.records import utcnow
from services.common.shapes.disclosure import (
    ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, DOCX, JPEG, PDF, PNG, TEXT, XLSX)

from . import audience, extract
from .models import Attachment, Blob
from .schemas import AttachmentView
from .items import load, operator_item, require_draft

ALLOWED = ATTACHMENT_TYPES
ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG, "application/x-pdf": PDF}
DEFAULT_MAX_BYTES = ATTACHMENT_MAX_BYTES
MAX_FILENAME = 200
MAX_CONTENT_TYPES_XML = 1024 * 1024  # [Content_Types].xml is a few KB; a bigger one is not an office file
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def sniff(content: bytes) -> str | None:
    """The allowed type the bytes are, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
    return TEXT if _is_text(content) else None


def _office_type(content: bytes) -> str | None:
    """docx or xlsx: a zip whose [Content_Types].xml names the main part's type."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_XML:
                return None
            types = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    if "wordprocessingml.document.main+xml" in types:
        return DOCX
    if "spreadsheetml.sheet.main+xml" in types:
        return XLSX
    return None


def _is_text(content: bytes) -> bool:
    """Plain UTF-8 text: decodes, and holds no control characters but tab, newlines and form feed."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not CONTROL.search(text.replace("\t", "").replace("\n", "").replace("\r", "").replace("\f", ""))


def _declared(media_type: Any) -> str:
    if not isinstance(media_type, str):
        raise InvalidInput("media_type must be text, e.g. application/pdf")
    bare = media_type.split(";", 1)[0].strip().lower()
    return ALIASES.get(bare, bare)


def clean_filename(filename: Any) -> str:
    """The name without path parts or control characters, at most 200 characters (the
    extension kept)."""
    if not isinstance(filename, str):
        raise InvalidInput("filename must be text")
    name = posixpath.basename(filename.replace("\\", "/"))
    name = CONTROL.sub("", name).strip().lstrip(".").strip()
    if not name:
        raise InvalidInput("the attachment needs a file name")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 16:
            return stem[:MAX_FILENAME - len(ext) - 1] + "." + ext
        return name[:MAX_FILENAME]
    return name


def _too_big(size: int, max_bytes: int) -> InvalidInput:
    return InvalidInput(f"the attachment is over {max_bytes / (1024 * 1024):g} MB "
                        f"({size} bytes, at most {max_bytes})")


def _decode(content_b64: Any, max_bytes: int) -> bytes:
    """The bytes, refused before decoding when the text alone shows they are too many."""
    if not isinstance(content_b64, str):
        raise InvalidInput("content_b64 must be base64 text")
    text = "".join(content_b64.split())
    if len(text) // 4 * 3 - 2 > max_bytes:
        raise _too_big(len(text) // 4 * 3, max_bytes)
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("content_b64 is not valid base64") from exc
    if not content:
        raise InvalidInput("the attachment is empty")
    if len(content) > max_bytes:
        raise _too_big(len(content), max_bytes)
    return content


def _store_blob(uow: UnitOfWork, digest: str, content: bytes, media_type: str) -> None:
    """Insert the blob unless it is there, with its text extracted once (extract.py); two
    writers of the same content do not collide."""
    dialect = uow.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if uow.session.scalar(sa.select(Blob.sha256).where(Blob.sha256 == digest)) is not None:
        return
    values = {"sha256": digest, "size": len(content), "content": content, "created_at": utcnow(),
              "text": extract.text_of(content, media_type, digest)}
    if insert is not None:
        uow.session.execute(insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
    elif uow.session.get(Blob, digest) is None:
        uow.session.add(Blob(**values))
        uow.session.flush()


def add(uow: UnitOfWork, actor: Actor, item_id: int, filename: str, media_type: str,
        content_b64: str, config: dict[str, Any] | None) -> dict[str, Any]:
    """Attach a file to a draft: checked for size and type, stored once by its hash."""
    actor, item = operator_item(uow, actor, item_id)
    require_draft(item, "given attachments")
    name, declared = clean_filename(filename), _declared(media_type)
    content = _decode(content_b64, int((config or {}).get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)))
    detected = sniff(content)
    if detected is None:
        raise InvalidInput(f"type not allowed: the content is none of {', '.join(ALLOWED)}")
    if detected != declared:
        raise InvalidInput(f"type not allowed: declared {declared} but the content is {detected}")
    digest = hashlib.sha256(content).hexdigest()
    if any(a.sha256 == digest for a in item.attachments):
        raise InvalidInput(f"item {item.id} already has this file attached")
    _store_blob(uow, digest, content, detected)
    attachment = Attachment(sha256=digest, filename=name, media_type=detected, size=len(content),
                            added_by=actor.username, added_at=utcnow())
    item.attachments.append(attachment)
    uow.session.flush()
    return {"item_id": item.id, **AttachmentView().dump(attachment)}


def _attachment(item_id: int, attachments: list[Attachment], sha256: Any) -> Attachment:
    for attachment in attachments:
        if attachment.sha256 == sha256:
            return attachment
    raise NotFound(f"item {item_id} has no attachment {sha256}")


def get(session: Session, actor: Actor | None, item_id: int, sha256: str) -> dict[str, Any]:
    """The file with its type, for whoever may see the item."""
    reader, item = actor, load(session, item_id)
    if not audience.may_see(session, reader, item):
        raise NotFound(f"no item {item_id}")
    attachment = _attachment(item.id, item.attachments, sha256)
    content = session.scalar(sa.select(Blob.content).where(Blob.sha256 == attachment.sha256))
    return {**AttachmentView().dump(attachment), "content_b64": base64.b64encode(content).decode("ascii")}


def remove(uow: UnitOfWork, actor: Actor, item_id: int, sha256: str) -> dict[str, Any]:
    """Take an attachment off a draft; the blob stays for the other items that hold it
    (and for the archive)."""
    actor, item = operator_item(uow, actor, item_id)
    require_draft(item, "stripped of attachments")
    item.attachments.remove(_attachment(item.id, item.attachments, sha256))
    uow.session.flush()
    return audience.view(actor, item)
