"""End-to-end latency from an approval over HTTP to the liaison's email arriving at a
real SMTP server, through separately started processes; with the gateway's own round
trip for a read (GET /healthz) as the floor."""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from gateway.auth import mint_token
from services.common.config import ROOT, load_config
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from tests.processes import Cluster, base_env
from tests.conftest import MailSink, free_port, wait_for

ITEM = {"unit_code": "A001", "audience": "society", "carriers": ["网站"], "body": "基准测试"}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(amqp_uri: str, count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        urls = {s: f"sqlite:///{tmp}/{s}.db" for s in SERVICES_WITH_DATABASE}
        for service, url in urls.items():
            upgrade(service, url)
        smtp_port = free_port()
        sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}",
                                 "-c", "aiosmtpd.handlers.Mailbox", str(tmp / "mail")])
        mail = MailSink(smtp_port, tmp / "mail")
        cluster = Cluster(base_env(amqp_uri, urls, smtp_port), tmp)
        try:
            subprocess.run([sys.executable, "-m", "services.units.load_sample"], cwd=ROOT, env=cluster.env,
                           check=True, capture_output=True)
            api = cluster.start_everything()
            secret = load_config()["GATEWAY"]["JWT_SECRET"]
            operator = {"Authorization": "Bearer " + mint_token(secret, "op", "operator", "A001")}
            reviewer = {"Authorization": "Bearer " + mint_token(secret, "rv", "reviewer", "A001")}
            wait_for(lambda: requests.post(f"{api}/api/v1/items", json={**ITEM, "title": "warm-up"},
                                           headers=operator).status_code == 201, timeout=60)
            floor = []
            for _ in range(count):
                started = time.perf_counter()
                requests.get(f"{api}/healthz")
                floor.append(time.perf_counter() - started)
            latencies = []
            for i in range(count):
                title = f"基准事项 {i}"
                item = requests.post(f"{api}/api/v1/items", json={**ITEM, "title": title}, headers=operator).json()
                requests.post(f"{api}/api/v1/items/{item['id']}/submit", headers=operator)
                requests.post(f"{api}/api/v1/items/{item['id']}/review", headers=reviewer)
                started = time.perf_counter()
                requests.post(f"{api}/api/v1/items/{item['id']}/approve", headers=reviewer).raise_for_status()
                wait_for(lambda: any(title in m["Subject"] for m in mail.messages()), timeout=30, interval=0.005)
                latencies.append(time.perf_counter() - started)
        finally:
            cluster.stop_all()
            sink.terminate()
            sink.wait(10)
    return {"items": count, "median_ms": statistics.median(latencies) * 1000,
            "p95_ms": _percentile(latencies, 95) * 1000, "max_ms": max(latencies) * 1000,
            "healthz_median_ms": statistics.median(floor) * 1000}
