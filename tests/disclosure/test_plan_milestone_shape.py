"""A plan's changes (PATCH /api/v1/plans/{id}) load partially, and marshmallow carries that into the
nested milestones: a milestone with a title but no date (or a date but no title) is refused naming
the field, in Chinese and in English, instead of failing the year check with a KeyError (a 500)."""
import pytest
from marshmallow import ValidationError

from services.common import i18n
from services.common.shapes.disclosure import PlanChanges


@pytest.mark.parametrize("milestone, field", [({"title": "启动部署"}, "due_on"), ({"due_on": "2026-03-01"}, "title")])
def test_a_milestone_missing_a_field_is_refused_naming_it(milestone, field):
    with pytest.raises(ValidationError) as refused:
        PlanChanges().load({"milestones": [{"title": "动员", "due_on": "2026-02-01"}, milestone]})
    (message,) = refused.value.messages["milestones"]
    assert message.startswith("第 2 个里程碑缺少") and field in message
    assert field in i18n.translate(message, "en") and "Milestone 2" in i18n.translate(message, "en")


def test_whole_milestones_still_load_and_are_checked_against_the_year():
    loaded = PlanChanges().load({"year": 2026, "milestones": [{"title": "总结", "due_on": "2026-12-20"}]})
    assert loaded["milestones"][0]["due_on"].year == 2026
    with pytest.raises(ValidationError):
        PlanChanges().load({"year": 2026, "milestones": [{"title": "总结", "due_on": "2027-01-05"}]})
