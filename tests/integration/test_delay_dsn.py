"""Delay warnings (delay_warning_time) on a real instance: a message to a
user whose mailbox is over quota (mda answers 452 4.2.2) stays deferred;
after delay_warning_time its sender gets exactly one delay notice
(RFC 3464, Action: delayed, Will-Retry-Until), for the recipients with no
NOTIFY or NOTIFY=DELAY only, and no second one after more retries or after
qmgr is restarted (the warning is recorded in the queue file)."""

import glob
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import queuetest  # noqa: E402
from gmtest import Instance, run_tests, wait_for  # noqa: E402

PORT_BASE = 26000  # below the ephemeral ports (32768+)
DOMAIN = "example.test"
BOB, CAROL, DAVE = f"bob@{DOMAIN}", f"carol@{DOMAIN}", f"dave@{DOMAIN}"
PASSWORD = "correct horse battery"
INST = None


def enqueue(sender, recipients, body, *extra):
    return queuetest.enqueue(INST, sender, recipients, body, *extra)


def message(subject, to, size=0):
    return (f"From: <{BOB}>\nTo: <{to}>\nSubject: {subject}\n"
            f"Message-ID: <{subject}@{DOMAIN}>\n\nHello.\n" + ("x" * 70 + "\n") * (size // 71))


def messages(user):
    paths = sorted(glob.glob(os.path.join(INST.dir, "mail", DOMAIN, user, "new", "*")))
    return [open(p, "rb").read() for p in paths]


def delay_notices(subject):
    return [m for m in messages("bob")
            if b"Action: delayed" in m and f"Subject: {subject}".encode() in m]


def deferred():
    return queuetest.queue_files(INST, "deferred")


def attempts_logged(count_before, more):
    return lambda: INST.log_text().count("status=deferred") >= count_before + more


# --- tests -------------------------------------------------------------------

def test_over_quota_gets_one_delay_notice_even_across_a_restart():
    enqueue(BOB, [CAROL], message("fills-quota", CAROL, size=5000))
    wait_for(lambda: any(b"Subject: fills-quota" in m for m in messages("carol")),
             what="carol's quota filled")
    before = INST.log_text().count("status=deferred")
    enqueue(BOB, [CAROL], message("stuck", CAROL, size=5000))
    dsn = wait_for(lambda: (delay_notices("stuck") or [None])[0], timeout=30,
                   what="a delay notice in bob's Maildir")
    assert b"Subject: Delayed Mail (still being retried)" in dsn, dsn[:600]
    assert b"Content-Type: multipart/report; report-type=delivery-status" in dsn
    assert f"Final-Recipient: rfc822; {CAROL}\r\nAction: delayed\r\nStatus: 4.2.2\r\n".encode() \
        in dsn, dsn
    assert b"Will-Retry-Until: " in dsn
    assert b"Return-Path: <>" in dsn
    assert deferred(), "the message must still wait in the queue"
    # gmctl shows that the warning went out, in both output forms.
    qid = os.path.basename(deferred()[0])
    shown = json.loads(INST.gmctl("--json", "queue", "show", qid).stdout)["message"]
    assert isinstance(shown["delay_warned"], int) and shown["delay_warned"] >= shown["arrival"], shown
    assert "delay warning sent: " in INST.gmctl("queue", "show", qid).stdout
    # Several more attempts, each still 452: no second notice.
    wait_for(attempts_logged(before, 4), timeout=30, what="more deferred attempts")
    assert len(delay_notices("stuck")) == 1
    # qmgr restarted: the warning is on disk, so still no second one.
    pid = INST.services()["qmgr"]["pids"][0]
    os.kill(pid, signal.SIGKILL)
    INST.wait_running("qmgr", not_pid=pid)
    after_restart = INST.log_text().count("status=deferred")
    queuetest.flush(INST)
    wait_for(attempts_logged(after_restart, 3), timeout=30, what="attempts after the restart")
    time.sleep(1)
    notices = delay_notices("stuck")
    assert len(notices) == 1, f"{len(notices)} delay notices"
    print(f"  delay notices after {INST.log_text().count('status=deferred') - before} "
          f"deferred attempts and a qmgr restart: {len(notices)}")


def test_notify_never_and_failure_only_get_no_delay_notice():
    before = INST.log_text().count("status=deferred")
    enqueue(BOB, [CAROL], message("never-tell", CAROL, size=5000), "--notify", "NEVER")
    enqueue(BOB, [CAROL], message("failure-only", CAROL, size=5000), "--notify", "FAILURE")
    enqueue(BOB, [CAROL], message("tell-delay", CAROL, size=5000), "--notify", "DELAY")
    wait_for(lambda: delay_notices("tell-delay"), timeout=30, what="NOTIFY=DELAY notice")
    wait_for(attempts_logged(before, 9), timeout=30, what="several attempts of each")
    assert not delay_notices("never-tell")
    assert not delay_notices("failure-only")


def test_null_sender_gets_nothing():
    before = INST.log_text().count("status=deferred")
    qid = enqueue("", [CAROL], message("from-null", CAROL, size=5000))
    assert qid
    wait_for(lambda: INST.log_text().count(f"{qid}: to=<{CAROL}> status=deferred") >= 3,
             timeout=30, what="attempts of the null-sender message")
    log = INST.log_text()
    assert f"{qid}: sender notification" not in log
    assert "delay warning" not in log, "no delay-warning errors"
    assert INST.log_text().count("status=deferred") > before


def main():
    global INST
    INST = Instance(PORT_BASE, domain=DOMAIN)
    with open(INST.conf, "a") as conf:
        conf.write("queue_run_delay = 1s\nminimal_backoff_time = 1s\nmaximal_backoff_time = 1s\n"
                   "delay_warning_time = 1s\nlog_level = debug\n")
    code = 1
    with INST:
        INST.start()
        for name in ("authd", "qmgr", "mda"):
            INST.wait_running(name)
        INST.add_user(BOB, PASSWORD)
        INST.gmctl("--password-stdin", "user", "add", CAROL, "--quota", "8K", input=PASSWORD + "\n")
        try:
            run_tests([test_over_quota_gets_one_delay_notice_even_across_a_restart,
                       test_notify_never_and_failure_only_get_no_delay_notice,
                       test_null_sender_gets_nothing])
        except SystemExit as done:
            code = done.code
    sys.exit(code)


if __name__ == "__main__":
    main()
