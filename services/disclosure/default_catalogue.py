"""Install the default catalogue (data/catalogue.yaml) into the disclosure database.

    python -m services.disclosure.default_catalogue

Every entry goes through the same validation as one added through the API. Entries whose
code is present already (in any version, retired ones included) are left as they are, so
re-running adds nothing and never undoes the county office's revisions.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from services.common.db import UnitOfWork, standalone_unit_of_work
from services.common.workdays import county_today

from .catalogue import new_entry
from .models import CatalogueEntry

DEFAULT_CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "catalogue.yaml"


def default_entries(path: Path = DEFAULT_CATALOGUE) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]


def install(uow: UnitOfWork, actor_name: str = "system") -> int:
    """Add the default entries whose code is absent, in force from January 1 of this year;
    returns how many were added. The caller commits."""
    present = set(uow.session.scalars(sa.select(CatalogueEntry.code).distinct()))
    valid_from = date(county_today().year, 1, 1).isoformat()
    added = 0
    for entry in default_entries():
        if entry["code"] not in present:
            new_entry(uow.session, {**entry, "valid_from": valid_from,
                                    "change_note": "默认公开目录"}, actor_name)
            added += 1
    return added


def main() -> None:
    uow = standalone_unit_of_work("disclosure")
    try:
        added = install(uow)
        uow.commit()
    finally:
        uow.close()
    total = len(default_entries())
    print(f"catalogue: {added} entries added, {total - added} present already, "
          f"from {DEFAULT_CATALOGUE.name}")


if __name__ == "__main__":
    main()
