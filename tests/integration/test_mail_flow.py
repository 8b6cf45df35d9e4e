"""Mail flows end to end on a real instance: submission (smtplib and swaks,
587 STARTTLS and 465 implicit TLS), inbound SMTP on 25 and sendmail all land
in the recipient's Maildir with Received, Return-Path, Delivered-To,
Message-ID and Date; and under a load of 1,000 messages with msa, mta, qmgr
and mda killed with SIGKILL at random moments, every message that got a 250
is delivered (lost and duplicated counts are printed)."""

import email
import glob
import os
import random
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import tls_context, BIN, Instance, run_tests, wait_for  # noqa: E402

PORT_BASE = 25000
DOMAIN = "example.test"
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
PASSWORD = "correct horse battery"
INST = None


def maildir_new(user):
    return glob.glob(os.path.join(INST.dir, "mail", DOMAIN, user, "new", "*"))


def wait_delivered(user, marker, timeout=30):
    """The parsed message in user's INBOX whose body holds marker."""
    def find():
        for path in maildir_new(user):
            data = open(path, "rb").read()
            if marker.encode() in data:
                return email.message_from_bytes(data)
        return None
    return wait_for(find, timeout, what=f"delivery of {marker} to {user}")


def check_trace_headers(message, recipient, sender):
    assert message["Return-Path"] == f"<{sender}>", message["Return-Path"]
    assert message["Delivered-To"] == recipient, message["Delivered-To"]
    assert message["Message-ID"] and message["Date"], "msa adds Message-ID and Date"
    received = message.get_all("Received")
    assert received and "GoodMessaging" in received[0], received


def plain_message(marker, with_ids=False):
    headers = f"From: {ALICE}\r\nTo: {BOB}\r\nSubject: {marker}\r\n"
    if with_ids:
        headers += f"Message-ID: <{marker}@{DOMAIN}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    return headers + f"\r\nbody {marker}\r\n"


def test_smtplib_submission_587_lands_in_maildir():
    with smtplib.SMTP("127.0.0.1", PORT_BASE + 587, timeout=30) as smtp:
        smtp.starttls(context=tls_context())
        smtp.login(ALICE, PASSWORD)
        smtp.sendmail(ALICE, [BOB], plain_message("m587"))
    message = wait_delivered("bob", "m587")
    check_trace_headers(message, BOB, ALICE)
    assert "ESMTPSA" in message.get_all("Received")[0]


