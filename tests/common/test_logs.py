"""JSON log lines: with GONGKAI_LOG_FORMAT=json the LOGGING section of config.yaml (which
`nameko run` applies with dictConfig in every process) writes one JSON object a line, with the
request id where there is one; plain text stays the default for a developer's terminal."""
import json
import os
import subprocess
import sys

from services.common.config import DEFAULT_CONFIG, ROOT, load_config

EMIT = """
import logging, logging.config
from services.common.config import load_config
from services.common import logs
logging.config.dictConfig(load_config()["LOGGING"])
log = logging.getLogger("gongkai.test")
log.info("outside any request")
token = logs.bind("req-42")
log.warning("党务公开 %s", "事项 7", extra={"item_id": 7})
try:
    1 / 0
except ZeroDivisionError:
    log.exception("it failed")
logs.unbind(token)
"""


def run(log_format):
    env = {**os.environ, "GONGKAI_CONFIG": str(DEFAULT_CONFIG), "PYTHONWARNINGS": "ignore"}  # the lines only
    env.pop("GONGKAI_LOG_FORMAT", None)
    if log_format:
        env["GONGKAI_LOG_FORMAT"] = log_format
    done = subprocess.run([sys.executable, "-c", EMIT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stderr.strip().splitlines()


def test_json_lines_carry_the_request_id_where_there_is_one():
    lines = run("json")
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(records) == 3 and len(lines) == 3  # nothing but JSON, the traceback inside its line
    outside, warning, failure = records
    assert outside["message"] == "outside any request" and "request_id" not in outside
    assert list(warning)[:4] == ["time", "level", "logger", "request_id"]
    assert warning["request_id"] == "req-42" and warning["level"] == "WARNING" and warning["logger"] == "gongkai.test"
    assert warning["message"] == "党务公开 事项 7" and warning["item_id"] == 7
    assert warning["time"].endswith("+08:00")  # county time, with its offset
    assert failure["request_id"] == "req-42" and "ZeroDivisionError" in failure["exc_info"]


def test_plain_text_stays_the_default():
    lines = run(None)
    assert not lines[0].startswith("{") and "[-] outside any request" in lines[0]
    assert "[req-42] 党务公开 事项 7" in lines[1]
    assert load_config()["LOGGING"]["handlers"]["console"]["formatter"] in ("plain", "json")
