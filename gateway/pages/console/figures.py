"""The lists behind the dashboard's supervision figures, and the figures themselves.

- `figures_for`: the trend by month, feedback answered on time, rectifications open and the
  ranking (gateway/pages/console/progress_figures.py), from the RPCs that answer them; when supervision
  cannot answer yet (its backfill runs, or it is down) the obligation figures still show and
  the page says why the others do not;
- /console/scores: every unit's score of the year as of now with its county rank, on-time
  rate, feedback answered on time and rectifications, by town or sector (behind the feedback
  and ranking figures);
- /console/rectifications: the rectifications by town and status ("unresolved": open,
  submitted, returned or overdue), behind the rectification figure."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract import SECTORS
from services.common.errors import DomainError
from services.common.workdays import county_today

from ...labels import SECTOR_NAMES
from ...params import OneOf, Query, UnitCode, Year
from . import progress_figures
from ..kit.pages import page, uncached

SUPERVISED = ("feedback", "rectifications", "ranking")
KINDS = ("month", *SUPERVISED)
RECTIFICATION_STATUSES = {"open": "待整改", "submitted": "已提交待验收", "returned": "已退回", "overdue": "已逾期",
                          "accepted": "已验收", "withdrawn": "已撤销（检查记录更正）"}
UNRESOLVED = ("open", "submitted", "returned", "overdue")
MOST_RECTIFICATIONS = 1000  # five pages of the RPC's 200


class ScoresPageQuery(Query):
    year = Year()
    town = UnitCode("a town's code")
    sector = OneOf(*SECTORS)


class RectificationsPageQuery(Query):
    status = OneOf("unresolved", *RECTIFICATION_STATUSES)
    town = UnitCode("a town's code")
    inspection = fields.Integer(validate=validate.Range(1, 2 ** 31 - 1))


def figures_for(self, actor: dict[str, Any], year: int, kinds: tuple[str, ...] = KINDS
                ) -> tuple[dict[str, progress_figures.Figure], str | None]:
    """The figures of `kinds` for the year, and why the supervision ones are missing, if they are."""
    made: dict[str, progress_figures.Figure] = {}
    if "month" in kinds:
        made["month"] = progress_figures.month_figure(
            self.disclosure.progress_by_month({"year": year}))
    problem = None
    try:
        if "feedback" in kinds or "rectifications" in kinds:
            scores = self.supervision.scores(actor, str(year), None, {})
            made["feedback"] = progress_figures.feedback_figure(scores, year)
            made["rectifications"] = progress_figures.rectification_figure(scores)
        if "ranking" in kinds:
            made["ranking"] = progress_figures.ranking_figure(
                self.supervision.rankings(actor, str(year), None, 10), year)
    except DomainError as exc:
        problem = i18n.translate(exc.message)
        if len(kinds) == 1:
            raise
    return {k: made[k] for k in kinds if k in made}, problem


def county_ranks(units: list[dict[str, Any]]) -> dict[str, int]:
    """Competition ranks (1, 2, 2, 4) of the units with a total, best first."""
    ranks, previous, rank = {}, None, 0
    for index, unit in enumerate(sorted((u for u in units if u["total"] is not None), key=lambda u: -u["total"]), 1):
        if unit["total"] != previous:
            rank, previous = index, unit["total"]
        ranks[unit["unit_code"]] = rank
    return ranks


class ConsoleFigures:
    """Mixed into GatewayService; needs `supervision`, `access` and `web`."""

    @page("GET", "/console/scores", query=ScoresPageQuery)
    def console_scores(self, request: Request) -> Response:
        """Each unit's score of the year as of now, best first, with what makes it."""
        query = request.params
        year = query.get("year") or county_today().year
        scores = self.supervision.scores(request.actor, str(year), None, {})
        ranks = county_ranks(scores["units"])
        names = {u["unit_code"]: u["name"] for u in scores["units"]}
        rows = [dict(u, rank=ranks.get(u["unit_code"])) for u in scores["units"]
                if (not query.get("town") or u["town_code"] == query["town"])
                and (not query.get("sector") or u["sector"] == query["sector"])]
        return self.renew_session(request, uncached(self.web.page(
            request, "console/scores.html", title="单位考核得分", rows=rows, year=year, scores=scores,
            town=query.get("town"), town_name=names.get(query.get("town") or "", query.get("town")),
            sector=query.get("sector"), sectors=SECTOR_NAMES)))

    @page("GET", "/console/rectifications", query=RectificationsPageQuery)
    def console_rectifications(self, request: Request) -> Response:
        """Rectifications by town and status, newest last, at most a thousand."""
        query = request.params
        status = query.get("status") or "unresolved"
        filters = {k: v for k, v in (("town", query.get("town")), ("inspection", query.get("inspection"))) if v}
        if status != "unresolved":
            filters["status"] = status
        rows, after = [], None
        while len(rows) < MOST_RECTIFICATIONS:
            found = self.supervision.list_rectifications(request.actor, filters, 200, after)
            rows += [r for r in found["items"] if status != "unresolved" or r["status"] in UNRESOLVED]
            after = found.get("next")
            if after is None:
                break
        return self.renew_session(request, uncached(self.web.page(
            request, "console/rectifications.html", title="整改", rows=rows[:MOST_RECTIFICATIONS], chosen=status,
            town=query.get("town"), statuses=RECTIFICATION_STATUSES, more=after is not None)))

