#!/usr/bin/env python3
"""Memory per idle proxied session: N POP3S clients (N users, so no
maildrop lock or per-user limit gets in the way) log in through maa and sit
idle; reports the RSS growth of maa and maa-mail divided by N. maa-mail
runs a worker process per user (maa-mail(8)), so its figure is the
dispatcher's growth plus every worker's private memory (smaps_rollup:
shared library and binary pages counted once).

    GM_BIN=build/dev/bin python3 bench/maa/idle_sessions.py [N] [port_base]
"""

import os
import poplib
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from gmtest import BIN, Instance, tls_context  # noqa: E402
from gm_net_harness import rss_kib  # noqa: E402


def private_kib(pid):
    """Private_Clean + Private_Dirty of a process, in KiB."""
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def children(parent):
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return found


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    port_base = int(sys.argv[2]) if len(sys.argv) > 2 else 30000
    with Instance(port_base) as inst:
        with open(inst.conf, "a") as conf:
            conf.write("scram_iterations = 4096\nmax_connections = 5000\n"
                       "max_connections_per_address = 5000\nlog_level = warning\n")
        inst.start()
        for name in ("authd", "maa-mail", "maa"):
            inst.wait_running(name)
        start = time.monotonic()
        # gmctl goes through authd's admin socket; 16 at a time share its fsyncs.
        pending = []
        for i in range(n):
            pending.append(subprocess.Popen(
                [os.path.join(BIN, "gmctl"), "-c", inst.conf, "--password-stdin", "user", "add",
                 f"u{i}@example.test"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                text=True))
            pending[-1].stdin.write("pw\n")
            pending[-1].stdin.close()
            if len(pending) >= 16:
                for proc in pending:
                    assert proc.wait() == 0
                pending = []
        for proc in pending:
            assert proc.wait() == 0
        print(f"{n} users added in {time.monotonic() - start:.1f}s", flush=True)
        pids = {name: inst.services()[name]["pids"][0] for name in ("maa", "maa-mail")}
        before = {name: rss_kib(pid) for name, pid in pids.items()}
        clients = []
        start = time.monotonic()
        for i in range(n):
            p = poplib.POP3_SSL("127.0.0.1", port_base + 995, context=tls_context(), timeout=60)
            p.user(f"u{i}@example.test")
            p.pass_("pw")
            clients.append(p)
        print(f"{n} logins in {time.monotonic() - start:.1f}s", flush=True)
        time.sleep(2)
        after = {name: rss_kib(pid) for name, pid in pids.items()}
        workers = children(pids["maa-mail"])
        worker_kib = sum(private_kib(pid) for pid in workers)
        after["maa-mail"] += worker_kib
        print(f"maa-mail workers: {len(workers)}, {worker_kib} KiB private memory in all, "
              f"{worker_kib / max(1, len(workers)):.0f} KiB each", flush=True)
        total = 0
        for name in pids:
            grown = after[name] - before[name]
            total += grown
            print(f"{name}: RSS {before[name]} KiB -> {after[name]} KiB, "
                  f"{grown / n:.1f} KiB per idle session")
        print(f"maa + maa-mail: {total / n:.1f} KiB per idle session ({n} sessions, TLS 1.3)")
        for p in clients:
            p.quit()


if __name__ == "__main__":
    main()
