"""The registry as files county offices keep: import a CSV or Excel file (a dry run
reports every problem by row and column; applying is all or nothing), export to both."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.errors import InvalidInput

from . import importer, registry
from .models import Unit

EXPORT_FORMATS = ("csv", "xlsx")
OFFICIAL_COLUMNS = frozenset({"secretary", "secretary_phone", "liaison", "liaison_phone", "liaison_email"})


def import_file(uow: UnitOfWork, actor: str, filename: str, content: bytes, apply: bool) -> dict[str, Any]:
    """Check the file row by row; then register it inside the transaction, which the caller
    commits when `apply` is set and which is rolled back for a dry run, so the dry run's
    counts are exactly what applying would do."""
    parsed = importer.parse_upload(filename, content)
    existing = dict(uow.session.execute(sa.select(Unit.code, Unit.parent_code)).all())
    rows, problems = importer.check_rows(parsed, existing)
    report: dict[str, Any] = {"filename": filename, "encoding": parsed.encoding, "notes": parsed.notes,
                              "rows": len(parsed.rows), "problems": [p.as_dict() for p in problems],
                              "applied": False, "registered": 0, "updated": 0, "unchanged": 0}
    if problems:
        return report
    present = set().union(*(row.keys() for row in parsed.rows))
    update_officials = OFFICIAL_COLUMNS <= present
    if not update_officials:
        report["notes"] = [*parsed.notes, "文件中没有完整的负责人各列（" + "、".join(sorted(OFFICIAL_COLUMNS))
                           + "）：已在册的组织保留原有的书记和联络员。"]
    report.update(registry.register_rows(uow, rows, actor, update_officials))
    if apply:
        report["applied"] = True
    else:
        uow.rollback()
    return report


def export_file(session: Session, file_format: str) -> tuple[str, bytes]:
    """The active units in the import format, parents before children."""
    if file_format not in EXPORT_FORMATS:
        raise InvalidInput(f"export as {' or '.join(EXPORT_FORMATS)}")
    units = session.scalars(sa.select(Unit).where(Unit.status == "active").order_by(Unit.code)).all()
    rows = registry.parents_first([_row(u) for u in units])
    content = importer.export_csv(rows) if file_format == "csv" else importer.export_xlsx(rows)
    return f"county_units.{file_format}", content


def _row(unit: Unit) -> dict[str, Any]:
    held = {o.role: o for o in unit.officials}
    secretary, liaison = held.get("secretary"), held.get("liaison")
    return {"code": unit.code, "name": unit.name, "sector": unit.sector, "org_type": unit.org_type,
            "parent_code": unit.parent_code, "secretary": secretary.name if secretary else None,
            "secretary_phone": secretary.phone if secretary else None,
            "liaison": liaison.name if liaison else None, "liaison_phone": liaison.phone if liaison else None,
            "liaison_email": liaison.email if liaison else None, "demonstration": unit.demonstration}
