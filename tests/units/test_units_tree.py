"""The county tree: subtree and ancestors, move, merge and dissolve, without a broker."""
import pytest

from services.common.errors import Conflict, InvalidInput
from services.units import directory, tree
from tests.units.units_fixtures import emitted, last_outbox_id, register_sample


@pytest.fixture
def uow(uow_factory):
    return register_sample(uow_factory("units"))


def codes(units):
    return [u["code"] for u in units]


def test_subtree_children_and_ancestors(uow):
    town = "T01"
    below = tree.subtree(uow.session, town)
    assert below[0]["code"] == town and len(below) > 1
    assert all(u["parent_code"] in {town} | set(codes(below)) for u in below[1:])
    village = next(u for u in below if u["sector"] == "village")["code"]
    assert codes(tree.ancestors(uow.session, village))[-1] == "C000"
    assert set(codes(tree.children(uow.session, town))) < set(codes(below))
    listed = directory.list_units(uow.session, town=town, limit=200)["items"]
    assert codes(listed) == sorted(codes(below))


def test_a_move_that_would_make_a_cycle_is_refused(uow):
    village = tree.children(uow.session, "T01")[0]["code"]
    with pytest.raises(Conflict, match="below itself"):
        tree.move(uow, "admin", "T01", village)
    with pytest.raises(Conflict, match="below itself"):
        tree.move(uow, "admin", "T01", "T01")


def test_a_move_carries_the_new_state_with_a_higher_revision(uow):
    village = tree.children(uow.session, "T01")[0]["code"]
    before = last_outbox_id(uow)
    tree.move(uow, "admin", village, "T02")
    uow.commit()
    ((kind, payload),) = emitted(uow, before)
    assert kind == "UnitMoved" and payload["from_parent_code"] == "T01" and payload["to_parent_code"] == "T02"
    assert payload["unit"]["parent_code"] == "T02" and payload["unit"]["revision"] == 2


def test_merge_moves_the_children_and_closes_the_unit(uow):
    children = codes(tree.children(uow.session, "T01"))
    before = last_outbox_id(uow)
    merged = tree.merge(uow, "admin", "T01", "T02")
    uow.commit()
    assert merged["status"] == "merged"
    assert set(children) <= set(codes(tree.children(uow.session, "T02")))
    events = emitted(uow, before)
    assert [k for k, _ in events].count("UnitMoved") == len(children)
    merged_event = next(p for k, p in events if k == "UnitMerged")
    assert merged_event["into_code"] == "T02" and sorted(merged_event["children_moved"]) == sorted(children)
    assert merged_event["unit"]["merged_into"] == "T02" and merged_event["unit"]["officials"] == []
    assert "OfficialRemoved" in [k for k, _ in events]
    with pytest.raises(Conflict, match="merged"):
        tree.move(uow, "admin", "T01", "C000")


def test_merging_into_a_unit_below_is_refused(uow):
    village = tree.children(uow.session, "T01")[0]["code"]
    with pytest.raises(Conflict, match="below"):
        tree.merge(uow, "admin", "T01", village)
    with pytest.raises(InvalidInput):
        tree.merge(uow, "admin", "T01", "T01")


def test_dissolve_needs_a_reason_and_no_active_children(uow):
    with pytest.raises(Conflict, match="active unit"):
        tree.dissolve(uow, "admin", "T01", "撤并")
    village = tree.children(uow.session, "T01")[0]["code"]
    with pytest.raises(InvalidInput, match="reason"):
        tree.dissolve(uow, "admin", village, " ")
    before = last_outbox_id(uow)
    assert tree.dissolve(uow, "admin", village, "村改居撤销")["status"] == "dissolved"
    uow.commit()
    kinds = [k for k, _ in emitted(uow, before)]
    assert kinds[-1] == "UnitDissolved"
    assert directory.list_units(uow.session, status="dissolved")["items"][0]["code"] == village
