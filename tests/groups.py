"""`make test`: the suite in TEST_GROUPS groups of about equal running time, each a pytest process
of its own, side by side; then one summary line for all of them, in pytest's own words, and an
exit status that fails when any group failed.

Why groups and not pytest-xdist: the tests run with eventlet's monkey patching (conftest.py), and
an xdist worker's channel to its controller then waits on a green event set from a real thread:
the workers hang before the first test (pytest-xdist issue 71, open since 2016). A group is a
plain pytest run of whole modules, exactly as a developer runs them.

The split: the test modules in pytest's own order (each directory's entries by name), cut into
runs of about equal time at module boundaries only, so a module's tests share one cluster and
one group, and the modules that share a session's cluster (the console's, the portal's) mostly
one group too. A cut inside a module would start the module's cluster again in the next group
without what its earlier tests made. The frozen-clock instants (tests/test_frozen_dates.py, a
pytest run each and the longest tests) open the groups in turn instead, so they run side by
side. The times are those the last run on this machine measured (var/test-groups/durations.json,
written from the groups' JUnit reports), else the committed tests/.test_durations (`make
test-durations` keeps the last run's). Most of a test's time is spent waiting on the processes it
started, so two cores carry three groups.

    python -m tests.groups [pytest arguments] [test paths]     (TEST_GROUPS=1 runs plain pytest)
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from tests.test_frozen_dates import INSTANTS

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_DURATIONS = ROOT / "tests" / ".test_durations"
OUT = ROOT / "var" / "test-groups"
MEASURED_DURATIONS = OUT / "durations.json"
FROZEN = "tests/test_frozen_dates.py"
PROGRESS_EVERY_SECONDS = 60
NO_TESTS_COLLECTED = 5  # pytest's exit status for a group the selection left empty


def main(args: list[str]) -> int:
    groups = int(os.environ.get("TEST_GROUPS", "3"))
    if groups <= 1:
        return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    options, chosen, ignored = _split_arguments(args)
    plan = _plan(groups, _units(chosen, ignored), _times())
    started = time.monotonic()
    running = {k: _start(k, options, units) for k, units in enumerate(plan, start=1) if units}
    print(f"tests.groups: {len(running)} groups side by side; their output is in {OUT.relative_to(ROOT)}/", flush=True)
    codes = _wait(running, started)
    _record_durations(codes)
    return _report(codes, time.monotonic() - started)


def _split_arguments(args: list[str]) -> tuple[list[str], list[str], list[str]]:
    """pytest's options, the test paths or node ids among the arguments (none: the suite), and
    the paths --ignore leaves out (the groups name their modules, which --ignore would not stop)."""
    chosen = [a for a in args if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()
              and not _follows_ignore(args, a)]
    ignored = [a.split("=", 1)[1] for a in args if a.startswith("--ignore=")]
    ignored += [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--ignore"]
    return [a for a in args if a not in chosen], chosen, ignored


def _follows_ignore(args: list[str], arg: str) -> bool:
    return any(a == "--ignore" and args[i + 1] == arg for i, a in enumerate(args[:-1]))


def _under(module: str, paths: list[str]) -> bool:
    return any(module == p or module.startswith(p.rstrip("/") + "/") for p in paths)


def _units(chosen: list[str], ignored: list[str] = ()) -> list[str]:
    """What the groups are cut from, in pytest's order: the test modules (under the chosen paths,
    if any, and not under an ignored one), a chosen node id as itself, and the frozen module as
    its instants."""
    modules = [m for m in _modules(ROOT / "tests")
               if (not chosen or _under(m, chosen)) and not _under(m, list(ignored))]
    units = [c for c in chosen if "::" in c]
    for module in modules:
        units += [f"{FROZEN}::test_the_date_sensitive_tests_pass_at[{name}]" for name in INSTANTS] \
            if module == FROZEN else [module]
    return units


def _modules(folder: Path) -> list[str]:
    """The test_*.py files under `folder` as pytest collects them: each directory's entries by name."""
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and not entry.name.startswith((".", "_")) and entry.name != "node_modules":
            found += _modules(entry)
        elif entry.is_file() and entry.name.startswith("test_") and entry.suffix == ".py":
            found.append(entry.relative_to(ROOT).as_posix())
    return found


def _times() -> Callable[[str], float]:
    """A unit's time from the known test times (a module's: the sum of its tests'), else the
    mean of the known units'."""
    try:
        known = json.loads(_durations().read_text())
    except (OSError, ValueError):
        known = {}
    modules: dict[str, float] = {}
    for node, seconds in known.items():
        modules[node.split("::")[0]] = modules.get(node.split("::")[0], 0.0) + seconds
    mean = sum(modules.values()) / len(modules) if modules else 1.0
    return lambda unit: known.get(unit, mean) if "::" in unit else modules.get(unit, mean)


def _plan(groups: int, units: list[str], took: Callable[[str], float]) -> list[list[str]]:
    """The units cut into `groups` runs of about equal time, in order; the frozen instants open
    the groups in turn."""
    frozen = [u for u in units if u.startswith(f"{FROZEN}::")]
    plan = [[f for k, f in enumerate(frozen) if k % groups == g] for g in range(groups)]
    spent = [sum(map(took, g)) for g in plan]
    share, group = sum(map(took, units)) / groups, 0
    for unit in (u for u in units if u not in frozen):
        if group < groups - 1 and spent[group] + took(unit) / 2 > share:
            group += 1  # the unit would end past this group's share by more than half of it
        plan[group].append(unit)
        spent[group] += took(unit)
    return plan


def _start(k: int, options: list[str], units: list[str]) -> subprocess.Popen:
    for stale in (_log(k), _xml(k)):
        stale.unlink(missing_ok=True)
    command = [sys.executable, "-m", "pytest", f"--junitxml={_xml(k)}", *options, *units]
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
    """Each test's time (set-up, call and tear-down) from the groups' reports, over the times
    known before."""
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
