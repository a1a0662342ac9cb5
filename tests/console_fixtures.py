"""The console tests' cluster: every service and the gateway as separate processes on SQLite,
the sample county and the demo accounts loaded, rate limits off, a 200 kB attachment limit
(so an upload over it is cheap to send); one per test module."""
import subprocess
import sys

import pytest

from services.common.config import ROOT
from tests.conftest import free_port, scalar, wait_for
from tests.processes import Cluster, base_env, temporary_vhost


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("console")
    from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
    urls = {s: f"sqlite:///{tmp}/{s}.db" for s in SERVICES_WITH_DATABASE}
    for service, url in urls.items():
        upgrade(service, url)
    with temporary_vhost() as amqp:
        env = {**base_env(amqp, urls, free_port()), "RATE_LIMITS_ENABLED": "false", "ATTACHMENT_MAX_BYTES": "200000"}
        cluster = Cluster(env, tmp)
        try:
            for module in ("services.units.load_sample", "services.units.demo_accounts"):
                subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, check=True, capture_output=True)
            api = cluster.start_everything()
            wait_for(lambda: scalar(urls["disclosure"], "SELECT count(*) FROM unit_copies") == 121, timeout=60,
                     message="disclosure's copy of the county")
            yield {"api": api, "urls": urls, "amqp": amqp}
        finally:
            cluster.stop_all()
            print(cluster.logs())
