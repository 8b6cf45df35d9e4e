"""Shared pieces of the lib/net integration tests: test certificates, a
test gm.conf, and starting gm-linetestd with listeners passed the systemd
way (LISTEN_FDS / LISTEN_FDNAMES / LISTEN_PID)."""

import argparse
import os
import pwd
import signal
import socket
import ssl
import subprocess
import tempfile

from gmtest import popen_with_listeners, run_tests  # noqa: F401  (run_tests re-exported)


def bin_dir():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    args, _ = parser.parse_known_args()
    return args.bin


def make_cert(directory, stem, cn="localhost"):
    cert = os.path.join(directory, stem + "-cert.pem")
    key = os.path.join(directory, stem + "-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + cn, "-days", "2",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def write_conf(directory, **settings):
    base = {
        "run_dir": directory, "spool_dir": directory, "data_dir": directory,
        "unprivileged_user": pwd.getpwuid(os.getuid()).pw_name,  # the root test run stays root
        "log_stderr": "yes", "syslog_facility": "none", "log_level": "debug",
        "tls_cert_file": os.path.join(directory, "cert.pem"),
        "tls_key_file": os.path.join(directory, "key.pem"),
    }
    base.update({k: str(v) for k, v in settings.items()})
    path = os.path.join(directory, "gm.conf")
    with open(path, "w") as f:
        for k, v in base.items():
            f.write(f"{k} = {v}\n")
    return path


class Daemon:
    """gm-linetestd with a plain listener "smtp" and an implicit-TLS one "tls"."""

    def __init__(self, bindir, workdir, conf, listeners=("smtp", "tls"), extra_env=None):
        self.sockets = {}
        for name in listeners:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            s.listen(64)
            self.sockets[name] = s
        self.ports = {n: s.getsockname()[1] for n, s in self.sockets.items()}
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        env.update(extra_env or {})
        self.log_path = os.path.join(workdir, "daemon.log")
        self.log = open(self.log_path, "wb")
        self.proc = popen_with_listeners([os.path.join(bindir, "gm-linetestd"), "-c", conf],
                                         self.sockets, env=env, stdout=self.log,
                                         stderr=subprocess.STDOUT)
        for s in self.sockets.values():
            s.close()  # the daemon has its copies

    def port(self, name="smtp"):
        return self.ports[name]

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def signal(self, signo):
        self.proc.send_signal(signo)

    def stop(self):
        """SIGTERM; the daemon must exit 0 (and, under ASan, without leaks)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("daemon did not stop on SIGTERM")
        self.log.close()
        if code != 0:
            raise AssertionError(f"daemon exited {code}; log:\n{self.log_text()}")


class Client:
    """A line client over a plain or TLS socket with a read timeout."""

    def __init__(self, port, timeout=5.0, tls_context=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls_context is not None:
            self.sock = tls_context.wrap_socket(self.sock, server_hostname="localhost")
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; buffered: %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode(errors="replace")

    def command(self, text):
        self.send(text + "\r\n")
        return self.line()

    def expect_eof(self):
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                self.buf += chunk
        except (ConnectionResetError, ssl.SSLEOFError):
            return

    def starttls(self, context):
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")

    def close(self):
        self.sock.close()


def client_context(cafile, minimum=None, maximum=None):
    ctx = ssl.create_default_context(cafile=cafile)
    if minimum is not None:
        ctx.minimum_version = minimum
    if maximum is not None:
        ctx.maximum_version = maximum
    return ctx


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class TestDir:
    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="gm-net-")
        return self._tmp.name

    def __exit__(self, *exc):
        self._tmp.cleanup()
