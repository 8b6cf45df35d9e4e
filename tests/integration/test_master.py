#!/usr/bin/env python3
"""Integration tests of gm-master: real master, real sockets, real children.

The supervised daemon is gm-sleeperd (tests/support/gm_sleeperd.cpp), a small
real program that takes its sockets from LISTEN_FDS, checks what gm-master
promises (LISTEN_PID, no stray fds, GM_SERVICE, -c FILE) and answers
"hello <service> <listener>" on every connection. /bin/false stands in for
a daemon that exits at once, and a shell script for one that ignores SIGTERM.

Usage: test_master.py --bin BUILD/bin [unittest options]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BIN = None

FAST_TIMINGS = """\
restart_backoff_min = 100ms
restart_backoff_max = 1s
crash_loop_restarts = 3
crash_loop_window = 20s
stop_grace_period = 2s
"""


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def hello(address, family=socket.AF_INET, timeout=3.0):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(address)
        return s.recv(200).decode()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is not alive: it has exited and waits to be reaped.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().split(")")[-1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Instance:
    """A self-contained instance: its own dirs, gm.conf, services.conf, ports."""

    def __init__(self, services, extra_conf=""):
        self.dir = tempfile.mkdtemp(prefix="gm-master-test-")
        os.chmod(self.dir, 0o755)
        self.libexec = os.path.join(self.dir, "libexec")
        os.mkdir(self.libexec)
        os.symlink(os.path.join(BIN, "gm-sleeperd"), os.path.join(self.libexec, "sleeperd"))
        os.symlink("/bin/false", os.path.join(self.libexec, "crasher"))
        stubborn = os.path.join(self.libexec, "stubborn")
        with open(stubborn, "w") as f:
            f.write("#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.2; done\n")
        os.chmod(stubborn, 0o755)
        self.conf = os.path.join(self.dir, "gm.conf")
        self.table = os.path.join(self.dir, "services.conf")
        self.run_dir = os.path.join(self.dir, "run")
        self.log_path = os.path.join(self.dir, "master.log")
        self.write_conf(extra_conf)
        self.write_table(services)
        self.proc = None
        self.log_file = None

    def write_conf(self, extra=""):
        with open(self.conf, "w") as f:
            f.write(f"run_dir = {self.dir}/run\n"
                    f"spool_dir = {self.dir}/spool\n"
                    f"data_dir = {self.dir}/data\n"
                    f"daemon_directory = {self.libexec}\n"
                    "unprivileged_user = nobody\n"
                    "mail_user = nobody\n"
                    "log_stderr = yes\n"
                    "syslog_facility = none\n"
                    + FAST_TIMINGS + extra)

    def write_table(self, services):
        with open(self.table, "w") as f:
            f.write("# service program user limit listeners\n" + services)

    def start(self, foreground=True, wait=True):
        self.log_file = open(self.log_path, "ab")
        args = [os.path.join(BIN, "gm-master"), "-c", self.conf]
        if foreground:
            args.append("--foreground")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log_file,
                                     stderr=self.log_file)
        if wait:
            wait_for(lambda: os.path.exists(os.path.join(self.run_dir, "master.sock")),
                     what="control socket")
        return self

    def gmctl(self, *args):
        return subprocess.run([os.path.join(BIN, "gmctl"), "-c", self.conf, *args],
                              capture_output=True, text=True, timeout=20)

    def status(self):
        """gmctl status, parsed: {service: {state, pids, uptime, restarts, listeners}}."""
        result = self.gmctl("status")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS",
                                    "LISTENERS"], lines[0]
        services = {}
        for line in lines[1:]:
            name, state, pids, uptime, restarts, listeners = line.split(None, 5)
            services[name] = {"state": state,
                              "pids": [] if pids == "-" else [int(p) for p in pids.split(",")],
                              "uptime": uptime, "restarts": int(restarts),
                              "listeners": listeners}
        return services

    def status_json(self):
        result = self.gmctl("status", "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def pid_of(self, service):
        pids = self.status()[service]["pids"]
        return pids[0] if pids else None

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""  # never started

    def signal(self, signo):
        self.proc.send_signal(signo)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class MasterTest(unittest.TestCase):
    def setUp(self):
        self.instances = []

    def tearDown(self):
        for instance in self.instances:
            instance.stop()
            log = instance.log()
            # gm-sleeperd checks the fds and environment master gave it.
            self.assertNotIn("FATAL", log)
            self.assertNotIn("ERROR: AddressSanitizer", log)
            self.assertNotIn("runtime error:", log)
            if self.failed():
                print(f"\n--- log of {instance.dir} ---\n{log}", file=sys.stderr)
            else:
                instance.cleanup()

    def failed(self):
        # Python 3.11+ records a test's failure before tearDown runs.
        result = getattr(self._outcome, "result", None)
        if result is None:
            return False
        return any(test is self for test, _ in result.failures + result.errors)

    def instance(self, services, extra_conf=""):
        instance = Instance(services, extra_conf)
        self.instances.append(instance)
        return instance

    # --- starting and status ------------------------------------------------

    def test_starts_services_passes_sockets_and_reports_status(self):
        p1, p2 = free_port(), free_port(socket.AF_INET6, "::1")
        m = self.instance(
            f"one sleeperd - 1 a=inet:127.0.0.1:{p1} b=unix:$run_dir/one.sock:0666\n"
            f"two sleeperd - 1\n   x=inet:[::1]:{p2}\n").start()
        wait_for(lambda: all(s["state"] == "running" for s in m.status().values()),
                 what="both services running")
        self.assertEqual(hello(("127.0.0.1", p1)), "hello one a\n")
        self.assertEqual(hello(os.path.join(m.run_dir, "one.sock"), socket.AF_UNIX),
                         "hello one b\n")
        self.assertEqual(hello(("::1", p2), socket.AF_INET6), "hello two x\n")
        status = m.status()
        self.assertEqual(sorted(status), ["one", "two"])
        self.assertEqual(status["one"]["restarts"], 0)
        self.assertEqual(status["one"]["listeners"],
                         f"a=inet:127.0.0.1:{p1} b=unix:{m.run_dir}/one.sock:0666")
        self.assertEqual(status["two"]["listeners"], f"x=inet:[::1]:{p2}")
        doc = m.status_json()
        self.assertEqual(doc["master"]["pid"], m.proc.pid)
        by_name = {s["name"]: s for s in doc["services"]}
        self.assertEqual(by_name["one"]["pids"], status["one"]["pids"])
        self.assertEqual(by_name["one"]["state"], "running")
        self.assertEqual(by_name["one"]["program"], os.path.join(m.libexec, "sleeperd"))
        self.assertIsInstance(by_name["two"]["uptime"], int)
        # The directories exist; the control socket is the owner's alone.
        for d in ("run", "spool", "data", "data/mail"):
            self.assertTrue(os.path.isdir(os.path.join(m.dir, d)), d)
        self.assertEqual(os.stat(os.path.join(m.run_dir, "master.sock")).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(os.path.join(m.run_dir, "one.sock")).st_mode & 0o777, 0o666)
        with open(os.path.join(m.run_dir, "gm-master.pid")) as f:
            self.assertEqual(int(f.read()), m.proc.pid)
        if os.geteuid() == 0:
            nobody = 65534
            self.assertEqual(os.stat(os.path.join(m.dir, "spool")).st_uid, nobody)
            self.assertEqual(os.stat(os.path.join(m.run_dir, "one.sock")).st_uid, nobody)
            with open(f"/proc/{status['one']['pids'][0]}/status") as f:
                uids = re.search(r"^Uid:\s+(\d+)\s+(\d+)\s+(\d+)", f.read(), re.M).groups()
            self.assertEqual(uids, (str(nobody),) * 3)
        self.assertIn("service one started: pid", m.log())

    def test_gmctl_status_without_master_exits_69(self):
        m = self.instance("one sleeperd - 1\n")
        result = m.gmctl("status")
        self.assertEqual(result.returncode, 69, result.stderr)
        self.assertIn("gm-master is not running", result.stderr)
        self.assertEqual(m.gmctl("status", "--json").returncode, 69)

    def test_process_limit_starts_that_many_processes(self):
        port = free_port()
        m = self.instance(f"pool sleeperd - 3 a=inet:127.0.0.1:{port}\n").start()
        pids = wait_for(lambda: len(m.status()["pool"]["pids"]) == 3 and m.status()["pool"]["pids"],
                        what="three processes")
        self.assertEqual(len(set(pids)), 3)
        self.assertEqual(hello(("127.0.0.1", port)), "hello pool a\n")

    # --- restarts -------------------------------------------------------------

    def test_killed_child_is_restarted_with_a_new_pid(self):
        port = free_port()
        m = self.instance(f"one sleeperd - 1 a=inet:127.0.0.1:{port}\n"
                          "two sleeperd - 1\n").start()
        old = wait_for(lambda: m.pid_of("one"), what="one's pid")
        other = wait_for(lambda: m.pid_of("two"), what="two's pid")
        os.kill(old, signal.SIGKILL)
        new = wait_for(lambda: (m.pid_of("one") or old) != old and m.pid_of("one"),
                       what="a new pid for one")
        status = m.status()
        self.assertEqual(status["one"]["state"], "running")
        self.assertEqual(status["one"]["restarts"], 1)
        self.assertEqual(status["two"]["pids"], [other])
        self.assertEqual(status["two"]["restarts"], 0)
        self.assertEqual(hello(("127.0.0.1", port)), "hello one a\n")
        self.assertRegex(m.log(), rf"service one pid {old} killed by signal 9")
        self.assertIn(f"service one restarted (restart #1): pid {new}", m.log())

    def test_crash_loop_is_reported_and_backs_off_while_others_run(self):
        port = free_port()
        m = self.instance(f"good sleeperd - 1 a=inet:127.0.0.1:{port}\n"
                          "flaky crasher - 1\n").start()
        good = wait_for(lambda: m.pid_of("good"), what="good's pid")
        wait_for(lambda: "service flaky is crash-looping" in m.log(), timeout=15,
                 what="the crash-loop message")
        log = m.log()
        self.assertRegex(log, r"error: service flaky is crash-looping: 4 exits in 20s; "
                              r"next try in 1s")
        delays = re.findall(r"service flaky: restarting in (\d+)ms", log)
        self.assertEqual(delays, ["100", "200", "400"])  # doubling, then the loop
        wait_for(lambda: m.status()["flaky"]["state"] == "crash-loop", what="crash-loop state")
        # At most one start per restart_backoff_max once looping: never a spin.
        starts_before = log.count("service flaky restarted")
        time.sleep(2.5)
        starts_after = m.log().count("service flaky restarted")
        self.assertLessEqual(starts_after - starts_before, 3)
        self.assertGreaterEqual(starts_after - starts_before, 1)
        status = m.status()
        self.assertEqual(status["good"]["pids"], [good])
        self.assertEqual(status["good"]["state"], "running")
        self.assertEqual(hello(("127.0.0.1", port)), "hello good a\n")

    def test_missing_binary_is_logged_and_others_run(self):
        port = free_port()
        m = self.instance("ghost gm-no-such-daemon - 1\n"
                          f"good sleeperd - 1 a=inet:127.0.0.1:{port}\n").start()
        wait_for(lambda: "service ghost: cannot start" in m.log(), what="the start error")
        self.assertRegex(m.log(), r"error: service ghost: cannot start: cannot execute "
                                  r"\S+/gm-no-such-daemon: No such file or directory")
        self.assertEqual(hello(("127.0.0.1", port)), "hello good a\n")
        status = m.status()
        self.assertEqual(status["good"]["state"], "running")
        self.assertIn(status["ghost"]["state"], ("backoff", "crash-loop"))
        self.assertEqual(status["ghost"]["pids"], [])

    # --- SIGHUP ----------------------------------------------------------------

    def test_reload_restarts_changed_starts_new_keeps_unchanged(self):
        p_same, p_old, p_new, p_added = free_port(), free_port(), free_port(), free_port()
        m = self.instance(f"same sleeperd - 1 a=inet:127.0.0.1:{p_same}\n"
                          f"moved sleeperd - 1 a=inet:127.0.0.1:{p_old}\n"
                          "gone sleeperd - 1\n").start()
        wait_for(lambda: all(s["pids"] for s in m.status().values()), what="all running")
        before = m.status()
        m.write_table(f"same sleeperd - 1 a=inet:127.0.0.1:{p_same}\n"
                      f"moved sleeperd - 1 a=inet:127.0.0.1:{p_new}\n"
                      f"added sleeperd - 1 b=inet:127.0.0.1:{p_added}\n")
        m.signal(signal.SIGHUP)
        wait_for(lambda: "added" in m.status() and m.status()["added"]["pids"]
                 and m.status()["moved"]["pids"]
                 and m.status()["moved"]["pids"] != before["moved"]["pids"],
                 what="moved restarted and added started")
        after = m.status()
        self.assertEqual(after["same"]["pids"], before["same"]["pids"])
        self.assertNotIn("gone", after)
        self.assertEqual(hello(("127.0.0.1", p_new)), "hello moved a\n")
        self.assertEqual(hello(("127.0.0.1", p_added)), "hello added b\n")
        self.assertEqual(hello(("127.0.0.1", p_same)), "hello same a\n")
        with self.assertRaises(ConnectionRefusedError):
            hello(("127.0.0.1", p_old))
        wait_for(lambda: not pid_alive(before["gone"]["pids"][0]), what="gone to exit")
        same_pid = before["same"]["pids"][0]
        wait_for(lambda: f"gm-sleeperd[{same_pid}]: SIGHUP received" in m.log(),
                 what="SIGHUP forwarded to the unchanged service")
        log = m.log()
        self.assertIn(f"service same unchanged: forwarding SIGHUP to pid {same_pid}", log)
        self.assertIn("service moved (definition changed): sending SIGTERM", log)
        self.assertIn("service gone (removed from the service table): sending SIGTERM", log)
        self.assertEqual(sorted(after), ["added", "moved", "same"])

    def test_changed_service_restarts_only_after_its_old_process_is_gone(self):
        m = self.instance("mule stubborn - 1\n").start()
        old = wait_for(lambda: m.pid_of("mule"), what="mule's pid")
        port = free_port()
        m.write_table(f"mule stubborn - 1 a=inet:127.0.0.1:{port}\n")
        cpu_before = cpu_seconds(m.proc.pid)
        m.signal(signal.SIGHUP)
        wait_for(lambda: m.status()["mule"]["state"] == "stopping", what="stopping state")
        time.sleep(1.0)
        self.assertTrue(pid_alive(old))  # ignores SIGTERM; SIGKILL comes after 2s
        self.assertEqual(m.status()["mule"]["pids"], [])
        new = wait_for(lambda: m.pid_of("mule"), timeout=5, what="the new mule")
        self.assertNotEqual(new, old)
        self.assertFalse(pid_alive(old))
        self.assertIn(f"service mule pid {old} did not stop within stop_grace_period", m.log())
        # Waiting for the old process must not cost a busy loop.
        self.assertLess(cpu_seconds(m.proc.pid) - cpu_before, 0.5)

    def test_reload_with_a_broken_config_keeps_the_old_one(self):
        port = free_port()
        m = self.instance(f"one sleeperd - 1 a=inet:127.0.0.1:{port}\n").start()
        pid = wait_for(lambda: m.pid_of("one"), what="one's pid")
        m.write_table(f"one sleeperd - 1 a=inet:127.0.0.1:{port}\n"
                      "two sleeperd - 1 a=inet:127.0.0.1:99999\n")
        m.signal(signal.SIGHUP)
        wait_for(lambda: "reload failed" in m.log(), what="the reload error")
        self.assertRegex(m.log(), r"error: reload failed, keeping the running configuration: "
                                  r"\S+/services.conf:3: listener 'a': bad port '99999'")
        m.write_table(f"one sleeperd - 1 a=inet:127.0.0.1:{port}\n")
        m.write_conf("no_such_key = 1\n")
        m.signal(signal.SIGHUP)
        wait_for(lambda: m.log().count("reload failed") == 2, what="the second reload error")
        self.assertRegex(m.log(), r"reload failed, keeping the running configuration: "
                                  r"\S+/gm.conf:\d+: unknown key 'no_such_key'")
        m.write_conf()  # gmctl reads gm.conf too
        status = m.status()
        self.assertEqual(list(status), ["one"])
        self.assertEqual(status["one"]["pids"], [pid])
        self.assertEqual(hello(("127.0.0.1", port)), "hello one a\n")
        self.assertIsNone(m.proc.poll())

    # --- SIGTERM ----------------------------------------------------------------

    def test_sigterm_stops_children_within_grace_and_exits_0(self):
        port = free_port()
        m = self.instance(f"one sleeperd - 1 a=inet:127.0.0.1:{port} u=unix:$run_dir/u.sock\n"
                          "two sleeperd - 2\n"
                          "mule stubborn - 1\n").start()
        wait_for(lambda: sum(len(s["pids"]) for s in m.status().values()) == 4,
                 what="four processes")
        pids = [p for s in m.status().values() for p in s["pids"]]
        started = time.monotonic()
        m.signal(signal.SIGTERM)
        self.assertEqual(m.proc.wait(timeout=10), 0)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 2.0 + 1.5)  # stop_grace_period = 2s, then SIGKILL
        for pid in pids:
            self.assertFalse(pid_alive(pid), pid)
        self.assertIn("did not stop within stop_grace_period: sending SIGKILL", m.log())
        self.assertIn("gm-master stopped", m.log())
        for leftover in ("master.sock", "gm-master.pid", "u.sock"):
            self.assertFalse(os.path.exists(os.path.join(m.run_dir, leftover)), leftover)
        with self.assertRaises(ConnectionRefusedError):
            hello(("127.0.0.1", port))

    # --- several instances, daemon mode, bad configuration ----------------------------

    def test_two_masters_side_by_side(self):
        p1, p2 = free_port(), free_port()
        a = self.instance(f"svc sleeperd - 1 a=inet:127.0.0.1:{p1}\n").start()
        b = self.instance(f"svc sleeperd - 1 a=inet:127.0.0.1:{p2}\n").start()
        wait_for(lambda: a.pid_of("svc") and b.pid_of("svc"), what="both running")
        self.assertNotEqual(a.pid_of("svc"), b.pid_of("svc"))
        self.assertEqual(hello(("127.0.0.1", p1)), "hello svc a\n")
        self.assertEqual(hello(("127.0.0.1", p2)), "hello svc a\n")
        self.assertEqual(a.status_json()["master"]["pid"], a.proc.pid)
        self.assertEqual(b.status_json()["master"]["pid"], b.proc.pid)
        # A second master on a's directories refuses to start, and a keeps running.
        clash = subprocess.run([os.path.join(BIN, "gm-master"), "-c", a.conf, "--foreground"],
                               capture_output=True, text=True, timeout=10)
        self.assertNotEqual(clash.returncode, 0)
        self.assertIn("is in use by another process", clash.stderr + clash.stdout)
        self.assertEqual(hello(("127.0.0.1", p1)), "hello svc a\n")

    def test_daemon_mode_detaches_writes_pid_file_and_stops_on_sigterm(self):
        port = free_port()
        m = self.instance(f"one sleeperd - 1 a=inet:127.0.0.1:{port}\n")
        m.start(foreground=False, wait=False)
        self.assertEqual(m.proc.wait(timeout=10), 0)  # returns once the daemon is ready
        with open(os.path.join(m.run_dir, "gm-master.pid")) as f:
            daemon_pid = int(f.read())
        self.assertNotEqual(daemon_pid, m.proc.pid)
        self.assertTrue(pid_alive(daemon_pid))
        self.assertEqual(m.status_json()["master"]["pid"], daemon_pid)
        wait_for(lambda: m.pid_of("one"), what="one running")
        self.assertEqual(hello(("127.0.0.1", port)), "hello one a\n")
        self.assertNotEqual(os.getsid(daemon_pid), os.getsid(0))  # its own session
        os.kill(daemon_pid, signal.SIGTERM)
        wait_for(lambda: not pid_alive(daemon_pid), what="the daemon to exit")
        self.assertFalse(os.path.exists(os.path.join(m.run_dir, "gm-master.pid")))

    def test_bad_config_exits_78_with_file_line_and_starts_nothing(self):
        port = free_port()
        m = self.instance(f"one sleeperd - 1 a=inet:127.0.0.1:{port}\n", "log_level = loud\n")
        result = subprocess.run([os.path.join(BIN, "gm-master"), "-c", m.conf, "--foreground"],
                                capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 78)
        self.assertRegex(result.stderr, r"gm.conf:\d+: log_level: unknown log level 'loud'")
        m.write_conf("this is not a setting\n")
        result = subprocess.run([os.path.join(BIN, "gm-master"), "-c", m.conf],
                                capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 78)
        self.assertRegex(result.stderr, r"gm.conf:\d+: expected 'key = value'")
        m.write_conf()
        m.write_table(f"one sleeperd - 1 a=inet:127.0.0.1:{port}\n"
                      "two sleeperd - 1 b=unix:$no_such_key/x.sock\n")
        result = subprocess.run([os.path.join(BIN, "gm-master"), "-c", m.conf, "--foreground"],
                                capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 78)
        self.assertIn(f"{m.table}:3: reference to unknown key $no_such_key", result.stderr)
        with self.assertRaises(ConnectionRefusedError):
            hello(("127.0.0.1", port))
        self.assertFalse(os.path.exists(m.run_dir))  # not even the run_dir was created

    def test_usage_and_version(self):
        gm_master = os.path.join(BIN, "gm-master")
        version = subprocess.run([gm_master, "--version"], capture_output=True, text=True)
        self.assertEqual(version.returncode, 0)
        self.assertIn("gm-master (GoodMessaging)", version.stdout)
        bad = subprocess.run([gm_master, "--frobnicate"], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 64)


def main():
    global BIN
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    args, rest = parser.parse_known_args()
    BIN = os.path.abspath(args.bin)
    for program in ("gm-master", "gm-sleeperd", "gmctl"):
        if not os.access(os.path.join(BIN, program), os.X_OK):
            sys.exit(f"test_master.py: {program} not found in {BIN}")
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
