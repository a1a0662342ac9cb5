"""The public portal under wrk, in one run: the unit page (/units/A001, what its QR code opens)
and the county home (/) against the JSON API serving the same unit's items
(/api/v1/items?unit=A001), each also answered 304 to a repeat visitor's conditional GET.
Separately started processes on SQLite with the sample county, rate limits off.

    python -m benchmarks.portal
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from gateway.auth import mint_token
from services.common.config import ROOT, load_config
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from tests.conftest import free_port, wait_for
from tests.processes import Cluster, base_env, temporary_vhost

from .gateway_load import CONNECTIONS, DURATION_SECONDS, wrk

ITEMS = 12
TARGETS = {"api": ("/api/v1/items?unit=A001", "JSON API, the unit's items"),
           "unit": ("/units/A001", "unit page"), "home": ("/", "county home")}


def _publish(api: str) -> None:
    secret = load_config()["GATEWAY"]["JWT_SECRET"]
    operator = {"Authorization": "Bearer " + mint_token(secret, "op", "operator", "A001")}
    reviewer = {"Authorization": "Bearer " + mint_token(secret, "rv", "reviewer", "A001")}
    draft = {"unit_code": "A001", "title": "基准", "body": "本季度党费收缴使用情况……" * 20, "audience": "society",
             "carriers": ["公开栏"]}
    wait_for(lambda: requests.post(f"{api}/api/v1/items", headers=operator, json=draft).status_code == 201,
             timeout=60, message="disclosure's copy of the units")
    for n in range(ITEMS):
        item_id = n + 1 if n == 0 else requests.post(f"{api}/api/v1/items", headers=operator, json={
            **draft, "title": f"基准事项 {n + 1}"}).json()["id"]
        for action, who in (("submit", operator), ("review", reviewer), ("approve", reviewer)):
            requests.post(f"{api}/api/v1/items/{item_id}/{action}", headers=who).raise_for_status()


def run(amqp_uri: str) -> dict[str, dict[str, float]] | None:
    if shutil.which("wrk") is None:
        print("portal: skipped, wrk is not installed (Debian: apt-get install wrk)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        urls = {s: f"sqlite:///{tmp}/{s}.db" for s in SERVICES_WITH_DATABASE}
        for service, url in urls.items():
            upgrade(service, url)
        env = base_env(amqp_uri, urls, free_port())
        env["RATE_LIMITS_ENABLED"] = "false"  # measuring throughput, not the limiter
        cluster = Cluster(env, tmp)
        try:
            for loader in ("services.units.load_sample", "services.disclosure.load_sample"):
                subprocess.run([sys.executable, "-m", loader], cwd=ROOT, env=env, check=True, capture_output=True)
            api = cluster.start_everything()
            _publish(api)
            figures = {}
            for name, (path, _) in TARGETS.items():
                first = requests.get(api + path, timeout=30)
                first.raise_for_status()
                figures[name] = wrk(api + path)
                figures[f"{name}_304"] = wrk(api + path, {"If-None-Match": first.headers["ETag"]})
                figures[name]["bytes"] = len(first.content)
            return figures
        finally:
            cluster.stop_all()


def report(amqp_uri: str) -> None:
    r = run(amqp_uri)
    if r is None:
        return
    api = r["api"]
    for name, (_, label) in TARGETS.items():
        for key, suffix in ((name, ""), (f"{name}_304", ", repeat visitor (304)")):
            f = r[key]
            print(f"portal {label}{suffix}: {f['rps']:.0f} req/s, p99 {f['p99_ms']:.1f} ms (ratio to the JSON "
                  f"API's {api['rps']:.0f} req/s: {f['rps'] / api['rps']:.2f}; wrk -t2 -c{CONNECTIONS} "
                  f"-d{DURATION_SECONDS}s)")
    print(f"portal sizes: unit page {r['unit']['bytes']} B, home {r['home']['bytes']} B, "
          f"JSON items {r['api']['bytes']} B")


if __name__ == "__main__":
    with temporary_vhost() as uri:
        report(uri)
