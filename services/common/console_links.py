"""Where a notification's reader acts: the console page of each kind of record a notification
can be about, by name. data/notify_rules.yaml names the page (`link: obligation`); notify
fills it from the event's payload and puts the public address in front. The gateway's tests
check that every path here is one of the console's own routes, so a page that moves breaks a
test rather than a villager's or an official's link.

A path is a str.format template over payload fields; `{period:.4}` is the year of a period
(2026-07, 2026-Q3 or 2026)."""
from __future__ import annotations

import string
from typing import Any

PAGES: dict[str, str] = {
    "item": "/console/items/{item_id}",                      # a draft's review page, or the published item
    "feedback": "/console/feedback/{feedback_id}",           # the feedback case with its actions
    "obligation": "/console/obligations/{obligation_id}",    # the obligation with remind / fulfil
    "inspection": "/console/inspections/{inspection_id}",    # the inspection and its records
    "rectification": "/console/rectifications/{rectification_id}",
    "report": "/console/reports/{report_id}",
    "scores": "/console/scores?year={period:.4}",
    "webhook": "/console/webhooks/{webhook_id}",
    "accounts": "/console/accounts",                         # the accounts, where locks are lifted
    "home": "/console",                                      # the person's work list
}


# where a console link to a record deleted for good leads back to (the 410 page's link): the
# list the record was in, by the kind services/common/tombstones.py remembers it under
LISTS: dict[str, str] = {
    "webhook": "/console/webhooks",
}


# the one portal page a notification links to: a feedback sender's tracking page (the PIN is
# never in a link; the sender keeps it from the receipt)
TRACKING = "/track/{tracking_code}"


def tracking_path(tracking_code: str) -> str:
    return TRACKING.format(tracking_code=tracking_code)


def fields_of(name: str) -> set[str]:
    """The payload fields the page's path needs."""
    return {field for _, field, _, _ in string.Formatter().parse(PAGES[name]) if field}


def path_for(name: str, payload: dict[str, Any]) -> str:
    """The console path of page `name` for the record the payload is about."""
    return PAGES[name].format_map({k: v for k, v in payload.items() if not isinstance(v, (dict, list))})
