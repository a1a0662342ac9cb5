"""Public reads without an RPC: what anonymous callers (the public) see of items, units and
the catalogue, kept in each gateway process and answered with an ETag (304 when unchanged).

What it holds: only the answers the services gave an anonymous caller (so only what the
public may see: published society-scope items, the directory without officials' contacts,
the catalogue in force). Nothing durable: it is memory, warmed from RPC when the gateway
starts and refilled from RPC on a miss.

How it stays fresh: every gateway process has its own exclusive queue on the events exchange
(gone with the process), bound to the events that change what it serves. An event drops
every answer of its area at once (gateway/readmodel_areas.py lists the areas and the events
that drop each: items, units, reports, public answers, plans). A fill that raced an event is not
kept (each area has a generation, and an answer fetched under an older one is discarded).
Events missed while the broker was away are covered by a bound on age: no answer is older
than GATEWAY.READ_MODEL_TTL_SECONDS (30 by default). So a withdrawn item leaves public reads
within the event's delivery (well under a second on one machine; tests/gateway/api/test_readmodel.py
holds it to 5 s), and in every case within READ_MODEL_TTL_SECONDS. The catalogue emits no
events: its answers live READ_MODEL_TTL_SECONDS.

The public pages (gateway/pages) call the public_* functions at the bottom with the route's
service (`self`); they return the services' dicts, shared between callers: read, do not change.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
import uuid
from typing import Any, Callable

from kombu import Queue, binding
from nameko.extensions import DependencyProvider
from nameko.messaging import consume
from werkzeug.wrappers import Request, Response

from services.common.timers import timer
from services.common.topology import events_exchange

from . import params, queries
from .http import page
from .readmodel_areas import (ALL_AREAS, ANSWERS, AREAS_CHANGED_BY, AREAS_OF, CATALOGUE, ITEMS,  # noqa: F401
                              PAGE_KEYED_BY, PLANS, REPORTS, UNITS)

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 30.0
MAX_ENTRIES = 5000
DIRECTORY_PAGE = 1000


class Answer:
    __slots__ = ("value", "body", "etag", "generation", "expires")

    def __init__(self, value: Any, generation: int, expires: float):
        self.value, self.generation, self.expires = value, generation, expires
        self.body = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self.etag = '"' + hashlib.blake2b(self.body, digest_size=12).hexdigest() + '"'


class ReadModel:
    """Answers by area and key, dropped by events and by age."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.clock = ttl, clock
        self.generations = {area: 0 for area in ALL_AREAS}
        self.answers: dict[tuple[str, str], Answer] = {}
        self.hits = self.misses = 0
        self._lock = threading.Lock()

    def read(self, area: str, key: str, fetch: Callable[[], Any]) -> Answer:
        answer = self.answers.get((area, key))
        if answer is not None and answer.generation == self.generations[area] and self.clock() < answer.expires:
            self.hits += 1
            return answer
        self.misses += 1
        generation = self.generations[area]
        answer = Answer(fetch(), generation, self.clock() + self.ttl)
        with self._lock:
            if self.generations[area] == generation:  # no event arrived while fetching
                if len(self.answers) >= MAX_ENTRIES:
                    self.answers.clear()
                self.answers[(area, key)] = answer
        return answer

    def drop(self, *areas: str) -> None:
        with self._lock:
            for area in areas:
                self.generations[area] += 1
            for key in [k for k in self.answers if k[0] in areas]:
                del self.answers[key]

    def on_event(self, event_type: str | None) -> None:
        areas = AREAS_OF.get(event_type or "")
        if areas:
            self.drop(*areas)


def key_of(*parts: Any) -> str:
    return json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)


def conditional(request: Request, body: bytes, etag: str | None = None, public: bool = False) -> Response:
    """A JSON answer with its ETag; 304 without a body when the caller already holds it."""
    etag = etag or '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "public, no-cache" if public else "private, no-cache",
               "Vary": "Authorization"}
    given = request.headers.get("If-None-Match", "")
    if given and (given.strip() == "*" or etag in {t.strip().removeprefix("W/") for t in given.split(",")}):
        return Response(status=304, headers=headers)
    return Response(body, status=200, mimetype="application/json", headers=headers)


