"""Gongkai's services as separate processes, the way docker-compose runs them, for
end-to-end and crash tests."""
from __future__ import annotations

import base64
import contextlib
import glob
import json
import os
import signal
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import requests

from services.common.config import ROOT
from tests import forkserver
from tests.conftest import free_port, wait_for

MODULES = {
    "units": "services.units.service",
    "disclosure": "services.disclosure.service",
    "feedback": "services.feedback.service",
    "notify": "services.notify.service",
    "supervision": "services.supervision.service",
    "gateway": "gateway.service",
}


def base_env(amqp_uri: str, database_urls: dict[str, str], smtp_port: int) -> dict[str, str]:
    # eventlet's deprecation notice, raised where nameko's CLI imports it, is the only warning hidden
    env = {**os.environ, "AMQP_URI": amqp_uri, "SMTP_PORT": str(smtp_port),
           "PYTHONWARNINGS": "ignore::Warning:nameko.cli.commands",
           "PYTHONPATH": str(ROOT), "EVENT_RETRY_BASE_SECONDS": "0.2", "EVENT_RETRY_MAX_SECONDS": "1",
           # a test cluster only ever resolves 127.0.0.1: eventlet's green resolver (dnspython, a
           # tenth of a process's start-up CPU to import) is left out
           "EVENTLET_NO_GREENDNS": "yes",
           # passwords hashed at Argon2's least cost (0.19 s of CPU a hash or sign-in at the
           # service's own): refused in production (services/common/production.py)
           "PASSWORD_HASH_COST": "test",
           **shifted_clock(os.environ.get("LD_PRELOAD", ""))}
    for service, url in database_urls.items():
        env[f"{service.upper()}_DATABASE_URL"] = url
    return env


# libfaketime: the system's (apt-get install libfaketime) or Debian's package unpacked under
# var/tools (`make test` does that)
FAKETIME_LIBRARIES = ("var/tools/libfaketime/usr/lib/*/faketime/libfaketime.so.1", "/usr/lib/*/faketime/libfaketime.so.1")


