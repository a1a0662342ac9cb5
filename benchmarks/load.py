"""A sustained mixed load with wrk on loopback (`make load`, `python -m benchmarks.load [seconds]`):
public reads of items, units and the catalogue, sign-ins, the item workflow (draft, submit,
review, approve) and public feedback, all at once for 3 minutes against the services as
separate processes on SQLite with rate limits off; then the same while a 3,000-unit registry
import job runs. Prints, per route, requests, req/s, p99 and the 5xx and 4xx answers; the aim
is 0 server errors in every row.

One wrk per route (its own Lua script in benchmarks/wrk/), so each p99 is that route's; the
workflow's four steps run one after another on one connection and share one row."""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from gateway.auth import mint_token
from services.common.config import ROOT, load_config
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from services.units.demo_accounts import DEMO_PASSWORD
from services.units.importer import export_csv
from tests.conftest import free_port, wait_for
from tests.processes import Cluster, base_env, temporary_vhost

from .registry import generate_registry

SCRIPTS = Path(__file__).with_name("wrk")
DURATION_SECONDS = 180
IMPORT_UNITS = 3000
# route: (script, path, connections)
ROUTES = {
    "GET /api/v1/items": ("read", "/api/v1/items", 2),
    "GET /api/v1/items/{id}": ("read", "/api/v1/items/1", 2),
    "GET /api/v1/units": ("read", "/api/v1/units", 2),
    "GET /api/v1/units/{code}": ("read", "/api/v1/units/A001", 2),
    "GET /api/v1/catalogue": ("read", "/api/v1/catalogue", 2),
    "POST /api/v1/auth/token": ("signin", "/api/v1/auth/token", 1),
    "item workflow (POST items, submit, review, approve)": ("workflow", "/", 1),
    "POST /api/v1/feedback": ("feedback", "/api/v1/feedback", 1),
}
LINE = re.compile(r"GONGKAI answered=(\d+) server_errors=(\d+) client_errors=(\d+) p99_us=(\d+)")


def script(name: str, tmp: Path) -> Path:
    """common.lua (the counters) followed by the route's own script."""
    path = tmp / f"{name}.lua"
    path.write_text((SCRIPTS / "common.lua").read_text() + "\n" + (SCRIPTS / f"{name}.lua").read_text())
    return path


def start_wrk(api: str, seconds: int, tmp: Path, env: dict[str, str]) -> dict[str, subprocess.Popen]:
    running = {}
    for route, (name, path, connections) in ROUTES.items():
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
                "-s", str(script(name, tmp)), api + path]
        running[route] = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return running


def collect(running: dict[str, subprocess.Popen], seconds: int) -> dict[str, dict[str, float]]:
    figures = {}
    for route, proc in running.items():
        out, _ = proc.communicate(timeout=seconds + 60)
        found = LINE.search(out)
        if found is not None:
            answered, server, client, p99_us = map(int, found.groups())
        else:  # the script's summary is missing: wrk's own, counting every non-2xx/3xx as a server error
            answered, server, client, p99_us = _wrk_summary(route, out)
        figures[route] = {"requests": answered, "rps": answered / seconds, "server_errors": server,
                          "client_errors": client, "p99_ms": p99_us / 1000}
    return figures


