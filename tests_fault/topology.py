"""The production topology for the fault suite: two replicas of every service and two gateways,
each its own `nameko run` process, on PostgreSQL (a database per service) and a throw-away
vhost of the local RabbitMQ, with an SMTP sink and a subscriber's webhook receiver."""
from __future__ import annotations

import collections
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
import sqlalchemy as sa

from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from tests.conftest import free_port, wait_for
from tests.processes import ServiceProcess

PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"
SERVICES = ("units", "disclosure", "feedback", "notify", "supervision")
REPLICAS = 2


def fresh_databases(prefix: str = "fault") -> dict[str, str]:
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    urls = {}
    with admin.connect() as conn:
        for service in SERVICES_WITH_DATABASE:
            name = f"{prefix}_{service}"
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
            urls[service] = f"{PG}/{name}"
    admin.dispose()
    for service, url in urls.items():
        upgrade(service, url)
    return urls


def drop_databases(urls: dict[str, str]) -> None:
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        for url in urls.values():
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))
    admin.dispose()


class Replica(ServiceProcess):
    forked = False  # each replica a process of its own from the start, as compose runs them
    def __init__(self, name: str, index: int, env: dict[str, str], log_dir: Path, **extra_env: str):
        directory = log_dir / f"{name}-{index}"
        directory.mkdir(parents=True, exist_ok=True)
        super().__init__(name, env, directory, **extra_env)
        self.index = index
        self.label = f"{name}-{index}"
        self.held = False  # killed on purpose: the supervisor leaves it to the fault

    def restart(self) -> None:
        self.launch()


class Topology:
    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env, self.log_dir = env, log_dir
        self.replicas: dict[str, list[Replica]] = {}
        self.gateways: list[str] = []
        self.restarts: list[str] = []  # replicas that exited by themselves and were started again
        self.exits: list[str] = []  # the end of each such replica's log, for the report
        self._supervising = threading.Event()

    def start(self) -> None:
        for name in SERVICES:
            self.replicas[name] = [Replica(name, i, self.env, self.log_dir) for i in range(1, REPLICAS + 1)]
        addresses = [f"127.0.0.1:{free_port()}" for _ in range(2)]
        self.replicas["gateway"] = [Replica("gateway", i + 1, self.env, self.log_dir, GATEWAY_ADDRESS=a)
                                    for i, a in enumerate(addresses)]
        self.gateways = [f"http://{a}" for a in addresses]
        every = [r for replicas in self.replicas.values() for r in replicas]
        for replica in every:
            replica.launch()
        for replica in every:
            wait_for(replica._serving, timeout=120, interval=0.5, message=f"{replica.label} to serve /metrics")
        self.wait_ready(120)
        threading.Thread(target=self.supervise, daemon=True).start()

    def supervise(self) -> None:
        """As production's supervisor (compose's `restart: unless-stopped`): a replica that
        exited by itself is started again."""
        self._supervising.set()
        while self._supervising.is_set():
            for replicas in self.replicas.values():
                for r in replicas:
                    if not r.held and r.proc is not None and r.proc.poll() is not None:
                        self.restarts.append(r.label)
                        self.exits.append(f"{r.label} exited with {r.proc.returncode}:\n{r.log_tail(25)}")
                        r.launch()
            time.sleep(0.5)

    def ready(self) -> bool:
        try:
            return all(requests.get(f"{g}/readyz", timeout=5).status_code == 200 for g in self.gateways)
        except requests.RequestException:
            return False

    def wait_ready(self, timeout: float) -> None:
        wait_for(self.ready, timeout=timeout, interval=0.5, message="both gateways ready")

    def stop(self) -> None:
        self._supervising.clear()
        for replicas in self.replicas.values():
            for r in replicas:
                if r.proc and r.proc.poll() is None:
                    r.proc.terminate()
        for replicas in self.replicas.values():
            for r in replicas:
                r.stop(signalled=True)

    def logs(self) -> str:
        return "\n".join(f"--- {r.label} ---\n{r.log_tail(15)}" for rs in self.replicas.values() for r in rs)


class SmtpSink:
    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                                      "-c", "aiosmtpd.handlers.Mailbox", str(directory)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def message_ids(self) -> collections.Counter:
        found = collections.Counter()
        new = self.directory / "new"
        for path in (new.iterdir() if new.exists() else ()):
            for line in path.read_text(errors="replace").splitlines():
                if line.lower().startswith("message-id:"):
                    found[line.split(":", 1)[1].strip()] += 1
                    break
                if not line:
                    break
        return found

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class WebhookReceiver:
    """The subscriber (tests_fault/receiver.py, its own process): counts each webhook-id received."""

    def __init__(self, directory: Path):
        self.path = directory / "webhooks.txt"
        self.path.touch()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/hook"
        self.proc = subprocess.Popen([sys.executable, "-m", "tests_fault.receiver", str(port), str(self.path)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def by_message(self) -> collections.Counter:
        return collections.Counter(line.split(" ", 1)[0] for line in self.path.read_text().splitlines() if line)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
