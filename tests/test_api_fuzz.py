"""The API against its own OpenAPI document, with schemathesis generating requests (a
bounded number per operation) as an administrator, on a running cluster with the sample
county: no answer is a 5xx, and every status and content type is one the document names."""
import pytest
import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_end_to_end import token
from tests.test_units_api import SAMPLE, upload

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance"
EXAMPLES_PER_OPERATION = 5


@pytest.mark.api_level
def test_generated_requests_find_no_server_error_and_nothing_undocumented(cluster, tmp_path):
    cluster.env["RATE_LIMITS_ENABLED"] = "false"  # the generator is fast; limits are tested elsewhere
    api = cluster.start_everything()
    assert upload(api, SAMPLE, apply=True).status_code == 200
    st = shutil.which("st") or str(Path(sys.executable).with_name("st"))
    admin = token("admin", "admin")["Authorization"]
    run = subprocess.run([st, "run", f"{api}/api/v1/openapi.json", "--checks", CHECKS,
                          "--max-examples", str(EXAMPLES_PER_OPERATION), "--seed", "20261128",
                          "-H", f"Authorization: {admin}", "--no-color"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
