"""The names people read for statuses, roles, sectors and kinds, taken from the gettext
catalogues (services/common/locale, by msgctxt: `item_status`, `sector`, ...) through
services.common.i18n, never written out again in the gateway. Each is a dict in a stated order
(a page's choices and tables follow it), in zh_CN, the pages' language."""
from __future__ import annotations

from typing import Iterable

from services.common import i18n
from services.common.contract import AUDIENCES, OFFICIAL_ROLES, SECTORS

from .queries import SERVICES

ITEM_STATUSES = ("draft", "submitted", "reviewed", "approved", "published", "corrected", "withdrawn", "archived")
UNIT_STATUSES = ("active", "merged", "dissolved")
DESIGNATION_KINDS = ("demonstration", "model")


def labels(kind: str, names: Iterable[str], language: str = i18n.DEFAULT) -> dict[str, str]:
    """{name: what a person reads} for names of one kind (the catalogue's msgctxt)."""
    return {name: i18n.term(kind, name, language) for name in names}


ITEM_STATUS_NAMES = labels("item_status", ITEM_STATUSES)
AUDIENCE_NAMES = labels("audience", AUDIENCES)
SECTOR_NAMES = labels("sector", SECTORS)
UNIT_STATUS_NAMES = labels("unit_status", UNIT_STATUSES)
OFFICIAL_ROLE_NAMES = labels("official_role", OFFICIAL_ROLES)
SERVICE_NAMES = labels("service", SERVICES)
DESIGNATION_KIND_NAMES = labels("designation_kind", DESIGNATION_KINDS)
