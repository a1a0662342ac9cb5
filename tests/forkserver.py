"""Service processes for the tests, forked from one that has imported every service already.

A test cluster starts six `nameko run` processes, and each spent two to three seconds of CPU
importing the same modules (eventlet, nameko, kombu, SQLAlchemy, marshmallow, the service and
the gateway) before it served anything: about half of a cluster's start, and a run starts some
forty clusters on two cores. The fork server imports them once, as `nameko run` would (eventlet's
monkey patching first), and forks a child per process asked for. The child takes the asked
environment, working directory, arguments and log file, and runs nameko's own command line, so
it is the process `nameko run` makes, with its own pid, queues, databases and metrics port.

The environment a process reads only as the interpreter starts or its modules are imported
(PYTHON*, LD_PRELOAD and libfaketime's FAKETIME*, EVENTLET_*, PASSWORD_HASH_COST) is the fork
server's; a process asked for with another gets a fork server of its own (a frozen-clock run
has one for its offset). The children are the fork server's, not the test's: `Forked` answers
for one as `subprocess.Popen` does (pid, poll, wait, send_signal, returncode),
asking the fork server for its exit status. `run` runs a loader (`python -m module`) the same way.

    python -m tests.forkserver SOCKET MODULE [MODULE ...]      (started by `start` itself)
"""
from __future__ import annotations

import atexit
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

# read as the interpreter starts, or as the modules are imported (services/units/accounts.py
# picks its password hasher by PASSWORD_HASH_COST)
STARTUP_ENV_PREFIXES = ("PYTHON", "LD_", "FAKETIME", "EVENTLET_", "MALLOC", "PASSWORD_HASH_COST")
READY_TIMEOUT_SECONDS = 120
POLL_SECONDS = 0.05


