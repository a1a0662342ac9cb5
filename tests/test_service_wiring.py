"""Each service.py is wiring: which rule module answers which call, with the Actor decoded and
the unit of work committed by the one entrypoint path. Checked with nameko's worker_factory
(every dependency a mock), so no broker or database is needed."""
from __future__ import annotations

from unittest import mock

import pytest
from nameko.rpc import Rpc
from nameko.testing.services import worker_factory

from services.common.actor import Actor
from services.common.errors import Forbidden
from services.disclosure import service as disclosure
from services.feedback import service as feedback
from services.notify import service as notify
from services.supervision import service as supervision
from services.units import service as units

OPERATOR = {"username": "op-a001", "role": "operator", "unit": "A001"}
OFFICE = {"username": "office", "role": "inspector", "unit": None}
SERVICES = (disclosure.DisclosureService, feedback.FeedbackService, notify.NotifyService,
            supervision.SupervisionService, units.UnitsService)


def committed(service) -> bool:
    """The entrypoint ran in the unit of work and it ended without an error (so it committed)."""
    return service.db.__enter__.called and service.db.__exit__.call_args.args[0] is None


@pytest.mark.parametrize("cls", SERVICES, ids=lambda c: c.name)
def test_every_rpc_of_the_service_is_a_command_or_a_query(cls):
    rpcs = [name for name, fn in vars(cls).items()
            if any(isinstance(e, Rpc) for e in getattr(fn, "nameko_entrypoints", ()))]
    undeclared = [name for name in rpcs if not hasattr(getattr(cls, name), "writes")]
    assert rpcs and not undeclared, f"{undeclared}: declare them with @command or @query"


def test_disclosure_creates_an_item_through_the_workflow_and_commits():
    service = worker_factory(disclosure.DisclosureService)
    with mock.patch.object(disclosure.workflow, "create_item", return_value={"id": 7}) as create:
        assert service.create_item(OPERATOR, {"title": "x"}) == {"id": 7}
    create.assert_called_once_with(service.db, Actor("op-a001", "operator", "A001"), {"title": "x"})
    assert committed(service)


def test_disclosure_reads_an_item_for_the_public_without_a_commit():
    service = worker_factory(disclosure.DisclosureService)
    with mock.patch.object(disclosure.reading, "get_item", return_value={"id": 7, "actions": []}) as get:
        assert service.get_item(None, 7)["actions"] == []
    get.assert_called_once_with(service.db.session, None, 7)
    service.db.__enter__.assert_not_called()


def test_feedback_acts_then_answers_with_the_detail_the_actor_sees():
    service = worker_factory(feedback.FeedbackService)
    with mock.patch.object(feedback.handling, "act") as act, \
            mock.patch.object(feedback.views, "detail", return_value={"id": 3, "actions": ["answer"]}) as detail:
        assert service.act(OPERATOR, 3, "accept", {}) == {"id": 3, "actions": ["answer"]}
    who = Actor("op-a001", "operator", "A001")
    act.assert_called_once_with(service.db, who, 3, "accept", {}, service.settings)
    detail.assert_called_once_with(service.db.session, who, 3, service.settings)
    assert committed(service)


def test_supervision_scores_wait_for_the_backfill_and_follow_the_visibility_rule():
    service = worker_factory(supervision.SupervisionService)
    with mock.patch.object(supervision.backfill, "require_ready") as ready, \
            mock.patch.object(supervision.scores, "visible_scores", return_value={"units": []}) as visible:
        assert service.scores(OPERATOR, "2026-03") == {"units": []}
    ready.assert_called_once_with(service.db)
    assert visible.call_args.args[1] == Actor("op-a001", "operator", "A001")


def test_notify_wakes_the_sender_once_an_enabled_webhook_is_committed():
    service = worker_factory(notify.NotifyService)
    order = []
    service.db.__exit__.side_effect = lambda *a: order.append("commit")
    service.engine.sender.wake.side_effect = lambda: order.append("wake")
    with mock.patch.object(notify.webhooks, "enable", return_value={"id": 1, "enabled": True}):
        assert service.enable_webhook(OFFICE, 1)["enabled"]
    assert order == ["commit", "wake"]


def test_units_keeps_a_wrong_passwords_count_although_the_sign_in_is_refused():
    service = worker_factory(units.UnitsService)
    with mock.patch.object(units.sessions, "login", side_effect=Forbidden("wrong")):
        with pytest.raises(Forbidden):
            service.login("op-a001", "bad")
    service.db.commit.assert_called_once()


def test_units_registers_a_unit_and_answers_with_its_directory_entry():
    service = worker_factory(units.UnitsService)
    with mock.patch.object(units.registry, "create_unit") as create, \
            mock.patch.object(units.directory, "get_unit", return_value={"code": "A009"}) as get:
        assert service.create_unit({"username": "admin", "role": "admin"}, {"code": "A009"}) == {"code": "A009"}
    create.assert_called_once_with(service.db, "admin", {"code": "A009"})
    get.assert_called_once_with(service.db.session, "A009")
    assert committed(service)
