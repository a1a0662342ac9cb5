"""docs/asyncapi.yaml is what other county systems code against, so it must never drift from
services.common.contract. These tests need no broker."""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from services.common import asyncapi
from services.common.contract import CATALOGUE, SUBSCRIPTIONS, json_default, new_event, to_message

REGENERATE = "run `python -m services.common.asyncapi` and commit docs/asyncapi.yaml"

_UNIT = {"code": "U001", "revision": 4, "name": "县委办公室党支部", "sector": "agency", "org_type": "branch",
         "parent_code": None, "status": "active", "demonstration": True,
         "officials": [{"role": "secretary", "name": "李明", "phone": "13800000000", "email": None}]}
_ITEM = {"item_id": 7, "unit_code": "U001", "title": "2024年党费收缴情况", "version": 2,
         "audience": "party"}
_NOTIFICATION = {"delivery_id": 3, "channel": "email", "recipient": "l***@example.org",
                 "cause_event_id": uuid.UUID("6f1c1b1e-8a42-4a57-9a7e-0d1f3c2b4a5d"),
                 "cause_type": "ItemPublished"}
_AT = datetime(2024, 5, 6, 8, 30, tzinfo=timezone.utc)

# One valid payload per event type, as a producer passes it to new_event;
# a new type in the catalogue needs a sample here.
_CHANGE = {"unit": _UNIT, "changed_by": "admin"}
_DESIGNATION = {**_CHANGE, "designation_id": 3, "kind": "demonstration", "starts_on": date(2024, 5, 1),
                "ends_on": date(2027, 4, 30)}
_OBLIGATION = {"obligation_id": 3, "unit_code": "U001", "entry_code": "CW-01", "matter": "村级财务收支",
               "period": "2027-01", "due_on": date(2027, 2, 10)}
_INSPECTION = {"inspection_id": 1, "title": "季度督促检查", "kind": "random", "window_opens": date(2024, 6, 3),
               "window_closes": date(2024, 6, 14), "unit_codes": ["U001", "U002"], "inspectors": ["zhou", "qian"]}
_RECTIFICATION = {"rectification_id": 4, "inspection_id": 1, "unit_code": "U001", "dimension": "content",
                  "finding": "财务收支未公开到明细", "deadline": date(2024, 6, 28)}
_FEEDBACK = {"feedback_id": 9, "unit_code": "U001", "kind": "question", "target_kind": "item", "target_id": "7"}
_MOVED = {"kind": "obligation", "id": 7, "unit_code": "T01V003", "from_due_on": date(2027, 1, 1),
          "to_due_on": date(2027, 1, 4), "calendar_year": 2027, "calendar_version": 1, "provisional": False}