def startup_env(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The part of an environment read only as the interpreter starts or the modules load."""
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(STARTUP_ENV_PREFIXES)))


# --- the test's side --------------------------------------------------------------------------

class Forked:
    """A child of the fork server, answering as a `subprocess.Popen` does."""

    def __init__(self, server: ForkServer, pid: int, args: list[str]):
        self.server, self.pid, self.args, self.returncode = server, pid, args, None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.ask({"op": "status", "pid": self.pid})["code"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(POLL_SECONDS)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)


class ForkServer:
    """One fork server process, with the modules given imported."""

    def __init__(self, env: dict[str, str], cwd: Path, modules: list[str]):
        self.folder = Path(tempfile.mkdtemp(prefix="gongkai-forkserver-"))
        self.path = self.folder / "socket"
        self.startup = startup_env(env)
        self.lock = threading.Lock()
        with open(self.folder / "server.log", "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.forkserver", str(self.path), *modules],
                                         cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self.path.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the fork server did not start:\n{(self.folder / 'server.log').read_text()}")
            time.sleep(POLL_SECONDS)

    def ask(self, request: dict) -> dict:
        with self.lock, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(self.path))
            conn.sendall(json.dumps(request).encode() + b"\n")
            answer = json.loads(_read_line(conn))
        if "error" in answer:
            raise RuntimeError(f"the fork server: {answer['error']}")
        return answer

    def spawn(self, args: list[str], env: dict[str, str], cwd: Path, log: Path) -> Forked:
        pid = self.ask({"op": "spawn", "args": args, "env": env, "cwd": str(cwd), "log": str(log)})["pid"]
        return Forked(self, pid, args)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


_servers: dict[tuple, ForkServer] = {}


def start(args: list[str], env: dict[str, str], cwd: Path, log: Path, modules: list[str]) -> Forked:
    """`args` (a `nameko run` command line, or `python -m module ...`) as a child of the fork server for this environment's
    start-up part, started on first use with `modules` imported."""
    key = startup_env(env)
    if key not in _servers:
        _servers[key] = ForkServer(env, cwd, modules)
    return _servers[key].spawn(args, env, cwd, log)


def run(args: list[str], env: dict[str, str], cwd: Path, modules: list[str]) -> subprocess.CompletedProcess:
    """`python -m module ...` to its end, as `subprocess.run(..., check=True, capture_output=True)`
    does it, forked from the fork server."""
    with tempfile.NamedTemporaryFile(prefix="gongkai-forked-", suffix=".log") as log:
        code = start(args, env, cwd, Path(log.name), modules).wait()
        output = Path(log.name).read_bytes()
    if code:
        raise subprocess.CalledProcessError(code, args, output=output, stderr=b"")
    return subprocess.CompletedProcess(args, code, stdout=output, stderr=b"")


@atexit.register
def _close_all() -> None:
    for server in _servers.values():
        server.close()


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


# --- the fork server's side ------------------------------------------------------------------

def serve(path: str, modules: list[str]) -> None:
    """Import eventlet (patching first), nameko's command line and the modules, then fork a
    child per request until the test process that started this one has gone. The imports are
    here, not at the top: the test's side imports this module too, and must not patch."""
    import eventlet
    eventlet.monkey_patch()  # as `nameko run` does, before anything it runs is imported
    from importlib import import_module

    from eventlet import hubs

    from nameko.cli import main as nameko_main
    from nameko.cli.run import import_service

    for module in modules:
        import_module(module)
        import_service(module)
    plain_socket, plain_os = eventlet.patcher.original("socket"), eventlet.patcher.original("os")
    parent, codes = os.getppid(), {}
    server = plain_socket.socket(plain_socket.AF_UNIX, plain_socket.SOCK_STREAM)
    server.bind(path + ".new")
    server.listen(64)
    server.settimeout(1.0)
    os.rename(path + ".new", path)  # ready: the test's side waits for this name
    while os.getppid() == parent:  # the test process gone: so is its fork server
        try:
            conn, _ = server.accept()
        except plain_socket.timeout:
            _reap(plain_os, codes)
            continue
        with conn:
            conn.settimeout(None)
            request = json.loads(_read_line(conn))
            _reap(plain_os, codes)
            try:
                if request["op"] == "spawn":
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = plain_os.fork()
                    if pid == 0:
                        server.close()
                        conn.close()
                        _own_hub(hubs)
                        _child(nameko_main, request)
                    codes[pid] = None
                    answer = {"pid": pid}
                else:
                    answer = {"code": codes[request["pid"]]}
            except Exception as exc:  # told to the test, which raises it
                answer = {"error": repr(exc)}
            conn.sendall(json.dumps(answer).encode() + b"\n")


def _reap(plain_os, codes: dict[int, int | None]) -> None:
    """Every child that has ended, with its status as `subprocess` gives it (-N: signal N)."""
    while True:
        try:
            pid, status = plain_os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        codes[pid] = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _own_hub(hubs) -> None:
    """In the forked child: an eventlet hub, and so an epoll instance, of its own. The fork
    server's hub was made as the modules were imported; a child keeping it shares one epoll with
    every sibling, so each process was woken by the others' sockets (one by the same number as
    one of its own reads nothing, and is woken again until the owner reads): a call to one
    service cost every service of the cluster CPU, and a cluster under load ran at a fraction
    of the speed of processes started by `nameko run` (one RPC to units: 24 answers a second
    instead of 180)."""
    inherited = hubs.get_hub()
    hubs.use_hub()  # the next get_hub() makes a new one for this process
    if hasattr(inherited.poll, "close"):  # an epoll (poll and select hubs hold no kernel object)
        inherited.poll.close()  # this process's handle on the shared one; the siblings keep theirs


def _child(nameko_main, request: dict) -> None:
    """In the forked child: become the process asked for, run nameko's command line, exit."""
    code = 1
    try:
        for sig in (signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        args = request["args"]
        if args[1:2] == ["-m"]:  # `python -m module ...`: a loader or another script
            sys.argv = args[2:]
            runpy.run_module(args[2], run_name="__main__", alter_sys=True)
        else:  # `nameko run ...`
            sys.argv = args
            nameko_main.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
