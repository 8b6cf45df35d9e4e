#!/usr/bin/env python3
"""Integration test of authd and gmctl's directory commands.

Starts the real authd on a temporary instance, manages users with the real
gmctl (directly while authd is down, through the admin socket while it
runs) and runs real SASL exchanges over the relay socket: SCRAM-SHA-256
(client side below), PLAIN inside and outside TLS, throttling, suspended
users, garbage and over-long lines.
Usage: test_authd.py --bin-dir BUILD/bin
"""
import argparse
import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import popen_with_listeners  # noqa: E402
from sasl_client import (RelayClient, ScramClient, auth_line, b64, plain,  # noqa: E402
                         scram_login, unb64)

BIN_DIR = None
PASSWORD = "correct horse"


class AuthdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="gm-authd-")
        root = cls.tmp.name
        cls.conf = os.path.join(root, "gm.conf")
        cls.run_dir = os.path.join(root, "run")
        with open(cls.conf, "w") as f:
            f.write(f"run_dir = {cls.run_dir}\n"
                    f"data_dir = {root}/data\n"
                    f"auth_user = {pwd.getpwuid(os.getuid()).pw_name}\n"
                    "log_stderr = yes\nsyslog_facility = none\n"
                    "scram_iterations = 4096\n"
                    "auth_failure_limit = 5\nauth_failure_window = 10m\nauth_lockout_time = 15m\n")
        cls.log_path = os.path.join(root, "authd.log")
        # Direct mode: authd is not running yet.
        cls.gmctl_ok("domain", "add", "example.org")
        cls.gmctl_ok("user", "add", "alice@example.org", "--quota", "2G", password=PASSWORD)
        cls.start_authd()

    @classmethod
    def tearDownClass(cls):
        cls.stop_authd()
        cls.tmp.cleanup()

    @classmethod
    def read_log(cls):
        with open(cls.log_path) as f:
            return f.read()

    @classmethod
    def start_authd(cls):
        readies = cls.read_log().count(" ready") if os.path.exists(cls.log_path) else 0
        cls.log = open(cls.log_path, "a")
        cls.authd = subprocess.Popen([os.path.join(BIN_DIR, "authd"), "-c", cls.conf],
                                     stdout=cls.log, stderr=cls.log)
        cls.auth_socket = os.path.join(cls.run_dir, "authd.sock")
        for _ in range(100):
            if cls.read_log().count(" ready") > readies:
                return
            if cls.authd.poll() is not None:
                raise RuntimeError("authd exited:\n" + cls.read_log())
            time.sleep(0.05)
        raise RuntimeError("authd did not become ready")

    @classmethod
    def stop_authd(cls):
        if cls.authd.poll() is None:
            cls.authd.send_signal(signal.SIGTERM)
            cls.authd.wait(timeout=20)
        cls.log.close()

    @classmethod
    def gmctl(cls, *args, password=None):
        cmd = [os.path.join(BIN_DIR, "gmctl"), "-c", cls.conf, *args]
        if password is not None:
            cmd.append("--password-stdin")
        return subprocess.run(cmd, input=(password + "\n") if password else None,
                              capture_output=True, text=True, timeout=60)

    @classmethod
    def gmctl_ok(cls, *args, password=None):
        result = cls.gmctl(*args, password=password)
        if result.returncode != 0:
            raise AssertionError(f"gmctl {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def log_text(self):
        return self.read_log()

    def relay(self):
        client = RelayClient(self.auth_socket)
        self.addCleanup(client.close)
        return client

    # --- directory management -------------------------------------------------

    def test_admin_socket_is_used_while_authd_runs(self):
        self.gmctl_ok("user", "add", "bob@example.org", password="bob password")
        self.assertIn("admin USER-ADD bob@example.org: done", self.log_text())
        listing = self.gmctl_ok("user", "list")
        self.assertIn("alice@example.org\tactive\t2147483648\texample.org/alice\n", listing)
        self.assertIn("bob@example.org\tactive\t", listing)
        self.assertIn('"address":"alice@example.org"', self.gmctl_ok("--json", "user", "list"))
        self.assertEqual(self.gmctl("domain", "delete", "example.org").returncode, 1)
        self.assertEqual(self.gmctl("user", "add", "x@not-local.example",
                                    password="p").returncode, 1)
        self.assertEqual(self.gmctl("user", "add", "bad address@example.org",
                                    password="p").returncode, 1)
        self.assertEqual(self.gmctl("user").returncode, 64)
        admin_mode = os.stat(os.path.join(self.run_dir, "authd-admin.sock")).st_mode & 0o777
        self.assertEqual(admin_mode, 0o600)

    def test_aliases_through_authd(self):
        self.gmctl_ok("alias", "add", "info@example.org", "alice@example.org", "x@elsewhere.example")
        self.assertEqual(self.gmctl_ok("alias", "list", "info@example.org"),
                         "info@example.org\talice@example.org,x@elsewhere.example\n")
        self.gmctl_ok("alias", "delete", "info@example.org", "x@elsewhere.example")
        self.assertIn('"targets":["alice@example.org"]', self.gmctl_ok("alias", "list", "--json"))
        self.assertEqual(self.gmctl("alias", "add", "info@example.org", "not an address").returncode, 1)
        self.gmctl_ok("alias", "delete", "info@example.org")
        self.assertEqual(self.gmctl_ok("alias", "list"), "")

    # --- directory lookups (LOOKUP) --------------------------------------------

    def test_lookup_user(self):
        reply = self.relay().ask("LOOKUP\t7\taddress=alice@EXAMPLE.org")
        self.assertEqual(reply, ["USER", "7", "address=alice@example.org", "status=active",
                                 "quota=2147483648", "mailbox=example.org/alice"])
        # The local part is matched as given, then in lower case.
        reply = self.relay().ask("LOOKUP\t8\taddress=Alice@example.org")
        self.assertEqual(reply[:3], ["USER", "8", "address=alice@example.org"])

    def test_lookup_alias(self):
        self.gmctl_ok("alias", "add", "team@example.org", "alice@example.org", "x@elsewhere.example")
        self.addCleanup(self.gmctl, "alias", "delete", "team@example.org")
        reply = self.relay().ask("LOOKUP\t9\taddress=team@example.org")
        self.assertEqual(reply, ["ALIAS", "9", "address=team@example.org",
                                 "targets=alice@example.org,x@elsewhere.example"])

    def test_lookup_unknown_user_in_a_local_domain(self):
        self.assertEqual(self.relay().ask("LOOKUP\t10\taddress=nobody@example.org"),
                         ["NONE", "10", "domain=local"])
        # A local part the directory could never hold is still our domain.
        self.assertEqual(self.relay().ask("LOOKUP\t11\taddress=a/b@example.org"),
                         ["NONE", "11", "domain=local"])

    def test_lookup_remote_domain(self):
        client = self.relay()
        self.assertEqual(client.ask("LOOKUP\t12\taddress=alice@elsewhere.example"),
                         ["NONE", "12", "domain=remote"])
        self.assertEqual(client.ask("LOOKUP\t13\taddress=no-at-sign"),
                         ["NONE", "13", "domain=remote"])
        # Relay tricks name a remote domain, or a local part we do not hold.
        self.assertEqual(client.ask("LOOKUP\t14\taddress=alice%elsewhere.example@example.org"),
                         ["NONE", "14", "domain=local"])

    def test_lookup_suspended_user(self):
        self.gmctl_ok("user", "add", "frank@example.org", "--quota", "1M", password="frank pw")
        self.gmctl_ok("user", "suspend", "frank@example.org")
        reply = self.relay().ask("LOOKUP\t15\taddress=frank@example.org")
        self.assertEqual(reply, ["USER", "15", "address=frank@example.org", "status=suspended",
                                 "quota=1048576", "mailbox=example.org/frank"])

    def test_lookup_malformed_gets_fail(self):
        client = self.relay()
        self.assertEqual(client.ask("LOOKUP\t16")[:2], ["FAIL", "16"])
        self.assertEqual(client.ask("LOOKUP\t17\taddress=a b@example.org")[:2], ["FAIL", "17"])
        self.assertEqual(client.ask("LOOKUP\t18\taddress=alice@example.org")[0], "USER")

    # --- SASL relay -----------------------------------------------------------

    def test_mechanisms_depend_on_tls(self):
        client = self.relay()
        plain_mechs = client.ask("MECHS\t1\tsecured=0\tcb=0")
        self.assertEqual(plain_mechs[:2], ["MECHS", "1"])
        self.assertIn("SCRAM-SHA-256", plain_mechs[2].split(" "))
        self.assertNotIn("PLAIN", plain_mechs[2].split(" "))
        self.assertIn("PLAIN", client.ask("MECHS\t2\tsecured=1\tcb=0")[2].split(" "))

    def test_scram_sha256_succeeds_with_the_right_password(self):
        reply = scram_login(self.relay(), 7, "alice@example.org", PASSWORD)
        self.assertEqual(reply[:3], ["OK", "7", "user=alice@example.org"])
        self.assertRegex(self.log_text(), r"auth result=success service=imap rip=192\.0\.2\.10 "
                                          r"user=alice@example\.org mech=SCRAM-SHA-256")

    def test_scram_sha256_fails_with_a_wrong_password(self):
        reply = scram_login(self.relay(), 8, "alice@example.org", "wrong", rip="192.0.2.11")
        self.assertEqual(reply[:2], ["FAIL", "8"])
        self.assertNotIn("temp=1", reply)
        self.assertIn("auth result=failure service=imap rip=192.0.2.11 user=alice@example.org",
                      self.log_text())

    def test_plain_only_inside_tls(self):
        client = self.relay()
        reply = plain(client, 1, "alice@example.org", PASSWORD, "192.0.2.20", secured=1)
        self.assertEqual(reply[:3], ["OK", "1", "user=alice@example.org"])
        reply = plain(client, 2, "alice@example.org", PASSWORD, "192.0.2.20", secured=0)
        self.assertEqual(reply[:2], ["FAIL", "2"])
        self.assertIn("reason=mechanism not available", reply)

    def test_plain_without_initial_response_gets_an_empty_challenge(self):
        client = self.relay()
        self.assertEqual(client.ask(auth_line(3, "PLAIN", "192.0.2.21", 1)), ["CONT", "3", "="])
        reply = client.ask("CONT\t3\t" + b64(b"\0alice@example.org\0" + PASSWORD.encode()))
        self.assertEqual(reply[:2], ["OK", "3"])

    def test_sixth_attempt_from_an_address_is_throttled(self):
        client = self.relay()
        rip = "198.51.100.7"
        for i in range(1, 6):  # five failures, against an account of its own
            reply = plain(client, i, f"nobody{i}@example.org", "guess", rip)
            self.assertEqual(reply, ["FAIL", str(i), "reason=authentication failed"])
        reply = plain(client, 6, "alice@example.org", PASSWORD, rip)
        self.assertEqual(reply, ["FAIL", "6", "temp=1", "reason=throttled"])
        log = self.log_text()
        for i in range(1, 6):
            self.assertIn(f"auth result=failure service=imap rip={rip} user=nobody{i}@example.org "
                          f"mech=PLAIN", log)
        self.assertIn(f"auth result=throttled service=imap rip={rip}", log)
        self.assertNotIn(PASSWORD, log)
        self.assertNotIn("guess", log)
        # Another address is not affected, nor is the account.
        reply = plain(client, 7, "alice@example.org", PASSWORD, "198.51.100.8")
        self.assertEqual(reply[:2], ["OK", "7"])

    def test_account_is_throttled_across_addresses(self):
        self.gmctl_ok("user", "add", "dave@example.org", password="dave password")
        client = self.relay()
        for i in range(1, 6):
            reply = scram_login(client, i, "dave@example.org", "wrong", rip=f"203.0.113.{i}")
            self.assertEqual(reply[:2], ["FAIL", str(i)])
        reply = scram_login(client, 6, "dave@example.org", "dave password", rip="203.0.113.99")
        self.assertEqual(reply, ["FAIL", "6", "temp=1", "reason=throttled"])

    def test_suspended_user_fails(self):
        self.gmctl_ok("user", "add", "carol@example.org", password="carol password")
        self.assertEqual(scram_login(self.relay(), 1, "carol@example.org", "carol password",
                                     rip="192.0.2.30")[0], "OK")
        self.gmctl_ok("user", "suspend", "carol@example.org")
        self.assertIn("status\tsuspended\n", self.gmctl_ok("user", "show", "carol@example.org"))
        reply = scram_login(self.relay(), 2, "carol@example.org", "carol password", rip="192.0.2.31")
        self.assertEqual(reply[:2], ["FAIL", "2"])
        reply = plain(self.relay(), 3, "carol@example.org", "carol password", "192.0.2.32")
        self.assertEqual(reply[:2], ["FAIL", "3"])
        self.gmctl_ok("user", "unsuspend", "carol@example.org")
        reply = plain(self.relay(), 4, "carol@example.org", "carol password", "192.0.2.33")
        self.assertEqual(reply[:2], ["OK", "4"])

    def test_password_change_takes_effect(self):
        self.gmctl_ok("user", "add", "erin@example.org", password="old password")
        self.gmctl_ok("user", "passwd", "erin@example.org", password="new password")
        client = self.relay()
        self.assertEqual(plain(client, 1, "erin@example.org", "old password", "192.0.2.40")[0], "FAIL")
        self.assertEqual(plain(client, 2, "erin@example.org", "new password", "192.0.2.40")[0], "OK")

    def test_exchanges_on_many_connections_interleave(self):
        slow = self.relay()
        scram = ScramClient("alice@example.org", PASSWORD)
        first = slow.ask(auth_line(1, "SCRAM-SHA-256", "192.0.2.50", 0, scram.first()))
        self.assertEqual(first[0], "CONT")
        # While that exchange waits for its client, another connection is served.
        self.assertEqual(plain(self.relay(), 1, "alice@example.org", PASSWORD, "192.0.2.51")[0], "OK")
        final = slow.ask(f"CONT\t1\t{b64(scram.final(unb64(first[2])))}")
        self.assertEqual(final[:2], ["OK", "1"])

    def test_garbage_gets_an_error_and_service_continues(self):
        client = self.relay()
        self.assertEqual(client.ask("HELLO there")[0], "ERROR")
        self.assertEqual(client.ask("AUTH\t5\tmech=PLAIN\tbogus"), ["FAIL", "5", "reason=protocol error"])
        self.assertEqual(client.ask("CONT\t99\t="), ["FAIL", "99", "reason=no such exchange"])
        self.assertEqual(client.ask("MECHS\t1\tsecured=0\tcb=0")[0], "MECHS")
        long_client = self.relay()
        long_client.send("MECHS\t1\t" + "x" * 20000)
        self.assertEqual(long_client.read(), "ERROR\treason=line too long")
        with self.assertRaises((EOFError, ConnectionResetError)):
            long_client.read()
        self.assertEqual(plain(client, 2, "alice@example.org", PASSWORD, "192.0.2.60")[0], "OK")

    def test_client_chosen_names_cannot_forge_log_fields(self):
        reply = plain(self.relay(), 1, "x rip=6.6.6.6 result=success", "pw", "192.0.2.80")
        self.assertEqual(reply[:2], ["FAIL", "1"])
        log = self.log_text()
        self.assertIn("rip=192.0.2.80 user=x?rip=6.6.6.6?result=success mech=PLAIN", log)
        self.assertNotIn(" rip=6.6.6.6", log)

    def test_reload_on_sighup(self):
        self.authd.send_signal(signal.SIGHUP)
        for _ in range(100):
            if "reloaded" in self.log_text():
                break
            time.sleep(0.05)
        self.assertIn("reloaded", self.log_text())
        self.assertEqual(self.relay().ask("MECHS\t1\tsecured=0\tcb=0")[0], "MECHS")

    def test_zz_stop_releases_the_directory_to_gmctl(self):
        # Runs last (name order): stops authd, then gmctl works directly.
        type(self).stop_authd()
        self.assertEqual(self.authd.returncode, 0)
        self.assertIn("stopped", self.read_log())
        self.assertIn("alice@example.org\t", self.gmctl_ok("user", "list", "example.org"))
        self.gmctl_ok("user", "delete", "alice@example.org")
        self.assertNotIn("alice@example.org", self.gmctl_ok("user", "list"))
        type(self).start_authd()
        self.assertEqual(plain(self.relay(), 1, "alice@example.org", PASSWORD, "192.0.2.70")[:2],
                         ["FAIL", "1"])


class InheritedSocketsTest(unittest.TestCase):
    """authd serves sockets passed as LISTEN_FDS, as gm-master passes them."""

    def test_serves_inherited_sockets(self):
        with tempfile.TemporaryDirectory(prefix="gm-authd-fds-") as root:
            conf = os.path.join(root, "gm.conf")
            with open(conf, "w") as f:
                f.write(f"run_dir = {root}/run-unused\ndata_dir = {root}/data\n"
                        f"auth_user = {pwd.getpwuid(os.getuid()).pw_name}\n"
                        "log_stderr = yes\nsyslog_facility = none\n")
            listeners = {}
            for name in ("auth", "admin"):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.bind(os.path.join(root, name + ".sock"))
                sock.listen(16)
                listeners[name] = sock
            log_path = os.path.join(root, "authd.log")
            with open(log_path, "w") as log:
                authd = popen_with_listeners([os.path.join(BIN_DIR, "authd"), "-c", conf],
                                             listeners, stdout=log, stderr=log)
            for sock in listeners.values():
                sock.close()  # authd has its copies
            try:
                client = RelayClient(os.path.join(root, "auth.sock"))
                self.assertEqual(client.ask("MECHS\t1\tsecured=1\tcb=0")[0], "MECHS")
                client.close()
                admin = RelayClient(os.path.join(root, "admin.sock"))
                self.assertEqual(admin.ask("DOMAIN-LIST"), ["OK"])
                self.assertEqual(admin.read(), ".")
                admin.close()
                self.assertFalse(os.path.exists(os.path.join(root, "run-unused")))
            finally:
                authd.send_signal(signal.SIGTERM)
                self.assertEqual(authd.wait(timeout=20), 0)


def main():
    global BIN_DIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    args, rest = parser.parse_known_args()
    BIN_DIR = os.path.abspath(args.bin_dir)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
