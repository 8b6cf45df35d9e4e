"""IMAP SEARCH of maa-mail on a real instance (port base 27500): answers on
a generated mailbox (RFC 2047 headers in several charsets, bodies in
base64 and quoted-printable, flags in the file names) checked against
expectations computed here with Python's email package; the same again with
the header cache warm; SEARCH CHARSET KOI8-R; 1:4294967295 on an empty
mailbox; and fairness: while one session's big body SEARCH runs, another
session of the same user is answered, and the first session's pipelined
commands are answered after its SEARCH; SEARCHRES (RFC 5182)."""

import base64
import email
import email.header
import email.policy
import functools
import os
import quopri
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import run_tests, tls_context  # noqa: E402
from maatest import ALICE, PASSWORD, maildir, start_instance  # noqa: E402

PORT_BASE = 27500
INST = None
MESSAGES = {}  # seq -> (raw bytes, flags letters)

WORDS = ["alpha", "bravo", "report", "meeting", "budget", "tango", "yankee", "zulu"]
SUBJECTS = [  # (text, charset): encoded as an RFC 2047 word unless charset is None
    ("Needle in a haystack", None),
    ("Grüße aus Köln", "iso-8859-1"),
    ("привет мир", "koi8-r"),
    ("ПРИВЕТ снова", "utf-8"),
    ("the NEEDLE again", "utf-8"),
    ("plain subject", None),
    ("Straße und Brücke", "utf-8"),
]


class Client:
    """A line-level IMAP client over implicit TLS, logged in as alice."""

    def __init__(self):
        sock = socket.create_connection(("127.0.0.1", PORT_BASE + 993), timeout=60)
        self.s = tls_context().wrap_socket(sock)
        self.buf = b""
        self.n = 0
        self.read_line()
        for _ in range(20):  # authd may still be coming up right after the start
            status, _ = self.command(f'LOGIN "{ALICE}" "{PASSWORD}"')
            if "[UNAVAILABLE]" not in status:
                break
            time.sleep(0.5)
        assert status.split()[1] == "OK", status

    def send(self, data):
        self.s.sendall(data)

    def read_line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def tag(self):
        self.n += 1
        return f"c{self.n}"

    def read_until(self, tag, expect=None):
        lines = []
        while True:
            line = self.read_line()
            if line.startswith(tag.encode() + b" "):
                status = line.decode(errors="replace")
                if expect is not None:
                    assert status.split()[1] == expect, (status, lines)
                return status, lines
            lines.append(line)

    def command(self, text, expect=None):
        tag = self.tag()
        data = text if isinstance(text, bytes) else text.encode()
        self.send(tag.encode() + b" " + data + b"\r\n")
        return self.read_until(tag, expect)

    def search(self, criteria):
        """SEARCH criteria (bytes or str); the sequence numbers found."""
        status, lines = self.command(b"SEARCH " + (criteria if isinstance(criteria, bytes)
                                                   else criteria.encode()), "OK")
        found = [line for line in lines if line.startswith(b"* SEARCH")]
        assert len(found) == 1, lines
        return [int(n) for n in found[0].split()[2:]]

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def literal(text, charset="utf-8"):
    data = text.encode(charset)
    return b"{%d+}\r\n" % len(data) + data


# --- the mailbox and what Python says about it --------------------------------

def encoded_subject(text, charset):
    if charset is None:
        return text
    return email.header.Header(text, charset).encode()


def make_message(i, rng):
    text, charset = SUBJECTS[i % len(SUBJECTS)]
    subject = f"{text} {i}"
    sender = f"user{i % 9}@example.org"
    words = " ".join(rng.choice(WORDS) for _ in range(40))
    secret = "haystackword" if i % 4 == 0 else "hay stack word"
    padding = f"{words}\n" * 50  # ~20 KB: a TEXT search over all takes many slices
    body_text = f"Line one {words}\nКириллица {secret} и Übermut {i}\n{padding}"
    kind = i % 3
    if kind == 0:
        body = base64.encodebytes(body_text.encode("utf-8")).replace(b"\n", b"\r\n")
        head = 'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n'
    elif kind == 1:
        body = quopri.encodestring(body_text.encode("koi8-r", errors="replace"))
        body = body.replace(b"\n", b"\r\n")
        head = "Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: quoted-printable\r\n"
    else:
        body = body_text.encode("utf-8").replace(b"\n", b"\r\n")
        head = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
    header = (f"From: User {i % 9} <{sender}>\r\nTo: alice@example.test\r\n"
              f"Subject: {encoded_subject(subject, charset)}\r\n"
              f"Date: Thu, {1 + i % 28} Nov 2023 10:00:00 +0000\r\n"
              f"Message-ID: <m{i}@example.org>\r\nX-Tag: tag{i % 5}\r\nMIME-Version: 1.0\r\n")
    return (header + head + "\r\n").encode("ascii") + body


