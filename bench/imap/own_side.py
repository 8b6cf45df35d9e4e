#!/usr/bin/env python3
"""Our side of bench/imap/run alone, on a port base of one's own: the idle
IDLE memory test and a few load phases against one GoodMessaging instance,
for a developer measuring a change while others use the machine (no
Dovecot, no other port bases). Uses bench/imap/run's instance and
measuring code; build/bench must be built (bench/README.md). Run as root
(the open-file limit is raised for the idle connections).

  bench/imap/own_side.py --port-base 22000 --idle 10000 --clients 4 --ops select
"""

import argparse
import importlib.machinery
import os
import resource
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
bench = importlib.machinery.SourceFileLoader("imap_bench", os.path.join(HERE, "run")).load_module()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port-base", type=int, required=True)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--users", type=int, default=1)
    parser.add_argument("--idle", type=int, default=0, help="idle IDLE connections (0: none)")
    parser.add_argument("--parallel", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--ops", default="", help="load phases, e.g. select,store")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(hard, 4 * args.idle + 1000)
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
                                   max(args.idle, 4 * args.clients) + 200)
    try:
        side.start()
        # Indexes built first, as bench/imap/run primes them.
        bench.load(side, args, args.users, "select", seconds=2)
        if args.ops:
            bench.load(side, args, args.clients, args.ops)
        if args.idle:
            print(bench.idle_memory(side, args.idle, args.parallel))
    finally:
        side.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
