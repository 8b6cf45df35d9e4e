"""The foundation as an admin uses it: `gmctl instance init`, gm-master
running the suite, gmctl managing users through authd, a SASL login through
authd's relay socket, a killed daemon restarted, SIGHUP, SIGTERM, two
instances side by side, and a broken configuration refused."""

import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import BIN, Instance, run_tests, wait_for  # noqa: E402
from sasl_client import RelayClient, scram_login  # noqa: E402

PASSWORD = "Tr0ub4dor&3 horse"


def relay(inst):
    return RelayClient(os.path.join(inst.dir, "run", "authd.sock"))


def test_instance_layout_and_config_check():
    inst = Instance(21000)
    with inst:
        for sub in ("etc/gm.conf", "etc/services.conf", "etc/tls/cert.pem", "etc/tls/key.pem",
                    "run", "spool", "data", "mail"):
            assert os.path.exists(os.path.join(inst.dir, sub)), sub
        assert oct(os.stat(os.path.join(inst.dir, "etc/tls/key.pem")).st_mode & 0o777) == "0o600"
        assert "ok" in inst.gmctl("config", "check").stdout
        shown = inst.gmctl("config", "show", "mydomain", "idle_timeout").stdout
        assert "mydomain = example.test\n" in shown, shown
        assert "idle_timeout = 5m  # default" in shown, shown
        assert inst.gmctl("domain", "list").stdout.split() == ["example.test"]
        # A second init without --force refuses to overwrite.
        again = inst.gmctl("instance", "init", inst.dir, "--domain", "example.test",
                           "--port-base", "21000", config=False, check=False)
        assert again.returncode != 0 and "already" in again.stderr


def test_suite_starts_and_users_log_in_through_authd():
    with Instance(21100) as inst:
        inst.start()
        authd = inst.wait_running("authd")
        assert authd["restarts"] == 0
        # While authd runs, gmctl goes through its admin socket.
        inst.add_user("alice@example.test", PASSWORD)
        assert "alice@example.test" in inst.gmctl("user", "list").stdout
        client = relay(inst)
        assert scram_login(client, 1, "alice@example.test", PASSWORD)[0] == "OK"
        assert scram_login(client, 2, "alice@example.test", "wrong")[0] == "FAIL"
        client.close()
        log = inst.log_text()
        assert "result=success" in log and "result=failure" in log, log
        assert PASSWORD not in log


def test_killed_daemon_is_restarted():
    with Instance(21200) as inst:
        inst.start()
        before = inst.wait_running("authd")["pids"][0]
        os.kill(before, signal.SIGKILL)
        after = inst.wait_running("authd", not_pid=before)
        assert after["restarts"] == 1, after
        inst.add_user("bob@example.test", PASSWORD)  # the restarted authd serves
        assert scram_login(relay(inst), 1, "bob@example.test", PASSWORD)[0] == "OK"


def test_sighup_reloads_without_restarting_unchanged_services():
    with Instance(21300) as inst:
        inst.start()
        pid = inst.wait_running("authd")["pids"][0]
        inst.master.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload" in inst.log_text().lower(), what="reload logged")
        assert inst.wait_running("authd")["pids"][0] == pid


def test_sigterm_stops_everything():
    inst = Instance(21400)
    with inst:
        inst.start()
        pid = inst.wait_running("authd")["pids"][0]
        assert inst.stop() == 0
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
        assert inst.gmctl("status", check=False).returncode == 69


def test_two_instances_side_by_side():
    with Instance(21500) as first, Instance(21600) as second:
        first.start()
        second.start()
        first.add_user("carol@example.test", PASSWORD)
        assert "carol@example.test" in first.gmctl("user", "list").stdout
        assert "carol@example.test" not in second.gmctl("user", "list").stdout
        assert first.wait_running("authd")["pids"] != second.wait_running("authd")["pids"]


def test_broken_config_starts_nothing():
    with Instance(21700) as inst:
        with open(inst.conf, "a") as f:
            f.write("idle_timeout = soon\n")
        check = inst.gmctl("config", "check", check=False)
        assert check.returncode == 78 and "gm.conf:" in check.stderr and "not a duration" in check.stderr
        result = subprocess.run([os.path.join(BIN, "gm-master"), "-c", inst.conf, "--foreground"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode != 0
        assert "gm.conf:" in result.stderr and "idle_timeout" in result.stderr, result.stderr
        assert not os.path.exists(os.path.join(inst.dir, "run", "authd.sock"))


if __name__ == "__main__":
    run_tests([
        test_instance_layout_and_config_check,
        test_suite_starts_and_users_log_in_through_authd,
        test_killed_daemon_is_restarted,
        test_sighup_reloads_without_restarting_unchanged_services,
        test_sigterm_stops_everything,
        test_two_instances_side_by_side,
        test_broken_config_starts_nothing,
    ])
