"""`make test`: the suite in TEST_GROUPS groups of about equal running time, each a pytest process
of its own, side by side; then one summary line for all of them, in pytest's own words, and an
exit status that fails when any group failed.

Why groups and not pytest-xdist: the tests run with eventlet's monkey patching (conftest.py), and
an xdist worker's channel to its controller then waits on a green event set from a real thread:
the workers hang before the first test (pytest-xdist issue 71, open since 2016). A group is a
plain pytest run, exactly as a developer runs one module.

The split is pytest-split's `duration_based_chunks`: the collected tests in their usual order, cut
into runs of about equal time, so a module stays in one group (and starts its shared cluster
once) but where a cut falls. The times are those the last run on this machine measured
(var/test-groups/durations.json, written from the groups' JUnit reports), else the committed
tests/.test_durations (`make test-durations` keeps the last run's). Most of a test's time is spent
waiting on the processes it started, so two cores carry three groups.

    python -m tests.groups [pytest arguments]      (TEST_GROUPS=1 runs plain pytest)
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_DURATIONS = ROOT / "tests" / ".test_durations"
OUT = ROOT / "var" / "test-groups"
MEASURED_DURATIONS = OUT / "durations.json"
PROGRESS_EVERY_SECONDS = 60
NO_TESTS_COLLECTED = 5  # pytest's exit status for a group the selection left empty


def main(args: list[str]) -> int:
    groups = int(os.environ.get("TEST_GROUPS", "3"))
    if groups <= 1:
        return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    running = {k: _start(k, groups, args) for k in range(1, groups + 1)}
    print(f"tests.groups: {groups} groups side by side; their output is in {OUT.relative_to(ROOT)}/", flush=True)
    codes = _wait(running, started)
    _record_durations(codes)
    return _report(codes, time.monotonic() - started)


def _start(k: int, groups: int, args: list[str]) -> subprocess.Popen:
    for stale in (_log(k), _xml(k)):
        stale.unlink(missing_ok=True)
    command = [sys.executable, "-m", "pytest", "--splits", str(groups), "--group", str(k),
               "--splitting-algorithm", "duration_based_chunks", "--durations-path", str(_durations()),
               f"--junitxml={_xml(k)}", *args]
    with open(_log(k), "wb") as log:  # a file, not a pipe: no group waits on a reader
        return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def _wait(running: dict[int, subprocess.Popen], started: float) -> dict[int, int]:
    codes: dict[int, int] = {}
    last_progress = time.monotonic()
    while len(codes) < len(running):
        time.sleep(1)
        for k, proc in running.items():
            if k not in codes and proc.poll() is not None:
                codes[k] = proc.returncode
                print(f"\n----- group {k} (exit {proc.returncode}, after {_clock(time.monotonic() - started)}) -----")
                print(_log(k).read_text(errors="replace"), flush=True)
        if time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS and len(codes) < len(running):
            last_progress = time.monotonic()
            busy = ", ".join(f"group {k}: {_progress(k)}" for k in running if k not in codes)
            print(f"tests.groups: {_clock(time.monotonic() - started)} in; still running: {busy}", flush=True)
    return codes


def _progress(k: int) -> str:
    """The last percentage pytest printed for the group, e.g. '[ 42%]'."""
    log = _log(k).read_text(errors="replace")
    found = re.findall(r"\[\s*\d+%\]", log)
    if found:
        return found[-1]
    return "first module running" if "test session starts" in log else "collecting"


def _report(codes: dict[int, int], seconds: float) -> int:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for k in sorted(codes):
        for suite in _suites(k):
            for key in totals:
                totals[key] += int(suite.get(key, 0))
    short = [line for k in sorted(codes) for line in _log(k).read_text(errors="replace").splitlines()
             if line.startswith(("FAILED ", "ERROR "))]
    if short:
        print("\n=========================== short test summary info ============================")
        print("\n".join(short))
    passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
    parts = [f"{n} {word}" for n, word in ((totals["failures"], "failed"), (passed, "passed"),
                                          (totals["skipped"], "skipped"), (totals["errors"], "errors")) if n]
    summary = ", ".join(parts) or "no tests ran"
    print(f"{'=' * 12} {summary} in {seconds:.2f}s ({_clock(seconds)}) {'=' * 12}")
    failed = [code for code in codes.values() if code not in (0, NO_TESTS_COLLECTED)]
    if failed:
        return failed[0]
    return 0 if totals["tests"] else NO_TESTS_COLLECTED


def _durations() -> Path:
    return MEASURED_DURATIONS if MEASURED_DURATIONS.is_file() else COMMITTED_DURATIONS


def _record_durations(codes: dict[int, int]) -> None:
    """Each test's time (set-up, call and tear-down, as pytest-split records them) from the
    groups' reports, over the times known before."""
    try:
        durations = json.loads(_durations().read_text())
    except (OSError, ValueError):
        durations = {}
    for k in codes:
        for suite in _suites(k):
            for case in suite.iter("testcase"):
                node_id = _node_id(case.get("classname", ""), case.get("name", ""))
                if node_id:
                    durations[node_id] = round(float(case.get("time", 0)), 3)
    MEASURED_DURATIONS.write_text(json.dumps(durations, indent=1, sort_keys=True) + "\n")


def _node_id(classname: str, name: str) -> str | None:
    """pytest's node id from a JUnit case: `tests.x.test_y` (+ `.TestClass`) and `test_z[p]`."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if (ROOT / module).is_file():
            return "::".join([module.as_posix(), *parts[cut:], name])
    return None


def _suites(k: int) -> list[ET.Element]:
    try:
        root = ET.parse(_xml(k)).getroot()
    except (OSError, ET.ParseError):  # the group died before pytest wrote its report
        return [ET.Element("testsuite", {"tests": "1", "errors": "1"})]
    return [root] if root.tag == "testsuite" else list(root.iter("testsuite"))


def _log(k: int) -> Path:
    return OUT / f"group-{k}.log"


def _xml(k: int) -> Path:
    return OUT / f"group-{k}.xml"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{rest:02d}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