def _wrk_summary(route: str, out: str) -> tuple[int, int, int, int]:
    total = re.search(r"(\d+) requests in", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    if total is None or p99 is None:
        raise RuntimeError(f"wrk for {route} printed no figures:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p99_us = float(p99.group(1)) * {"us": 1, "ms": 1000, "s": 1_000_000}[p99.group(2)]
    return int(total.group(1)), int(bad.group(1)) if bad else 0, 0, int(p99_us)


def seed(api: str, operator: dict[str, str], reviewer: dict[str, str]) -> None:
    """One published item (id 1) for the single-item read."""
    draft = {"unit_code": "A001", "title": "负载测试 首条", "body": "……", "audience": "society", "carriers": ["网站"]}
    wait_for(lambda: requests.post(f"{api}/api/v1/items", headers=operator, json=draft).status_code == 201,
             timeout=60, message="disclosure's copy of the county")
    for action, who in (("submit", operator), ("review", reviewer), ("approve", reviewer)):
        requests.post(f"{api}/api/v1/items/1/{action}", headers=who).raise_for_status()


def start_import(api: str, admin: dict[str, str]) -> str:
    content = export_csv(generate_registry(IMPORT_UNITS))
    started = requests.post(f"{api}/api/v1/units/import", params={"apply": "true"}, data=content,
                            headers={**admin, "Content-Type": "text/csv"})
    started.raise_for_status()
    return api + started.headers["Location"]


def run(seconds: int = DURATION_SECONDS) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, temporary_vhost() as amqp_uri:
        tmp = Path(tmp)
        urls = {s: f"sqlite:///{tmp}/{s}.db" for s in SERVICES_WITH_DATABASE}
        for service, url in urls.items():
            upgrade(service, url)
        env = base_env(amqp_uri, urls, free_port())
        env["RATE_LIMITS_ENABLED"] = "false"  # measuring the system, not the limiter
        cluster = Cluster(env, tmp)
        try:
            for loader in ("services.units.load_sample", "services.units.demo_accounts",
                           "services.disclosure.load_sample"):
                subprocess.run([sys.executable, "-m", loader], cwd=ROOT, env=env, check=True, capture_output=True)
            api = cluster.start_everything()
            secret = load_config()["GATEWAY"]["JWT_SECRET"]
            tokens = {role: mint_token(secret, user, role, unit) for role, user, unit in
                      (("operator", "op-a001", "A001"), ("reviewer", "rv-a001", "A001"), ("admin", "admin", None))}
            bearer = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
            seed(api, bearer["operator"], bearer["reviewer"])
            wrk_env = {"LOAD_USERNAME": "op-a001", "LOAD_PASSWORD": DEMO_PASSWORD,
                       "LOAD_OPERATOR": tokens["operator"], "LOAD_REVIEWER": tokens["reviewer"], "PATH": "/usr/bin:/bin"}
            idle = collect(start_wrk(api, seconds, tmp, wrk_env), seconds)

            job_url = start_import(api, bearer["admin"])
            started = time.monotonic()
            importing = collect(start_wrk(api, seconds, tmp, wrk_env), seconds)
            job = requests.get(job_url, headers=bearer["admin"]).json()
            while job["status"] in ("queued", "running") and time.monotonic() - started < seconds + 300:
                time.sleep(2)
                job = requests.get(job_url, headers=bearer["admin"]).json()
            return {"idle": idle, "importing": importing, "job": job, "job_seconds": time.monotonic() - started}
        finally:
            cluster.stop_all()


def report(seconds: int = DURATION_SECONDS) -> bool:
    if shutil.which("wrk") is None:
        print("load: skipped, wrk is not installed (Debian: apt-get install wrk)")
        return True
    r = run(seconds)
    print(f"mixed load, {seconds} s per phase, every route at once (wrk, one process per route, loopback; "
          f"services as separate processes on SQLite, rate limits off)")
    print(f"{'phase':<10} {'route':<54} {'requests':>8} {'req/s':>7} {'p99 ms':>8} {'5xx':>5} {'4xx':>5}")
    clean = True
    for phase in ("idle", "importing"):
        for route, f in r[phase].items():
            clean &= f["server_errors"] == 0
            print(f"{phase:<10} {route:<54} {f['requests']:>8} {f['rps']:>7.1f} {f['p99_ms']:>8.1f} "
                  f"{f['server_errors']:>5} {f['client_errors']:>5}")
    job = r["job"]
    print(f"the {IMPORT_UNITS}-unit import job during the second phase: {job['status']}, "
          f"{job.get('rows_done')} of {job.get('rows_total')} rows, {r['job_seconds']:.0f} s after its upload")
    print(f"server errors: {'none' if clean else 'SOME (see the 5xx column)'}")
    return clean


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("seconds", nargs="?", type=int, default=DURATION_SECONDS, help="length of each phase")
    args = parser.parse_args()
    sys.exit(0 if report(args.seconds) else 1)


if __name__ == "__main__":
    main()
