"""Run Gongkai on one machine: `make run`, or `make run-together`.

    python deploy/local.py              # one nameko process per service, as docker-compose runs them
    python deploy/local.py --together   # all services in one nameko process

One process per service is the default: in one process every service's event handlers share
one event loop with the gateway's reads, so a registry import (thousands of events that
disclosure, feedback, notify and supervision all work through) slowed the directory's p99
past 3 s; apart, it stays under 1 s (`python -m benchmarks.registry_reads`).

Why a launcher and not one shell line: a local run needs a mail sink beside the services
(notify sends real SMTP), must not say "up" before the gateway's /readyz does (services
connect to the broker and receive the unit directory by events, which takes seconds), must
tell a developer where everything is and give them tokens to try it with, and must leave no
process behind on Ctrl-C or when one child dies. Standard library only, plus the project's
own config and token code, so it reads the same config.yaml as every other run mode.
"""
from __future__ import annotations

import argparse
from datetime import timedelta
import collections
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.auth import mint_token  # noqa: E402
from services.common.config import load_config  # noqa: E402
from services.common.workdays import county_today  # noqa: E402
from services.units.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_otp_file, demo_otp_secrets  # noqa: E402

# service -> (module, metrics address when it runs in its own process)
SERVICES = {
    "units": ("services.units.service", "127.0.0.1:9101"),
    "disclosure": ("services.disclosure.service", "127.0.0.1:9102"),
    "feedback": ("services.feedback.service", "127.0.0.1:9103"),
    "notify": ("services.notify.service", "127.0.0.1:9104"),
    "gateway": ("gateway.service", "127.0.0.1:9105"),
    "supervision": ("services.supervision.service", "127.0.0.1:9106"),
}
MAILDIR = "var/mail"  # relative to ROOT; aiosmtpd's Mailbox handler creates it
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
TAIL_LINES = 40
TOKEN_TTL = 8 * 3600
RABBITMQ_UI = "http://127.0.0.1:15672"

_output = threading.Lock()


def say(text: str = "") -> None:
    with _output:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


class Stop(Exception):
    """SIGINT or SIGTERM arrived."""


class Child:
    """A subprocess whose output goes to the terminal and whose last lines are kept."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], prefix: str) -> None:
        self.name = name
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        # its own process group: a Ctrl-C reaches only the launcher, which stops children in order
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, errors="replace", start_new_session=True)
        threading.Thread(target=self._pump, args=(prefix,), daemon=True).start()

    def _pump(self, prefix: str) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.tail.append(line)
            say(prefix + line)


def address_url(address: str) -> str:
    host, _, port = address.rpartition(":")
    return f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}"


def start_children(config: dict[str, Any], split: bool, children: list[Child]) -> None:
    """Start the mail sink and nameko, appending each to `children` as soon as it runs."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # PYTHONWARNINGS as the Makefile exports it
    nameko = [sys.executable, "-m", "nameko", "run", "--config", os.environ.get("GONGKAI_CONFIG", "config.yaml")]
    smtp = config["SMTP"]
    if str(smtp["HOST"]) in ("127.0.0.1", "localhost"):
        (ROOT / "var").mkdir(exist_ok=True)
        sink = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{smtp['HOST']}:{smtp['PORT']}",
                "-c", "aiosmtpd.handlers.Mailbox", MAILDIR]
        children.append(Child("mail", sink, env, "mail       | " if split else ""))
    if split:
        for name, (module, metrics) in SERVICES.items():
            children.append(Child(name, nameko + [module], {**env, "METRICS_ADDRESS": metrics}, f"{name:<11}| "))
    else:
        children.append(Child("nameko", nameko + [module for module, _ in SERVICES.values()], env, ""))


def stop_children(children: list[Child]) -> None:
    for child in children:
        if child.proc.poll() is None:
            child.proc.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        try:
            child.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"local: {child.name} did not stop within {STOP_TIMEOUT:.0f}s; killing it")
            child.proc.kill()
            child.proc.wait()


def fail(children: list[Child], message: str, tail_of: Child | None = None) -> NoReturn:
    say(f"\nlocal: {message}")
    for child in [tail_of] if tail_of else children:
        if child.tail:
            say(f"--- last lines of {child.name} ---")
            say("\n".join(child.tail))
    say("local: stopping everything")
    stop_children(children)
    sys.exit(1)


def check_alive(children: list[Child]) -> None:
    for child in children:
        code = child.proc.poll()
        if code is not None:
            fail(children, f"{child.name} exited unexpectedly (code {code})", child)


