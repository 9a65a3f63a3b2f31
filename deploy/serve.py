#!/usr/bin/env python3
"""Serve the dashboard to a class: N Streamlit workers behind nginx, with sticky sessions.

    python deploy/serve.py --workers 2 --port 8501      # what `make serve WORKERS=2` runs
    WORKERS=4 ADDRESS=0.0.0.0 python deploy/serve.py    # the container's CMD (settings from the environment)

One Streamlit process runs every session's script on one core (a thread per session, one
interpreter lock), so a second core needs a second process, and a browser must then talk to
one process only: its session, its uploads and its media files live in that process's memory.
This script

1. writes ``nginx.conf`` from ``deploy/nginx.conf.template`` into its run directory
   (``.serve/<port>/``: pid, logs and nginx's temporary folders; nothing outside it is written,
   so an ordinary user can run it as well as root) and checks it with ``nginx -t``;
2. starts N workers, ``streamlit run app.py`` on loopback ports of their own, and waits for
   each one's ``/_stcore/health``;
3. starts nginx on ``--address:--port`` (in the foreground, ``daemon off``): a browser's first
   request goes to the least busy worker, whose name nginx then sets in a cookie
   (``mfdl_worker=w0``) that sends every later request of that browser to the same worker;
4. waits; on Ctrl-C or SIGTERM stops them all (exit 0); when any of them dies, stops the rest
   and exits 1, so a container restarts or a teacher sees it at once.

Every child's output is copied to this one's, each line prefixed with its name (``[w0]``,
``[nginx]``); the run directory also holds ``serve.json`` (ports and pids). Children get
SIGTERM if this process is killed outright (Linux), so none is left behind.

Settings (flag, else environment variable, else default): ``--workers``/``WORKERS`` (the CPUs
this process may use), ``--port``/``PORT`` (8501), ``--address``/``ADDRESS`` (127.0.0.1:
this machine only; 0.0.0.0 to let a classroom in), ``--run-dir``/``MFDL_SERVE_DIR``,
``--nginx``/``NGINX``. Each worker's torch uses CPUs / workers threads (``OMP_NUM_THREADS``)
unless that is already set, so N workers do not fight over the same cores.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import math
import os
import re
import resource
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
HEALTH = "/_stcore/health"
STOP_SECONDS = 10  # how long a child may take to stop before it is killed


def available_cpus() -> int:
    """CPUs this process may use: its affinity mask, capped by a cgroup v2 CPU quota (a container's limit)."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    with contextlib.suppress(OSError, ValueError):
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            n = min(n, max(1, math.ceil(int(quota) / int(period))))
    return max(1, n)


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_files_limit() -> int:
    """Raise the soft limit on open files to the hard one (children inherit it) and return it:
    nginx holds two descriptors per student (the browser's connection and the worker's)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if want > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
    return soft


def max_upload_mb() -> int:
    """server.maxUploadSize from the app's .streamlit/config.toml (Streamlit's default, 200, when unset)."""
    with contextlib.suppress(OSError, tomllib.TOMLDecodeError):
        config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
        return int(config.get("server", {}).get("maxUploadSize", 200))
    return 200


def find_nginx(given: str | None) -> str:
    for candidate in (given, shutil.which("nginx"), "/usr/sbin/nginx", "/usr/local/sbin/nginx"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("serve: nginx not found (Debian: apt-get install nginx; or `make serve`, which installs it)")


def render(template: str, fields: dict[str, str]) -> str:
    """Fill ``{{name}}`` fields; an unknown or unfilled field is an error, not silent nginx syntax."""

    def one(m: re.Match) -> str:
        if m.group(1) not in fields:
            raise KeyError(f"{TEMPLATE.name}: no value for {{{{{m.group(1)}}}}}")
        return fields[m.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", one, template)


def nginx_conf(address: str, port: int, workers: dict[str, int], run_dir: Path, access_log: bool) -> str:
    upstreams = ["    upstream mfdl_pool {", "        least_conn;"]
    upstreams += [f"        server 127.0.0.1:{p};" for p in workers.values()]
    upstreams.append("    }")
    for name, p in workers.items():
        upstreams.append(f"    upstream mfdl_{name} {{ server 127.0.0.1:{p}; }}")
    listen = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    upload = max_upload_mb()
    return render(TEMPLATE.read_text(encoding="utf-8"), {
        "nginx_processes": "1",
        "worker_connections": str(max(256, min(4096, open_files_limit() - 64))),
        "run_dir": str(run_dir),
        "error_log": "stderr",
        "access_log": str(run_dir / "access.log") if access_log else "off",
        "upstreams": "\n".join(upstreams),
        "cookie_routes": "\n".join(f"        {name} mfdl_{name};" for name in workers),
        "served_by": "\n".join(f'        "~(^|, )127\\.0\\.0\\.1:{p}$" {name};' for name, p in workers.items()),
        "listen": listen,
        "max_upload_mb": str(upload),
        "client_max_body_mb": str(upload + 1),
    })


try:  # looked up here, not in the forked child
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the supervisor dies, even by SIGKILL (Linux only)."""
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    port: int | None = None
    pending: bytes = field(default=b"", repr=False)