def json_conditional(request: Request, payload: Any) -> Response:
    """A signed-in caller's answer (fetched by RPC as before), with an ETag all the same."""
    return conditional(request, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


class PublicReads(DependencyProvider):
    """The process's one ReadModel."""

    def setup(self) -> None:
        gateway = self.container.config.get("GATEWAY") or {}
        self.model = ReadModel(float(gateway.get("READ_MODEL_TTL_SECONDS", DEFAULT_TTL_SECONDS)))

    def get_dependency(self, worker_ctx) -> ReadModel:
        return self.model

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:
        entrypoint = worker_ctx.entrypoint
        method, url = getattr(entrypoint, "method", "GET"), getattr(entrypoint, "url", "")
        if method == "GET" or not url:
            return
        for prefix, areas in AREAS_CHANGED_BY:
            if url.startswith(prefix):
                self.model.drop(*areas)


# one queue per gateway process: every replica hears every event (fan-out), and the queue
# goes with the process (exclusive, auto-delete), so nothing of it is durable; a process forked
# from one that imported this module (a pre-forking server) names its own
PROCESS_QUEUE = Queue("", exclusive=True, auto_delete=True, durable=False,
                      bindings=[binding(events_exchange, routing_key=f"*.{t}") for t in AREAS_OF])


def _name_process_queue() -> None:
    PROCESS_QUEUE.name = f"gongkai.gateway.readmodel.{uuid.uuid4().hex[:12]}"


_name_process_queue()
os.register_at_fork(after_in_child=_name_process_queue)


class ReadModelEvents:
    """Mixed into the gateway: the read model, the events that keep it and its warm-up."""

    reads = PublicReads()

    @consume(PROCESS_QUEUE, requeue_on_error=False)
    def read_model_event(self, body: Any) -> None:
        event_type = body.get("type") if isinstance(body, dict) else None
        self.reads.on_event(event_type)

    @timer(interval=DEFAULT_TTL_SECONDS, eager=True)
    def warm_read_model(self) -> None:
        """Fill the first pages the public opens most, before anyone asks (and again as they age)."""
        try:
            public_items(self, params.load_query(queries.ItemList(), {}))
            public_units(self, params.load_query(queries.UnitList(), {}))
            public_catalogue(self, params.load_query(queries.CatalogueList(), {}))
            public_directory(self)
        except Exception:  # services not up yet: the first readers fill it instead
            log.info("the public read model could not be warmed yet; it fills on the first reads")


# --- what the routes and the public pages call ------------------------------------------------
def _same(value: Any) -> Any:
    return value


def _listed(value: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": value}


def _answer(service, area: str, key: str, fetch: Callable[[], Any], shape: Callable[[Any], Any] = _same) -> Answer:
    return service.reads.read(area, key, lambda: shape(fetch()))


def items_answer(service, query: dict[str, Any], after: int | None) -> Answer:
    from_filters = params.filters(query)
    return _answer(service, ITEMS, key_of("list", from_filters, query["limit"], after),
                   lambda: service.disclosure.list_items(None, from_filters, query["limit"], after), shape=page)


def item_answer(service, item_id: int) -> Answer:
    return _answer(service, ITEMS, key_of("one", item_id), lambda: service.disclosure.get_item(None, item_id))


def units_answer(service, query: dict[str, Any], after: Any) -> Answer:
    from_filters = params.filters(query)
    return _answer(service, UNITS, key_of("list", from_filters, query["limit"], after),
                   lambda: service.units.list_units(**from_filters, limit=query["limit"], after=after), shape=page)


def unit_answer(service, code: str) -> Answer:
    return _answer(service, UNITS, key_of("one", code), lambda: service.units.get_unit(code, False))


def directory_answer(service) -> Answer:
    """Every active unit, the portal's directory (home, towns, unit search): fetched whole, a
    DIRECTORY_PAGE at a time, once per change of the registry or READ_MODEL_TTL_SECONDS."""
    def fetch() -> list[dict[str, Any]]:
        units: list[dict[str, Any]] = []
        after = None
        while True:
            answer = service.units.list_units(status="active", limit=DIRECTORY_PAGE, after=after)
            units.extend(answer["items"])
            after = answer.get("next")
            if not after:
                return units
    return _answer(service, UNITS, key_of("directory"), fetch)


def record_answer(service, period: str) -> Answer:
    """公开榜's figures for a period, as of when they were fetched: kept until an item event
    (a publication fulfils an obligation) or READ_MODEL_TTL_SECONDS, so 3,000 units cost one RPC."""
    return _answer(service, ITEMS, key_of("record", period), lambda: service.supervision.public_record(period))


def catalogue_answer(service, query: dict[str, Any]) -> Answer:
    from_filters = params.filters(query)
    return _answer(service, CATALOGUE, key_of("list", from_filters),
                   lambda: service.disclosure.list_catalogue(from_filters), shape=_listed)


def answers_answer(service, filters: dict[str, Any], limit: int, after: int | None) -> Answer:
    """The public answers (公开答复) under a unit or an item, as feedback's public_answers gives them."""
    return _answer(service, ANSWERS, key_of("list", filters, limit, after),
                   lambda: service.feedback.public_answers(filters, limit, after), shape=page)


def public_answers(service, filters: dict[str, Any], limit: int = 20) -> dict[str, Any]:
    """{items, next_cursor}: the first page of the public answers under a unit or an item."""
    return answers_answer(service, filters, limit, None).value


def public_plan(service, plan_id: int) -> dict[str, Any]:
    """A plan past its draft as the public reads it (a NotFound for a draft or an unknown id)."""
    return _answer(service, PLANS, key_of("one", plan_id), lambda: service.disclosure.get_plan(None, plan_id)).value


def catalogue_entry_answer(service, code: str) -> Answer:
    return _answer(service, CATALOGUE, key_of("one", code), lambda: service.disclosure.get_catalogue_entry(code))


def public_reports(service) -> list[dict[str, Any]]:
    """The issued and published reports, as the public lists them (no figures, no text)."""
    return _answer(service, REPORTS, key_of("list"), lambda: service.supervision.list_reports(None)).value


def public_report(service, report_id: int) -> dict[str, Any]:
    """One issued and published report as the public reads it (a NotFound for any other)."""
    return _answer(service, REPORTS, key_of("one", report_id),
                   lambda: service.supervision.get_report(None, report_id)).value


def public_items(service, query: dict[str, Any], after: int | None = None) -> dict[str, Any]:
    """A page of the published society-scope items ({items, next_cursor}), as GET /api/v1/items
    answers the public; `query` is loaded by queries.ItemList, `after` the decoded cursor."""
    return items_answer(service, query, after).value


def public_item(service, item_id: int) -> dict[str, Any]:
    return item_answer(service, item_id).value


def public_units(service, query: dict[str, Any], after: Any = None) -> dict[str, Any]:
    return units_answer(service, query, after).value


def public_unit(service, code: str) -> dict[str, Any]:
    """A unit as the public sees it (no officials' contacts)."""
    return unit_answer(service, code).value


def public_directory(service) -> list[dict[str, Any]]:
    """Every active unit as the public directory shows it, in code order."""
    return directory_answer(service).value


def public_record(service, period: str) -> dict[str, Any]:
    """{period, as_of, min_obligations, min_feedback, units}: supervision's public_record."""
    return record_answer(service, period).value


def public_catalogue(service, query: dict[str, Any]) -> dict[str, Any]:
    """{items}: the catalogue entries in force, as GET /api/v1/catalogue answers."""
    return catalogue_answer(service, query).value
