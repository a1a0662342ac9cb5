"""One county for `python -m benchmarks.compare`, started from whichever checkout is first on
PYTHONPATH (run as `python -P <this file>` with cwd and PYTHONPATH that checkout's root), so
the same lines start the tree before a change and the tree after it. Only names both trees
have are used: the test harness's Cluster on its own vhost, SQLite databases at head, the
sample units and catalogue, and the twelve items benchmarks.portal publishes; rate limits off.

Prints one line, `COUNTY {"api": ..., "root": ...}`, once the county serves, then keeps it up
until its standard input closes (or SIGTERM), and stops it."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.portal import _publish
from services.common.config import ROOT
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from tests.conftest import free_port
from tests.processes import Cluster, base_env, temporary_vhost

LOADERS = ("services.units.load_sample", "services.disclosure.load_sample")


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def main() -> None:
    if Path.cwd().resolve() != ROOT:
        raise SystemExit(f"the code comes from {ROOT}, not from the checkout {Path.cwd()}: set PYTHONPATH")
    signal.signal(signal.SIGTERM, _stop)
    with temporary_vhost() as amqp_uri, tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        urls = {s: f"sqlite:///{tmp}/{s}.db" for s in SERVICES_WITH_DATABASE}
        for service, url in urls.items():
            upgrade(service, url)
        env = base_env(amqp_uri, urls, free_port())
        env["RATE_LIMITS_ENABLED"] = "false"  # measuring throughput, not the limiter
        cluster = Cluster(env, tmp)
        try:
            for loader in LOADERS:
                subprocess.run([sys.executable, "-m", loader], cwd=ROOT, env=env, check=True, capture_output=True)
            api = cluster.start_everything()
            _publish(api)
            print("COUNTY " + json.dumps({"api": api, "root": str(ROOT)}), flush=True)
            sys.stdin.read()
        except BaseException:
            print(cluster.logs(), file=sys.stderr)
            raise
        finally:
            cluster.stop_all()


if __name__ == "__main__":
    main()
