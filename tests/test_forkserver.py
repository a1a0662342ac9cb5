"""The tests' fork server (tests/forkserver.py): a service forked from it is the process
`nameko run` makes (serving, its own environment and log), answers for itself as a
`subprocess.Popen` does, and a forked gateway hears events on a queue of its own."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

import pytest

from services.common.config import ROOT
from tests.conftest import copy_templates, smtp_sink
from tests.forkserver import Forked, startup_env
from tests.processes import Cluster, base_env, temporary_vhost


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def test_a_forked_service_serves_and_ends_as_a_process_does(tmp_path, sqlite_templates):
    urls = copy_templates(tmp_path, sqlite_templates)
    with smtp_sink(tmp_path / "mail") as mailbox, temporary_vhost() as amqp_uri:
        cluster = Cluster(base_env(amqp_uri, urls, mailbox.port), tmp_path)
        try:
            units = cluster.start("units")
            proc = units.proc
            assert isinstance(proc, Forked)
            assert _parent_of(proc.pid) == proc.server.proc.pid
            # serving on the metrics port its own environment named (METRICS_ADDRESS)
            assert proc.poll() is None and "gongkai" in units.metrics()
            with pytest.raises(subprocess.TimeoutExpired):
                proc.wait(0.2)
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(10) == -signal.SIGKILL
            assert proc.poll() == -signal.SIGKILL
            assert "units" in units.log_path.read_text()  # its output went to its own log
        finally:
            cluster.stop_all()


def test_only_the_interpreters_start_up_environment_chooses_the_fork_server():
    plain = {"PATH": "/usr/bin", "AMQP_URI": "amqp://a", "PYTHONPATH": "/src"}
    assert startup_env(plain) == startup_env({**plain, "AMQP_URI": "amqp://b", "SMTP_PORT": "25"})
    assert startup_env(plain) != startup_env({**plain, "LD_PRELOAD": "libfaketime.so.1", "FAKETIME": "+86400s"})


def test_a_forked_gateway_hears_events_on_a_queue_of_its_own():
    script = textwrap.dedent("""
        import json, os, sys
        from gateway import readmodel
        before = readmodel.PROCESS_QUEUE.name
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(write, readmodel.PROCESS_QUEUE.name.encode())
            os._exit(0)
        os.waitpid(pid, 0)
        print(json.dumps([before, os.read(read, 200).decode(), readmodel.PROCESS_QUEUE.name]))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    parent_before, child, parent_after = json.loads(done.stdout.strip().splitlines()[-1])
    assert parent_before == parent_after
    assert child != parent_before and child.startswith("gongkai.gateway.readmodel.")
