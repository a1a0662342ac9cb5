"""Fixtures for Gongkai's tests.

Database tests run on SQLite, and on PostgreSQL too when TEST_DATABASE_URL names one.
Service tests use the real RabbitMQ through nameko's fixtures (a fresh vhost per test).
"""
import eventlet

eventlet.monkey_patch()  # before anything imports socket or threading; nameko needs it

import contextlib  # noqa: E402
import functools  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import alembic  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402
import time_machine  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from services.common.config import ROOT, load_config  # noqa: E402
from services.common.crypto import new_key_spec  # noqa: E402
from services.common.db import UnitOfWork, make_engine  # noqa: E402
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade  # noqa: E402
from tests import pg_reset  # noqa: E402

# the tests' own data keys (inherited by the processes they start), never var/data-keys.json
os.environ.setdefault("GONGKAI_DATA_KEYS", json.dumps(new_key_spec()))

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL.startswith("postgresql") else [])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# the least any wait gives: a wait is for something that must happen, not a speed check (those
# live in make bench), and three groups on two cores beside Chromium once took 20 s to carry one
# event from units to supervision. Only a failing test waits this long.
LEAST_WAIT_SECONDS = 60.0


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05, message: str = "condition"):
    """Poll until predicate() is truthy; returns its value. A request that could not be made or
    was not answered in its own timeout (a process still starting, a loaded machine) is a "not
    yet", asked again until the deadline, which then names it. The deadline is `timeout` or
    LEAST_WAIT_SECONDS, whichever is longer."""
    timeout = max(timeout, LEAST_WAIT_SECONDS)
    deadline = time.monotonic() + timeout
    unanswered = None
    while True:
        try:
            value = predicate()
        except (requests.ConnectionError, requests.Timeout) as exc:
            value, unanswered = None, exc
        if value:
            return value
        if time.monotonic() > deadline:
            last = f" (the last request: {type(unanswered).__name__})" if unanswered is not None else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {message}{last}")
        eventlet.sleep(interval)


@functools.lru_cache(maxsize=256)
def _reading_engine(url: str) -> sa.Engine:
    """An engine per database the tests read, made once (a test polling a count made one per
    look before: its dialect set up again each time); it holds no connection between reads."""
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def scalar(url: str, sql: str):
    """One value read straight from a service's database."""
    with _reading_engine(url).connect() as conn:
        return conn.execute(sa.text(sql)).scalar()


def pytest_configure(config):
    config.addinivalue_line("markers", "api_level: an HTTP test of behaviour that does not depend on the "
                                       "database engine; it runs on SQLite only to keep the suite short")


def pytest_generate_tests(metafunc):
    """Every database test runs on each backend, but for api_level tests (SQLite only)."""
    if "database_urls" in metafunc.fixturenames:
        api_level = metafunc.definition.get_closest_marker("api_level") is not None
        metafunc.parametrize("database_urls", ["sqlite"] if api_level else BACKENDS, indirect=True)


# --- databases -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_databases():
    """One migrated PostgreSQL database per service, made for this test run and dropped
    after it (named by process id, so two runs on one server do not collide)."""
    if "postgresql" not in BACKENDS:
        yield {}
        return
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    base = sa.engine.make_url(PG_URL)
    names = {service: f"{base.database}_gk{os.getpid()}_{service}" for service in SERVICES_WITH_DATABASE}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    urls = {service: base.set(database=name).render_as_string(hide_password=False)
            for service, name in names.items()}
    for service, url in urls.items():
        upgrade(service, url)
    yield urls
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# migrated SQLite templates kept between runs, one folder per state of the migrations
TEMPLATE_CACHE = ROOT / "var" / "test-templates"


def _schema_key() -> str:
    """What the migrated schema follows from: every migration, the shared code they import, and
    the versions of SQLAlchemy and Alembic."""
    digest = hashlib.sha256(f"{sa.__version__} {alembic.__version__}".encode())
    for path in sorted([*ROOT.glob("services/*/migrations/**/*.py"), *ROOT.glob("services/common/**/*.py")]):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory):
    """Every service's SQLite database migrated once, kept under var/test-templates for the
    next run while no migration (nor the shared code they import) changes; each test gets a
    copy. Runs side by side build it at most once each, and the first complete one is kept."""
    folder = TEMPLATE_CACHE / _schema_key()
    if not folder.is_dir():
        TEMPLATE_CACHE.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix="building-", dir=TEMPLATE_CACHE))
        for stale in TEMPLATE_CACHE.iterdir():  # earlier schemas' (the file system's clock, never shifted)
            if stale != building and building.stat().st_mtime - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
        for service in SERVICES_WITH_DATABASE:
            upgrade(service, f"sqlite:///{building / f'{service}.db'}")
        try:
            building.rename(folder)
        except OSError:  # another run kept its own first
            shutil.rmtree(building, ignore_errors=True)
    return {service: folder / f"{service}.db" for service in SERVICES_WITH_DATABASE}


@pytest.fixture
def database_urls(request, tmp_path, pg_databases, sqlite_templates):
    """Empty, migrated databases for every service, on the parametrised backend."""
    if request.param == "postgresql":
        for url in pg_databases.values():
            pg_reset.empty(url)
        return dict(pg_databases)
    return copy_templates(tmp_path, sqlite_templates)


def copy_templates(folder: Path, templates: dict[str, Path]) -> dict[str, str]:
    """Fresh migrated SQLite databases in `folder`, one per service, copied from the templates."""
    urls = {}
    for service, template in templates.items():
        shutil.copyfile(template, folder / f"{service}.db")
        urls[service] = f"sqlite:///{folder}/{service}.db"
    return urls


