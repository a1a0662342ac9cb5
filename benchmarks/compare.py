"""Two checkouts under the same load, interleaved, with the one-RPC ceiling in the same run:

    python -m benchmarks.compare --before DIR [--after DIR] [--rounds 5] [--seconds 5]
    make bench-compare BEFORE=DIR [ROUNDS=5] [WRK_SECONDS=5]

A county is started from each checkout (benchmarks/compare_county.py, with that checkout as
cwd and PYTHONPATH, both from this venv; both up at once, each on its own vhost and SQLite
databases, rate limits off), and the bare endpoints of benchmarks/bare_http.py from this one.
Each round runs wrk (-t1 -c16) on every target against both counties one after the other,
before first in odd rounds and after first in even ones, then on the bare endpoint without an
RPC (the ceiling: nameko's HTTP alone) and with one RPC to a service returning a constant (the
floor of benchmarks.gateway_load; the public reads come from the gateway's read model, no RPC).
A busy machine slows both sides of a pair alike: each figure is the median over the rounds,
the after/before ratio the median of the rounds' paired ratios, and each side is also given as
its share of the same round's ceiling. Targets: the public reads
of benchmarks.gateway_load and the portal pages of benchmarks.portal; one that either side does
not answer 200 is left out and named. Prints a Markdown table."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from services.common.config import ROOT
from tests.conftest import free_port, wait_for
from tests.processes import base_env, temporary_vhost

from . import gateway_load, portal

SIDES = ("before", "after")
THREADS = 1
TARGETS = {**{gateway_load.LABELS[name]: path for name, path in gateway_load.PUBLIC_READS.items()},
           **{f"portal {label}": path for path, label in portal.TARGETS.values()}}
CEILINGS = {"bare endpoint, no RPC (the ceiling)": "/items", "bare endpoint, one RPC (the floor)": "/one-rpc"}
CEILING = next(iter(CEILINGS))
BUDGET_SECONDS = 15 * 60
STARTUP_SECONDS = 240  # both counties, seeded, on a busy machine; and the stop


def _commit(tree: Path) -> str:
    head = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], check=False,
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no"],
                           check=False, capture_output=True, text=True).stdout.strip()
    return (head.stdout.strip() or "?") + (" (with uncommitted changes)" if dirty else "")


def _start_county(tree: Path, log_dir: Path, stack: contextlib.ExitStack) -> subprocess.Popen:
    log = stack.enter_context(open(log_dir / f"county-{tree.name}.log", "wb"))
    return subprocess.Popen([sys.executable, "-P", str(ROOT / "benchmarks" / "compare_county.py")], cwd=tree,
                            env={**os.environ, "PYTHONPATH": str(tree)}, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=log, text=True)


def _serving(county: subprocess.Popen, log_dir: Path, tree: Path) -> str:
    for line in county.stdout:
        if line.startswith("COUNTY "):
            found = json.loads(line[len("COUNTY "):])
            if Path(found["root"]) != tree:
                raise RuntimeError(f"{tree}: the county ran the code of {found['root']}")
            return found["api"]
    log = (log_dir / f"county-{tree.name}.log").read_text(errors="replace")
    raise RuntimeError(f"the county of {tree} stopped before serving:\n{log[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.stdin:
        process.stdin.close()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait(30)


def _served(apis: dict[str, str]) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, int]]]:
    """The targets both sides answer 200, the others with what each side answered, and the
    size of each side's answer (bytes of the body) to the ones both serve."""
    both, left_out, sizes = {}, {}, {}
    for label, path in TARGETS.items():
        answers = {side: requests.get(api + path, timeout=30) for side, api in apis.items()}
        codes = {side: answer.status_code for side, answer in answers.items()}
        if set(codes.values()) == {200}:
            both[label] = path
            sizes[label] = {side: len(answer.content) for side, answer in answers.items()}
        else:
            left_out[label] = ", ".join(f"{side} {code}" for side, code in codes.items())
    return both, left_out, sizes


def measure(apis: dict[str, str], bare: str, targets: dict[str, str], rounds: int,
            seconds: int) -> dict[str, list[dict[str, float]]]:
    """Per (label, side) and per ceiling, one wrk figure a round."""
    figures: dict[str, list[dict[str, float]]] = {}
    for n in range(rounds):
        order = SIDES if n % 2 == 0 else SIDES[::-1]
        for label, path in targets.items():
            for side in order:
                figures.setdefault(f"{label}|{side}", []).append(
                    gateway_load.wrk(apis[side] + path, threads=THREADS, seconds=seconds))
        for label, path in CEILINGS.items():
            figures.setdefault(label, []).append(gateway_load.wrk(bare + path, threads=THREADS, seconds=seconds))
        print(f"round {n + 1} of {rounds} done", file=sys.stderr, flush=True)
    return figures


