"""Who reads what (公开对象): the same answer for one item and for a list, on every read."""
import pytest

from services.common.actor import Actor
from services.common.errors import InvalidInput, NotFound
from services.disclosure import reading, workflow
from tests.disclosure.test_disclosure_workflow import INSPECTOR, draft, operator_of, publish, reviewer_of, uow  # noqa: F401

PUBLIC = {"v01-society", "v01-old", "v01-new"}
EVERYTHING = {"v01-society", "v01-party", "v01-unit", "v01-specific", "v01-draft", "v01-submitted",
              "v01-withdrawn", "v01-old", "v01-new", "t01-party", "t01-unit", "t01-specific"}


def member_of(unit):
    return Actor(f"m-{unit.lower()}", "member", unit)


# reader → the items they may read (the unit tree: C000 ⊃ T01 ⊃ V01, V02; C000 ⊃ A002)
EXPECTED = {
    "public": (None, PUBLIC),
    "subscriber": (Actor("sys", "subscriber", None), PUBLIC),
    "member of V01": (member_of("V01"), PUBLIC | {"v01-party", "v01-unit", "t01-party"}),
    "member of V02 (same town)": (member_of("V02"), PUBLIC | {"t01-party"}),
    "member of T01 (above V01)": (member_of("T01"), PUBLIC | {"t01-party", "t01-unit"}),
    "member of A002 (elsewhere)": (member_of("A002"), PUBLIC),
    "operator of V01": (operator_of("V01"), {k for k in EVERYTHING if k.startswith("v01")} | {"t01-party"}),
    "reviewer of T01": (reviewer_of("T01"), PUBLIC | {k for k in EVERYTHING if k.startswith("t01")}),
    "operator of V02": (operator_of("V02"), PUBLIC | {"t01-party"}),
    "inspector": (INSPECTOR, EVERYTHING),
    "admin": (Actor("root", "admin", None), EVERYTHING),
}


@pytest.fixture
def items(uow):
    made = {f"v01-{audience}": draft(uow, unit_code="V01", audience=audience)
            for audience in ("society", "party", "unit", "specific")}
    made.update({f"t01-{audience}": draft(uow, unit_code="T01", audience=audience)
                 for audience in ("party", "unit", "specific")})
    for key in list(made):
        publish(uow, made[key])
    made["v01-draft"] = draft(uow, unit_code="V01")
    made["v01-submitted"] = draft(uow, unit_code="V01", audience="party")
    workflow.submit(uow, operator_of("V01"), made["v01-submitted"])
    made["v01-withdrawn"] = draft(uow, unit_code="V01")
    publish(uow, made["v01-withdrawn"])
    workflow.withdraw(uow, reviewer_of("V01"), made["v01-withdrawn"], "有误")
    made["v01-old"] = draft(uow, unit_code="V01")
    publish(uow, made["v01-old"])
    made["v01-new"] = workflow.correct(uow, operator_of("V01"), made["v01-old"], {"title": "更正"})["id"]
    uow.commit()
    publish(uow, made["v01-new"])
    return made


def readable(uow, reader, items):
    found = set()
    for key, item_id in items.items():
        try:
            reading.get_item(uow.session, reader, item_id)
            found.add(key)
        except NotFound:
            pass
    return found


def listed(uow, reader, items, filters=None, limit=3):
    """Every page of the list, walked with the cursor."""
    ids, after = [], None
    while True:
        page = reading.list_items(uow.session, reader, filters or {}, limit, after)
        assert len(page["items"]) == limit or page["next"] is None  # the query filters: pages are full
        ids += [item["id"] for item in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert ids == sorted(ids, reverse=True)  # newest first
    by_id = {item_id: key for key, item_id in items.items()}
    return {by_id[i] for i in ids}


@pytest.mark.parametrize("who", EXPECTED)
def test_get_and_list_agree_with_the_audience_rules(uow, items, who):
    reader, expected = EXPECTED[who]
    assert readable(uow, reader, items) == expected
    # the list shows current versions; the superseded one with status=corrected
    assert listed(uow, reader, items) == expected - {"v01-old"}
    assert listed(uow, reader, items, {"status": "corrected"}) == expected & {"v01-old"}


def test_the_unit_and_the_county_office_see_the_trail_others_do_not(uow, items):
    item_id = items["v01-society"]
    for reader in (operator_of("V01"), reviewer_of("V01"), INSPECTOR):
        view = reading.get_item(uow.session, reader, item_id)
        assert view["author"] == "op-v01" and len(view["trail"]) == 5
    for reader in (None, member_of("V01"), operator_of("V02")):
        view = reading.get_item(uow.session, reader, item_id)
        assert "author" not in view and "trail" not in view and view["status"] == "published"
        assert view["attachments"] == []


def test_versions_show_each_version_as_the_reader_may_see_it(uow, items):
    uow_item = items["v01-new"]
    assert [v["status"] for v in reading.versions(uow.session, None, uow_item)] == ["corrected", "published"]
    draft_correction = workflow.correct(uow, operator_of("V01"), uow_item, {"title": "再更正"})["id"]
    uow.commit()
    assert [v["version"] for v in reading.versions(uow.session, None, uow_item)] == [1, 2]
    assert [v["version"] for v in reading.versions(uow.session, operator_of("V01"), uow_item)] == [1, 2, 3]
    with pytest.raises(NotFound):
        reading.versions(uow.session, None, draft_correction)
    with pytest.raises(NotFound):
        reading.versions(uow.session, None, 424242)


def test_the_list_filters_by_unit_title_status_audience_and_year(uow, items):
    inspector = INSPECTOR
    assert listed(uow, inspector, items, {"unit": "T01"}) == {"t01-party", "t01-unit", "t01-specific"}
    assert listed(uow, inspector, items, {"q": "更正"}) == {"v01-new"}
    assert listed(uow, inspector, items, {"q": "%"}) == set()  # a wildcard is just a character
    assert listed(uow, inspector, items, {"status": "withdrawn"}) == {"v01-withdrawn"}
    assert listed(uow, None, items, {"audience": "party"}) == set()
    assert listed(uow, member_of("V01"), items, {"audience": "party"}) == {"v01-party", "t01-party"}
    year = reading.get_item(uow.session, None, items["v01-society"])["published_at"][:4]
    this_year = listed(uow, inspector, items, {"year": int(year)})
    assert "v01-draft" not in this_year and "v01-society" in this_year
    assert listed(uow, inspector, items, {"year": int(year) - 1}) == set()
    for bad in ({"status": "lost"}, {"audience": "all"}, {"colour": "red"}, {"year": "soon"}):
        with pytest.raises(InvalidInput):
            reading.list_items(uow.session, None, bad)
    with pytest.raises(InvalidInput, match="limit"):
        reading.list_items(uow.session, None, {}, 0)
