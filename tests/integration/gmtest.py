"""Shared helpers for integration tests: a real instance made by
`gmctl instance init`, run by a real gm-master, on loopback ports.

Tests run the binaries from the build tree (GM_BIN, set by ctest)."""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("GM_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))


# Runs in the child: moves the passed sockets to fds 3, 4, ... and execs the
# daemon with LISTEN_PID set to its own pid (exec keeps the pid), the way
# gm-master and systemd pass listeners.
_LISTEN_FDS_WRAPPER = r"""
import fcntl, os, sys
n = int(sys.argv[1]); fds = [int(x) for x in sys.argv[2:2 + n]]; argv = sys.argv[2 + n:]
high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds]  # out of the way of 3..3+n
for fd in fds: os.close(fd)
for i, fd in enumerate(high):
    os.dup2(fd, 3 + i, inheritable=True)
    os.close(fd)
os.environ["LISTEN_FDS"] = str(n)
os.environ["LISTEN_PID"] = os.environ.pop("GM_TEST_LISTEN_PID", str(os.getpid()))
os.execv(argv[0], argv)
"""


def popen_with_listeners(argv, sockets, env=None, **popen_args):
    """Starts argv with the listening sockets {name: socket} passed as
    LISTEN_FDS / LISTEN_FDNAMES / LISTEN_PID."""
    env = dict(os.environ if env is None else env)
    env["LISTEN_FDNAMES"] = ":".join(sockets)
    fds = [s.fileno() for s in sockets.values()]
    wrapper = [sys.executable, "-c", _LISTEN_FDS_WRAPPER, str(len(fds)), *map(str, fds)]
    return subprocess.Popen(wrapper + list(argv), env=env, pass_fds=fds, **popen_args)


def tls_context():
    """A client TLS context for the instance's self-signed certificate."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def gmctl_path():
    return os.path.join(BIN, "gmctl")


def wait_for(predicate, timeout=15.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Instance:
    """An instance directory with its own gm-master. Use as a context manager."""

    def __init__(self, port_base, domain="example.test", keep=False):
        self.port_base = port_base
        self.domain = domain
        self.dir = tempfile.mkdtemp(prefix="gm-test-")
        self.conf = os.path.join(self.dir, "etc", "gm.conf")
        self.log_path = os.path.join(self.dir, "master.log")
        self.master = None
        self.keep = keep
        self.gmctl("instance", "init", self.dir, "--domain", domain,
                   "--port-base", str(port_base), config=False)

    # --- running tools -------------------------------------------------
    def gmctl(self, *args, config=True, input=None, check=True):
        cmd = [gmctl_path()] + (["-c", self.conf] if config else []) + list(args)
        result = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {result.returncode}: {result.stderr}")
        return result

    def disable_service(self, name):
        """Comments a service out of the instance's service table."""
        path = os.path.join(self.dir, "etc", "services.conf")
        with open(path) as f:
            lines = f.readlines()
        with open(path, "w") as f:
            for line in lines:
                f.write("#" + line if line.split("\t", 1)[0] == name else line)

    def add_user(self, address, password):
        self.gmctl("--password-stdin", "user", "add", address, input=password + "\n")

    # --- the supervisor ------------------------------------------------
    def start(self):
        self.log = open(self.log_path, "ab")
        self.master = subprocess.Popen(
            [os.path.join(BIN, "gm-master"), "-c", self.conf, "--foreground"],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.status_or_none() is not None, what="gm-master control socket")
        return self

    def status_or_none(self):
        if self.master is not None and self.master.poll() is not None:
            raise AssertionError(f"gm-master exited {self.master.returncode}:\n{self.log_text()}")
        result = self.gmctl("--json", "status", check=False)
        if result.returncode != 0:
            return None
        return json.loads(result.stdout)

    def services(self):
        """{name: service dict} from gmctl status --json."""
        status = self.status_or_none() or {"services": []}
        return {s["name"]: s for s in status["services"]}

    def wait_running(self, name, timeout=15.0, not_pid=None):
        """Waits until service name runs (with a pid other than not_pid)."""
        def ready():
            s = self.services().get(name)
            if s and s["state"] == "running" and s["pids"] and not_pid not in s["pids"]:
                return s
            return None
        return wait_for(ready, timeout, what=f"service {name} running")

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.master is None:
            return None
        if self.master.poll() is None:
            self.master.send_signal(sig)
            try:
                self.master.wait(timeout)
            except subprocess.TimeoutExpired:
                self.master.kill()
                self.master.wait()
                raise AssertionError("gm-master did not stop on SIGTERM")
        code = self.master.returncode
        self.master = None
        self.log.close()
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        failed = exc[0] is not None and not (exc[0] is SystemExit and exc[1].code in (0, None))
        try:
            self.stop()
        finally:
            if failed:
                sys.stderr.write(f"--- instance log {self.log_path} ---\n")
                try:
                    sys.stderr.write(self.log_text()[-20000:])
                except OSError:
                    pass
            if not self.keep and not failed:
                shutil.rmtree(self.dir, ignore_errors=True)


def run_tests(tests):
    """Runs test functions in order; prints one line each and a summary."""
    failed = 0
    for test in tests:
        start = time.monotonic()
        try:
            test()
            print(f"PASS {test.__name__} ({time.monotonic() - start:.1f}s)", flush=True)
        except Exception as error:  # report every failure, then go on
            failed += 1
            print(f"FAIL {test.__name__}: {error!r}", flush=True)
            import traceback
            traceback.print_exc()
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