SAMPLES: dict[str, dict[str, Any]] = {
    "UnitRegistered": _UNIT,
    "UnitUpdated": {**_UNIT, "status": "merged", "officials": []},
    "UnitMoved": {**_CHANGE, "from_parent_code": "T01", "to_parent_code": "T02"},
    "UnitMerged": {**_CHANGE, "into_code": "T02", "children_moved": ["T01V001"], "merged_on": date(2024, 5, 1)},
    "UnitDissolved": {**_CHANGE, "reason": "村改居", "dissolved_on": date(2024, 5, 1)},
    "OfficialAssigned": {**_CHANGE, "role": "liaison", "name": "王新", "phone": "13911112222",
                         "email": "w@example.gov.cn", "started_on": date(2024, 5, 1)},
    "OfficialRemoved": {**_CHANGE, "role": "liaison", "name": "杨超", "ended_on": date(2024, 5, 1)},
    "DemonstrationDesignated": {**_DESIGNATION},
    "DemonstrationExpired": {**_DESIGNATION},
    "DemonstrationRevoked": {**_DESIGNATION, "reason": "弄虚作假"},
    "DesignationKept": {"designation_id": 3, "unit_code": "V001", "kind": "model", "period": "2026-07",
                        "reason": "整改已落实，保留", "kept_by": "office"},
    "ItemSubmitted": {**_ITEM, "submitted_by": "wang", "submitted_at": _AT},
    "ItemReviewed": {**_ITEM, "reviewed_by": "zhao", "reviewed_at": _AT},
    "ItemApproved": {**_ITEM, "approved_by": "zhao", "approved_at": _AT},
    "ItemRejected": {**_ITEM, "rejected_by": "zhao", "rejected_at": _AT, "reason": "缺少附件"},
    "ItemPublished": {**_ITEM, "summary": "全年党费收缴……", "carriers": ["公开栏", "网站"],
                      "obligation_id": None, "published_by": "wang", "published_at": _AT},
    "ItemCorrected": {**_ITEM, "previous_item_id": 6, "previous_version": 1, "corrected_by": "zhao",
                      "corrected_at": _AT},
    "ItemWithdrawn": {**_ITEM, "withdrawn_by": "zhao", "withdrawn_at": _AT, "reason": "信息有误"},
    "ExampleMarked": {**_ITEM, "mark_id": 1, "entry_code": "DW-01", "sector": "village", "marked_by": "office",
                      "marked_at": _AT, "reason": "要素齐全"},
    "ExampleUnmarked": {**_ITEM, "mark_id": 1, "entry_code": "DW-01", "sector": "village", "ended_by": "office",
                        "ended_at": _AT, "reason": "已有更好的范例"},
    "PlanConsultationOpened": {"plan_id": 1, "year": 2027, "title": "2027年党务公开实施方案",
                               "opens_on": date(2026, 12, 1), "closes_on": date(2026, 12, 15)},
    "PlanApproved": {"plan_id": 1, "year": 2027, "title": "2027年党务公开实施方案", "approved_by": "zhou",
                     "approved_at": _AT, "milestones": [{"title": "一季度检查", "due_on": date(2027, 3, 31)}]},
    "ObligationsScheduled": {"unit_code": "U001", "year": 2027, "reason": "plan_approved", "count": 130,
                             "first_due_on": date(2027, 2, 10), "last_due_on": date(2028, 1, 20)},
    "ObligationDueSoon": {**_OBLIGATION},
    "ObligationOverdue": {**_OBLIGATION},
    "ObligationFulfilled": {**_OBLIGATION, "year": 2027, "item_id": 7, "fulfilled_at": _AT, "on_time": True},
    "ObligationWaived": {**_OBLIGATION, "year": 2027, "waived_by": "zhou", "reason": "该村已撤并"},
    "ObligationReminded": {**_OBLIGATION, "year": 2027, "status": "overdue", "reminded_by": "zhou",
                           "reminded_at": _AT, "note": "请本周内公开", "reminder_no": 1},
    "InspectionScheduled": {**_INSPECTION, "seed": 20240601, "scheduled_by": "zhou"},
    "InspectionDue": {**_INSPECTION, "dimensions": ["content", "form", "procedure", "on_time", "feedback"]},
    "InspectionOverdue": {**_INSPECTION, "unscored_unit_codes": ["U002"]},
    "InspectionRecorded": {"inspection_id": 1, "unit_code": "U001", "revision": 1, "inspector": "zhou",
                           "recorded_at": _AT, "dimensions": [{"dimension": "content", "score": 26, "maximum": 30}],
                           "findings": 2, "reason": None},
    "RectificationOpened": {**_RECTIFICATION, "opened_at": _AT},
    "RectificationSubmitted": {**_RECTIFICATION, "submitted_by": "wang", "submitted_at": _AT},
    "RectificationAccepted": {**_RECTIFICATION, "accepted_by": "zhou", "accepted_at": _AT},
    "RectificationReturned": {**_RECTIFICATION, "returned_by": "zhou", "returned_at": _AT, "reason": "佐证不足"},
    "RectificationWithdrawn": {**_RECTIFICATION, "withdrawn_by": "zhou", "withdrawn_at": _AT, "revision": 2,
                               "reason": "复核后删去这一问题"},
    "RectificationDueSoon": {**_RECTIFICATION},
    "RectificationOverdue": {**_RECTIFICATION},
    "ScoresComputed": {"period": "2024-05", "as_of": _AT, "units": 121, "mean": 82.5, "threshold": 60,
                       "below_threshold": ["U002"], "interviews": [], "reviews": []},
    "ReportIssued": {"report_id": 1, "kind": "monthly", "period": "2024-05", "title": "2024-05 月度通报",
                     "issued_by": "zhou", "issued_at": _AT, "published": True, "figures": {"mean": 82.5}},
    "FeedbackReceived": {"feedback_id": 9, "tracking_code": "FB-2024-0009", "target_kind": "item",
                         "target_id": "7", "unit_code": "U001", "kind": "question", "source": "public",
                         "summary": "请问……", "received_at": _AT, "acknowledge_due": date(2024, 5, 8),
                         "answer_due": date(2024, 5, 20)},
    "FeedbackAccepted": {**_FEEDBACK, "accepted_by": "wang", "accepted_at": _AT, "acknowledge_due": date(2024, 5, 8),
                         "acknowledged_on_time": True, "answer_due": date(2024, 5, 20)},
    "FeedbackRejected": {**_FEEDBACK, "stage": "moderation", "reason": "含有辱骂内容", "rejected_by": "zhou",
                         "rejected_at": _AT},
    "FeedbackTransferred": {**_FEEDBACK, "from_unit_code": "U002", "reason": "属于该村事务", "cause": "transfer",
                            "transferred_by": "zhou", "transferred_at": _AT, "answer_due": date(2024, 5, 20)},
    "FeedbackExtended": {**_FEEDBACK, "requested_by": "wang", "granted_by": "zhou", "reason": "需实地核查",
                         "working_days": 10, "previous_answer_due": date(2024, 5, 20),
                         "answer_due": date(2024, 6, 3), "granted_at": _AT},
    "FeedbackAnswered": {**_FEEDBACK, "round": 1, "drafted_by": "wang", "approved_by": "zhao", "answered_at": _AT,
                         "answer_due": date(2024, 5, 20), "on_time": True, "public": False},
    "FeedbackReopened": {**_FEEDBACK, "round": 2, "reopened_at": _AT, "answer_due": date(2024, 5, 27)},
    "FeedbackRated": {**_FEEDBACK, "rating": "basically_satisfied", "round": 1, "rated_at": _AT},
    "FeedbackClosed": {**_FEEDBACK, "reason": "rated", "rating": "satisfied", "closed_at": _AT},
    "FeedbackDueSoon": {**_FEEDBACK, "answer_due": date(2024, 5, 20)},
    "FeedbackOverdue": {**_FEEDBACK, "answer_due": date(2024, 5, 20)},
    "FeedbackEscalated": {**_FEEDBACK, "answer_due": date(2024, 5, 20), "level": 1, "to": "secretary"},
    "FeedbackContactErased": {**_FEEDBACK, "tracking_code": "ABCD2345EF", "reason": "retention", "erased_at": _AT},
    "NotificationDelivered": {**_NOTIFICATION, "delivered_at": _AT},
    "NotificationFailed": {**_NOTIFICATION, "reason": "mailbox full", "attempts": 5},
    "WebhookDisabled": {"webhook_id": 3, "owner": "archive", "url_host": "archive.example", "consecutive_failures": 20,
                        "reason": "HTTP 500", "disabled_at": _AT},
    "AccountCreated": {"username": "op-a001", "revision": 1, "display_name": "杨超", "role": "operator",
                       "unit_code": "A001", "enabled": True},
    "AccountChanged": {"username": "op-a001", "revision": 2, "display_name": "杨超", "role": "reviewer",
                       "unit_code": "A001", "enabled": True},
    "AccountDisabled": {"username": "op-a001", "revision": 3, "display_name": "杨超", "role": "reviewer",
                        "unit_code": "A001", "enabled": False},
    "AccountLockedOut": {"username": "rv-a001", "role": "reviewer", "unit_code": "A001",
                         "locked_until": datetime(2026, 12, 7, 1, 15, tzinfo=timezone.utc), "failures": 20,
                         "addresses": 10},
    "CalendarArranged": {"year": 2027, "version": 1, "holidays": [date(2027, 1, 1), date(2027, 2, 5)],
                         "workdays": [date(2027, 2, 20)], "document": "国办发明电〔2026〕7号",
                         "issued_on": date(2026, 11, 20), "entered_by": "zhou", "entered_at": _AT},
    "ObligationDeadlineMoved": _MOVED,
    "FeedbackDeadlineMoved": {**_MOVED, "kind": "feedback_answer"},
    "RectificationDeadlineMoved": {**_MOVED, "kind": "rectification", "provisional": True},
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi.build_document()


def _message_validator(document: dict[str, Any], event_type: str) -> jsonschema.Validator:
    """A validator for the whole wire message of one type, its $refs resolved within the document."""
    message = document["channels"][CATALOGUE[event_type].routing_key]["subscribe"]["message"]
    schema = {**message["payload"], "components": document["components"]}
    cls = jsonschema.Draft7Validator  # AsyncAPI 2.6 schemas are a superset of JSON Schema draft 7
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_committed_document_is_up_to_date(document: dict[str, Any]) -> None:
    committed = asyncapi.DOCUMENT_PATH.read_text(encoding="utf-8")
    assert yaml.safe_load(committed) == document, f"docs/asyncapi.yaml is stale: {REGENERATE}"
    assert committed == asyncapi.render(), f"docs/asyncapi.yaml is not byte-identical: {REGENERATE}"


def test_rendering_is_deterministic() -> None:
    assert asyncapi.render() == asyncapi.render()


def test_one_channel_per_catalogue_type(document: dict[str, Any]) -> None:
    assert set(document["channels"]) == {e.routing_key for e in CATALOGUE.values()}
    for event in CATALOGUE.values():
        channel = document["channels"][event.routing_key]
        assert channel["subscribe"]["message"]["bindings"]["amqp"]["messageType"] == event.name
        assert channel["x-producer"] == event.producer
        assert channel["x-internal-subscribers"] == sorted(
            s for s, types in SUBSCRIPTIONS.items() if event.name in types)


def test_payload_fields_match_marshmallow(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for event in CATALOGUE.values():
        declared = event.schema().fields
        documented = schemas[event.schema.__name__]
        assert list(documented["properties"]) == list(declared), event.name
        required = {name for name, f in declared.items() if f.required}
        assert set(documented.get("required", [])) == required, event.name


def test_every_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(CATALOGUE)


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_real_message_validates_against_document(document: dict[str, Any], event_type: str) -> None:
    """The body the outbox actually publishes satisfies the document's schema for its channel."""
    message = to_message(new_event(event_type, SAMPLES[event_type]))
    body = json.loads(json.dumps(message, default=json_default))
    validator = _message_validator(document, event_type)
    validator.validate(body)

    # ... and the schema is not vacuous: it rejects a wrong type, a missing field, a wrong version.
    other = next(t for t in sorted(CATALOGUE) if t != event_type)
    assert not validator.is_valid({**body, "type": other})
    required = document["components"]["schemas"][CATALOGUE[event_type].schema.__name__]["required"]
    assert not validator.is_valid({**body, "payload": {k: v for k, v in body["payload"].items()
                                                       if k != required[0]}})
    assert not validator.is_valid({**body, "version": CATALOGUE[event_type].version + 1})


# --- the AsyncAPI project's own parser ------------------------------------------------------------

PARSER_DIR = Path(__file__).resolve().parents[1] / "asyncapi-parser"
PARSER_INSTALL = "`make asyncapi-parser` (npm ci in tests/asyncapi-parser; `make test` does it)"


def _run_parser(document_path: Path) -> subprocess.CompletedProcess:
    """Run @asyncapi/parser (pinned in tests/asyncapi-parser) over a document. Never skips:
    a machine without Node.js fails here with what to install."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed, so docs/asyncapi.yaml cannot be checked with the AsyncAPI "
                    f"parser: install Node.js 20 and npm (apt-get install nodejs npm), then {PARSER_INSTALL}",
                    pytrace=False)
    if not (PARSER_DIR / "node_modules" / "@asyncapi" / "parser" / "package.json").exists():
        pytest.fail(f"@asyncapi/parser is not installed in {PARSER_DIR}: run {PARSER_INSTALL}", pytrace=False)
    return subprocess.run([node, str(PARSER_DIR / "check.mjs"), str(document_path)], cwd=PARSER_DIR,
                          capture_output=True, text=True, timeout=120)


def test_asyncapi_parser_finds_no_error_and_no_warning() -> None:
    result = _run_parser(asyncapi.DOCUMENT_PATH)
    assert result.returncode == 0, f"@asyncapi/parser on docs/asyncapi.yaml:\n{result.stdout}{result.stderr}"
    assert result.stdout.strip().endswith(": 0 error(s), 0 warning(s)"), result.stdout


def test_asyncapi_parser_check_reports_warnings(document: dict[str, Any], tmp_path: Path) -> None:
    """The check is not vacuous: a message without its messageId, and a document without contact,
    are each reported as a warning and fail it."""
    broken = copy.deepcopy(document)
    first = next(iter(broken["channels"].values()))
    del first["subscribe"]["message"]["messageId"]
    del broken["info"]["contact"]
    path = tmp_path / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = _run_parser(path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "warning asyncapi2-message-messageId" in result.stdout
    assert "warning asyncapi-info-contact " in result.stdout
    assert "0 error(s), 2 warning(s)" in result.stdout


def test_every_message_has_a_unique_message_id(document: dict[str, Any]) -> None:
    ids = [c["subscribe"]["message"]["messageId"] for c in document["channels"].values()]
    assert sorted(ids) == sorted(CATALOGUE)
