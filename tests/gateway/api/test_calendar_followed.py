"""The answer to entering a year joins feedback's and supervision's passed deadlines of that
version to disclosure's, earliest first, as each service answers its typed client's
follow_calendar in the same request; a service not answering is named in `pending` (the
CalendarArranged event will still reach it), and the version handed on is not in the answer.
No cluster: the clients are stand-ins answering as the services do."""
from __future__ import annotations

import pytest

from gateway.clients.passed import followed
from gateway.errors import ApiError

ARRANGED = {"year": 2030, "version": 2, "holidays": ["2030-02-04"], "workdays": []}


def row(kind: str, ident: int, due: str) -> dict:
    return {"kind": kind, "id": ident, "from_due_on": due, "to_due_on": "2030-02-20", "calendar_version": 2}


class Answering:
    def __init__(self, rows):
        self.rows, self.asked = rows, []

    def follow_calendar(self, arranged):
        self.asked.append(arranged)
        return self.rows


class Away:
    def follow_calendar(self, arranged):
        raise ApiError(503, "service_unavailable", "the supervision service is not answering; try again shortly")


def entered() -> dict:
    return {"year": 2030, "moved": [], "passed": [row("obligation", 5, "2030-02-03")], "arranged": dict(ARRANGED)}


def test_every_services_passed_deadlines_in_one_answer_earliest_first():
    feedback, supervision = Answering([row("feedback_answer", 9, "2030-02-01")]), Answering([
        row("rectification", 3, "2030-02-02")])
    answer = followed(entered(), feedback, supervision)
    assert [(r["kind"], r["id"]) for r in answer["passed"]] == [
        ("feedback_answer", 9), ("rectification", 3), ("obligation", 5)]
    assert answer["pending"] == [] and "arranged" not in answer
    assert feedback.asked == supervision.asked == [ARRANGED]


def test_a_service_not_answering_is_named_pending_and_the_others_still_answer():
    answer = followed(entered(), Answering([row("feedback_ack", 9, "2030-02-01")]), Away())
    assert answer["pending"] == ["supervision"]
    assert [r["kind"] for r in answer["passed"]] == ["feedback_ack", "obligation"]


def test_a_refusal_is_not_taken_for_silence():
    class Refusing:
        def follow_calendar(self, arranged):
            raise ApiError(400, "invalid_input", "bad")

    with pytest.raises(ApiError):
        followed(entered(), Refusing(), Answering([]))