class Supervisor:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.children: list[Child] = []
        self.stop_signal: int | None = None
        self.sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        for s in (self._wake_r, self._wake_w):
            s.setblocking(False)
        self.sel.register(self._wake_r, selectors.EVENT_READ, None)
        signal.set_wakeup_fd(self._wake_w.fileno())  # a signal wakes select() below
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    # ----------------------------------------------------------------------------- output, events

    def _on_signal(self, signum, _frame) -> None:
        self.stop_signal = self.stop_signal or signum

    def say(self, text: str) -> None:
        self._write(f"[serve] {text}\n".encode())

    def _write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()

    def spawn(self, name: str, cmd: list[str], env: dict[str, str], port: int | None = None) -> Child:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent)
        child = Child(name, proc, port)
        self.children.append(child)
        os.set_blocking(proc.stdout.fileno(), False)
        self.sel.register(proc.stdout, selectors.EVENT_READ, child)
        return child

    def pump(self, timeout: float | None) -> None:
        """Wait up to ``timeout`` for output, a signal or a child's end; copy output, prefixed."""
        for key, _ in self.sel.select(timeout):
            child: Child | None = key.data
            if child is None:
                with contextlib.suppress(OSError):
                    self._wake_r.recv(512)
                continue
            try:
                data = os.read(key.fd, 65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:  # the child closed its output: it is ending
                self.sel.unregister(key.fileobj)
                data = b"\n" if child.pending else b""
            *lines, child.pending = (child.pending + data).split(b"\n")
            prefix = f"[{child.name}] ".encode()
            self._write(b"".join(prefix + line + b"\n" for line in lines))

    def dead(self) -> Child | None:
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def wait_until(self, what: str, ready, timeout: float) -> bool:
        """Pump output until ``ready()``; False on a stop request; exits through SystemExit on a
        child's death or the time-out."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self.stop_signal:
                return False
            if (c := self.dead()) is not None:
                raise SystemExit(f"{c.name} exited with code {c.proc.returncode} while starting")
            if time.monotonic() > deadline:
                raise SystemExit(f"no {what} after {timeout:.0f} s")
            self.pump(0.25)
        return True

    # ------------------------------------------------------------------------------------- running

    def run(self) -> int:
        a = self.args
        nginx = find_nginx(a.nginx)
        run_dir = Path(a.run_dir or ROOT / ".serve" / str(a.port)).resolve()
        run_dir.mkdir(parents=True, exist_ok=True)
        if a.worker_port:
            ports = [a.worker_port + i for i in range(a.workers)]
        else:
            ports = []
            while len(ports) < a.workers:
                p = free_port()
                if p != a.port and p not in ports:
                    ports.append(p)
        workers = {f"w{i}": p for i, p in enumerate(ports)}
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_conf(a.address, a.port, workers, run_dir, a.access_log), encoding="utf-8")
        nginx_cmd = [nginx, "-p", str(run_dir), "-e", "stderr", "-c", str(conf)]
        test = subprocess.run([*nginx_cmd, "-t", "-q"], capture_output=True, text=True)
        if test.returncode:
            raise SystemExit(f"nginx refused {conf}:\n{test.stderr.strip()}")

        env = dict(os.environ, PYTHONUNBUFFERED="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        env.setdefault("OMP_NUM_THREADS", str(max(1, available_cpus() // a.workers)))
        # One secret for all workers: a cookie Streamlit signs (st.login) is then valid on each of them.
        env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
        self.say(f"starting {a.workers} worker(s) on 127.0.0.1:{', '.join(map(str, ports))} "
                 f"(OMP_NUM_THREADS={env['OMP_NUM_THREADS']}), run directory {run_dir}")
        started = time.monotonic()
        for name, p in workers.items():
            self.spawn(name, [a.python, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                              "--server.address", "127.0.0.1", "--server.port", str(p),
                              "--server.fileWatcherType", "none"], env, p)
        waiting = set(workers)

        def all_healthy() -> bool:
            for name in sorted(waiting):
                if healthy(f"http://127.0.0.1:{workers[name]}{HEALTH}"):
                    waiting.discard(name)
            return not waiting

        if not self.wait_until("healthy workers", all_healthy, a.start_timeout):
            return 0
        self.spawn("nginx", nginx_cmd, dict(os.environ))
        probe_host = "127.0.0.1" if a.address in ("0.0.0.0", "", "::", "*") else a.address
        probe = f"http://{'[' + probe_host + ']' if ':' in probe_host else probe_host}:{a.port}{HEALTH}"
        if not self.wait_until("answer through nginx", lambda: healthy(probe), 30):
            return 0
        (run_dir / "serve.json").write_text(json.dumps({
            "pid": os.getpid(), "address": a.address, "port": a.port, "nginx_conf": str(conf),
            "children": [{"name": c.name, "pid": c.proc.pid, "port": c.port} for c in self.children],
        }, indent=2) + "\n", encoding="utf-8")
        where = (f"every interface, port {a.port} (http://{socket.gethostname()}:{a.port})"
                 if probe_host != a.address else f"http://{probe_host}:{a.port}")
        self.say(f"ready in {time.monotonic() - started:.1f} s: {a.workers} worker(s) behind nginx on {where}; "
                 "Ctrl-C stops them")

        while not self.stop_signal:
            if (c := self.dead()) is not None:
                self.say(f"{c.name} (pid {c.proc.pid}) exited with code {c.proc.returncode}: stopping the others")
                return 1
            self.pump(1.0)
        self.say(f"{signal.Signals(self.stop_signal).name}: stopping")
        return 0

    def shutdown(self) -> None:
        """SIGTERM to every child still running (nginx first: no new requests), then SIGKILL after a grace."""
        alive = [c for c in sorted(self.children, key=lambda c: c.name != "nginx") if c.proc.poll() is None]
        for c in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(c.proc.pid, signal.SIGTERM)  # its own group: nginx's workers too
        deadline = time.monotonic() + STOP_SECONDS
        while any(c.proc.poll() is None for c in alive) and time.monotonic() < deadline:
            self.pump(0.1)
        for c in alive:
            if c.proc.poll() is None:
                self.say(f"{c.name} did not stop in {STOP_SECONDS} s: killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(c.proc.pid, signal.SIGKILL)
                c.proc.wait()
        with contextlib.suppress(Exception):
            self.pump(0)  # the last lines they wrote


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workers", type=int, default=int(env.get("WORKERS") or available_cpus()),
                   help="Streamlit processes (default: WORKERS, else the CPUs available)")
    p.add_argument("--port", type=int, default=int(env.get("PORT") or 8501), help="nginx's port (default 8501)")
    p.add_argument("--address", default=env.get("ADDRESS") or "127.0.0.1",
                   help="nginx's address (default 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--worker-port", type=int, default=int(env.get("WORKER_PORT") or 0),
                   help="first worker's port, the others follow (default: free loopback ports)")
    p.add_argument("--run-dir", default=env.get("MFDL_SERVE_DIR") or "",
                   help="nginx's config, pid, temp files (default .serve/<port>)")
    p.add_argument("--nginx", default=env.get("NGINX"), help="the nginx binary (default: found on PATH, /usr/sbin)")
    p.add_argument("--access-log", action="store_true", help="write nginx's access log to the run directory")
    p.add_argument("--start-timeout", type=float, default=120.0, help="seconds for the workers to become healthy")
    p.add_argument("--python", default=sys.executable, help="the Python that runs Streamlit (default: this one)")
    args = p.parse_args(argv)
    if args.workers < 1:
        p.error("--workers must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    sup = Supervisor(parse(argv))
    try:
        return sup.run()
    except SystemExit as exc:
        if isinstance(exc.code, str):
            sup.say(exc.code)
            return 1
        raise
    finally:
        sup.shutdown()


if __name__ == "__main__":
    sys.exit(main())
