#!/usr/bin/env python3
"""lib/net connection limits and the input rate limit, against gm-linetestd."""

import threading
import time

from gm_net_harness import Client, Daemon, TestDir, bin_dir, run_tests, write_conf

BIN = bin_dir()


def with_daemon(body, **conf):
    with TestDir() as d:
        daemon = Daemon(BIN, d, write_conf(d, **conf), listeners=("smtp",))
        try:
            body(daemon)
        finally:
            daemon.stop()


def test_connection_beyond_per_address_limit_gets_421():
    def body(daemon):
        clients = [Client(daemon.port()) for _ in range(3)]
        for c in clients:
            assert c.line() == "220 ready"
        extra = Client(daemon.port())
        assert extra.line() == "421 too many connections"
        extra.expect_eof()
        # A slot freed is a slot for the next client.
        assert clients[0].command("QUIT") == "221 bye"
        clients[0].expect_eof()
        time.sleep(0.2)
        again = Client(daemon.port())
        assert again.line() == "220 ready"
        for c in clients[1:]:
            assert c.command("NOOP") == "250 ok"
    with_daemon(body, max_connections_per_address=3)


def test_connection_beyond_total_limit_gets_421():
    def body(daemon):
        first, second = Client(daemon.port()), Client(daemon.port())
        assert first.line() == second.line() == "220 ready"
        third = Client(daemon.port())
        assert third.line() == "421 too many connections"
        third.expect_eof()
    with_daemon(body, max_connections=2)


def test_flooding_client_is_rate_limited_and_others_are_served():
    rate = 20 * 1024
    total = 4 * rate

    def body(daemon):
        flood = Client(daemon.port(), timeout=30)
        flood.line()
        lines = total // len(b"NOOP\r\n")
        sender = threading.Thread(target=flood.send, args=(b"NOOP\r\n" * lines,))
        start = time.monotonic()
        sender.start()
        time.sleep(0.5)
        other = Client(daemon.port())
        other.line()
        t = time.monotonic()
        assert other.command("ECHO served") == "250 served"
        assert time.monotonic() - t < 0.5, "a flooding client starved another"
        for _ in range(lines):
            assert flood.line() == "250 ok"
        elapsed = time.monotonic() - start
        sender.join()
        # One second's burst, then `rate` bytes a second: about 3 s for 4 s' worth.
        assert elapsed > 2.0, f"{total} bytes took only {elapsed:.2f}s"
        assert elapsed < 10, elapsed
    with_daemon(body, input_rate_limit=rate)


if __name__ == "__main__":
    run_tests([test_connection_beyond_per_address_limit_gets_421,
               test_connection_beyond_total_limit_gets_421,
               test_flooding_client_is_rate_limited_and_others_are_served])
