"""maa-mail's per-user worker processes on a real instance (port base
22600): two users get two workers (children of the maa-mail dispatcher)
and one user's sessions share one; a worker killed with SIGKILL drops its
own user's sessions only, is reaped, and the next login starts a new one;
a worker exits after its last session; workers and maa raise their soft
open-files limit to the hard one; a stopped worker (SIGSTOP) does not
hold up another user, and a burst of 400 connections for a stopped worker is
served once it runs again, and their ends are all reported; killing the dispatcher ends its workers, and with
maa_mail_max_processes = 1 two users share the one worker."""

import imaplib
import os
import resource
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import run_tests, tls_context, wait_for  # noqa: E402
from maatest import ALICE, BOB, PASSWORD, mail_socket, maildir, start_instance  # noqa: E402

PORT_BASE = 22600
INST = None


def login(user):
    m = imaplib.IMAP4_SSL("127.0.0.1", PORT_BASE + 993, ssl_context=tls_context(), timeout=20)
    m.login(user, PASSWORD)
    return m


def dispatcher_pid():
    return INST.services()["maa-mail"]["pids"][0]


def proc_stat(pid):
    """(state, ppid) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[1])
    except (OSError, IndexError):
        return None


def workers():
    """{pid: user} of the dispatcher's children (maa-mail --worker USER)."""
    parent = dispatcher_pid()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = proc_stat(int(entry))
        if stat is None or stat[1] != parent:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if len(argv) > 2 and argv[1] == b"--worker":
            found[int(entry)] = argv[2].decode()
    return found


def worker_of(user):
    return wait_for(lambda: next((p for p, u in workers().items() if u == user), None), 10,
                    what=f"a worker for {user}")


def gone(pid):
    """True once the process no longer exists: exited and reaped (no zombie)."""
    return proc_stat(pid) is None


def ended(pid):
    """Exited; a zombie counts (an orphan's reaper is init, not maa-mail)."""
    stat = proc_stat(pid)
    return stat is None or stat[0] == "Z"


def logout(*sessions):
    for m in sessions:
        try:
            m.logout()
        except (imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError):
            pass


def no_worker_left():
    wait_for(lambda: not workers(), 20, what="every worker retired")


def test_two_users_two_workers_and_one_users_sessions_share_one():
    a1, b, a2 = login(ALICE), login(BOB), login(ALICE)
    try:
        for m in (a1, b, a2):
            assert m.select("INBOX")[0] == "OK"
            assert m.noop()[0] == "OK"
        running = workers()
        assert sorted(running.values()) == sorted([ALICE, BOB]), running
        alice = worker_of(ALICE)
        # Both of alice's sessions were passed to the same process.
        passed = [line for line in INST.log_text().splitlines()
                  if f" of {ALICE} to worker [" in line]
        assert len(passed) >= 2 and all(f"worker [{alice}]" in line for line in passed), passed
        assert f"maa-mail/{ALICE}[{alice}]" in INST.log_text()  # the worker's own log lines
    finally:
        logout(a1, b, a2)
    no_worker_left()


