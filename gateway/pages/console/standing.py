"""/console/standing: how one unit stands (本单位考核情况), for its own operator and reviewer, and
for the county office (?unit=CODE, linked from every row of /console/scores).

Its score of the year as of any day (?on=YYYY-MM-DD, the end of that day in the county's time;
today: now) with each dimension's value, the inspection's part and the recorded facts' part, the
on-time rate, feedback answered on time and the readers' satisfaction, the penalty for overdue
rectifications and the leaders' comment; then its findings and rectifications with their
deadlines, its overdue obligations and its overdue feedback. Every figure comes from the very
RPC the office's pages read (supervision's scores with a unit filter, list_rectifications,
disclosure's list_obligations, feedback's list_feedback), so the unit sees what the office sees;
each service decides whose figures a reader may see (another unit's are refused in words)."""
from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.wrappers import Request, Response

from services.common.contract.supervision import DIMENSIONS
from services.common.errors import InvalidInput, NotFound
from services.common.workdays import county_today

from ...labels import PROGRESS_STATUS_NAMES, SECTOR_NAMES
from ...params import Day, Query, UnitCode
from ..kit.pages import page, uncached
from .figures import RECTIFICATION_STATUSES

MOST_ROWS = 100


class StandingQuery(Query):
    unit = UnitCode("the unit (the county office; a unit's own staff see their own)")
    on = Day("the day to see the score as of (its end, in the county's time); today when absent")


def as_of_text(on: date, today: date) -> str | None:
    """The instant the score is asked as of: the end of `on` in the county's time, now for today."""
    if on > today:
        raise InvalidInput(f"日期不能晚于今天（{today.year}年{today.month}月{today.day}日）")
    return None if on == today else f"{on.isoformat()}T23:59:59+08:00"


class ConsoleStanding:
    """Mixed into GatewayService; needs `supervision`, `disclosure`, `feedback` and `web`."""

    @page("GET", "/console/standing", query=StandingQuery)
    def console_standing(self, request: Request) -> Response:
        actor, query = request.actor, request.params
        code = query.get("unit") or actor.get("unit")
        if not code:
            raise InvalidInput("请选择要查看的单位（如 /console/standing?unit=A001），或从单位考核得分表进入")
        today = county_today()
        on = query.get("on") or today
        scores = self.supervision.scores(actor, str(on.year), as_of_text(on, today), {"unit": code})
        row = next(iter(scores["units"]), None)
        if row is None:
            raise NotFound(f"{on.year}年没有单位 {code} 的考核记录")
        rectifications = self.supervision.list_rectifications(actor, {"unit": code}, MOST_ROWS, None)["items"]
        obligations = self.disclosure.list_obligations(actor, {"unit": code, "status": "overdue"}, MOST_ROWS, None)
        feedback = self.feedback.list_feedback(actor, {"unit": code, "overdue": True}, MOST_ROWS, None)
        comments = [c for c in self.supervision.list_comments(code, None) if c["period"].startswith(str(on.year))]
        return self.renew_session(request, uncached(self.web.page(
            request, "console/standing.html", title=f"考核情况：{row['name']}", row=row, scores=scores, on=on,
            today=today, dimensions=[row["dimensions"][d] | {"code": d} for d in DIMENSIONS],
            rectifications=rectifications, statuses=RECTIFICATION_STATUSES, sectors=SECTOR_NAMES,
            unresolved=[r for r in rectifications if r["status"] != "accepted"],
            obligations=obligations["items"], obligation_statuses=PROGRESS_STATUS_NAMES,
            feedback=feedback["items"], comments=comments)))
