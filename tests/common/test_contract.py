"""The event envelope and its schemas, without a broker."""
import ast
import json
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from services.common.contract import (
    CATALOGUE,
    SUBSCRIPTIONS,
    ContractError,
    from_message,
    names,
    new_event,
    to_message,
)


def feedback_payload(**changes):
    payload = dict(feedback_id=1, tracking_code="ABCDEFGH23", target_kind="item", target_id="7", unit_code="A001",
                   kind="question", source="public", summary="何时公开？", received_at=datetime.now(timezone.utc),
                   acknowledge_due=date(2026, 12, 2), answer_due=date(2026, 12, 18))
    payload.update(changes)
    return payload


def test_an_event_survives_the_wire_unchanged():
    event = new_event("FeedbackReceived", feedback_payload(), "req-1")
    received = from_message(json.dumps(to_message(event)).encode())
    assert received == event
    assert received.routing_key == "feedback.FeedbackReceived"


def test_the_envelope_has_every_field_of_the_contract():
    message = to_message(new_event("FeedbackReceived", feedback_payload()))
    assert list(message) == ["event_id", "type", "version", "occurred_at", "producer", "correlation_id", "payload"]
    assert uuid.UUID(message["event_id"])
    assert message["occurred_at"].endswith("+00:00")


def test_a_producer_cannot_break_its_own_contract():
    with pytest.raises(ContractError, match="kind"):
        new_event("FeedbackReceived", feedback_payload(kind="rant"))
    with pytest.raises(ContractError, match="unknown event type"):
        new_event("SomethingHappened", {})


@pytest.mark.parametrize("body, reason", [
    (b"not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"type": "FeedbackReceived"}', "bad envelope"),
])
def test_malformed_messages_are_refused_with_a_reason(body, reason):
    with pytest.raises(ContractError, match=reason):
        from_message(body)


def test_unknown_types_and_versions_are_refused():
    message = to_message(new_event("FeedbackReceived", feedback_payload()))
    with pytest.raises(ContractError, match="version 9"):
        from_message({**message, "version": 9})
    with pytest.raises(ContractError, match="unknown event type"):
        from_message({**message, "type": "Nope"})


def test_consumers_ignore_fields_a_newer_producer_added():
    message = to_message(new_event("FeedbackReceived", feedback_payload()))
    message["payload"]["new_optional_field"] = 1
    assert "new_optional_field" not in from_message(message).payload


def test_the_contact_of_a_feedback_submitter_is_not_part_of_the_contract():
    assert "contact" not in CATALOGUE["FeedbackReceived"].schema().fields


def _name_constants() -> dict[str, str]:
    return {name: value for name, value in vars(names).items() if name.isupper() and not name.startswith("_")}


def test_every_catalogue_type_has_its_constant_and_every_constant_names_a_type():
    constants = _name_constants()
    assert all(isinstance(value, str) for value in constants.values())
    assert sorted(set(CATALOGUE) - set(constants.values())) == [], "types without a constant in names.py"
    assert sorted(set(constants.values()) - set(CATALOGUE)) == [], "constants in names.py naming no type"
    assert len(set(constants.values())) == len(constants), "two constants name the same type"
    assert all(name == spec.name for name, spec in CATALOGUE.items())


def test_every_subscription_names_a_type_of_the_catalogue():
    for service, types in SUBSCRIPTIONS.items():
        assert sorted(set(types) - set(CATALOGUE)) == [], service
        assert len(set(types)) == len(types), f"{service} subscribes to a type twice"


def test_no_module_names_an_event_type_by_a_string_literal():
    """Producers emit and consumers subscribe by the constants of names.py, so a renamed or
    retired type fails at import, not in production."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted([*root.joinpath("services").rglob("*.py"), *root.joinpath("gateway").rglob("*.py")]):
        if "migrations" in path.parts or path.name == "names.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        found += [f"{path.relative_to(root)}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and node.value in CATALOGUE and node not in docstrings]
    assert found == [], "use services.common.contract.names instead of:\n" + "\n".join(found)