def write_mailbox(count):
    rng = random.Random(7)
    box = maildir(INST, "alice")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(box, sub), exist_ok=True)
    for i in range(1, count + 1):
        raw = make_message(i, rng)
        flags = ("F" if i % 10 == 0 else "") + ("S" if i % 2 == 0 else "")
        name = f"{1700000000 + i}.M{i}P1.search,S={len(raw)}:2,{flags}"
        with open(os.path.join(box, "cur", name), "wb") as f:
            f.write(raw)
        MESSAGES[i] = (raw, flags)


@functools.lru_cache(maxsize=None)
def parsed(seq):
    return email.message_from_bytes(MESSAGES[seq][0], policy=email.policy.default)


def header_text(seq, name):
    msg = parsed(seq)
    return " ".join(str(v) for v in msg.get_all(name, []))


@functools.lru_cache(maxsize=None)
def body_text(seq):
    return parsed(seq).get_content()


def expect(predicate):
    return [seq for seq in sorted(MESSAGES) if predicate(seq)]


def has(haystack, needle):
    return needle.casefold() in haystack.casefold()


def flagged(seq):
    return "F" in MESSAGES[seq][1]


def seen(seq):
    return "S" in MESSAGES[seq][1]


# --- tests -------------------------------------------------------------------

def check_answers(c):
    cases = [
        ("SUBJECT needle", lambda s: has(header_text(s, "Subject"), "needle")),
        (b"CHARSET UTF-8 SUBJECT " + literal("grüsse"),
         lambda s: has(header_text(s, "Subject"), "grüsse")),
        (b"CHARSET UTF-8 SUBJECT " + literal("ПРИВЕТ"),
         lambda s: has(header_text(s, "Subject"), "привет")),
        (b"CHARSET KOI8-R SUBJECT " + literal("привет", "koi8-r"),
         lambda s: has(header_text(s, "Subject"), "привет")),
        ("FROM user3@example.org", lambda s: has(header_text(s, "From"), "user3@example.org")),
        ("HEADER X-Tag tag2", lambda s: has(header_text(s, "X-Tag"), "tag2")),
        ("BODY haystackword", lambda s: has(body_text(s), "haystackword")),
        (b"CHARSET UTF-8 BODY " + literal("кириллица HAYSTACKWORD"),
         lambda s: has(body_text(s), "кириллица haystackword")),
        (b"CHARSET UTF-8 TEXT " + literal("übermut"), lambda s: has(body_text(s), "übermut")),
        (b"CHARSET UTF-8 TEXT " + literal("köln"),
         lambda s: has(header_text(s, "Subject"), "köln") or has(body_text(s), "köln")),
        ("FLAGGED BODY haystackword",
         lambda s: flagged(s) and has(body_text(s), "haystackword")),
        ("OR FROM user1@example.org BODY haystackword",
         lambda s: has(header_text(s, "From"), "user1@") or has(body_text(s), "haystackword")),
        ("NOT SUBJECT needle UNSEEN",
         lambda s: not has(header_text(s, "Subject"), "needle") and not seen(s)),
        ("SENTSINCE 20-Nov-2023 SUBJECT straße",
         lambda s: parsed(s)["Date"].datetime.day >= 20 and has(header_text(s, "Subject"), "straße")),
        ("1:4294967295 FLAGGED", flagged),
        ("TEXT nosuchwordanywhere", lambda s: False),
    ]
    for criteria, predicate in cases:
        want = expect(predicate)
        got = c.search(criteria)
        assert got == want, (criteria, got[:20], want[:20])
    return len(cases)


