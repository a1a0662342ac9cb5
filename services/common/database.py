"""The database dependency of a service (`db = Database()` in services.common.base): one
engine per service, a unit of work per worker (services.common.db), and the two workers that
live on the same database, the outbox relay (when the service produces events) and the inbox
retrier (when it consumes them)."""
from __future__ import annotations

import weakref

from sqlalchemy.orm import sessionmaker

from . import crypto, tracing
from .config import database_url
from .contract import CATALOGUE, SUBSCRIPTIONS
from .db import UnitOfWork, UnitOfWorkProvider, make_engine
from .inbox import Inbox
from .metrics import watch_database
from .outbox import OutboxRelay


class Database(UnitOfWorkProvider):
    """The service's own database, named by its service in config DATABASES.

    It also runs the service's outbox relay (when the service produces events) and its
    inbox retrier (when it consumes them), since both live on this database.
    """

    def setup(self) -> None:
        config = self.container.config
        self.service_name = self.container.service_name
        crypto.check()  # the data keys load and this host offers their cipher, or the service does not start
        self.engine = make_engine(database_url(config, self.service_name),
                                  int(config.get("DATABASE_POOL_SIZE", 5)))
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self._units: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        produces = any(e.producer == self.service_name for e in CATALOGUE.values())
        relay_enabled = bool(config.get("EVENTS", {}).get("RELAY_ENABLED", True))
        self.relay = (OutboxRelay(self.service_name, self.sessionmaker, config)
                      if produces and relay_enabled else None)
        self.inbox = Inbox(self.service_name, self.sessionmaker, config)
        self._unwatch = watch_database(self.service_name, self.sessionmaker)

    def start(self) -> None:
        if self.relay is not None:
            self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")
        if self.service_name in SUBSCRIPTIONS:
            self.container.spawn_managed_thread(self.inbox.run_retries, identifier="inbox-retrier")

    def stop(self) -> None:
        if self.relay is not None:
            self.relay.stop()
        self.inbox.stop()
        self._unwatch()
        self.engine.dispose()

    kill = stop

    def outbox_committed(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    def get_dependency(self, worker_ctx) -> UnitOfWork:
        correlation_id = (worker_ctx.data.get("correlation_id")
                          or (worker_ctx.call_id_stack or [worker_ctx.call_id])[0])
        managed = getattr(worker_ctx.entrypoint, "manages_transaction", False)
        uow = UnitOfWork(self.sessionmaker, str(correlation_id), managed, self.outbox_committed, self.inbox,
                         tracing.child(worker_ctx.data.get(tracing.HEADER))
                         if worker_ctx.data.get(tracing.HEADER) else None)
        self._units[worker_ctx] = uow
        return uow

    def unit_of_work(self, worker_ctx) -> UnitOfWork:
        return self._units[worker_ctx]

    def worker_teardown(self, worker_ctx) -> None:
        uow = self._units.pop(worker_ctx, None)
        if uow is not None:
            uow.close()
