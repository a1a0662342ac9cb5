"""The one way a call enters a service: an RPC entrypoint that is a `command` (it changes
something) or a `query` (it reads).

Both decode the caller once, where the call enters: a parameter annotated `Actor` arrives as
the gateway's plain dict and reaches the entrypoint as the frozen `Actor` (or None, when it is
annotated `Actor | None` and the caller named nobody: the public). A command runs in the
service's unit of work and commits once, when it returns; if it raises, nothing it did is
kept. A constraint the rules did not foresee (two requests registering the same code at
once, say) comes back as a typed Conflict (409), not as a database error::

    @command
    def create_item(self, actor: Actor, data: dict) -> dict:
        return workflow.create_item(self.db, actor, data)

so a service.py stays wiring: which rule answers which call.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

from sqlalchemy.exc import IntegrityError

from .actor import Actor
from .errors import DOMAIN_ERRORS, Conflict
from .rpc import rpc

F = TypeVar("F", bound=Callable[..., Any])

CONFLICT_MESSAGE = "这项更改与已有数据冲突（可能有人同时提交了相同的更改）：请刷新后核对，再重试。"


def decode_actor(raw: Any, optional: bool) -> Actor | None:
    """The Actor a call names; None only where the public may call and nobody is named."""
    if raw is None and optional:
        return None
    return Actor.of(raw)


def committed(uow: Any, work: Callable[[], Any], keep_refused: bool = False) -> Any:
    """`work()` in the unit of work, committed once when it returns; an integrity error is a
    Conflict. With `keep_refused`, what a refusal (a DomainError) wrote is committed too: a
    wrong password's count must stick although the sign-in is refused."""
    try:
        with uow:
            try:
                return work()
            except DOMAIN_ERRORS:
                if keep_refused:
                    uow.commit()
                raise
    except IntegrityError as exc:
        raise Conflict(CONFLICT_MESSAGE, {"constraint": str(exc.orig)[:200]}) from None


def _actor_parameter(signature: inspect.Signature) -> tuple[str | None, bool]:
    """The parameter annotated Actor (annotations are text here: `from __future__ import
    annotations`), and whether it may be None."""
    for name, parameter in signature.parameters.items():
        if parameter.annotation is Actor:
            return name, False
        annotation = str(parameter.annotation)
        if annotation.split(" | ")[0] in ("Actor", "services.common.actor.Actor"):
            return name, "None" in annotation
    return None, False


def _entrypoint(fn: F, writes: bool, keep_refused: bool = False,
                then: Callable[[Any], None] | None = None) -> F:
    signature = inspect.signature(fn)
    takes_actor, optional = _actor_parameter(signature)

    @functools.wraps(fn)
    def entrypoint(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        if takes_actor is not None:
            bound.arguments[takes_actor] = decode_actor(bound.arguments.get(takes_actor), optional)
        if not writes:
            return fn(*bound.args, **bound.kwargs)
        result = committed(self.db, lambda: fn(*bound.args, **bound.kwargs), keep_refused)
        if then is not None:
            then(self)
        return result

    # nameko checks a call's arguments against the entrypoint's signature: keep the rule's own
    entrypoint.__signature__ = signature  # type: ignore[attr-defined]
    entrypoint.writes = writes  # type: ignore[attr-defined]
    return rpc(expected_exceptions=DOMAIN_ERRORS)(entrypoint)


def command(fn: F | None = None, *, keep_refused: bool = False, then: Callable[[Any], None] | None = None) -> Any:
    """An RPC that changes something: its Actor decoded, its unit of work committed once
    (`@command`; `@command(keep_refused=True)` keeps what a refusal wrote; `then(service)`
    runs once the change is committed, to wake a worker that acts on it)."""
    if fn is None:
        return lambda f: _entrypoint(f, writes=True, keep_refused=keep_refused, then=then)
    return _entrypoint(fn, writes=True)


def query(fn: F) -> F:
    """An RPC that only reads: its Actor decoded, nothing committed."""
    return _entrypoint(fn, writes=False)
