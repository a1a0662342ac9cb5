"""The read model's areas (gateway/readmodel.py) and what drops each: the events every gateway
process hears, and the changes made through this process (read your own writes on this replica).

An area's answers are dropped together. Which events drop which areas:
- items: ItemPublished, ItemCorrected, ItemWithdrawn, ExampleMarked and ExampleUnmarked (范例 on
  the models page), the unit events, ReportIssued;
- units: the unit and designation events;
- reports: ReportIssued;
- answers (公开答复): the feedback events that change what the public reads of an answer
  (answered, reopened, closed, transferred, rejected, rated, a contact erased); an answer
  hidden after readers' reports, or shown again by the county office, has no event: it leaves
  this replica's answers when the report is taken here, the others' within the age bound;
- plans: PlanConsultationOpened, PlanApproved (a plan's activation and closing have no event:
  the age bound covers them on the other replicas);
- catalogue: no events; its answers live READ_MODEL_TTL_SECONDS, and a change made through this
  replica drops them at once.
A cached portal page is kept under items and keyed by the generations of units, answers and
plans, so any of those events also leaves it behind.
"""
from __future__ import annotations

from services.common.contract import UNIT_EVENTS, names

ITEMS, UNITS, CATALOGUE, REPORTS, ANSWERS, PLANS = "items", "units", "catalogue", "reports", "answers", "plans"
ALL_AREAS = (ITEMS, UNITS, CATALOGUE, REPORTS, ANSWERS, PLANS)
PAGE_KEYED_BY = (UNITS, ANSWERS, PLANS)  # a cached page also changes with these generations

DESIGNATIONS = (names.DEMONSTRATION_DESIGNATED, names.DEMONSTRATION_EXPIRED, names.DEMONSTRATION_REVOKED)
ANSWER_EVENTS = (names.FEEDBACK_ANSWERED, names.FEEDBACK_REOPENED, names.FEEDBACK_CLOSED, names.FEEDBACK_TRANSFERRED,
                 names.FEEDBACK_REJECTED, names.FEEDBACK_RATED, names.FEEDBACK_CONTACT_ERASED)
PLAN_EVENTS = (names.PLAN_CONSULTATION_OPENED, names.PLAN_APPROVED)

AREAS_OF: dict[str, tuple[str, ...]] = {
    **{t: (ITEMS, UNITS) for t in UNIT_EVENTS},
    **{t: (UNITS,) for t in DESIGNATIONS},
    **{t: (ITEMS,) for t in (names.ITEM_PUBLISHED, names.ITEM_CORRECTED, names.ITEM_WITHDRAWN,
                             names.EXAMPLE_MARKED, names.EXAMPLE_UNMARKED)},  # 范例 on the models page
    names.REPORT_ISSUED: (ITEMS, REPORTS),  # the portal's reports (通报、年度报告), also listed on 公开榜
    **{t: (ANSWERS,) for t in ANSWER_EVENTS},
    **{t: (PLANS,) for t in PLAN_EVENTS},
}

# a change made through this gateway drops what it touches as soon as it is made (read your
# own writes on this replica); the event that follows drops it on every replica
AREAS_CHANGED_BY = (("/api/v1/items", (ITEMS,)), ("/api/v1/archive", (ITEMS,)), ("/api/v1/units", (ITEMS, UNITS)),
                    ("/api/v1/designations", (UNITS,)), ("/console/designations", (UNITS,)),
                    ("/api/v1/examples", (ITEMS,)), ("/console/examples", (ITEMS,)),  # 范例 on the models page
                    ("/api/v1/catalogue", (CATALOGUE,)),
                    ("/api/v1/commitments", (ITEMS,)), ("/api/v1/comments", (ITEMS,)),  # on units' pages
                    ("/console/commitments", (ITEMS,)), ("/console/comments", (ITEMS,)),
                    # an issued report has its own pages and is listed on 公开榜
                    ("/api/v1/reports", (ITEMS, REPORTS)), ("/console/reports", (ITEMS, REPORTS)),
                    # readers' reports of an answer, the office's review of them, the answers' workflow
                    ("/answers/", (ANSWERS,)), ("/api/v1/answers", (ANSWERS,)), ("/api/v1/feedback", (ANSWERS,)),
                    ("/console/reported-answers", (ANSWERS,)), ("/console/feedback", (ANSWERS,)),
                    ("/api/v1/plans", (PLANS,)), ("/console/plans", (PLANS,)))
