"""Evidence photos for an inspection record (by its inspector) or a rectification (by the
unit's operator): PNG or JPEG as the bytes say (a rectification's evidence may also be a PDF
file, a scanned notice or minutes), up to PHOTO_MAX_BYTES, stored by SHA-256."""
from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge, UnsupportedMediaType
from services.common.records import utcnow

from .models import Inspection, InspectionRecord, Photo, Rectification

PNG, JPEG, PDF = "image/png", "image/jpeg", "application/pdf"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def sniff(content: bytes) -> str | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"%PDF-"):
        return PDF
    return None


def _owner(uow: UnitOfWork, actor: Actor, kind: str, owner_id: int, writing: bool) -> str:
    if kind == "record":
        record = uow.session.get(InspectionRecord, int(owner_id))
        if record is None:
            raise NotFound(f"没有编号为 {owner_id} 的检查记录")
        inspection = uow.session.get(Inspection, record.inspection_id)
        if writing and actor.username not in inspection.assignments.get(record.unit_code, []):
            raise Forbidden("只有该单位的检查人员可以上传检查照片")
        if writing and record.status != "draft":
            raise Conflict("检查记录已提交，不能再添加照片")
        if not writing and not actor.acts_for(record.unit_code):
            raise Forbidden("您无权查看这份检查记录的照片")
    else:
        r = uow.session.get(Rectification, int(owner_id))
        if r is None:
            raise NotFound(f"没有编号为 {owner_id} 的整改")
        if writing and (actor.role != "operator" or actor.unit != r.unit_code):
            raise Forbidden(f"整改 {r.id} 的佐证只能由单位 {r.unit_code} 的党务干事上传")
        if writing and r.status not in ("open", "returned", "overdue"):
            raise Conflict("整改已提交或已验收，不能再添加佐证")
        if not writing and not actor.acts_for(r.unit_code):
            raise Forbidden("您无权查看这项整改的佐证")
    return f"{kind}:{int(owner_id)}"


def add(uow: UnitOfWork, actor: Actor, kind: str, owner_id: int, media_type: str, content_b64: str,
        max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:
    owner = _owner(uow, actor, kind, owner_id, writing=True)
    try:
        content = base64.b64decode(content_b64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("照片内容无法解码") from None
    if not content:
        raise InvalidInput("照片是空的")
    if len(content) > max_bytes:
        raise TooLarge(f"照片超过 {max_bytes // (1024 * 1024)} MB，请压缩后再上传")
    actual = sniff(content)
    if kind == "record" and actual not in (PNG, JPEG):
        raise UnsupportedMediaType("只接受 PNG 或 JPEG 照片")
    if actual is None:
        raise UnsupportedMediaType("只接受 PNG、JPEG 照片或 PDF 文件")
    if media_type.split(";")[0].strip().lower() not in (actual, "application/octet-stream"):
        raise UnsupportedMediaType(f"照片实际是 {actual}，与声明的类型 {media_type} 不符")
    digest = hashlib.sha256(content).hexdigest()
    exists = uow.session.scalar(sa.select(Photo.id).where(Photo.owner == owner, Photo.sha256 == digest))
    if exists is None:
        uow.session.add(Photo(owner=owner, sha256=digest, media_type=actual, size=len(content), content=content,
                              added_by=actor.username, added_at=utcnow()))
        uow.session.flush()
    return {"sha256": digest, "media_type": actual, "size": len(content)}


def get(uow: UnitOfWork, actor: Actor, kind: str, owner_id: int, sha256: str) -> dict[str, Any]:
    owner = _owner(uow, actor, kind, owner_id, writing=False)
    photo = uow.session.scalar(sa.select(Photo).where(Photo.owner == owner, Photo.sha256 == sha256))
    if photo is None:
        raise NotFound("没有这张照片")
    return {"media_type": photo.media_type, "size": photo.size,
            "content_b64": base64.b64encode(photo.content).decode()}
