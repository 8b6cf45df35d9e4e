#!/usr/bin/env python3
"""Our side of bench/imap/run alone, on a port base of one's own: the idle
IDLE memory test and a few load phases against one GoodMessaging instance,
for a developer measuring a change while others use the machine (no
Dovecot, no other port bases). Uses bench/imap/run's instance and
measuring code; build/bench must be built (bench/README.md). Run as root
(the open-file limit is raised for the idle connections).

  bench/imap/own_side.py --port-base 22000 --idle 10000 --clients 4 --ops select
  bench/imap/own_side.py --port-base 22000 --fanout 9000   # CPU per change, 9,000 idlers
"""

import argparse
import importlib.machinery
import os
import resource
import imaplib
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
bench = importlib.machinery.SourceFileLoader("imap_bench", os.path.join(HERE, "run")).load_module()


def cpu_seconds(program, marker):
    """User + system CPU time of the process named program whose command
    line contains marker (this run's work directory)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != program:
                    continue
            with open(f"/proc/{pid}/cmdline") as f:
                if marker not in f.read():
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return 0.0


def fanout_cost(side, work, idlers, parallel, stores=5):
    """Holds idlers IDLE connections of bench1 on INBOX, then makes stores
    flag changes from one more session and prints the CPU each one costs
    maa-mail (every idler's view) and maa (every idler's TLS record)."""
    hold = subprocess.Popen(
        [os.path.join(bench.BIN, "imap_load"), "--port", str(side.imaps_port), "--user",
         f"bench1@{bench.DOMAIN}", "--password", bench.PASSWORD, "--idle-hold", str(idlers),
         "--parallel", str(parallel)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    print(hold.stdout.readline().strip())  # "ready <idling> <failed> <seconds>"
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    writer = imaplib.IMAP4_SSL("127.0.0.1", side.imaps_port, ssl_context=context)
    writer.login(f"bench1@{bench.DOMAIN}", bench.PASSWORD)
    writer.select("INBOX")
    time.sleep(2)
    for i in range(stores):
        before = cpu_seconds("maa-mail", work), cpu_seconds("maa", work)
        writer.store(str(1 + i), "FLAGS", "\\Flagged \\Answered")  # a change on any message
        time.sleep(3)
        print(f"  change {i + 1} to {idlers} idlers: maa-mail "
              f"{cpu_seconds('maa-mail', work) - before[0]:.2f} s CPU, maa "
              f"{cpu_seconds('maa', work) - before[1]:.2f} s CPU")
    writer.logout()
    hold.stdin.close()
    hold.wait(120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port-base", type=int, required=True)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--users", type=int, default=1)
    parser.add_argument("--idle", type=int, default=0, help="idle IDLE connections (0: none)")
    parser.add_argument("--fanout", type=int, default=0,
                        help="idle IDLE connections woken by flag changes (0: none)")
    parser.add_argument("--parallel", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--ops", default="", help="load phases, e.g. select,store")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(hard, 4 * max(args.idle, args.fanout) + 1000)
    try:  # a container's root may lack CAP_SYS_RESOURCE
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
    except (ValueError, OSError) as e:
        print(f"note: open-file limit stays {hard} ({e})", file=sys.stderr)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="gm-bench-own-", dir="/var/tmp")
    os.chmod(work, 0o755)
    corpus_dir = f"/var/tmp/gm-bench-imap-corpus-{args.messages}"
    bench.corpus.build(corpus_dir, args.messages)
    side = bench.GoodMessagingSide(work, corpus_dir, args.users, args.port_base,
                                   max(args.idle, args.fanout, 4 * args.clients) + 200)
    try:
        side.start()
        # Indexes built first, as bench/imap/run primes them.
        bench.load(side, args, args.users, "select", seconds=2)
        if args.ops:
            bench.load(side, args, args.clients, args.ops)
        if args.idle:
            print(bench.idle_memory(side, args.idle, args.parallel))
        if args.fanout:
            fanout_cost(side, work, args.fanout, args.parallel)
    finally:
        side.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