def test_swaks_submission_465_lands_in_maildir():
    if shutil.which("swaks") is None:
        raise AssertionError("swaks is not installed (scripts/install-deps installs it)")
    result = subprocess.run(
        ["swaks", "--server", "127.0.0.1", "--port", str(PORT_BASE + 465), "--tls-on-connect",
         "--auth", "PLAIN", "--auth-user", ALICE, "--auth-password", PASSWORD,
         "--from", ALICE, "--to", BOB, "--header", "Subject: m465", "--body", "body m465"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    check_trace_headers(wait_delivered("bob", "m465"), BOB, ALICE)


def test_inbound_port_25_lands_in_maildir():
    with smtplib.SMTP("127.0.0.1", PORT_BASE + 25, timeout=30) as smtp:
        smtp.starttls(context=tls_context())
        smtp.sendmail("someone@elsewhere.example", [ALICE], plain_message("m25", with_ids=True))
    message = wait_delivered("alice", "m25")
    check_trace_headers(message, ALICE, "someone@elsewhere.example")


def test_sendmail_script_delivers_and_mailq_empties():
    script = (f'printf "To: {BOB}\\nSubject: cron\\n\\nbody mcron\\n" | '
              f'"{BIN}/sendmail" -C "{INST.conf}" -t -oi')
    subprocess.run(["/bin/sh", "-c", script], check=True, timeout=30)
    message = wait_delivered("bob", "mcron")
    assert message["Delivered-To"] == BOB
    wait_for(lambda: "empty" in subprocess.run(
        [f"{BIN}/mailq", "-C", INST.conf], capture_output=True, text=True).stdout,
        what="mailq to show an empty queue")


def service_pids(names):
    services = INST.services()
    return [pid for name in names for pid in services.get(name, {}).get("pids", [])]


def test_kill9_under_load_loses_nothing():
    total, threads = 1000, 8
    acked, lock, stop = [], threading.Lock(), threading.Event()

    def send_one(n, marker):
        message = plain_message(marker, True)
        if n % 4 == 0:  # a quarter goes through msa, the rest through mta
            with smtplib.SMTP("127.0.0.1", PORT_BASE + 587, timeout=30) as smtp:
                smtp.starttls(context=tls_context())
                smtp.login(ALICE, PASSWORD)
                smtp.sendmail(ALICE, [BOB], message)
        else:
            with smtplib.SMTP("127.0.0.1", PORT_BASE + 25, timeout=30) as smtp:
                smtp.sendmail("load@elsewhere.example", [BOB], message)

    def sender(worker):
        for n in range(worker, total, threads):
            marker = f"load-{n:05d}"
            for _attempt in range(50):  # a killed server: reconnect and send again
                try:
                    send_one(n, marker)
                    with lock:
                        acked.append(marker)
                    break
                except (smtplib.SMTPException, OSError):
                    time.sleep(0.2)

    def killer():
        rng = random.Random(4242)
        while not stop.is_set():
            time.sleep(rng.uniform(0.2, 1.0))
            victims = service_pids([rng.choice(["mta", "msa", "qmgr", "mda"])])
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    workers = [threading.Thread(target=sender, args=(w,)) for w in range(threads)]
    chaos = threading.Thread(target=killer)
    start = time.monotonic()
    chaos.start()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    chaos.join()
    sent_seconds = time.monotonic() - start

    def delivered_counts():
        counts = {}
        for path in maildir_new("bob"):
            data = open(path, "rb").read()
            for marker in set(m.decode() for m in re.findall(rb"body (load-\d{5})", data)):
                counts[marker] = counts.get(marker, 0) + 1
        return counts

    def all_delivered():
        # Deliveries cut short by a killed mda wait in deferred/ for their
        # backoff; ask qmgr to retry them now, as an admin would.
        INST.gmctl("queue", "flush", check=False)
        counts = delivered_counts()
        return counts if all(m in counts for m in acked) else None
    try:
        counts = wait_for(all_delivered, timeout=300, interval=2,
                          what="every acknowledged message to be delivered")
    except AssertionError:
        counts = delivered_counts()
        print(INST.gmctl("queue", "list").stdout, flush=True)
    lost = [m for m in acked if m not in counts]
    duplicated = sum(c - 1 for m, c in counts.items() if c > 1)
    restarts = {n: s["restarts"] for n, s in INST.services().items()}
    print(f"durability: {len(acked)} acknowledged in {sent_seconds:.1f}s, lost {len(lost)}, "
          f"duplicated {duplicated}, restarts {restarts}", flush=True)
    assert len(acked) == total, f"only {len(acked)} of {total} were acknowledged"
    assert not lost, f"lost {len(lost)} acknowledged messages, e.g. {lost[:5]}"
    assert sum(restarts.get(n, 0) for n in ("mta", "qmgr", "mda")) >= 3, restarts


def main():
    global INST
    with Instance(PORT_BASE) as inst:
        INST = inst
        with open(inst.conf, "a") as conf:
            # The load test kills daemons every second or so on purpose: restart
            # them at once rather than backing off as for a real crash loop.
            conf.write("restart_backoff_min = 100ms\nrestart_backoff_max = 500ms\n"
                       "crash_loop_restarts = 1000\n")
        inst.add_user(ALICE, PASSWORD)
        inst.add_user(BOB, PASSWORD)
        inst.start()
        for name in ("authd", "msa", "mta", "qmgr", "mda"):
            inst.wait_running(name)
        run_tests([
            test_smtplib_submission_587_lands_in_maildir,
            test_swaks_submission_465_lands_in_maildir,
            test_inbound_port_25_lands_in_maildir,
            test_sendmail_script_delivers_and_mailq_empties,
            test_kill9_under_load_loses_nothing,
        ])


if __name__ == "__main__":
    main()