def _spread(values: list[float], digits: int = 0) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def _ratios(tops: list[float], bottoms: list[float]) -> list[float]:
    """The rounds' paired ratios; a round whose bottom answered nothing (wrk got no answer in
    time on a starved machine) has no ratio, rather than ending the run without its table."""
    return [t / b for t, b in zip(tops, bottoms) if b]


def table(figures: dict[str, list[dict[str, float]]], sizes: dict[str, dict[str, int]]) -> str:
    ceiling = [f["rps"] for f in figures[CEILING]]
    lines = [("| endpoint | before req/s | after req/s | after/before | before/ceiling | after/ceiling "
              "| p99 before ms | p99 after ms | bytes before | bytes after |"), "|---" * 10 + "|"]
    for label in sizes:
        before, after = figures[f"{label}|before"], figures[f"{label}|after"]
        rps_b, rps_a = [f["rps"] for f in before], [f["rps"] for f in after]
        lines.append(" | ".join([
            f"| {label}", _spread(rps_b), _spread(rps_a), _spread(_ratios(rps_a, rps_b), 2),
            _spread(_ratios(rps_b, ceiling), 2), _spread(_ratios(rps_a, ceiling), 2),
            f"{statistics.median(f['p99_ms'] for f in before):.1f}",
            f"{statistics.median(f['p99_ms'] for f in after):.1f}", f"{sizes[label]['before']}",
            f"{sizes[label]['after']} |"]))
    lines += ["", "| bare endpoints, once a round beside both | req/s | to the ceiling | p99 ms |",
              "|---|---|---|---|"]
    for label in CEILINGS:
        rps = [f["rps"] for f in figures[label]]
        lines.append(f"| {label} | {_spread(rps)} | {_spread(_ratios(rps, ceiling), 2)} | "
                     f"{statistics.median(f['p99_ms'] for f in figures[label]):.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="the checkout before the change")
    parser.add_argument("--after", type=Path, default=ROOT, help="the checkout after it (default: this one)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of before and after (3 at least)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per figure")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    estimate = STARTUP_SECONDS + args.rounds * (2 * len(TARGETS) + len(CEILINGS)) * (args.seconds + 1)
    if args.rounds < 3 or estimate > BUDGET_SECONDS:
        parser.error(f"3 rounds at least, within {BUDGET_SECONDS // 60} minutes (this would take about "
                     f"{estimate // 60} minutes: fewer rounds or seconds)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, temporary_vhost() as amqp_uri, contextlib.ExitStack() as stack:
        log_dir = Path(tmp)
        counties = {side: _start_county(tree, log_dir, stack) for side, tree in trees.items()}
        bare_address = f"127.0.0.1:{free_port()}"
        bare = subprocess.Popen([str(Path(sys.executable).with_name("nameko")), "run", "--config",
                                 str(ROOT / "config.yaml"), "benchmarks.bare_http"], cwd=ROOT,
                                env={**base_env(amqp_uri, {}, free_port()), "GATEWAY_ADDRESS": bare_address,
                                     "METRICS_ADDRESS": f"127.0.0.1:{free_port()}"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            apis = {side: _serving(counties[side], log_dir, trees[side]) for side in SIDES}
            wait_for(lambda: requests.get(f"http://{bare_address}/one-rpc").ok, timeout=60, message="the bare service")
            targets, left_out, sizes = _served(apis)
            figures = measure(apis, f"http://{bare_address}", targets, args.rounds, args.seconds)
        finally:
            bare.terminate()
            for county in counties.values():
                _stop(county)
            try:
                bare.wait(10)
            except subprocess.TimeoutExpired:  # wrk's keep-alive connections hold a graceful stop
                bare.kill()
                bare.wait(10)
    print(f"before: {trees['before']} at {_commit(trees['before'])}; after: {trees['after']} at "
          f"{_commit(trees['after'])}")
    print(f"wrk -t{THREADS} -c{gateway_load.CONNECTIONS} -d{args.seconds}s, {args.rounds} rounds interleaved, "
          f"{time.monotonic() - started:.0f} s in all; median (min–max) over the rounds\n")
    print(table(figures, sizes))
    for label, codes in left_out.items():
        print(f"\nleft out, not answered 200 by both: {label} ({codes})")


if __name__ == "__main__":
    main()
