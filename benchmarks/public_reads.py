"""Every public read and page the read model serves, under wrk (-t1 -c16), each against the
one-RPC ceiling measured just before it in the same run: a bare nameko HTTP endpoint making one RPC to a
service that returns a constant (benchmarks/bare_http.py), in a process of its own beside the
system. At two sizes: the sample county and a generated county of N units (3,000 by default),
so the slope is visible. Separately started processes on SQLite, rate limits off; each read is
also asked with its ETag (If-None-Match), which must answer 304.

    python -m benchmarks.public_reads [--units N] [--seconds S]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from services.common.config import ROOT
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from services.units.importer import export_csv
from tests.conftest import free_port, wait_for
from tests.processes import Cluster, base_env, temporary_vhost

from .gateway_load import CONNECTIONS, wrk
from .portal import _publish
from .registry import generate_registry

SECONDS = 5


def targets(town: str) -> dict[str, str]:
    """What the public reads, by label: the path under the gateway."""
    return {"catalogue (API)": "/api/v1/catalogue", "public answers (API)": "/api/v1/answers?unit=A001",
            "public item list (API)": "/api/v1/items", "county home": "/", "unit page": "/units/A001",
            "town page": f"/towns/{town}", "search page": "/search?q=%E5%9F%BA%E5%87%86",
            "公开榜": "/record", "town's 公开榜": f"/towns/{town}/record", "models page": "/models",
            "plan page": "/plans/1"}


def _registry_csv(n: int, path: Path) -> Path:
    path.write_bytes(export_csv(generate_registry(n)))
    return path


def run(amqp_uri: str, units: int | None, seconds: int = SECONDS) -> dict[str, dict[str, float]]:
    """Figures for the sample county (units None) or a generated county of `units` units."""
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
            # the sample county (its A001 carries the published items), then the generated units beside it
            registries = [[]] if units is None else [[], [str(_registry_csv(units, tmp / "county.csv"))]]
            for registry in registries:
                subprocess.run([sys.executable, "-m", "services.units.load_sample", *registry], cwd=ROOT, env=env,
                               check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "services.disclosure.load_sample"], cwd=ROOT, env=env,
                           check=True, capture_output=True)
            api = cluster.start_everything()
            _publish(api)
            wait_for(lambda: requests.get(f"http://{bare_address}/one-rpc").ok, timeout=30, message="the bare service")
            town = next(u["code"] for u in requests.get(f"{api}/api/v1/units?sector=town&limit=1").json()["items"])
            figures = {}
            for label, path in targets(town).items():
                first = requests.get(api + path, timeout=60)
                first.raise_for_status()
                # the ceiling just before each read: a shared machine's load drifts over a run
                ceiling = wrk(f"http://{bare_address}/one-rpc", threads=1, seconds=seconds)
                figures[label] = wrk(api + path, threads=1, seconds=seconds)
                figures[label]["ceiling_rps"] = ceiling["rps"]
                figures[label]["bytes"] = len(first.content)
                again = requests.get(api + path, headers={"If-None-Match": first.headers["ETag"]}, timeout=60)
                figures[label]["304"] = again.status_code == 304
            return figures
        except BaseException:
            print(cluster.logs(), file=sys.stderr)
            raise
        finally:
            cluster.stop_all()
            bare.terminate()
            try:
                bare.wait(10)
            except subprocess.TimeoutExpired:  # wrk's keep-alive connections hold a graceful stop
                bare.kill()
                bare.wait(10)


def report(units: int = 3000, seconds: int = SECONDS) -> None:
    if shutil.which("wrk") is None:
        print("public reads: skipped, wrk is not installed (Debian: apt-get install wrk)")
        return
    for size in (None, units):
        with temporary_vhost() as amqp_uri:
            r = run(amqp_uri, size, seconds)
        county = "the sample county" if size is None else f"the sample county and {size:,} generated units"
        print(f"public reads, {county} (wrk -t1 -c{CONNECTIONS} -d{seconds}s; each read right after the one-RPC "
              f"ceiling, its ratio to that ceiling):")
        for label, f in r.items():
            print(f"  {label}: {f['rps']:.0f} req/s, p99 {f['p99_ms']:.1f} ms, {f['bytes']:,} B; ceiling "
                  f"{f['ceiling_rps']:.0f} req/s; ratio {f['rps'] / f['ceiling_rps']:.2f}; 304 to its ETag: "
                  f"{'yes' if f['304'] else 'NO'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=3000, help="units in the larger county")
    parser.add_argument("--seconds", type=int, default=SECONDS, help="seconds of wrk per read")
    args = parser.parse_args()
    report(args.units, args.seconds)
