"""Many sessions of one user on one folder (port base 22000): maa-mail
shares one MailboxFolder and one snapshot between them (folder_registry.hpp).
200 sessions SELECT and IDLE on a 2,000-message INBOX; a delivery and a
STORE made elsewhere reach every one of them; an EXPUNGE in one session is
not announced to another in the middle of its FETCH; and maa-mail's memory
grows by less than a bound per extra idle session (each session holding
its own copy of the index, as before, cost 321 KiB here)."""

import os
import re
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import run_tests, tls_context, wait_for  # noqa: E402
from maatest import ALICE, PASSWORD, maildir, start_instance, submit  # noqa: E402

PORT_BASE = 22000
SESSIONS = 200
FIRST = 20  # memory is measured between FIRST and SESSIONS idle sessions
MESSAGES = 2000
# Bytes of maa-mail's RSS per extra idle session; far below a private index.
MAX_GROWTH_PER_SESSION = 48 * 1024
INST = None
IDLERS = []


class Client:
    """One IMAP session over implicit TLS, logged in; lines kept in order."""

    def __init__(self):
        sock = socket.create_connection(("127.0.0.1", PORT_BASE + 993), timeout=30)
        self.s = tls_context().wrap_socket(sock)
        self.buf = b""
        self.n = 0
        self.line()  # greeting
        self.command(f'LOGIN "{ALICE}" "{PASSWORD}"', "OK")

    def line(self, timeout=30):
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            # TLS may hold decrypted bytes that select() cannot see.
            if not self.s.pending():
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.s], [], [], left)[0]:
                    raise TimeoutError(f"no line within {timeout} s (have {self.buf[:200]!r})")
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        text, self.buf = self.buf.split(b"\r\n", 1)
        return text.decode(errors="replace")

    def send(self, text):
        self.s.sendall(text.encode() + b"\r\n")

    def command(self, text, expect=None):
        """Sends 'tag text'; returns (status line, untagged lines)."""
        self.n += 1
        tag = f"s{self.n}"
        self.send(f"{tag} {text}")
        lines = []
        while True:
            line = self.line()
            if line.startswith(tag + " "):
                if expect is not None:
                    assert line.split()[1] == expect, (line, lines)
                return line, lines
            lines.append(line)

    def idle(self):
        self.n += 1
        self.send(f"s{self.n} IDLE")
        assert self.line().startswith("+"), "no IDLE continuation"

    def done(self):
        self.send("DONE")
        tag = f"s{self.n} "
        lines = []
        while not (line := self.line()).startswith(tag):
            lines.append(line)
        assert line.split()[1] == "OK", line
        return lines

    def wait_for_line(self, pattern, timeout=10):
        while True:
            line = self.line(timeout)
            if re.search(pattern, line):
                return line

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def maa_mail_memory():
    """maa-mail's resident bytes once they stop moving."""
    pid = INST.services()["maa-mail"]["pids"][0]
    last = None
    for _ in range(20):
        with open(f"/proc/{pid}/status") as status:
            rss = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
        if rss == last:
            return rss
        last = rss
        time.sleep(0.25)
    return last


def fill_inbox():
    """One delivery through mda (makes the Maildir), then MESSAGES files
    written the way mda writes them."""
    submit(INST, ALICE, "first", "Hello.\r\n")
    new = os.path.join(maildir(INST, "alice"), "new")
    for i in range(MESSAGES):
        body = f"From: bob@example.test\r\nSubject: bulk {i}\r\n\r\nbody {i}\r\n".encode()
        name = f"{1700000000 + i}.M{i}P1.bench,S={len(body)}"
        with open(os.path.join(new, name), "wb") as f:
            f.write(body)


def open_idlers(count):
    for _ in range(count):
        c = Client()
        c.command("SELECT INBOX", "OK")
        c.idle()
        IDLERS.append(c)


def test_idle_sessions_share_the_folder_memory():
    fill_inbox()
    first = Client()  # builds the index once
    _, lines = first.command("SELECT INBOX", "OK")
    assert f"* {MESSAGES + 1} EXISTS" in lines, lines
    first.command("LOGOUT")
    first.close()
    open_idlers(FIRST)
    before = maa_mail_memory()
    open_idlers(SESSIONS - FIRST)
    after = maa_mail_memory()
    per_session = (after - before) / (SESSIONS - FIRST)
    print(f"  maa-mail RSS {before / 2**20:.1f} MiB with {FIRST} idle sessions, "
          f"{after / 2**20:.1f} MiB with {SESSIONS}: {per_session / 1024:.1f} KiB per session")
    assert per_session < MAX_GROWTH_PER_SESSION, per_session


def test_a_delivery_is_announced_to_every_idle_session():
    submit(INST, ALICE, "for everyone", "Hello all.\r\n")
    for c in IDLERS:
        c.wait_for_line(rf"^\* {MESSAGES + 2} EXISTS$")


def test_a_store_elsewhere_reaches_every_idle_session():
    writer = Client()
    writer.command("SELECT INBOX", "OK")
    _, lines = writer.command("STORE 3 +FLAGS (\\Flagged)", "OK")
    assert any(re.match(r"\* 3 FETCH \(FLAGS \(.*\\Flagged", x) for x in lines), lines
    for c in IDLERS:
        c.wait_for_line(r"^\* 3 FETCH \(FLAGS \(.*\\Flagged")
    # The writer was told once, in its STORE answer: not again.
    _, lines = writer.command("NOOP", "OK")
    assert not any("FETCH" in x for x in lines), lines
    writer.command("LOGOUT")
    writer.close()


def test_no_expunge_is_announced_in_the_middle_of_a_fetch():
    reader, other = IDLERS[0], IDLERS[1]
    for c in (reader, other):
        c.done()
    _, lines = reader.command("FETCH 4:6 (UID)", "OK")
    uids = [int(re.search(r"UID (\d+)", x).group(1)) for x in lines if "FETCH" in x]
    assert len(uids) == 3, lines
    other.command("STORE 5 +FLAGS (\\Deleted)", "OK")
    _, lines = other.command("EXPUNGE", "OK")
    assert "* 5 EXPUNGE" in lines, lines
    # FETCH by sequence number: no EXPUNGE, the old numbers still hold
    # (whether message 5 is still answered is the server's choice).
    _, lines = reader.command("FETCH 4:6 (UID)")
    assert not any("EXPUNGE" in x for x in lines), lines
    assert any(re.match(rf"\* 6 FETCH \(UID {uids[2]}\)", x) for x in lines), lines
    _, lines = reader.command("NOOP", "OK")
    assert "* 5 EXPUNGE" in lines, lines
    _, lines = reader.command("FETCH 5 (UID)", "OK")
    assert any(f"UID {uids[2]})" in x for x in lines), lines
    # Every idle session hears of it now: EXPUNGE is allowed during IDLE.
    for c in IDLERS[2:]:
        c.wait_for_line(r"^\* 5 EXPUNGE$")


def main():
    global INST
    INST = start_instance(PORT_BASE, "max_connections_per_address = 1000\n"
                                     "maa_max_sessions_per_user = 0\n")
    with INST:
        try:
            run_tests([
                test_idle_sessions_share_the_folder_memory,
                test_a_delivery_is_announced_to_every_idle_session,
                test_a_store_elsewhere_reaches_every_idle_session,
                test_no_expunge_is_announced_in_the_middle_of_a_fetch,
            ])
        finally:
            for c in IDLERS:
                c.close()


if __name__ == "__main__":
    main()
