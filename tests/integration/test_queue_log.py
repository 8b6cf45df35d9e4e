"""The group-commit queue log of mta and msa (lib/mail/queue_log) on a real
instance: messages are committed through $spool_dir/log/<daemon>.<n>;
qmgr's removals go to the done list; a restarted mta does not bring back
delivered mail; and a simulated power loss (the lazily written queue file
deleted or cut short after the 250, then mta killed with SIGKILL) is
repaired from the log at restart and the message is delivered once."""

import glob
import os
import signal
import smtplib
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import Instance, run_tests, tls_context, wait_for  # noqa: E402

PORT_BASE = 22900
DOMAIN = "example.test"
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
PASSWORD = "queue log password"
SEGMENT = 8 << 20
INST = None


def spool(*parts):
    return os.path.join(INST.dir, "spool", *parts)


def delivered(marker):
    """How many of bob's messages hold marker."""
    count = 0
    for path in glob.glob(os.path.join(INST.dir, "mail", DOMAIN, "bob", "new", "*")):
        with open(path, "rb") as f:
            count += f.read().count(f"body {marker}\r\n".encode())
    return count


def send_inbound(marker):
    """Sends one message on port 25; returns the queue ID from the 250."""
    message = (f"From: x@elsewhere.example\r\nTo: {BOB}\r\nSubject: {marker}\r\n"
               f"\r\nbody {marker}\r\n")
    with smtplib.SMTP("127.0.0.1", PORT_BASE + 25, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail("x@elsewhere.example")
        smtp.rcpt(BOB)
        code, reply = smtp.data(message.encode())
    assert code == 250, (code, reply)
    return reply.decode().split()[-1]


def pid_of(name):
    return INST.services()[name]["pids"][0]


def restart_mta():
    old = pid_of("mta")
    os.kill(old, signal.SIGKILL)
    INST.wait_running("mta", not_pid=old)
    wait_for(lambda: send_probe(), timeout=15, what="mta answering again")


def send_probe():
    try:
        with smtplib.SMTP("127.0.0.1", PORT_BASE + 25, timeout=5) as smtp:
            return smtp.noop()[0] == 250
    except OSError:
        return False


def test_commits_go_through_the_log():
    ids = [send_inbound(f"logged-{n}") for n in range(3)]
    with smtplib.SMTP("127.0.0.1", PORT_BASE + 587, timeout=30) as smtp:
        smtp.starttls(context=tls_context())
        smtp.login(ALICE, PASSWORD)
        smtp.sendmail(ALICE, [BOB], f"Subject: s\r\n\r\nbody logged-msa\r\n")
    for marker in ["logged-0", "logged-1", "logged-2", "logged-msa"]:
        wait_for(lambda: delivered(marker) == 1, what=f"delivery of {marker}")
    for name in ("mta.0", "mta.1", "msa.0", "msa.1"):
        assert os.path.getsize(spool("log", name)) == SEGMENT, name
    logged = b"".join(open(spool("log", n), "rb").read() for n in ("mta.0", "mta.1"))
    assert all(i.encode() in logged for i in ids), "every message is a record in mta's log"
    # qmgr removed them, noting each in the done list first.
    wait_for(lambda: all(i in open(spool("log", "done")).read() for i in ids),
             what="queue IDs in the done list")


def test_restart_does_not_bring_back_delivered_mail():
    # The checkpoint interval is an hour here: every record so far gets replayed.
    restart_mta()
    marker = "after-restart"
    send_inbound(marker)
    wait_for(lambda: delivered(marker) == 1, what="delivery after the restart")
    time.sleep(1)  # anything resurrected would be delivered by now
    for marker in ["logged-0", "logged-1", "logged-2"]:
        assert delivered(marker) == 1, f"{marker} delivered {delivered(marker)} times"
    assert not glob.glob(spool("incoming", "*")), os.listdir(spool("incoming"))


def test_power_loss_is_repaired_from_the_log():
    qmgr = pid_of("qmgr")
    os.kill(qmgr, signal.SIGSTOP)  # hold deliveries so the queue files stay put
    try:
        lost, torn, kept = (send_inbound(m) for m in ("pl-lost", "pl-torn", "pl-kept"))
        # What a power loss can do to a queue file written without fsync.
        os.unlink(spool("incoming", lost))
        os.truncate(spool("incoming", torn), 30)
        restart_mta()
        assert os.path.exists(spool("incoming", lost)), "the lost queue file is back"
        assert os.path.getsize(spool("incoming", torn)) > 30, "the torn queue file is rewritten"
        log = INST.log_text()
        assert f"{lost}: queue log recovery: recreated" in log, log[-3000:]
        assert f"{torn}: queue log recovery: rewrote" in log, log[-3000:]
    finally:
        os.kill(qmgr, signal.SIGCONT)
    for marker in ("pl-lost", "pl-torn", "pl-kept"):
        wait_for(lambda: delivered(marker) >= 1, timeout=30, what=f"delivery of {marker}")
    time.sleep(1)
    for marker in ("pl-lost", "pl-torn", "pl-kept"):
        assert delivered(marker) == 1, f"{marker} delivered {delivered(marker)} times"


def main():
    global INST
    with Instance(PORT_BASE) as inst:
        INST = inst
        with open(inst.conf, "a") as conf:
            conf.write(f"queue_log_segment_size = {SEGMENT >> 20}M\n"
                       "queue_log_checkpoint_interval = 1h\n"
                       "restart_backoff_min = 100ms\nrestart_backoff_max = 500ms\n")
        inst.add_user(ALICE, PASSWORD)
        inst.add_user(BOB, PASSWORD)
        inst.start()
        for name in ("authd", "msa", "mta", "qmgr", "mda"):
            inst.wait_running(name)
        run_tests([
            test_commits_go_through_the_log,
            test_restart_does_not_bring_back_delivered_mail,
            test_power_loss_is_repaired_from_the_log,
        ])


if __name__ == "__main__":
    main()
