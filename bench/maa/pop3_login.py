#!/usr/bin/env python3
"""POP3 login time on a large INBOX: writes N messages straight into the
Maildir's new/ (as another delivery agent would), then logs in over POP3S
three times and times login + STAT + UIDL. The first login indexes the
folder (MailboxFolder builds gm-uids and gm-index); the later ones only
sync it. Every login reads each message once for its CRLF size.

    GM_BIN=build/dev/bin python3 bench/maa/pop3_login.py [N] [port_base]
"""

import os
import poplib
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from gmtest import tls_context  # noqa: E402
from maatest import BOB, PASSWORD, maildir, start_instance, submit  # noqa: E402

LOGINS = 3
BODY = b"From: a@example.test\r\nSubject: m\r\n\r\n" + b"line of text\r\n" * 200


def timed_login(port):
    start = time.monotonic()
    p = poplib.POP3_SSL("127.0.0.1", port, timeout=300, context=tls_context())
    p.user(BOB)
    p.pass_(PASSWORD)
    count, _ = p.stat()
    p.uidl()
    elapsed = time.monotonic() - start
    p.quit()
    return count, elapsed


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    port_base = int(sys.argv[2]) if len(sys.argv) > 2 else 31500
    inst = start_instance(port_base)
    with inst:
        submit(inst, BOB, "seed", "x\r\n")  # mda creates the Maildir
        new = os.path.join(maildir(inst, "bob"), "new")
        first = int(time.time()) - n
        for i in range(n):
            with open(os.path.join(new, f"{first + i}.M{i}P1Q{i}.bench,S={len(BODY)}"), "wb") as f:
                f.write(BODY)
        for k in range(LOGINS):
            count, elapsed = timed_login(port_base + 995)
            print(f"login {k + 1}: {count} messages, login+STAT+UIDL {elapsed * 1000:.0f} ms")


if __name__ == "__main__":
    main()
