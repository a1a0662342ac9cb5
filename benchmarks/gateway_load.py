"""Requests per second and p99 latency through the gateway, with wrk on loopback: the public
reads (item list and one item, unit directory and one unit, catalogue; from the gateway's read
model), the item list answered 304 to a conditional GET, and an authenticated read of one unit
(by RPC), against bare nameko HTTP endpoints in one process of their own, in the same run:
without an RPC (the ceiling), with one RPC to a service returning a constant (the floor a
public read must beat), and with one RPC to units' get_unit (the earlier baseline)."""
from __future__ import annotations

import re
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
from tests.processes import Cluster, base_env

DURATION_SECONDS = 10
CONNECTIONS = 16
PUBLIC_READS = {"items": "/api/v1/items", "item": "/api/v1/items/1", "units": "/api/v1/units",
                "public_unit": "/api/v1/units/A001", "catalogue": "/api/v1/catalogue"}
LABELS = {"items": "public item list", "item": "public item", "units": "public unit directory",
          "public_unit": "public unit", "catalogue": "public catalogue list",
          "items_304": "public item list, conditional GET (304)", "unit": "authenticated GET of one unit (RPC)"}


def wrk(url: str, headers: dict[str, str] | None = None, threads: int = 2,
        seconds: int = DURATION_SECONDS) -> dict[str, float]:
    """wrk's requests/s and 99th-percentile latency (ms) for one URL."""
    argv = ["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        argv[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} answers were not 2xx; the figure would be wrong")
    return {"rps": rps, "p99_ms": p99}


def run(amqp_uri: str) -> dict[str, dict[str, float]] | None:
    if shutil.which("wrk") is None:
        print("gateway load: skipped, wrk is not installed (Debian: apt-get install wrk)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        urls = {s: f"sqlite:///{tmp}/{s}.db" for s in SERVICES_WITH_DATABASE}
        for service, url in urls.items():
            upgrade(service, url)
        env = base_env(amqp_uri, urls, free_port())
        env["RATE_LIMITS_ENABLED"] = "false"  # measuring throughput, not the limiter
        cluster = Cluster(env, tmp)
        bare_address = f"127.0.0.1:{free_port()}"
        bare = subprocess.Popen([str(Path(sys.executable).with_name("nameko")), "run", "--config",
                                 str(ROOT / "config.yaml"), "benchmarks.bare_http"], cwd=ROOT,
                                env={**env, "GATEWAY_ADDRESS": bare_address,
                                     "METRICS_ADDRESS": f"127.0.0.1:{free_port()}"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            subprocess.run([sys.executable, "-m", "services.units.load_sample"], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            api = cluster.start_everything()
            secret = load_config()["GATEWAY"]["JWT_SECRET"]
            operator = {"Authorization": "Bearer " + mint_token(secret, "op", "operator", "A001")}
            reviewer = {"Authorization": "Bearer " + mint_token(secret, "rv", "reviewer", "A001")}
            wait_for(lambda: requests.post(f"{api}/api/v1/items", headers=operator, json={
                "unit_code": "A001", "title": "基准", "body": "……", "audience": "society",
                "carriers": ["网站"]}).status_code == 201, timeout=60, message="the unit copy")
            for item_id in range(1, 11):
                if item_id > 1:
                    requests.post(f"{api}/api/v1/items", headers=operator, json={
                        "unit_code": "A001", "title": f"基准 {item_id}", "body": "……", "audience": "society",
                        "carriers": ["网站"]}).raise_for_status()
                for action, who in (("submit", operator), ("review", reviewer), ("approve", reviewer)):
                    requests.post(f"{api}/api/v1/items/{item_id}/{action}", headers=who).raise_for_status()
            wait_for(lambda: requests.get(f"http://{bare_address}/one-rpc").ok, timeout=30,
                     message="the bare service")
            etag = requests.get(f"{api}/api/v1/items").headers["ETag"]
            return {"bare": wrk(f"http://{bare_address}/items"),
                    "bare_one_rpc": wrk(f"http://{bare_address}/one-rpc"),
                    "bare_rpc": wrk(f"http://{bare_address}/unit"),
                    **{name: wrk(api + path) for name, path in PUBLIC_READS.items()},
                    "items_304": wrk(f"{api}/api/v1/items", {"If-None-Match": etag}),
                    "unit": wrk(f"{api}/api/v1/units/A001", operator)}
        finally:
            cluster.stop_all()
            bare.terminate()
            try:
                bare.wait(10)
            except subprocess.TimeoutExpired:  # wrk's keep-alive connections hold a graceful stop
                bare.kill()
                bare.wait(10)


def report(amqp_uri: str) -> None:
    r = run(amqp_uri)
    if r is None:
        return
    bare, floor, rpc = r["bare"], r["bare_one_rpc"], r["bare_rpc"]
    print(f"bare nameko endpoint: {bare['rps']:.0f} req/s, p99 {bare['p99_ms']:.1f} ms; with one RPC to a service "
          f"returning a constant {floor['rps']:.0f} req/s, p99 {floor['p99_ms']:.1f} ms; with one RPC to units "
          f"{rpc['rps']:.0f} req/s, p99 {rpc['p99_ms']:.1f} ms (wrk -t2 -c{CONNECTIONS} -d{DURATION_SECONDS}s)")
    for name, label in LABELS.items():
        figures = r[name]
        print(f"gateway {label}: {figures['rps']:.0f} req/s, p99 {figures['p99_ms']:.1f} ms "
              f"(ratio to one RPC hop {figures['rps'] / floor['rps']:.2f}, to the bare endpoint "
              f"{figures['rps'] / bare['rps']:.2f}, to one RPC to units {figures['rps'] / rpc['rps']:.2f})")
