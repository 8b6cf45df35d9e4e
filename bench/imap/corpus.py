"""The IMAP benchmark's mailbox: N deterministic messages written once as a
Maildir, then hard-linked into each server's user Maildir (both servers only
rename message files, never rewrite them, so sharing inodes is safe and both
read the same page cache).

Messages look like a real inbox: mostly short text/plain, some
multipart/alternative, some with a base64 attachment, some with RFC 2047
subjects and ISO-8859-1 quoted-printable bodies, reply chains with
In-Reply-To/References (for THREAD), a few flags. File names start with
increasing timestamps, so every server that orders new files by name or by
the time in the name (Dovecot does) hands out the same UIDs."""

import base64
import os
import random
import shutil

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
         "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee "
         "zulu meeting report invoice budget project release schedule review draft "
         "quarterly summary update question answer server mailbox message folder").split()
FIRST_TIME = 1_700_000_000
# Markers the search workload and the correctness script look for.
NEEDLE_SUBJECT = "needle"      # every 97th subject
NEEDLE_BODY = "haystackword"   # every 101st body
LATIN1_WORD = "caf\u00e9"      # every 211th body, ISO-8859-1 quoted-printable


def _words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _paragraphs(rng, lines):
    return "\r\n".join(_words(rng, rng.randint(6, 14)) for _ in range(lines)) + "\r\n"


def _headers(i, rng, date, subject, extra=()):
    sender = rng.randint(1, 200)
    lines = [f"From: User {sender} <user{sender}@example.org>",
             "To: Bench <bench@example.test>",
             f"Subject: {subject}",
             f"Date: {date}",
             f"Message-ID: <m{i}@example.org>"]
    if i > 10 and i % 7 == 0:  # a reply to an earlier message
        parent = i - rng.randint(1, 10)
        lines += [f"In-Reply-To: <m{parent}@example.org>", f"References: <m{parent}@example.org>"]
    return "\r\n".join(lines + list(extra)) + "\r\n"


def _body_text(i, rng):
    text = _paragraphs(rng, rng.randint(5, 60))
    if i % 101 == 0:
        text += f"the {NEEDLE_BODY} is here\r\n"
    return text


def message(i, rng):
    """The bytes of message i (CRLF line ends, as IMAP sends them)."""
    t = FIRST_TIME + i * 60
    date = _rfc2822_date(t)
    subject = _words(rng, rng.randint(2, 6))
    if i % 97 == 0:
        subject += f" {NEEDLE_SUBJECT}"
    if i % 53 == 0:
        subject = "=?UTF-8?B?" + base64.b64encode(f"r\u00e9sum\u00e9 {subject}".encode()).decode() + "?="
    kind = i % 20
    if i % 211 == 0:
        head = _headers(i, rng, date, subject, ["MIME-Version: 1.0",
                                                "Content-Type: text/plain; charset=ISO-8859-1",
                                                "Content-Transfer-Encoding: quoted-printable"])
        return (head + "\r\n" + _body_text(i, rng) + "un caf=E9 cr=E8me\r\n").encode("ascii")
    if kind in (3, 13):
        boundary = f"alt-{i}"
        text = _body_text(i, rng)
        head = _headers(i, rng, date, subject, ["MIME-Version: 1.0",
                                                f'Content-Type: multipart/alternative; boundary="{boundary}"'])
        body = (f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{text}"
                f"--{boundary}\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n"
                f"<html><body><p>{text}</p></body></html>\r\n--{boundary}--\r\n")
        return (head + "\r\n" + body).encode("ascii")
    if kind == 7:
        boundary = f"mix-{i}"
        blob = rng.randbytes(rng.randint(8_000, 120_000))
        encoded = base64.encodebytes(blob).decode().replace("\n", "\r\n")
        head = _headers(i, rng, date, subject, ["MIME-Version: 1.0",
                                                f'Content-Type: multipart/mixed; boundary="{boundary}"'])
        body = (f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{_body_text(i, rng)}"
                f"--{boundary}\r\nContent-Type: application/octet-stream; name=\"data{i}.bin\"\r\n"
                f"Content-Disposition: attachment; filename=\"data{i}.bin\"\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}--{boundary}--\r\n")
        return (head + "\r\n" + body).encode("ascii")
    return (_headers(i, rng, date, subject) + "\r\n" + _body_text(i, rng)).encode("ascii")


def _rfc2822_date(t):
    import email.utils
    return email.utils.formatdate(t, localtime=False)


def _flags(i):
    flags = ""
    if i % 10 != 0:
        flags += "S"       # 90 % seen
    if i % 17 == 0:
        flags += "F"
    if i % 23 == 0:
        flags += "R"       # answered
    return "".join(sorted(flags))


def build(dir, count, seed=5):
    """Writes count messages into the Maildir dir (cur/, with flags); returns
    their total size. Reuses dir if it already holds count messages."""
    cur = os.path.join(dir, "cur")
    if os.path.isdir(cur) and len(os.listdir(cur)) == count:
        return sum(os.path.getsize(os.path.join(cur, f)) for f in os.listdir(cur))
    shutil.rmtree(dir, ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(dir, sub))
    rng = random.Random(seed)
    total = 0
    for i in range(1, count + 1):
        data = message(i, rng)
        t = FIRST_TIME + i * 60
        name = f"{t}.M{i:06d}P1.bench,S={len(data)}:2,{_flags(i)}"
        path = os.path.join(cur, name)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (t, t))
        total += len(data)
    return total


def link_into(corpus, maildir, folders=("Sent", "Drafts", "Trash", "Junk"), owner=None):
    """A new Maildir++ at maildir whose INBOX hard-links the corpus's
    messages, plus empty special-use folders. owner=(uid, gid) chowns it."""
    shutil.rmtree(maildir, ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub))
    for folder in folders:
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(maildir, "." + folder, sub))
        open(os.path.join(maildir, "." + folder, "maildirfolder"), "w").close()
    src = os.path.join(corpus, "cur")
    for name in os.listdir(src):
        os.link(os.path.join(src, name), os.path.join(maildir, "cur", name))
    if owner:
        for root, dirs, files in os.walk(maildir):
            for name in dirs + files:
                os.lchown(os.path.join(root, name), *owner)
        os.lchown(maildir, *owner)