def open_files_limit(pid):
    """(soft, hard) 'Max open files' of a process."""
    with open(f"/proc/{pid}/limits") as f:
        line = next(x for x in f if x.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    return soft, hard


def test_daemons_raise_their_open_files_limit():
    # main() started gm-master with a soft limit of 1024 below the hard one.
    a = login(ALICE)
    try:
        for pid in (worker_of(ALICE), dispatcher_pid(), INST.services()["maa"]["pids"][0]):
            soft, hard = open_files_limit(pid)
            assert soft == hard, (pid, soft, hard)
    finally:
        logout(a)
    no_worker_left()


def test_killed_worker_drops_its_user_only_and_is_reaped():
    a, b = login(ALICE), login(BOB)
    try:
        alice, bob = worker_of(ALICE), worker_of(BOB)
        os.kill(alice, signal.SIGKILL)
        wait_for(lambda: gone(alice), 10, what="the killed worker reaped (no zombie)")
        try:
            dropped = a.noop()[0] != "OK"
        except (imaplib.IMAP4.abort, OSError):
            dropped = True
        assert dropped, "alice's session survived its worker"
        assert b.noop()[0] == "OK" and b.select("INBOX")[0] == "OK"
        assert worker_of(BOB) == bob
        again = login(ALICE)
        try:
            assert again.select("INBOX")[0] == "OK"
            assert worker_of(ALICE) != alice
        finally:
            logout(again)
        log = INST.log_text()
        assert f"worker [{alice}] for {ALICE} killed by signal 9" in log, log[-3000:]
    finally:
        logout(a, b)
    no_worker_left()


def test_worker_exits_after_its_last_session():
    a = login(ALICE)
    alice = worker_of(ALICE)
    second = login(ALICE)
    assert worker_of(ALICE) == alice
    logout(a)
    assert second.noop()[0] == "OK"  # one session left: the worker stays
    assert not gone(alice)
    logout(second)
    wait_for(lambda: gone(alice), 20, what="the idle worker to exit")
    assert f"worker [{alice}] for {ALICE} exited with status 0" in INST.log_text()


class RawImap:
    """A logged-in IMAP session over implicit TLS, read with timeouts."""

    def __init__(self, user):
        self.s = tls_context().wrap_socket(
            socket.create_connection(("127.0.0.1", PORT_BASE + 993), 20))
        self.buf = b""
        self.line(20)  # greeting
        self.s.sendall(f'a LOGIN "{user}" "{PASSWORD}"\r\n'.encode())
        while not self.line(20).startswith(b"a OK"):
            pass

    def line(self, timeout):
        """The next line, or b"" when none came within timeout seconds."""
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return b""
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(4096)
            except (socket.timeout, TimeoutError):
                return b""
            assert chunk, "connection closed"
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line


def test_stopped_worker_does_not_hold_up_another_user():
    a = RawImap(ALICE)
    b = login(BOB)
    alice = worker_of(ALICE)
    os.kill(alice, signal.SIGSTOP)
    try:
        a.s.sendall(b"n1 NOOP\r\n")
        answered = a.line(1)
        assert answered == b"", f"a stopped worker answered: {answered!r}"
        # Meanwhile bob is served, and a new login of bob works.
        for _ in range(20):
            assert b.noop()[0] == "OK"
        other = login(BOB)
        assert other.select("INBOX")[0] == "OK"
        logout(other)
    finally:
        os.kill(alice, signal.SIGCONT)
    assert a.line(20).startswith(b"n1 OK"), "alice's NOOP after SIGCONT"
    a.s.close()
    logout(b)
    no_worker_left()


def tagged_answer(s, tag):
    """The line answering tag on a raw socket."""
    data = b""
    while True:
        for line in data.split(b"\r\n")[:-1]:
            if line.startswith(tag.encode() + b" "):
                return line
        chunk = s.recv(4096)
        assert chunk, f"connection closed before {tag} was answered: {data!r}"
        data += chunk


def test_burst_for_a_stopped_worker_waits_and_is_served():
    # More connections than the worker's socket buffer holds (~200 handoffs)
    # arrive while it is stopped: the dispatcher holds the rest, none is lost.
    first = RawImap(ALICE)
    alice = worker_of(ALICE)
    os.kill(alice, signal.SIGSTOP)
    burst = []
    try:
        for i in range(400):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(20)
            s.connect(mail_socket(INST))
            s.sendall(f"GMHANDOFF 1 proto=imap user={ALICE} maildir={maildir(INST, 'alice')} "
                      f"client=127.0.0.1 tls=none session=burst{i} tag=a{i}\r\n"
                      f"n{i} NOOP\r\n".encode())
            burst.append(s)
        wait_for(lambda: INST.log_text().count(" session burst") >= 400, 20,
                 what="every burst connection passed or queued")
    finally:
        os.kill(alice, signal.SIGCONT)
    for i, s in enumerate(burst):
        assert tagged_answer(s, f"n{i}").startswith(f"n{i} OK".encode())
    assert worker_of(ALICE) == alice and "takes no connection" not in INST.log_text()
    # The 401 sessions end while the dispatcher is stopped: more reports than
    # the socket holds wait in the worker, and none is lost (else the worker
    # would never be retired).
    dispatcher = dispatcher_pid()
    os.kill(dispatcher, signal.SIGSTOP)
    try:
        for s in burst:
            s.close()
        first.s.close()
        wait_for(lambda: len(os.listdir(f"/proc/{alice}/fd")) < 50, 20,
                 what="the worker closing the burst's sessions")
    finally:
        os.kill(dispatcher, signal.SIGCONT)
    no_worker_left()


def test_dispatcher_death_ends_workers_and_the_limit_shares_one():
    a = login(ALICE)
    old_worker, old_dispatcher = worker_of(ALICE), dispatcher_pid()
    with open(INST.conf, "a") as conf:
        conf.write("maa_mail_max_processes = 1\n")
    os.kill(old_dispatcher, signal.SIGKILL)
    wait_for(lambda: ended(old_worker), 10, what="the orphaned worker to end")
    INST.wait_running("maa-mail", not_pid=old_dispatcher)
    logout(a)
    a, b = login(ALICE), login(BOB)
    try:
        assert a.select("INBOX")[0] == "OK" and b.select("INBOX")[0] == "OK"
        running = workers()
        assert list(running.values()) == [ALICE], running  # bob joined alice's worker
        assert a.noop()[0] == "OK" and b.noop()[0] == "OK"
    finally:
        logout(a, b)


def main():
    global INST
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 1024:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))  # inherited by gm-master
    INST = start_instance(PORT_BASE, "maa_mail_worker_linger = 1s\n")
    with INST:
        run_tests([
            test_two_users_two_workers_and_one_users_sessions_share_one,
            test_daemons_raise_their_open_files_limit,
            test_killed_worker_drops_its_user_only_and_is_reaped,
            test_worker_exits_after_its_last_session,
            test_stopped_worker_does_not_hold_up_another_user,
            test_burst_for_a_stopped_worker_waits_and_is_served,
            test_dispatcher_death_ends_workers_and_the_limit_shares_one,
        ])


if __name__ == "__main__":
    main()