def shifted_clock(preloaded: str = "") -> dict[str, str]:
    """With the run's clock set (GONGKAI_CLOCK_OFFSET_SECONDS, from the root conftest.py), the
    environment that runs a process at the same offset: libfaketime preloaded with a relative
    FAKETIME, so the wall clock (Python's, SQLite's, libpq's) moves on from the shifted instant
    while the monotonic clock eventlet's timers run on is left alone. Without it, nothing."""
    offset = os.environ.get("GONGKAI_CLOCK_OFFSET_SECONDS")
    if not offset:
        return {}
    found = [path for pattern in FAKETIME_LIBRARIES
             for path in sorted(glob.glob(pattern if pattern.startswith("/") else str(ROOT / pattern)))]
    if not found:
        raise RuntimeError("the run's clock is set but libfaketime is missing: `make var/tools/libfaketime/usr/lib` "
                           "unpacks it (or apt-get install libfaketime)")
    return {"LD_PRELOAD": " ".join(filter(None, [found[0], preloaded])), "FAKETIME": f"{int(offset):+d}s",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


class ServiceProcess:
    """One `nameko run` process with its own metrics port and log file."""

    forked = True  # from the fork server; the fault suite's replicas start from nothing

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, **extra_env: str):
        self.name = name
        self.metrics_port = free_port()
        self.env = {**env, "METRICS_ADDRESS": f"127.0.0.1:{self.metrics_port}", **extra_env}
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServiceProcess:
        return self.launch().wait_serving()

    def launch(self) -> ServiceProcess:
        """`nameko run` of the service: forked from the tests' fork server (tests/forkserver.py),
        or, where `forked` is off, a process started from nothing as compose starts one."""
        args = [str(Path(sys.executable).with_name("nameko")), "run", "--config", str(ROOT / "config.yaml"),
                MODULES[self.name]]
        if self.forked:
            self.proc = forkserver.start(args, self.env, ROOT, self.log_path, list(MODULES.values()))
            return self
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_serving(self) -> ServiceProcess:
        wait_for(self._serving, timeout=180, interval=0.2, message=f"{self.name} to be ready (/readyz)")
        return self

    def _serving(self) -> bool:
        """Ready, not just listening: /metrics answers before the container has started, and a
        call the gateway made then could lose its reply (its reply queue not yet declared)."""
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/readyz", timeout=2) as r:
                return r.status == 200
        except OSError:  # not listening yet, or 503 (urllib raises HTTPError, an OSError)
            return False

    def metrics(self) -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2) as r:
                return r.read().decode()
        except OSError:
            return None

    def kill(self) -> None:
        """As a crash: no chance to finish anything."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, signalled: bool = False) -> None:
        """SIGTERM (unless sent already) and wait; a process that does not stop is killed."""
        if self.proc and self.proc.poll() is None:
            if not signalled:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        """The log's last lines, without the health probes' access lines (one a second)."""
        kept = [line for line in self.log_path.read_text(errors="replace").splitlines()
                if '"GET /readyz ' not in line and '"GET /healthz ' not in line and '"GET /metrics ' not in line]
        return "\n".join(kept[-lines:])


class Cluster:
    """Starts processes and always stops them, printing their logs when a test fails."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env, self.log_dir, self.processes = env, log_dir, {}

    def start(self, name: str, **extra_env: str) -> ServiceProcess:
        return self.launch(name, **extra_env).wait_serving()

    def launch(self, name: str, **extra_env: str) -> ServiceProcess:
        process = ServiceProcess(name, self.env, self.log_dir, **extra_env)
        self.processes[name] = process
        return process.launch()

    def start_everything(self, public_base_url: bool = False) -> str:
        """Every service and the gateway, each its own process, started side by side;
        returns the API's base URL once /readyz says every service answers (with the
        not-ready services named when that takes too long). With `public_base_url` the
        gateway knows its own address as PUBLIC_BASE_URL (the QR codes' target)."""
        address = f"127.0.0.1:{free_port()}"
        api = f"http://{address}"
        launched = [self.launch(name) for name in ("units", "disclosure", "feedback", "notify", "supervision")]
        gateway_env = {"GATEWAY_ADDRESS": address, **({"PUBLIC_BASE_URL": api} if public_base_url else {})}
        launched.append(self.launch("gateway", **gateway_env))
        for process in launched:
            process.wait_serving()
        last = {}

        def ready() -> bool:
            try:
                answer = requests.get(f"{api}/readyz", timeout=5)
            except requests.RequestException as exc:
                last["answer"] = repr(exc)
                return False
            last["answer"] = answer.text[:500]
            return answer.status_code == 200

        try:
            wait_for(ready, timeout=90, interval=0.1, message="every service to answer /readyz")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; its last answer: {last.get('answer')}") from None
        return api

    def stop_all(self) -> None:
        """End every process at once: a test cluster is thrown away with its vhost and databases,
        so nothing waits for nameko's graceful stop (about 3 s a process, 11 s where a service
        waits on a peer that has gone). A test that needs a graceful stop calls stop() itself."""
        for process in self.processes.values():
            if process.proc and process.proc.poll() is None:
                process.proc.send_signal(signal.SIGKILL)
        for process in self.processes.values():
            if process.proc:
                process.proc.wait(10)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log_tail()}" for p in self.processes.values())


# --- a throw-away RabbitMQ vhost, through the management API ------------------------------

MANAGEMENT = os.environ.get("RABBIT_MANAGEMENT_URL", "http://127.0.0.1:15672")
USER, PASSWORD = "guest", "guest"


def _call(method: str, path: str, body: dict | None = None) -> None:
    request = urllib.request.Request(f"{MANAGEMENT}/api/{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    urllib.request.urlopen(request, timeout=10).read()


@contextlib.contextmanager
def temporary_vhost():
    """Yields an AMQP URI on a new vhost, deleted afterwards with all it holds."""
    vhost = f"gongkai-bench-{uuid.uuid4().hex[:8]}"
    _call("PUT", f"vhosts/{vhost}")
    _call("PUT", f"permissions/{vhost}/{USER}", {"configure": ".*", "write": ".*", "read": ".*"})
    try:
        yield f"amqp://{USER}:{PASSWORD}@127.0.0.1:5672/{vhost}"
    finally:
        _call("DELETE", f"vhosts/{vhost}")