def test_search_answers_match_python_cold_and_warm():
    c = Client()
    c.command("SELECT INBOX", "OK")
    first = check_answers(c)   # header cache filled on the way
    second = check_answers(c)  # answered from the cache
    assert first == second
    c.close()


def test_unknown_charset_is_badcharset_and_empty_mailbox_sets_match_nothing():
    c = Client()
    c.command("CREATE Empty")
    c.command("SELECT Empty", "OK")
    status, lines = c.command("SEARCH 1:4294967295", "OK")
    assert lines == [b"* SEARCH"], lines
    status, lines = c.command("SEARCH *", "OK")
    assert lines == [b"* SEARCH"], lines
    c.command("SELECT INBOX", "OK")
    status, _ = c.command("SEARCH CHARSET X-NO-SUCH-CHARSET SUBJECT x", "NO")
    assert "[BADCHARSET" in status, status
    status, _ = c.command("FETCH 1:4294967295 FLAGS", "BAD")  # FETCH keeps its BAD
    c.close()


def test_searchres_saves_results_for_dollar():
    c = Client()
    status, lines = c.command("CAPABILITY", "OK")
    assert b" SEARCHRES" in lines[0], lines
    c.command("SELECT INBOX", "OK")
    want = expect(flagged)
    status, lines = c.command("SEARCH RETURN (SAVE) FLAGGED", "OK")
    assert lines == [], lines  # RFC 5182 2.4: SAVE alone answers no ESEARCH
    assert c.search("$") == want
    assert c.search("$ BODY haystackword") == expect(
        lambda s: flagged(s) and has(body_text(s), "haystackword"))
    status, lines = c.command("FETCH $ (UID)", "OK")
    assert [int(line.split()[1]) for line in lines] == want, lines
    status, lines = c.command("UID SEARCH RETURN (SAVE MIN) SUBJECT needle", "OK")
    first = expect(lambda s: has(header_text(s, "Subject"), "needle"))[0]
    assert c.search("$") == [first]
    c.command("SEARCH RETURN (SAVE) NOSUCHKEY", "BAD")
    assert c.search("$") == []  # a failed SAVE empties it
    c.command("SEARCH RETURN (SAVE) FLAGGED", "OK")
    c.command("UNSELECT", "OK")
    c.command("SELECT INBOX", "OK")
    assert c.search("$") == []  # RFC 5182 2.1: reset by SELECT
    c.close()


def read_tagged(client, tag, when, key):
    client.read_until(tag, "OK")
    when[key] = time.monotonic()


def test_other_sessions_are_answered_while_a_body_search_runs():
    a, b = Client(), Client()
    a.command("SELECT INBOX", "OK")
    b.command("SELECT INBOX", "OK")
    when = {}
    # a: a body search over every message, then a pipelined NOOP.
    search_tag, noop_tag = a.tag(), a.tag()
    a.send(f"{search_tag} SEARCH TEXT nosuchwordanywhere\r\n{noop_tag} NOOP\r\n".encode())
    reader = threading.Thread(target=lambda: (read_tagged(a, search_tag, when, "search"),
                                              read_tagged(a, noop_tag, when, "a_noop")))
    reader.start()
    time.sleep(0.05)  # maa-mail has started the search
    b.command("NOOP", "OK")
    when["b_noop"] = time.monotonic()
    reader.join(120)
    assert not reader.is_alive()
    # Another session's NOOP overtakes the search; the session's own waits.
    assert when["b_noop"] < when["search"], when
    assert when["search"] <= when["a_noop"], when
    a.close()
    b.close()


def main():
    global INST
    INST = start_instance(PORT_BASE)
    with INST:
        # Enough text that a TEXT search takes many slices (~30 MB).
        write_mailbox(int(os.environ.get("GM_SEARCH_MESSAGES", "1500")))
        run_tests([
            test_search_answers_match_python_cold_and_warm,
            test_unknown_charset_is_badcharset_and_empty_mailbox_sets_match_nothing,
            test_other_sessions_are_answered_while_a_body_search_runs,
            test_searchres_saves_results_for_dollar,
        ])


if __name__ == "__main__":
    main()
