"""SMTP limits and failures on a real instance (gmctl instance init +
gm-master): a client that talks before the greeting (smtpd_greet_pause),
the per-address connection rate (smtpd_client_connection_rate_limit), a
full spool disk (452 4.3.1, no half-written queue file), 50 MB messages
through mta and msa with bounded daemon memory, and authd down during AUTH
(454 4.7.0) and during RCPT (451 4.3.0).

The spool is a tmpfs in a private mount namespace (the script re-runs itself
under `unshare -m`, so the mount is gone when it ends and nobody else sees
it); the disk-full test shrinks it with a remount. Without root the
disk-full test is reported as SKIP, never as a pass."""

import base64
import glob
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import Instance, port_open, run_tests, tls_context, wait_for  # noqa: E402
from test_smtp import Raw  # noqa: E402

PORT_BASE = 28000  # below the ephemeral ports (32768+), which clients may hold
DOMAIN = "example.test"
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
PASSWORD = "correct horse battery"
GREET_PAUSE = 0.5  # smtpd_greet_pause, seconds
RATE_LIMIT = 5  # smtpd_client_connection_rate_limit, per minute
SPOOL_SIZE = "256m"  # the tmpfs, room for the 50 MB messages
BIG = 50_000_000  # bytes of the large messages
RSS_BOUND = 40 << 20  # allowed growth of a daemon's RSS while one passes
# Under ASan each of a daemon's worker threads keeps allocator caches of its
# own (mda has 20): measured 22-49 MiB there, against < 1 MiB without ASan.
RSS_BOUND_ASAN = 80 << 20
NAMESPACE_FLAG = "GM_LIMITS_PRIVATE_MOUNTS"
INST = None
SPOOL_MOUNTED = False
_next_source = [0]


def source():
    """A fresh client address in 127.0.0.0/8 for each connection, so the
    per-address rate limit counts only what a test means it to."""
    _next_source[0] += 1
    n = _next_source[0]
    return f"127.0.{10 + n // 250}.{n % 250 + 1}"


def mta(greet=True, address=None):
    return Raw(PORT_BASE + 25, greet=greet, source=address or source())


def spool(*parts):
    return os.path.join(INST.dir, "spool", *parts)


def incoming_files():
    return os.listdir(spool("incoming"))


def maildir_new(user):
    return glob.glob(os.path.join(INST.dir, "mail", DOMAIN, user, "new", "*"))


def pid_of(service):
    return INST.services()[service]["pids"][0]


def rss_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakRss:
    """Samples the RSS of some processes every 20 ms while in the block."""

    def __init__(self, pids):
        self.pids = pids
        self.baseline = {pid: rss_of(pid) for pid in pids}
        self.peak = dict(self.baseline)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.wait(0.02):
            for pid in self.pids:
                try:
                    self.peak[pid] = max(self.peak[pid], rss_of(pid))
                except OSError:
                    pass

    def growth(self, pid):
        return self.peak[pid] - self.baseline[pid]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def rss_bound(pid):
    with open(f"/proc/{pid}/maps") as f:
        return RSS_BOUND_ASAN if "libasan" in f.read() else RSS_BOUND


