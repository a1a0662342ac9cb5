"""notify's running parts as one nameko dependency: the rules in force, the sender (woken
when a handler's transaction commits, polling as a safety net), and the digest pass."""
from __future__ import annotations

import logging
from typing import Any

import eventlet
import sqlalchemy as sa
from nameko.extensions import DependencyProvider

from services.common.database import Database
from services.common.db import UnitOfWork
from services.common.records import utcnow

from . import planner
from .rules import Rules
from .sender import Sender

log = logging.getLogger(__name__)


class Engine:
    def __init__(self, rules: Rules, sender: Sender, settings: dict[str, Any]) -> None:
        self.rules, self.sender, self.settings = rules, sender, settings

    def wake_on_commit(self, session) -> None:
        """Send what this transaction queues as soon as it commits."""
        sa.event.listen(session, "after_commit", lambda _session: self.sender.wake(), once=True)


class NotifyEngine(DependencyProvider):
    def setup(self) -> None:
        config = self.container.config
        self.settings = dict(config.get("NOTIFY") or {})
        self.rules = Rules(self.settings.get("RULES_PATH") or None)  # a broken rules file stops the start
        self.database = next(dep for dep in self.container.extensions if isinstance(dep, Database))
        self.sender: Sender | None = None
        self._running = False

    def start(self) -> None:
        """After every setup: the database dependency has its engine by now."""
        self.sender = Sender(self.database.sessionmaker, self.container.config, self.database.outbox_committed)
        self._running = True
        self.container.spawn_managed_thread(self.sender.run, identifier="notify-sender")
        self.container.spawn_managed_thread(self._digests, identifier="notify-digest")

    def stop(self) -> None:
        self._running = False
        if self.sender is not None:
            self.sender.stop()

    kill = stop

    def _digests(self) -> None:
        every = float(self.settings.get("DIGEST_CHECK_SECONDS", 60))
        while self._running:
            try:
                uow = UnitOfWork(self.database.sessionmaker, "digest", on_outbox_commit=self.database.outbox_committed)
                try:
                    if planner.bundle_digests(uow.session, utcnow(), self.settings):
                        uow.commit()
                        self.sender.wake()
                    else:
                        uow.rollback()
                finally:
                    uow.close()
            except Exception:
                log.exception("the digest pass failed")
            eventlet.sleep(every)

    def get_dependency(self, worker_ctx) -> Engine:
        return Engine(self.rules, self.sender, self.settings)
