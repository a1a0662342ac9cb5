"""One way for a test module to run the county: every service and the gateway as separate
processes (as docker-compose runs them) on a throw-away RabbitMQ vhost, SQLite databases copied
from the session's migrated templates, a real SMTP sink, the sample county loaded and every
service's copy of it arrived before the first test.

    @pytest.fixture(scope="module")
    def county(tmp_path_factory, sqlite_templates):
        with running_county(tmp_path_factory.mktemp("notify"), sqlite_templates,
                            env={"NOTIFY_QUIET_HOURS": ""}) as running:
            yield running

`running.api`, `.urls` (alias `.db`), `.cluster`, `.mail` (the Maildir's new/), `.mailbox`
(a MailSink), `.env`, `.amqp_uri` and `.began_on` (the county's day as the loaders ran: nothing of
the sample county existed before it), read as attributes or as keys.
"""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import SimpleNamespace

import requests

from services.common.config import ROOT
from services.common.workdays import county_date, county_today
from tests.conftest import copy_templates, scalar, smtp_sink, wait_for
from tests import forkserver
from tests.processes import MODULES, Cluster, base_env, temporary_vhost

SAMPLE = "services.units.load_sample"
DEMO_ACCOUNTS = "services.units.demo_accounts"
SAMPLE_UNITS = 121

# each service's copy of the registry, and how many rows it holds once the sample county arrived
COPIES = {
    "disclosure": "SELECT count(*) FROM unit_copies",
    "feedback": "SELECT count(*) FROM targets WHERE kind = 'unit'",
    "notify": "SELECT count(*) FROM known_units",
    "supervision": "SELECT count(*) FROM unit_copies",
}


class Running(SimpleNamespace):
    """A running county, read as `running.api` or `running["api"]`."""

    def __getitem__(self, key: str):
        return getattr(self, key)

    def __setitem__(self, key: str, value) -> None:
        setattr(self, key, value)


@contextlib.contextmanager
def running_county(tmp: Path, templates: Mapping[str, Path], *, env: Mapping[str, str] | None = None,
                   loaders: Iterable[str] = (SAMPLE,), public_base_url: bool = False) -> Iterator[Running]:
    """The county running in `tmp`: `env` is added to every process's environment, `loaders`
    run (in order) before the services start; with `public_base_url` the gateway knows its own
    address as PUBLIC_BASE_URL (the QR codes' target). Stopped, logs printed, on the way out."""
    loaders = tuple(loaders)
    began_on = county_today()  # the test process's clock is the services' (the run's offset)
    urls = copy_templates(tmp, templates)
    with smtp_sink(tmp / "mail") as mailbox, temporary_vhost() as amqp_uri:
        cluster = Cluster({**base_env(amqp_uri, urls, mailbox.port), **(env or {})}, tmp)
        try:
            for loader in loaders:
                forkserver.run([sys.executable, "-m", loader], cluster.env, ROOT, list(MODULES.values()))
            api = cluster.start_everything(public_base_url=public_base_url)
            if SAMPLE in loaders:
                for service, sql in COPIES.items():
                    wait_for(lambda url=urls[service], sql=sql: scalar(url, sql) == SAMPLE_UNITS, timeout=90, interval=0.2,
                             message=f"{service}'s copy of the county")
            yield Running(api=api, urls=urls, db=urls, cluster=cluster, mail=tmp / "mail" / "new",
                          mailbox=mailbox, env=cluster.env, amqp_uri=amqp_uri, began_on=began_on)
        finally:
            cluster.stop_all()
            print(cluster.logs())  # shown by pytest when the module's set-up or a test failed


def services_now(api: str) -> datetime:
    """Now on the services' clock, as the run set it: the gateway's HTTP Date (its process runs at
    the run's offset, as every service's does), to the second. A test about "now" or "today"
    takes it from here, never from the host's calendar."""
    return parsedate_to_datetime(requests.get(f"{api}/healthz", timeout=10).headers["Date"])


def services_today(api: str) -> date:
    """The county's day on the services' clock (services_now in Beijing time)."""
    return county_date(services_now(api))
