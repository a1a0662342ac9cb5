"""Reads of the public directory while the registry is imported: p99 and errors of
GET /api/v1/units and GET /api/v1/units/<code> through the gateway, against separately
started processes on SQLite (as `make run` keeps them), during an n-unit import job and
the work its events cause (disclosure's, feedback's and notify's copies, this year's
obligations for every new unit), then during a re-import that renames every unit, with
the same reads on an idle system measured in between as the baseline."""
from __future__ import annotations

import base64
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import requests

from gateway.auth import mint_token
from services.common.config import ROOT, load_config
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from services.units.importer import export_csv
from tests.conftest import free_port, scalar, wait_for
from tests.processes import MANAGEMENT, MODULES, PASSWORD, USER, Cluster, ServiceProcess, base_env

from .registry import generate_registry


class Readers:
    """One reader per URL, each asking again as soon as it has its answer."""

    def __init__(self, urls: dict[str, str]):
        self.urls = urls
        self.latencies: dict[str, list[float]] = {name: [] for name in urls}
        self.errors: dict[str, int] = {name: 0 for name in urls}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, args=(name,), daemon=True) for name in urls]

    def __enter__(self) -> "Readers":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _read(self, name: str) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                failed = session.get(self.urls[name], timeout=30).status_code >= 500
            except requests.RequestException:
                failed = True
            self.latencies[name].append(time.perf_counter() - started)
            self.errors[name] += failed
            time.sleep(0.01)

    def figures(self) -> dict[str, dict[str, float]]:
        return {name: {"requests": len(times), "errors": self.errors[name],
                       "p50_ms": statistics.median(times) * 1000,
                       "p99_ms": statistics.quantiles(times, n=100)[98] * 1000, "max_ms": max(times) * 1000}
                for name, times in self.latencies.items()}


def _queued_messages(amqp_uri: str) -> int:
    """Events waiting or being handled in the consumers' queues."""
    vhost = urllib.parse.quote(amqp_uri.rsplit("/", 1)[1], safe="")
    request = urllib.request.Request(f"{MANAGEMENT}/api/queues/{vhost}")
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    try:
        answer = urllib.request.urlopen(request, timeout=10)
    except OSError:  # the management API is away for a moment: not settled yet
        return 1
    with answer:
        return sum(q.get("messages", 0) + q.get("messages_unacknowledged", 0) for q in json.load(answer)
                   if not q["name"].startswith("rpc"))  # the readers' own calls are always in flight


def settled(amqp_uri: str, urls: dict[str, str]) -> bool:
    """Every event of every service in `urls` published and every queue empty, twice a second apart."""
    for _ in range(2):
        if any(scalar(url, "SELECT count(*) FROM outbox WHERE published_at IS NULL") for url in urls.values()) or \
                _queued_messages(amqp_uri):
            return False
        time.sleep(1)
    return True


def _ended(answer: requests.Response) -> dict[str, Any] | None:
    """The job once it has ended; a poll that fails (the readers count such answers) is retried."""
    job = answer.json() if answer.status_code == 200 else {}
    return job if job.get("status") in ("succeeded", "failed") else None


def _import(api: str, admin: dict[str, str], content: bytes, amqp_uri: str, urls: dict[str, str],
            readers_urls: dict[str, str]) -> dict[str, Any]:
    """One import job with the readers running until its events have all been handled."""
    with Readers(readers_urls) as readers:
        started = time.perf_counter()
        accepted = requests.post(f"{api}/api/v1/units/import", params={"apply": "true"}, data=content,
                                 headers={**admin, "Content-Type": "text/csv"}, timeout=60)
        accepted.raise_for_status()
        location = f"{api}{accepted.headers['Location']}"
        job = wait_for(lambda: _ended(requests.get(location, headers=admin, timeout=30)), timeout=1800, interval=0.5,
                       message="the import job")
        job_s = time.perf_counter() - started
        wait_for(lambda: settled(amqp_uri, urls), timeout=1800, interval=1, message="the events handled")
        settled_s = time.perf_counter() - started
    if job["status"] != "succeeded":
        raise RuntimeError(f"the import job failed: {job['error']}")
    return {"job_s": job_s, "settled_s": settled_s, "report": job["report"], "reads": readers.figures()}


class Embedded(ServiceProcess):
    """Every service and the gateway in one `nameko run` process, as `make run` starts them."""

    def launch(self) -> "Embedded":
        nameko = Path(sys.executable).with_name("nameko")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([str(nameko), "run", "--config", str(ROOT / "config.yaml"),
                                          *MODULES.values()], cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT)
        return self


