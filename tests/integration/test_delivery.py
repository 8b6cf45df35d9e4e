"""qmgr and mda on a real instance (gmctl instance init + gm-master + authd):
messages committed to the queue by tests/support/gm_enqueue.cpp (the real
QueueStore, until sendmail lands) are delivered by qmgr over LMTP to mda
into Maildir++; aliases, bounces (RFC 3464) to a local sender, success
notifications, hop-count loops, quota deferral and release, corrupt queue
files, qmgr killed -9 mid-run, and mda unreachable then back."""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import queuetest  # noqa: E402
from gmtest import BIN, Instance, run_tests, wait_for  # noqa: E402

PORT_BASE = 24000
DOMAIN = "example.test"
ALICE, BOB, CAROL = f"alice@{DOMAIN}", f"bob@{DOMAIN}", f"carol@{DOMAIN}"
PASSWORD = "correct horse battery"
INST = None


def enqueue(sender, recipients, body, *extra):
    return queuetest.enqueue(INST, sender, recipients, body, *extra)


def message(subject, sender=BOB, to=ALICE, extra_headers="", size=0):
    body = "x" * 70 + "\n"
    return (f"{extra_headers}From: <{sender}>\nTo: <{to}>\nSubject: {subject}\n"
            f"Message-ID: <{subject}@{DOMAIN}>\n\nHello.\n.leading dot\n" + body * (size // 71))


def maildir(user, folder=""):
    return os.path.join(INST.dir, "mail", DOMAIN, user, folder)


def new_messages(user):
    return sorted(glob.glob(os.path.join(maildir(user), "new", "*")))


def find_message(user, needle, timeout=20.0):
    def found():
        for path in new_messages(user):
            data = open(path, "rb").read()
            if needle.encode() in data:
                return data
        return None
    return wait_for(found, timeout, what=f"{needle} in {user}'s Maildir")


def queue(name):
    return queuetest.queue_files(INST, name)


def flush():
    queuetest.flush(INST)


def queue_empty():
    return not any(queue(q) for q in ("incoming", "active", "deferred"))


# --- tests -------------------------------------------------------------------

def test_local_delivery_with_return_path_and_delivered_to():
    enqueue(BOB, [ALICE], message("first"))
    data = find_message("alice", "Subject: first")
    assert data.startswith(f"Return-Path: <{BOB}>\r\nDelivered-To: {ALICE}\r\n".encode()), data[:200]
    assert b"\r\n.leading dot\r\n" in data  # dot-stuffed on the wire, unstuffed in the Maildir
    for folder in (".Sent", ".Drafts", ".Trash", ".Junk"):
        assert os.path.isfile(os.path.join(maildir("alice", folder), "maildirfolder")), folder
    wait_for(queue_empty, what="empty queue")


def test_alias_delivers_to_each_target_once():
    INST.gmctl("alias", "add", f"team@{DOMAIN}", ALICE, BOB, f"inner@{DOMAIN}")
    INST.gmctl("alias", "add", f"inner@{DOMAIN}", ALICE, f"team@{DOMAIN}")  # a loop and a duplicate
    enqueue(CAROL, [f"team@{DOMAIN}"], message("to-team", sender=CAROL))
    find_message("alice", "Subject: to-team")
    data = find_message("bob", "Subject: to-team")
    assert f"Delivered-To: {BOB}".encode() in data
    time.sleep(0.5)
    count = sum(b"Subject: to-team" in open(p, "rb").read() for p in new_messages("alice"))
    assert count == 1, count


def test_unknown_user_bounces_to_local_sender():
    enqueue(BOB, [f"nobody@{DOMAIN}"], message("lost-mail", to=f"nobody@{DOMAIN}"))
    dsn = find_message("bob", "Final-Recipient: rfc822; nobody@" + DOMAIN)
    assert dsn.startswith(b"Return-Path: <>\r\n"), dsn[:100]
    assert b"multipart/report; report-type=delivery-status" in dsn
    assert b"Content-Type: message/delivery-status" in dsn
    assert b"Action: failed" in dsn and b"Status: 5.1.1" in dsn
    assert b"Subject: lost-mail" in dsn  # the original comes back (RET default: full)
    wait_for(queue_empty, what="empty queue")


def test_ret_hdrs_returns_headers_only_and_null_sender_gets_nothing():
    enqueue(BOB, [f"nobody2@{DOMAIN}"], message("hdrs-only"), "--ret", "HDRS")
    dsn = find_message("bob", "Final-Recipient: rfc822; nobody2@" + DOMAIN)
    assert b"text/rfc822-headers" in dsn and b"Subject: hdrs-only" in dsn
    assert b"Hello." not in dsn
    before = len(new_messages("bob"))
    enqueue("", [f"nobody3@{DOMAIN}"], message("from-null"))
    wait_for(queue_empty, what="empty queue")
    time.sleep(0.5)
    assert len(new_messages("bob")) == before


def test_notify_success_and_never():
    enqueue(BOB, [ALICE], message("please-confirm"), "--notify", "SUCCESS")
    find_message("alice", "Subject: please-confirm")
    dsn = find_message("bob", "Action: delivered")
    assert b"Successful Mail Delivery Report" in dsn
    before = len(new_messages("bob"))
    enqueue(BOB, [f"nobody4@{DOMAIN}"], message("quiet"), "--notify", "NEVER")
    wait_for(queue_empty, what="empty queue")
    time.sleep(0.5)
    assert len(new_messages("bob")) == before


def test_too_many_received_headers_is_a_loop():
    hops = "".join(f"Received: from hop{i}.test by x.test; Mon, 1 Jan 2024 00:00:00 +0000\n"
                   for i in range(51))
    enqueue(BOB, [ALICE], message("looping", extra_headers=hops))
    dsn = find_message("bob", "Status: 5.4.6")
    assert b"Subject: looping" in dsn
    assert not any(b"Subject: looping" in open(p, "rb").read() for p in new_messages("alice"))


def test_over_quota_waits_then_delivered_after_space_is_freed():
    enqueue(BOB, [CAROL], message("fills-quota", to=CAROL, size=5000))
    find_message("carol", "Subject: fills-quota")
    enqueue(BOB, [CAROL], message("over-quota", to=CAROL, size=5000))
    wait_for(lambda: queue("deferred"), what="message deferred")
    assert not any(b"over-quota" in open(p, "rb").read() for p in new_messages("carol"))
    assert "452 4.2.2" in open(queue("deferred")[0], "rb").read().decode("latin-1")
    # Free the space as an IMAP server would: remove the message, note it in maildirsize.
    first = [p for p in new_messages("carol") if b"fills-quota" in open(p, "rb").read()][0]
    size = os.path.getsize(first)
    os.unlink(first)
    with open(os.path.join(maildir("carol"), "maildirsize"), "a") as f:
        f.write(f"-{size} -1\n")
    flush()
    find_message("carol", "Subject: over-quota")
    wait_for(queue_empty, what="empty queue")


def test_corrupt_files_go_to_the_corrupt_queue():
    pid = INST.services()["qmgr"]["pids"][0]
    os.makedirs(os.path.join(INST.dir, "spool", "maildrop"), exist_ok=True)
    real_id = enqueue(BOB, [ALICE], message("template"))
    find_message("alice", "Subject: template")
    bad_id = real_id[:-1] + ("A" if real_id[-1] != "A" else "B")  # a valid, unused queue id
    for where, name in (("maildrop", "not-a-queue-id"), ("incoming", bad_id)):
        with open(os.path.join(INST.dir, "spool", where, name), "wb") as f:
            f.write(b"GMQF" + os.urandom(200))
    flush()
    wait_for(lambda: len(queue("corrupt")) >= 2, what="files in corrupt/")
    assert INST.services()["qmgr"]["pids"][0] == pid  # no crash
    assert "moved to the corrupt queue" in INST.log_text()


def test_qmgr_killed_mid_run_loses_nothing():
    subjects = [f"burst-{i}" for i in range(40)]
    for s in subjects:
        enqueue(BOB, [ALICE], message(s))
        if s == "burst-10":
            pid = INST.services()["qmgr"]["pids"][0]
            os.kill(pid, signal.SIGKILL)
    INST.wait_running("qmgr", not_pid=pid)
    flush()
    def all_there():
        texts = b"".join(open(p, "rb").read() for p in new_messages("alice"))
        return all(f"Subject: {s}\r\n".encode() in texts for s in subjects)
    wait_for(all_there, timeout=60, what="every burst message delivered")
    wait_for(queue_empty, what="empty queue")
    texts = [open(p, "rb").read() for p in new_messages("alice")]
    dups = sum(sum(f"Subject: {s}\r\n".encode() in t for t in texts) - 1 for s in subjects)
    print(f"  qmgr kill -9: lost 0, duplicated {dups}")


def test_mda_unreachable_then_back():
    sock = os.path.join(INST.dir, "run", "lmtp.sock")
    os.rename(sock, sock + ".away")
    # qmgr keeps connections to mda between messages: end them too (gm-master
    # restarts mda on the listening socket it holds, now under another name).
    pid = INST.services()["mda"]["pids"][0]
    os.kill(pid, signal.SIGKILL)
    INST.wait_running("mda", not_pid=pid)
    try:
        enqueue(BOB, [ALICE], message("waits-for-mda"))
        wait_for(lambda: queue("deferred"), what="message deferred")
        assert "mda unreachable" in open(queue("deferred")[0], "rb").read().decode("latin-1")
    finally:
        os.rename(sock + ".away", sock)
    flush()
    find_message("alice", "Subject: waits-for-mda")
    wait_for(queue_empty, what="empty queue")


def test_kept_connection_to_a_restarted_mda_is_replaced_at_once():
    # qmgr keeps its connection to mda after a delivery; mda killed and
    # restarted meanwhile must cost no deferral: qmgr connects again at once.
    enqueue(BOB, [ALICE], message("before-restart"))
    find_message("alice", "Subject: before-restart")
    pid = INST.services()["mda"]["pids"][0]
    os.kill(pid, signal.SIGKILL)
    INST.wait_running("mda", not_pid=pid)
    deferrals = INST.log_text().count("status=deferred")
    enqueue(BOB, [ALICE], message("after-restart"))
    find_message("alice", "Subject: after-restart", timeout=5.0)
    wait_for(queue_empty, what="empty queue")
    assert INST.log_text().count("status=deferred") == deferrals, "a deferral on the kept connection"


def mailq_as_nobody():
    """mailq run by a user who may not read the spool: qmgr answers for it."""
    user = pwd.getpwnam("nobody")
    conf = os.path.join(INST.dir, "mailq.conf")  # the instance's own is not world-readable
    shutil.copy(INST.conf, conf)
    os.chmod(conf, 0o644)
    for d in (INST.dir, os.path.join(INST.dir, "run")):
        os.chmod(d, os.stat(d).st_mode | 0o001)  # pass through to the trigger socket
    return subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                           "--clear-groups", os.path.join(BIN, "mailq")],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, GM_CONFIG=conf))


