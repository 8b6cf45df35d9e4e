#!/usr/bin/env python3
"""One user's slow command against another user's NOOP: alice runs body
SEARCH over a 60 MB INBOX for 10 s while bob sends NOOP every 50 ms;
prints bob's NOOP latency. Run it with maa_mail_max_processes = 1 (every
session in one process, as maa-mail was before its worker processes) and
with the default (a worker per user, maa-mail(8)).

    GM_BIN=build/dev/bin python3 bench/maa/worker_isolation.py [max_processes] [port_base]
"""

import imaplib
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from gmtest import tls_context  # noqa: E402
from maatest import ALICE, BOB, PASSWORD, maildir, start_instance  # noqa: E402

MEGABYTES = 60
SECONDS = 10


def fill_inbox(inst):
    cur = os.path.join(maildir(inst, "alice"), "cur")
    os.makedirs(cur, exist_ok=True)
    line = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do\r\n"
    body = line * (1024 * 1024 // len(line))
    for i in range(MEGABYTES):
        with open(os.path.join(cur, f"17000000{i:02d}.M1P1.big:2,S"), "wb") as f:
            f.write(b"Subject: big %d\r\n\r\n" % i + body)


def main():
    processes = sys.argv[1] if len(sys.argv) > 1 else "1000"
    port_base = int(sys.argv[2]) if len(sys.argv) > 2 else 22600
    with start_instance(port_base, f"maa_mail_max_processes = {processes}\n") as inst:
        fill_inbox(inst)

        def login(user):
            m = imaplib.IMAP4_SSL("127.0.0.1", port_base + 993, ssl_context=tls_context(),
                                  timeout=120)
            m.login(user, PASSWORD)
            m.select("INBOX")
            return m

        alice, bob = login(ALICE), login(BOB)
        alice.search(None, "BODY", "nosuchwordanywhere")  # index and page cache warm
        stop = time.monotonic() + SECONDS
        searches = []

        def search():
            while time.monotonic() < stop:
                start = time.monotonic()
                alice.search(None, "BODY", "nosuchwordanywhere")
                searches.append(time.monotonic() - start)

        thread = threading.Thread(target=search)
        thread.start()
        noops = []
        while time.monotonic() < stop:
            start = time.monotonic()
            bob.noop()
            noops.append(time.monotonic() - start)
            time.sleep(0.05)
        thread.join()
        noops.sort()

        def ms(q):
            return noops[min(len(noops) - 1, int(q * len(noops)))] * 1000

        print(f"maa_mail_max_processes={processes}: bob NOOP n={len(noops)} p50={ms(0.5):.1f}ms "
              f"p99={ms(0.99):.1f}ms max={noops[-1] * 1000:.1f}ms; alice body SEARCH "
              f"n={len(searches)} mean={sum(searches) / max(1, len(searches)) * 1000:.0f}ms")
        alice.logout()
        bob.logout()


if __name__ == "__main__":
    main()
