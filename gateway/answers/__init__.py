"""What each route answers, for the OpenAPI document: one marshmallow schema per JSON
operation (route × method), by area like the policy table. A JSON route without a row here
makes the document fail to build, so a new route says what it answers."""
from __future__ import annotations

from marshmallow import Schema

from . import disclosure, draws, feedback, learning, others, units

FAILURES: dict[tuple[str, str], dict[str, type[Schema]]] = {
    ("GET", "/readyz"): {"503": others.Readiness},  # not ready: the same report, saying what is not
}
ANSWERS: dict[tuple[str, str], type[Schema]] = {**units.ANSWERS, **disclosure.ANSWERS, **feedback.ANSWERS,
                                                **draws.ANSWERS, **learning.ANSWERS, **others.ANSWERS}


def answer_of(method: str, rule: str) -> type[Schema]:
    try:
        return ANSWERS[(method, rule)]
    except KeyError:
        raise LookupError(f"{method} {rule} answers JSON but gateway/answers has no schema for it") from None