def rule_instant() -> float:
    """The instant a date-taking rule module runs at: the run's clock under GONGKAI_FROZEN_AT
    (tests/test_frozen_dates.py sets it), else a fixed working day, never the host's today."""
    return time.time() if os.environ.get("GONGKAI_FROZEN_AT") else datetime(2026, 12, 7, 4, 0, tzinfo=timezone.utc).timestamp()


@pytest.fixture
def day_of_import(request):
    """For a rule module that takes its TODAY as it is imported (`IMPORTED_AT = rule_instant()` beside
    it): the test runs from that moment on, so a long run that reaches midnight in Beijing after
    the import does not give the rules tomorrow against the module's today. In-process rules only:
    the clusters' processes keep their own clock."""
    with time_machine.travel(request.module.IMPORTED_AT, tick=True):
        yield


@pytest.fixture
def uow_factory(database_urls):
    """Make UnitOfWork objects on a service's test database, as scripts and rules use them."""
    engines, made = {}, []

    def make(service: str) -> UnitOfWork:
        if service not in engines:
            engines[service] = make_engine(database_urls[service])
        made.append(UnitOfWork(sessionmaker(engines[service], expire_on_commit=False), "test-correlation"))
        return made[-1]

    yield make
    for uow in made:
        uow.close()
    for engine in engines.values():
        engine.dispose()


# --- services on the broker -------------------------------------------------------------

@contextlib.contextmanager
def smtp_sink(maildir: Path):
    """A real SMTP server on loopback (aiosmtpd, in its own process) storing a Maildir."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def accepting():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    try:
        wait_for(accepting, 15, message="the SMTP sink")
        yield MailSink(port, maildir)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def mail_sink(tmp_path):
    with smtp_sink(tmp_path / "mail") as sink:
        yield sink


class MailSink:
    def __init__(self, port: int, maildir: Path):
        self.port, self.maildir = port, maildir

    def messages(self):
        """Every email received, parsed with headers decoded (Chinese subjects included)."""
        import email
        import email.policy
        new = self.maildir / "new"
        if not new.exists():
            return []
        return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in sorted(new.iterdir())]


@pytest.fixture
def service_config(rabbit_config, database_urls, mail_sink):
    """The project's config.yaml for a test: its vhost, its databases, quick retries."""
    config = load_config()
    config["AMQP_URI"] = rabbit_config["AMQP_URI"]
    config["DATABASES"] = dict(database_urls)
    config["METRICS_ADDRESS"] = "127.0.0.1:0"
    config["EVENTS"].update({"MAX_ATTEMPTS": 3, "RETRY_BASE_SECONDS": 0.2, "RETRY_MAX_SECONDS": 1})
    config["SMTP"].update({"PORT": mail_sink.port})
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    return config


@pytest.fixture
def cluster(rabbit_config, database_urls, mail_sink, tmp_path):
    """Separately started service processes on this test's vhost and databases."""
    from tests.processes import Cluster, base_env

    started = Cluster(base_env(rabbit_config["AMQP_URI"], database_urls, mail_sink.port), tmp_path)
    yield started
    started.stop_all()
    print(started.logs())  # shown by pytest when the test failed


@pytest.fixture(scope="session")
def lone_gateway(tmp_path_factory):
    """The gateway alone on a vhost of its own, rate limits off: any call that reached a service
    would time out after 1 s (503), so what is answered is the gateway's own doing (its policy,
    its parameters, its pages' plumbing). `lone_gateway.api` is its base URL."""
    from tests.processes import ServiceProcess, base_env, temporary_vhost  # it imports this module

    with temporary_vhost() as amqp_uri:
        address = f"127.0.0.1:{free_port()}"
        process = ServiceProcess("gateway", base_env(amqp_uri, {}, 1025), tmp_path_factory.mktemp("lone-gateway"),
                                 GATEWAY_ADDRESS=address, RPC_TIMEOUT_SECONDS="1",
                                 RATE_LIMITS_ENABLED="false").start()
        api = f"http://{address}"
        wait_for(lambda: requests.get(f"{api}/healthz", timeout=2).status_code == 200, message="the gateway")
        yield SimpleNamespace(api=api, process=process)
        process.kill()  # thrown away with its vhost: no graceful stop to wait out



# --- a session's shared fixtures end with the last module that uses them -------------------------

@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A session-scoped fixture (the console's, the portal's, the calendar's and the contract's
    clusters, the PostgreSQL databases) ends once the last module of the run that uses it has
    ended, not with the session: a cluster kept to the end sat idle through every later module
    of its group, its six processes still polling. Pytest's own finish (it runs the fixture's
    teardown and forgets its value, so a later user would simply start it again)."""
    outcome = yield
    if nextitem is None or nextitem.module is not item.module:
        for fixturedef in _released_after(item):
            fixturedef.finish(item._request)
    return outcome


def _released_after(item) -> list:
    """The session fixtures no module after this item's uses (this item: a module's last)."""
    session = item.session
    if not hasattr(session, "_gongkai_released"):
        last, released = {}, {}
        for index, each in enumerate(session.items):
            for defs in each._fixtureinfo.name2fixturedefs.values():
                if defs and defs[-1].scope == "session":
                    last[defs[-1]] = index
        for fixturedef, index in last.items():
            module = session.items[index].module
            end = max(i for i in range(index, len(session.items)) if session.items[i].module is module)
            released.setdefault(session.items[end].nodeid, []).append(fixturedef)
        session._gongkai_released = released
    return session._gongkai_released.get(item.nodeid, [])
