"""Starting and stopping the stack's processes and the services under them."""
from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
DATABASE = "center_stack"
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the log's clock, before and after Django sets TZ
REDIS_PORT = 6379
# The command this machine's Redis was started with (no persistence: a restart starts empty).
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(REDIS_PORT),
               "--save", "", "--appendonly", "no"]


def log(message: str) -> None:
    print(f"[stack {datetime.datetime.now(SHANGHAI):%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, seconds: float, step: float = 0.5, what: str = "") -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # noqa: BLE001 - not ready yet
            pass
        time.sleep(step)
    if what:
        raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
    return False


# --- services --------------------------------------------------------------------------------

def postgres_answers() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", PG["host"], "-p", PG["port"]]).returncode == 0


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_services() -> None:
    """PostgreSQL and Redis run on this machine (and CI's); start them when they do not answer."""
    if not postgres_answers():
        log("PostgreSQL does not answer; starting it")
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
        wait_for(postgres_answers, 30, what="PostgreSQL")
    if not redis_answers():
        if not shutil.which("redis-server"):
            subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        start_redis()


def start_redis() -> None:
    folder = "/var/lib/redis" if os.path.isdir("/var/lib/redis") else "/tmp"
    subprocess.run([*REDIS_START, "--dir", folder], check=True, stdout=subprocess.DEVNULL)
    wait_for(redis_answers, 30, step=0.2, what="Redis")


def stop_redis() -> None:
    with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=2) as conn:
        conn.sendall(b"SHUTDOWN NOSAVE\r\n")
    wait_for(lambda: not redis_answers(), 10, step=0.2, what="Redis to stop")


def redis_flush(*databases: int) -> None:
    for db in databases:
        with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=2) as conn:
            conn.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
            time.sleep(0.05)
            conn.recv(64)


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", database, "-tAc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def fresh_database() -> None:
    psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DATABASE}'")
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")


# --- processes -------------------------------------------------------------------------------

class Process:
    """One of the stack's processes, in a process group of its own (so that kill -9 takes its
    children too, as when a machine dies), its output in a log file.

    Supervised as production supervises it (systemd's ``Restart=on-failure``, Compose's
    ``restart: unless-stopped``): when it exits by itself with a non-zero code, it is started again
    after ``restart_after`` seconds, and the exit is recorded in ``failures``. Exits the test causes
    (``kill9``, ``stop``) are not restarted here; the test restarts by hand where it means to."""

    def __init__(self, name: str, argv: list[str], env: dict, logs: Path, restart_after: float = 2.0):
        self.name, self.argv, self.env = name, argv, env
        self.log_path = logs / f"{name}.log"
        self.popen: subprocess.Popen | None = None
        self.starts = 0
        self.restart_after = restart_after
        self.failures: list[int] = []  # exit codes of the exits the supervisor restarted
        self._lock = threading.RLock()
        self._expected_exit = True  # until started; set while the test itself kills or stops it
        self._kills = 0
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._supervise, name=f"supervise-{name}", daemon=True)
        self._watcher.start()

    def start(self) -> "Process":
        with self._lock:
            self.starts += 1
            handle = open(self.log_path, "a")
            handle.write(f"\n--- start {self.starts} ---\n")
            handle.flush()
            self.popen = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                          start_new_session=True)
            handle.close()
            self._expected_exit = False
        return self

    def _supervise(self) -> None:
        while not self._closed.wait(0.2):
            with self._lock:
                if self._expected_exit or self.popen is None or self.popen.poll() is None:
                    continue
                code = self.popen.returncode
                self._expected_exit = True  # until it runs again
                if code == 0:
                    log(f"{self.name} exited by itself with code 0; not restarted")
                    continue
                self.failures.append(code)
                token = (self.starts, self._kills)
                log(f"{self.name} exited by itself with code {code}; restarting in {self.restart_after:.0f} s "
                    f"(Restart=on-failure)")
            if self._closed.wait(self.restart_after):
                return
            with self._lock:  # unless the test started or killed it meanwhile
                if (self.starts, self._kills) == token and not self._closed.is_set():
                    self.start()

    def close(self) -> None:
        """No more restarts (at the end of the test)."""
        self._closed.set()
        with self._lock:
            self._expected_exit = True

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill9(self) -> None:
        with self._lock:
            self._expected_exit = True
            self._kills += 1
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=30)

    def stop(self, timeout: float = 60) -> tuple[int | None, float]:
        """SIGTERM the main process (as systemd does) and wait: (exit code, seconds it took)."""
        self.close()
        if not self.alive:
            return self.popen.returncode if self.popen else None, 0.0
        began = time.monotonic()
        self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
            code = None  # did not stop by itself
        return code, time.monotonic() - began

    def leftovers(self) -> bool:
        """Whether anything of its process group is still running."""
        try:
            os.killpg(self.popen.pid, 0)
        except ProcessLookupError:
            return False
        return True


def manage(env: dict, *arguments: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout
