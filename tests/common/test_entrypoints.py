"""The one entrypoint path (services.common.entrypoints): the Actor decoded where a call
enters, a command's unit of work committed once, a refusal rolled back (or kept, where a
refusal must stick), an integrity error answered as a Conflict."""
from __future__ import annotations

import inspect
from unittest import mock

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy.exc import IntegrityError

from services.common.actor import Actor
from services.common.database import Database
from services.common.entrypoints import command, query
from services.common.errors import Conflict, Forbidden, InvalidInput

OFFICE = {"username": "office", "role": "inspector", "unit": None}


class Sample:
    name = "sample"
    db = Database()

    @command
    def change(self, actor: Actor, value: int) -> dict:
        self.db.session.add(value)
        if value < 0:
            raise Forbidden("no")
        if value == 0:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: x.code"))
        return {"by": actor, "value": value}

    @command(keep_refused=True)
    def sign_in(self, username: str) -> None:
        self.db.session.add(username)
        raise Forbidden("wrong password")

    @query
    def read(self, actor: Actor | None, what: str) -> dict:
        return {"by": actor, "what": what}

    @command(then=lambda service: service.woken.append(True))
    def wake(self) -> str:
        return "done"


def test_a_command_gets_the_actor_decoded_and_commits_once():
    service = worker_factory(Sample)
    answer = service.change(OFFICE, 3)
    assert answer == {"by": Actor("office", "inspector"), "value": 3}
    service.db.__enter__.assert_called_once()
    exit_args = service.db.__exit__.call_args.args
    assert exit_args[0] is None  # the block ended without an error: the unit of work commits


def test_a_refused_command_rolls_back_and_an_integrity_error_is_a_conflict():
    service = worker_factory(Sample)
    with pytest.raises(Forbidden):
        service.change(OFFICE, -1)
    assert service.db.__exit__.call_args.args[0] is Forbidden
    with pytest.raises(Conflict) as refused:
        service.change(OFFICE, 0)
    assert refused.value.status == 409 and "UNIQUE" in refused.value.details["constraint"]


def test_a_refusal_that_must_stick_is_committed():
    service = worker_factory(Sample)
    with pytest.raises(Forbidden):
        service.sign_in("op-a001")
    service.db.commit.assert_called_once()


def test_a_malformed_or_missing_actor_is_refused_before_the_rule_runs():
    service = worker_factory(Sample)
    for bad in (None, {"username": "x", "role": "emperor"}, {"role": "operator"}, "office"):
        with pytest.raises(InvalidInput):
            service.change(bad, 1)
    service.db.session.add.assert_not_called()


def test_a_query_may_be_made_by_the_public_and_commits_nothing():
    service = worker_factory(Sample)
    assert service.read(None, "items") == {"by": None, "what": "items"}
    assert service.read(OFFICE, "items")["by"] == Actor("office", "inspector")
    service.db.__enter__.assert_not_called()


def test_then_runs_after_the_commit():
    service = worker_factory(Sample)
    service.woken = []
    with mock.patch.object(service.db, "__exit__", side_effect=lambda *a: service.woken.append("committed")):
        assert service.wake() == "done"
    assert service.woken == ["committed", True]


def test_nameko_checks_a_call_against_the_rules_own_signature():
    assert list(inspect.signature(Sample.change).parameters) == ["self", "actor", "value"]
    with pytest.raises(TypeError):
        inspect.getcallargs(Sample.change, None, OFFICE)  # a value missing: IncorrectSignature in nameko