def big_body(marker):
    line = b"x" * 76 + b"\r\n"
    head = f"From: <{ALICE}>\r\nTo: <{BOB}>\r\nSubject: {marker}\r\n\r\n".encode()
    return head + line * ((BIG - len(head)) // len(line))


def send_data(raw, content):
    """DATA with content (CRLF lines, no dot at a line start); the reply."""
    assert raw.cmd("DATA")[0] == 354
    view = memoryview(content)
    for offset in range(0, len(content), 1 << 20):
        raw.send(view[offset:offset + (1 << 20)])
    raw.send(b".\r\n")
    return raw.reply()


def wait_delivered_size(user, marker, size, timeout=120):
    def find():
        for path in maildir_new(user):
            if os.path.getsize(path) >= size:
                with open(path, "rb") as f:
                    if marker.encode() in f.read(4096):
                        return path
        return None
    return wait_for(find, timeout, what=f"{marker} in {user}'s Maildir")


# --- talking before the greeting ------------------------------------------------

def test_client_talking_before_greeting_is_refused():
    raw = mta(greet=False)
    raw.send(b"EHLO early.test\r\n")  # the greeting is GREET_PAUSE away
    code, text = raw.reply()
    assert code == 554 and "5.5.0" in text, (code, text)
    assert raw.sock.recv(100) == b"", "the connection stays open after the refusal"

    start = time.monotonic()
    patient = mta(greet=False)
    code, text = patient.reply()
    waited = time.monotonic() - start
    assert code == 220, text
    assert waited >= GREET_PAUSE * 0.9, f"greeted after {waited:.2f}s, pause is {GREET_PAUSE}s"
    assert patient.cmd("EHLO patient.test")[0] == 250
    assert patient.cmd("QUIT")[0] == 221


# --- connection rate per client address -------------------------------------------

def test_connection_rate_per_address():
    address = source()
    first = [mta(greet=False, address=address) for _ in range(RATE_LIMIT)]
    for raw in first:
        assert raw.reply()[0] == 220
    over = mta(greet=False, address=address)
    code, text = over.reply()
    assert code == 421 and "4.7.0" in text, (code, text)
    assert over.sock.recv(100) == b"", "refused connection stays open"
    other = mta()  # another address is not affected
    assert other.cmd("EHLO other.test")[0] == 250
    for raw in first + [other]:
        raw.sock.close()


# --- disk full ---------------------------------------------------------------------

def remount_spool(size):
    subprocess.run(["mount", "-o", f"remount,size={size}", "tmpfs", spool()], check=True)


def fill_spool(filler):
    """Writes filler until the spool has no free block, and keeps it so:
    space freed late (a removed file whose last fd closes after its name is
    gone) is taken too."""
    with open(filler, "ab", buffering=0) as f:
        settled = 0
        while settled < 3:
            try:
                while f.write(b"\0" * 4096):
                    pass
            except OSError:
                pass  # ENOSPC
            settled = settled + 1 if os.statvfs(spool()).f_bfree == 0 else 0
            time.sleep(0.1)


def test_disk_full_gives_452_and_no_queue_file():
    if not SPOOL_MOUNTED:
        print("SKIP test_disk_full_gives_452_and_no_queue_file: needs root for a private tmpfs spool")
        return
    assert incoming_files() == [], incoming_files()
    # 4 MiB free beyond what is in use (the queue logs' preallocated segments).
    st = os.statvfs(spool())
    remount_spool(f"{(st.f_blocks - st.f_bfree) * st.f_frsize // 1024 + 4096}k")
    try:
        # A message larger than the whole spool: the write fails mid-DATA.
        raw = mta()
        assert raw.cmd("EHLO client.test")[0] == 250
        assert raw.cmd("MAIL FROM:<someone@remote.test>")[0] == 250
        assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
        code, text = send_data(raw, b"Subject: too big for the disk\r\n\r\n" +
                               (b"y" * 998 + b"\r\n") * 6000)
        assert code == 452 and "4.3.1" in text, (code, text)
        committed = [f for f in incoming_files() if not f.startswith(".")]
        assert committed == [], f"a committed queue file after 452: {committed}"
        wait_for(lambda: incoming_files() == [], 10, what="the partial queue file to be removed")
        assert os.listdir(spool("corrupt")) == []

        # A disk with no room at all: refused at DATA or at its end, never 250.
        filler = spool("filler")
        fill_spool(filler)
        assert raw.cmd("MAIL FROM:<someone@remote.test>")[0] == 250
        assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
        code, text = raw.cmd("DATA")
        if code == 354:
            raw.send(b"Subject: no room\r\n\r\nsmall\r\n.\r\n")
            code, text = raw.reply()
        assert code == 452 and "4.3.1" in text, (code, text)
        wait_for(lambda: incoming_files() == [], 10, what="no queue file left")
        os.unlink(filler)
    finally:
        remount_spool(SPOOL_SIZE)
    # Room again: the same session delivers.
    assert raw.cmd("MAIL FROM:<someone@remote.test>")[0] == 250
    assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    code, text = send_data(raw, b"Subject: after the disk was full\r\n\r\nroom again\r\n")
    assert code == 250, (code, text)
    wait_for(lambda: any(b"room again" in open(p, "rb").read() for p in maildir_new("bob")),
             30, what="delivery after space was freed")


# --- large messages, bounded memory ----------------------------------------------------

def test_50mb_through_mta_keeps_memory_bounded():
    pids = {name: pid_of(name) for name in ("mta", "qmgr", "mda")}
    with PeakRss(list(pids.values())) as rss:
        raw = mta()
        assert raw.cmd("EHLO client.test")[0] == 250
        assert raw.cmd(f"MAIL FROM:<someone@remote.test> SIZE={BIG}")[0] == 250
        assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
        code, text = send_data(raw, big_body("big-inbound"))
        assert code == 250, (code, text)
        raw.cmd("QUIT")
        wait_delivered_size("bob", "big-inbound", BIG)
    report = {name: rss.growth(pid) >> 20 for name, pid in pids.items()}
    print(f"  RSS growth (MiB) with a {BIG // 1000000} MB message through mta: {report}")
    for name, pid in pids.items():
        assert rss.growth(pid) < rss_bound(pid), f"{name} grew {report[name]} MiB"


def test_50mb_through_msa_keeps_memory_bounded():
    pid = pid_of("msa")
    with PeakRss([pid]) as rss:
        with smtplib.SMTP("127.0.0.1", PORT_BASE + 587, timeout=120,
                          source_address=(source(), 0)) as s:
            s.ehlo("client.test")
            s.starttls(context=tls_context())
            s.ehlo("client.test")
            s.login(ALICE, PASSWORD)
            assert s.sendmail(ALICE, [BOB], big_body("big-submitted")) == {}
        wait_delivered_size("bob", "big-submitted", BIG)
    print(f"  RSS growth of msa with a {BIG // 1000000} MB submission: {rss.growth(pid) >> 20} MiB")
    assert rss.growth(pid) < rss_bound(pid), f"msa grew {rss.growth(pid) >> 20} MiB"


# --- authd down ---------------------------------------------------------------------------

def msa_after_starttls():
    raw = Raw(PORT_BASE + 587, source=source())
    assert raw.cmd("EHLO client.test")[0] == 250
    assert raw.cmd("STARTTLS")[0] == 220
    raw.sock = tls_context().wrap_socket(raw.sock, server_hostname="localhost")
    raw.sock.settimeout(60)
    return raw


def test_authd_down_gives_temporary_failures():
    # A session that saw AUTH offered while authd was up.
    before = msa_after_starttls()
    code, text = before.cmd("EHLO client.test")
    assert code == 250 and "AUTH" in text, text
    inbound = mta()
    inbound.sock.settimeout(60)  # the lookup waits for authd's reply timeout
    assert inbound.cmd("EHLO client.test")[0] == 250
    assert inbound.cmd("MAIL FROM:<someone@remote.test>")[0] == 250

    authd = pid_of("authd")
    os.kill(authd, signal.SIGKILL)  # restart_backoff_min keeps it down for a minute
    wait_for(lambda: not os.path.exists(f"/proc/{authd}"), what="authd gone")

    plain = base64.b64encode(f"\0{ALICE}\0{PASSWORD}".encode()).decode()
    code, text = before.cmd(f"AUTH PLAIN {plain}")
    assert code == 454 and "4.7.0" in text, (code, text)
    code, text = before.cmd(f"MAIL FROM:<{ALICE}>")
    assert code == 530, (code, text)  # not authenticated

    # A session that starts while authd is down: no AUTH offered, and AUTH
    # anyway is a temporary failure, not "unknown mechanism".
    after = msa_after_starttls()
    code, text = after.cmd("EHLO client.test")
    assert code == 250 and "AUTH" not in text, text
    code, text = after.cmd(f"AUTH PLAIN {plain}")
    assert code == 454 and "4.7.0" in text, (code, text)

    # mta cannot look the recipient up: try again later, never 550.
    code, text = inbound.cmd(f"RCPT TO:<{BOB}>")
    assert code == 451 and "4.3.0" in text, (code, text)
    for raw in (before, after, inbound):
        raw.sock.close()


# --- the instance ---------------------------------------------------------------------------

def enter_private_mount_namespace():
    """Re-runs this script in a private mount namespace (root only); returns
    whether we are in one."""
    if os.environ.get(NAMESPACE_FLAG):
        return True
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    env = dict(os.environ, **{NAMESPACE_FLAG: "1"})
    argv = ["unshare", "--mount", "--propagation", "private", sys.executable] + sys.argv
    sys.stdout.flush()
    os.execvpe("unshare", argv, env)


def mount_spool_tmpfs():
    """Replaces the instance's spool with a tmpfs holding the same tree."""
    saved = spool() + ".orig"
    shutil.copytree(spool(), saved, symlinks=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SPOOL_SIZE},mode=0755", "tmpfs", spool()],
                   check=True)
    for entry in os.listdir(saved):
        subprocess.run(["cp", "-a", os.path.join(saved, entry), spool()], check=True)
    shutil.copystat(saved, spool())
    shutil.rmtree(saved)