def _start(cluster: Cluster, embedded: bool) -> str:
    """Every service and the gateway, one process each as start_everything does them, or all
    in one; with the patience a loaded machine needs."""
    address = f"127.0.0.1:{free_port()}"
    if embedded:
        process = Embedded("embedded", cluster.env, cluster.log_dir, GATEWAY_ADDRESS=address)
        cluster.processes["embedded"] = process
        launched = [process.launch()]
    else:
        launched = [cluster.launch(name) for name in MODULES if name != "gateway"]
        launched.append(cluster.launch("gateway", GATEWAY_ADDRESS=address))
    for process in launched:
        wait_for(process._serving, timeout=180, interval=0.5, message=f"{process.name} to serve /metrics")
    api = f"http://{address}"
    wait_for(lambda: requests.get(f"{api}/readyz", timeout=5).status_code == 200, timeout=180, interval=0.5,
             message="every service to answer /readyz")
    return api


def run(amqp_uri: str, n: int = 3000, embedded: bool = False, idle_seconds: float = 20) -> dict[str, Any]:
    rows = generate_registry(n)
    content = export_csv(rows)
    renamed = export_csv([{**row, "name": row["name"][:190] + "（更名）"} for row in rows])
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        urls = {s: f"sqlite:///{tmp_path}/{s}.db" for s in SERVICES_WITH_DATABASE}
        for service, url in urls.items():
            upgrade(service, url)
        smtp_port = free_port()
        sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}",
                                 "-c", "aiosmtpd.handlers.Mailbox", str(tmp_path / "mail")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cluster = Cluster(base_env(amqp_uri, urls, smtp_port), tmp_path)
        cluster.env.update(RATE_LIMITS_ENABLED="false", AUDIT_SPOOL_PATH=str(tmp_path / "audit-spool.db"))
        try:
            subprocess.run([sys.executable, "-m", "services.disclosure.load_sample"], cwd=ROOT, env=cluster.env,
                           check=True, capture_output=True)  # the catalogue and this year's plan: obligations follow
            api = _start(cluster, embedded)
            secret = load_config()["GATEWAY"]["JWT_SECRET"]
            admin = {"Authorization": "Bearer " + mint_token(secret, "admin", "admin", None, ttl_seconds=7200)}
            reads = {"list": f"{api}/api/v1/units?limit=50", "get": f"{api}/api/v1/units/{rows[n // 2]['code']}"}
            first = _import(api, admin, content, amqp_uri, urls, reads)
            obligations = scalar(urls["disclosure"], "SELECT count(*) FROM obligations")
            with Readers(reads) as idle:
                time.sleep(idle_seconds)
            second = _import(api, admin, renamed, amqp_uri, urls, reads)
        finally:
            cluster.stop_all()
            sink.terminate()
            sink.wait(10)
    return {"units": n, "import": first, "reimport": second, "idle": idle.figures(), "obligations": obligations}


def _line(label: str, figures: dict[str, dict[str, float]]) -> str:
    return f"  {label}: " + "; ".join(
        f"{name} p99 {f['p99_ms']:.0f} ms (p50 {f['p50_ms']:.0f}, max {f['max_ms']:.0f}), "
        f"{f['errors']} errors of {f['requests']}" for name, f in figures.items())


def report(amqp_uri: str, n: int = 3000, embedded: bool = False) -> None:
    r = run(amqp_uri, n, embedded)
    first, second = r["import"], r["reimport"]
    how = "all services in one process, as make run" if embedded else "one process per service"
    print(f"directory reads during a registry import ({r['units']} units, SQLite, {how}; "
          f"list = GET /api/v1/units?limit=50, get = GET /api/v1/units/<code>):")
    print(_line("idle (baseline)", r["idle"]))
    print(_line(f"import: job {first['job_s']:.0f} s, its events handled after {first['settled_s']:.0f} s "
                f"({first['report']['registered']} registered, {r['obligations']} obligations)", first["reads"]))
    print(_line(f"re-import: job {second['job_s']:.0f} s, events handled after {second['settled_s']:.0f} s "
                f"({second['report']['updated']} updated)", second["reads"]))


if __name__ == "__main__":
    from tests.processes import temporary_vhost

    with temporary_vhost() as uri:
        report(uri, int(sys.argv[1]) if len(sys.argv) > 1 else 3000, "--embedded" in sys.argv)