def test_remote_recipient_waits_in_deferred():
    enqueue(BOB, ["someone@remote.example", ALICE], message("half-remote"))
    find_message("alice", "Subject: half-remote")
    wait_for(lambda: queue("deferred"), what="remote recipient deferred")
    assert "no smtp agent" in INST.log_text()
    if os.geteuid() == 0 and shutil.which("setpriv"):
        out = mailq_as_nobody()
        queue_id = os.path.basename(queue("deferred")[0])
        assert out.returncode == 0, out.stderr
        assert f"{queue_id} " in out.stdout and "someone@remote.example" in out.stdout, out.stdout
        assert "no smtp agent" in out.stdout and "alice@" not in out.stdout, out.stdout
        assert "Kbytes in" in out.stdout, out.stdout  # (an earlier test left a corrupt file)
    for path in queue("deferred"):
        os.unlink(path)  # not deliverable until the smtp agent exists


def main():
    global INST
    INST = Instance(PORT_BASE, domain=DOMAIN)
    with open(INST.conf, "a") as conf:
        conf.write("queue_run_delay = 1s\nminimal_backoff_time = 1s\nmaximal_backoff_time = 2s\n"
                   "log_level = debug\n")
    code = 1
    with INST:
        INST.start()
        for name in ("authd", "qmgr", "mda"):
            INST.wait_running(name)
        INST.add_user(ALICE, PASSWORD)
        INST.add_user(BOB, PASSWORD)
        INST.gmctl("--password-stdin", "user", "add", CAROL, "--quota", "8K", input=PASSWORD + "\n")
        try:
            run_tests([test_local_delivery_with_return_path_and_delivered_to,
                       test_alias_delivers_to_each_target_once,
                       test_unknown_user_bounces_to_local_sender,
                       test_ret_hdrs_returns_headers_only_and_null_sender_gets_nothing,
                       test_notify_success_and_never,
                       test_too_many_received_headers_is_a_loop,
                       test_over_quota_waits_then_delivered_after_space_is_freed,
                       test_corrupt_files_go_to_the_corrupt_queue,
                       test_qmgr_killed_mid_run_loses_nothing,
                       test_mda_unreachable_then_back,
                       test_kept_connection_to_a_restarted_mda_is_replaced_at_once,
                       test_remote_recipient_waits_in_deferred])
        except SystemExit as done:
            code = done.code
    sys.exit(code)


if __name__ == "__main__":
    main()
