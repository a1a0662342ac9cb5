"""The names people read for statuses, roles, sectors and kinds, taken from the gettext
catalogues (services/common/locale, by msgctxt: `item_status`, `sector`, ...) through
services.common.i18n, never written out again in the gateway. Each is a dict in a stated order
(a page's choices and tables follow it), in zh_CN, the pages' language."""
from __future__ import annotations

from typing import Iterable

from services.common import i18n
from services.common.contract import FEEDBACK_KINDS as KINDS_OF_FEEDBACK
from services.common.contract import AUDIENCES, FEEDBACK_TARGETS, OFFICIAL_ROLES, SECTORS
from services.common.contract.supervision import INSPECTION_KINDS
from services.common.shapes.disclosure import ATTACHMENT_TYPES, OBLIGATION_STATUSES
from services.common.shapes.supervision import GRADES as COMMENT_GRADES

from .queries import SERVICES
from .vocabulary import ACCOUNT_ROLES

ITEM_STATUSES = ("draft", "submitted", "reviewed", "approved", "published", "corrected", "withdrawn", "archived")
UNIT_STATUSES = ("active", "merged", "dissolved")
DESIGNATION_KINDS = ("demonstration", "model")
PORTAL_SECTORS = ("agency", "village", "enterprise", "school", "hospital", "town", "sector")
RECORD_STATUSES = ("pending", "draft", "submitted")  # an inspected unit's record
FEEDBACK_KINDS = ("opinion", "suggestion", "question", "complaint")  # in the order the forms offer them


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
COMMENT_GRADE_NAMES = labels("comment_grade", COMMENT_GRADES)

# in the pages' own words where they differ from the kinds above (their msgctxt says where)
PROGRESS_STATUS_NAMES = labels("progress_status", OBLIGATION_STATUSES)
PORTAL_SECTOR_NAMES = labels("portal_sector", PORTAL_SECTORS)
ACCOUNT_ROLE_NAMES = labels("account_role", ACCOUNT_ROLES)
PROVISIONED_ROLE_NAMES = labels("provisioned_role", ("operator", "reviewer"))
PROVISIONING_STATUS_NAMES = labels("provisioning_status", ("created", "existing", "taken"))
INSPECTION_KIND_NAMES = labels("inspection_kind", INSPECTION_KINDS)
RECORD_STATUS_NAMES = labels("inspection_record_status", RECORD_STATUSES)
REPORT_KIND_NAMES = labels("report_kind", ("monthly", "annual"))
GRADE_NAMES = labels("comment_grade", ("excellent", "good", "fair", "poor"))  # a leader's comment (领导点评)  # the office's 通报 and annual report
FEEDBACK_KIND_NAMES = labels("feedback_kind", FEEDBACK_KINDS)
FEEDBACK_KIND_CHOICES = tuple(FEEDBACK_KIND_NAMES.items())  # (kind, name) for a form's choice
FEEDBACK_TARGET_NAMES = labels("feedback_target", FEEDBACK_TARGETS)
MEDIA_NAMES = labels("media_type", ATTACHMENT_TYPES)
# the console's buttons, in the order the pages offer them
ITEM_BUTTON_NAMES = labels("item_button", ("submit", "review", "approve", "reject"))
WEBHOOK_ACTION_NAMES = labels("webhook_action", ("ping", "rotate", "enable", "delete"))
ACCOUNT_ACTION_NAMES = labels("account_action", ("disable", "enable", "unlock", "reset", "reset2fa"))

assert set(FEEDBACK_KINDS) == set(KINDS_OF_FEEDBACK)
