from __future__ import annotations

from typing import Any

from nameko.rpc import rpc

from services.common import base
from services.common.errors import DOMAIN_ERRORS

from . import registry


class UnitsService(base.ServiceBase):
    """The county's registry of Party organisations."""
    name = "units"

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_units(self, sector: str | None = None, parent: str | None = None, q: str | None = None,
                   limit: int = 50, after: str | None = None) -> dict[str, Any]:
        return registry.list_units(self.db.session, sector=sector, parent=parent, q=q,
                                   limit=limit, after=after)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_unit(self, code: str) -> dict[str, Any]:
        return registry.get_unit(self.db.session, code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def register_units(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Register or update units from registry rows, all or nothing."""
        counts = registry.register_rows(self.db, registry.validate_rows(rows))
        self.db.commit()
        return counts