def readyz(url: str) -> tuple[int | None, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(url, timeout=15) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except OSError as exc:
        return None, f"no answer: {exc}"


def wait_until_ready(children: list[Child], url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        check_alive(children)
        status, body = readyz(url)
        if status == 200:
            return
        if time.monotonic() > deadline:
            fail(children, f"{url} did not return 200 within {READY_TIMEOUT:.0f}s; it said ({status}):\n{body}")
        time.sleep(1)


def banner(config: dict[str, Any], split: bool) -> str:
    gateway = address_url(config["WEB_SERVER_ADDRESS"])
    metrics = ([(name, address) for name, (_, address) in SERVICES.items()] if split
               else [("all services", config["METRICS_ADDRESS"])])
    secret = config["GATEWAY"]["JWT_SECRET"]
    variables = {"operator": "OP", "reviewer": "RV", "member": "MEMBER", "inspector": "INSPECTOR", "admin": "ADMIN",
                 "secadmin": "SECADMIN", "auditor": "AUDITOR"}
    demo = [(variables[role], user, role, unit) for user, role, unit, _ in DEMO_ACCOUNTS]
    smtp = config["SMTP"]
    today = county_today()
    lines = [
        "=" * 78,
        "Gongkai is up.",
        "",
        f"Gateway      {gateway}",
        f"             {gateway}/api/v1/units   {gateway}/api/v1/items   {gateway}/readyz",
        "Metrics      " + "\n             ".join(f"{address_url(a)}/metrics  ({n})" for n, a in metrics),
        f"RabbitMQ UI  {RABBITMQ_UI}  (guest/guest)",
        f"Mail         {MAILDIR}/new/  (SMTP sink on {smtp['HOST']}:{smtp['PORT']})",
        "",
        f"Demo accounts (password {DEMO_PASSWORD}): "
        + ", ".join(f"{u} ({r}{' of ' + unit if unit else ''})" for u, r, unit, _ in DEMO_ACCOUNTS),
        f"Second factor (TOTP secrets, demo only, from {demo_otp_file()}): "
        + (", ".join(f"{u} {s}" for u, s in demo_otp_secrets().items()) or "none yet"),
        f"Sign in as one:  curl -s -X POST {gateway}/api/v1/auth/token -H 'Content-Type: application/json' "
        f"-d '{{\"grant_type\": \"password\", \"username\": \"op-a001\", \"password\": \"{DEMO_PASSWORD}\"}}'",
        f"Or use these tokens, valid {TOKEN_TTL // 3600} h (paste into your shell):",
    ]
    for var, user, role, unit in demo:
        who = f"{role} {user}" + (f" of {unit}" if unit else "")
        lines += [f"  # {who}", f"  export {var}={mint_token(secret, user, role, unit, TOKEN_TTL)}"]
    lines += [
        "  # publish an item: the operator creates and submits it, the reviewer reviews and approves",
        f"  ID=$(curl -s -X POST {gateway}/api/v1/items -H \"Authorization: Bearer $OP\" \\",
        "      -H 'Content-Type: application/json' \\",
        "      -d '{\"unit_code\": \"A001\", \"title\": \"2025年第一季度党费收缴情况\", "
        "\"body\": \"本季度应缴党费的党员全部按时足额缴纳。\", \"audience\": \"society\", \"carriers\": [\"公开栏\", \"网站\"]}' \\",
        "      | python3 -c 'import json, sys; print(json.load(sys.stdin)[\"id\"])')",
        f"  curl -s -X POST {gateway}/api/v1/items/$ID/submit  -H \"Authorization: Bearer $OP\"; echo",
        f"  curl -s -X POST {gateway}/api/v1/items/$ID/review  -H \"Authorization: Bearer $RV\"; echo",
        f"  curl -s -X POST {gateway}/api/v1/items/$ID/approve -H \"Authorization: Bearer $RV\"; echo",
        f"  curl -s {gateway}/api/v1/items; echo   # now public; the liaison's email is in {MAILDIR}/new/",
        "  # supervision: the checklist, a random inspection of 5 units (双随机, the seed kept), this month's scores",
        f"  curl -s {gateway}/api/v1/checklists; echo",
        f"  curl -s -X POST {gateway}/api/v1/inspections -H \"Authorization: Bearer $INSPECTOR\" \\",
        "      -H 'Content-Type: application/json' \\",
        f"      -d '{{\"title\": \"双随机抽查\", \"kind\": \"random\", \"window_opens\": \"{today}\", "
        f"\"window_closes\": \"{today + timedelta(days=14)}\", \"sample\": {{\"count\": 5, \"seed\": 42}}, "
        "\"inspectors\": [{\"username\": \"insp-a\"}, {\"username\": \"insp-b\"}]}'; echo",
        f"  curl -s \"{gateway}/api/v1/scores?period=$(date +%Y-%m)\" -H \"Authorization: Bearer $INSPECTOR\"; echo",
        "",
        "Ctrl-C to stop.",
        "=" * 78,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Gongkai locally with a mail sink.")
    parser.add_argument("--together", action="store_true", help="all services in one process")
    parser.add_argument("--split", action="store_true", help="one process per service (the default)")
    args = parser.parse_args()
    args.split = not args.together
    config = load_config()

    def on_signal(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    children: list[Child] = []
    try:
        start_children(config, args.split, children)
        wait_until_ready(children, address_url(config["WEB_SERVER_ADDRESS"]) + "/readyz")
        say(banner(config, args.split))
        while True:
            check_alive(children)
            time.sleep(0.5)
    except Stop:
        say("\nlocal: stopping")
        stop_children(children)
        say("local: stopped")


if __name__ == "__main__":
    main()
