"""The API against its own OpenAPI document: schemathesis generates requests for every
operation — boundary values of every path and query parameter included — as each role and
anonymously, with rate limits off, on a running cluster with the sample county. No answer
may be a 5xx, and every status and content type must be one the document names.

`make test` runs it with a fixed seed; `make fuzz` draws a fresh seed, prints it, and runs
with many more examples (FUZZ_SEED and FUZZ_EXAMPLES set both; a failure found by `make fuzz`
is replayed with the seed it printed).
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.common.config import ROOT
from tests.test_end_to_end import token

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance"
SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SECONDS = int(os.environ.get("FUZZ_SECONDS", "30"))  # the identities run side by side
ALL_IDENTITIES = {
    "anonymous": {},
    "member": token("m-a001", "member", "A001"),
    "operator": token("op-a001", "operator", "A001"),
    "reviewer": token("rv-a001", "reviewer", "A001"),
    "inspector": token("office", "inspector"),
    "admin": token("admin", "admin"),
    "subscriber": token("county-oa", "subscriber"),
}
ONLY = [name for name in os.environ.get("FUZZ_IDENTITIES", "").split(",") if name]
IDENTITIES = {name: headers for name, headers in ALL_IDENTITIES.items() if not ONLY or name in ONLY}


def _launch(api: str, headers: dict[str, str], workdir: Path) -> tuple[subprocess.Popen, Path]:
    """One schemathesis run as one identity, in the background, its output to a file."""
    st = shutil.which("st") or str(Path(sys.executable).with_name("st"))
    command = [st, "run", f"{api}/api/v1/openapi.json", "--checks", CHECKS, "--seed", str(SEED),
               "--max-examples", str(EXAMPLES_PER_OPERATION), "--max-time", str(SECONDS),
               "--request-timeout", "30", "--no-color", "--continue-on-failure"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    workdir.mkdir(exist_ok=True)
    output = workdir / "output.txt"
    with open(output, "w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=workdir), output


@pytest.mark.api_level
def test_generated_requests_find_no_server_error_and_nothing_undocumented(cluster, tmp_path):
    print(f"fuzzing with seed {SEED}, {EXAMPLES_PER_OPERATION} examples per operation")
    cluster.env["RATE_LIMITS_ENABLED"] = "false"  # the generator is fast; limits are tested elsewhere
    # seven identities at once beside a whole run starved the services past the gateway's 10-s RPC
    # timeout (503, "not answering"); a slow answer is not what this looks for, a wrong one is
    cluster.env["RPC_TIMEOUT_SECONDS"] = "25"
    subprocess.run([sys.executable, "-m", "services.units.load_sample"], cwd=ROOT, env=cluster.env,
                   capture_output=True, text=True, check=True)
    api = cluster.start_everything()
    started = time.monotonic()
    runs = {identity: _launch(api, headers, tmp_path / identity) for identity, headers in IDENTITIES.items()}
    failures = {}
    for identity, (process, output) in runs.items():
        status = process.wait(timeout=SECONDS + 180)
        text = output.read_text(errors="replace")
        cases = next((line.strip() for line in text.splitlines() if " generated, " in line), "")
        print(f"{identity}: exit {status}; {cases}")
        if status != 0:
            failures[identity] = text[-5000:]
    print(f"{len(runs)} identities side by side in {time.monotonic() - started:.0f}s")
    assert not failures, f"seed {SEED}:\n" + "\n\n".join(f"=== as {who} ===\n{out}" for who, out in failures.items())