def main():
    global INST, SPOOL_MOUNTED
    private = enter_private_mount_namespace()
    # ASan keeps freed memory in quarantine (256 MB in all, 1 MB per thread by
    # default, and mda has 20 threads), which would count as RSS growth while
    # a large message streams through; without ASan the growth is < 1 MiB.
    os.environ["ASAN_OPTIONS"] = ":".join(
        filter(None, [os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=8",
                      "thread_local_quarantine_size_kb=64"]))
    INST = Instance(PORT_BASE, domain=DOMAIN)
    with open(INST.conf, "a") as conf:
        conf.write(f"smtpd_greet_pause = {int(GREET_PAUSE * 1000)}ms\n"
                   f"smtpd_client_connection_rate_limit = {RATE_LIMIT}\n"
                   "message_size_limit = 60M\n"
                   "input_rate_limit = 0\n"
                   # mta's and msa's queue logs: 2 x 2 x 4M of the 256m tmpfs spool.
                   "queue_log_segment_size = 4M\n"
                   # authd, killed on purpose, stays down for the rest of the test.
                   "restart_backoff_min = 60s\nrestart_backoff_max = 60s\n")
    with INST:
        if private:
            mount_spool_tmpfs()
            SPOOL_MOUNTED = True
        INST.start()
        for name in ("authd", "msa", "mta", "qmgr", "mda"):
            INST.wait_running(name)
        for port in (25, 587):
            wait_for(lambda: port_open(PORT_BASE + port), what=f"port {PORT_BASE + port}")
        INST.add_user(ALICE, PASSWORD)
        INST.add_user(BOB, PASSWORD)
        try:
            run_tests([test_client_talking_before_greeting_is_refused,
                       test_connection_rate_per_address,
                       test_disk_full_gives_452_and_no_queue_file,
                       test_50mb_through_mta_keeps_memory_bounded,
                       test_50mb_through_msa_keeps_memory_bounded,
                       test_authd_down_gives_temporary_failures])  # last: authd stays down
        finally:
            if SPOOL_MOUNTED:
                INST.stop()
                subprocess.run(["umount", spool()], check=False)


if __name__ == "__main__":
    main()
