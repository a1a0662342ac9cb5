"""Events made by the database (services.common.emitted_in_sql): what can be checked in SQL is
checked as new_events checks it, and what cannot is refused before a statement is made."""
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from services.common.contract import ContractError, names
from services.common.emitted_in_sql import message_body, on_contract

ROWS = sa.table("rows", sa.column("id", sa.Integer), sa.column("unit", sa.String), sa.column("kind", sa.String),
                sa.column("due", sa.Date))
PAYLOAD = {"feedback_id": ROWS.c.id, "unit_code": ROWS.c.unit, "kind": ROWS.c.kind, "target_kind": "unit",
           "target_id": "A001", "answer_due": ROWS.c.due}


def sql(expression):
    return str(expression.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_columns_are_checked_in_sql_and_constants_once():
    check = sql(on_contract(names.FEEDBACK_DUE_SOON, PAYLOAD))
    assert "rows.kind IN ('opinion', 'suggestion', 'complaint', 'question')" in check
    assert "rows.unit IS NOT NULL" in check and "target_kind" not in check  # the constant was checked here
    escalated = sql(on_contract(names.FEEDBACK_ESCALATED, {**PAYLOAD, "level": ROWS.c.id, "to": "secretary"}))
    assert "rows.id >= 1 AND rows.id <= 2" in escalated


@pytest.mark.parametrize("payload, message", [
    ({**PAYLOAD, "target_kind": "nowhere"}, "target_kind"),
    ({**PAYLOAD, "answer_due": ROWS.c.unit}, "answer_due is not a date"),
    ({**PAYLOAD, "feedback_id": "1"}, "feedback_id is not a int"),
    ({**PAYLOAD, "extra": 1}, "its fields are"),
])
def test_a_payload_off_the_contract_is_refused_before_any_statement(payload, message):
    with pytest.raises(ContractError, match=message):
        on_contract(names.FEEDBACK_DUE_SOON, payload)


def test_a_field_the_database_cannot_check_is_refused():
    payload = {"feedback_id": ROWS.c.id, "unit_code": ROWS.c.unit, "kind": "opinion", "target_kind": "unit",
               "target_id": "A001", "reason": "rated", "rating": None, "closed_at": date(2026, 1, 1)}
    with pytest.raises(ContractError, match="cannot be checked by the database"):
        message_body(names.FEEDBACK_CLOSED, payload, ROWS.c.id, "c-1", None)
