#!/usr/bin/env python3
"""lib/net line handling, against gm-linetestd: limits, over-long lines,
raw byte mode, idle and session timeouts."""

import os
import socket
import time

from gm_net_harness import Client, Daemon, TestDir, bin_dir, rss_kib, run_tests, write_conf

BIN = bin_dir()
LIMIT = 100


def with_daemon(body, extra_env=None, **conf):
    with TestDir() as d:
        settings = {"line_length_limit": LIMIT, "input_rate_limit": "64M"}
        settings.update(conf)
        daemon = Daemon(BIN, d, write_conf(d, **settings), listeners=("smtp",),
                        extra_env=extra_env)
        try:
            body(daemon)
        finally:
            daemon.stop()


def test_greeting_and_commands():
    def body(daemon):
        c = Client(daemon.port())
        assert c.line() == "220 ready"
        assert c.command("NOOP") == "250 ok"
        assert c.command("ECHO hello world") == "250 hello world"
        assert c.command("TLS?") == "250 plain"
        assert c.command("QUIT") == "221 bye"
        c.expect_eof()
    with_daemon(body)


def test_bare_lf_and_pipelining():
    def body(daemon):
        c = Client(daemon.port())
        c.line()
        c.send(b"ECHO a\nECHO b\r\nNOOP\n")
        assert [c.line(), c.line(), c.line()] == ["250 a", "250 b", "250 ok"]
    with_daemon(body)


def test_line_at_exact_limit_is_accepted():
    def body(daemon):
        c = Client(daemon.port())
        c.line()
        text = "x" * (LIMIT - len("ECHO "))
        assert c.command("ECHO " + text) == "250 " + text
        # Split across writes, CR and LF in different segments.
        c.send("ECHO " + text + "\r")
        time.sleep(0.1)
        c.send("\n")
        assert c.line() == "250 " + text
    with_daemon(body)


def test_overlong_line_is_refused_and_rest_discarded():
    def body(daemon):
        c = Client(daemon.port())
        c.line()
        c.send("ECHO " + "y" * (LIMIT - 4) + "\r\n")  # one byte over
        assert c.line() == "500 line too long"
        # The tail of a long line must not be read as a command.
        c.send("ECHO " + "z" * (3 * LIMIT) + "ECHO injected\r\nNOOP\r\n")
        assert c.line() == "500 line too long"
        assert c.line() == "250 ok"
        assert c.command("ECHO still here") == "250 still here"
    with_daemon(body)


def test_huge_line_without_newline_is_bounded():
    def body(daemon):
        c = Client(daemon.port(), timeout=20)
        c.line()
        before = rss_kib(daemon.proc.pid)
        chunk = b"A" * 65536
        for _ in range(64):  # 4 MiB, never a newline
            c.send(chunk)
        assert c.line() == "500 line too long"  # reported early, not at the end
        for _ in range(64 * 4):  # 16 MiB more
            c.send(chunk)
        c.send(b"\r\nNOOP\r\n")
        assert c.line() == "250 ok"
        grown = rss_kib(daemon.proc.pid) - before
        assert grown < 8 * 1024, f"daemon grew by {grown} KiB for one long line"
    # ASan keeps freed memory in quarantine, which would look like growth.
    asan = os.environ.get("ASAN_OPTIONS", "detect_leaks=1")
    with_daemon(body, extra_env={"ASAN_OPTIONS": asan + ":quarantine_size_mb=1"})


def test_raw_byte_mode():
    def body(daemon):
        c = Client(daemon.port())
        c.line()
        payload = b"0123456789abcdef\r\nNOOP\r\n" + b"q" * 70000
        c.send(f"DATA {len(payload)}\r\n".encode())
        assert c.line() == "354 send"
        c.send(payload + b"NOOP\r\n")  # the NOOP inside the payload is data
        assert c.line() == f"250 got {len(payload)} 0123456789abcdef"
        assert c.line() == "250 ok"
    with_daemon(body)


def test_idle_timeout_sends_421_and_closes():
    def body(daemon):
        c = Client(daemon.port())
        c.line()
        start = time.monotonic()
        assert c.line() == "421 timeout"
        c.expect_eof()
        elapsed = time.monotonic() - start
        assert 0.7 < elapsed < 5, elapsed
    with_daemon(body, idle_timeout="1s")


def test_session_timeout_despite_activity():
    def body(daemon):
        c = Client(daemon.port())
        c.line()
        start = time.monotonic()
        replies = []
        while time.monotonic() - start < 6:
            replies.append(c.command("NOOP"))
            if replies[-1] != "250 ok":
                break
            time.sleep(0.3)
        assert replies[-1] == "421 timeout", replies[-3:]
        assert 1.5 < time.monotonic() - start < 5
        c.expect_eof()
    with_daemon(body, idle_timeout="1s", session_timeout="2s")


def test_half_close_after_quit_gets_reply():
    def body(daemon):
        c = Client(daemon.port())
        c.line()
        c.send("NOOP\r\nQUIT\r\n")
        c.sock.shutdown(socket.SHUT_WR)
        assert c.line() == "250 ok"
        assert c.line() == "221 bye"
    with_daemon(body)


def test_bad_config_exits_78():
    import subprocess
    with TestDir() as d:
        conf = os.path.join(d, "gm.conf")
        with open(conf, "w") as f:
            f.write("no_such_key = 1\n")
        r = subprocess.run([os.path.join(BIN, "gm-linetestd"), "-c", conf], capture_output=True)
        assert r.returncode == 78, r
        assert b"no_such_key" in r.stderr, r.stderr


def test_no_listeners_is_a_clear_error():
    import subprocess
    with TestDir() as d:
        conf = write_conf(d)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
        r = subprocess.run([os.path.join(BIN, "gm-linetestd"), "-c", conf], capture_output=True,
                           env=env)
        assert r.returncode == 66, r
        assert b"LISTEN_FDS" in r.stderr, r.stderr


def test_listen_pid_of_another_process_is_ignored():
    with TestDir() as d:
        daemon = Daemon(BIN, d, write_conf(d), listeners=("smtp",),
                        extra_env={"GM_TEST_LISTEN_PID": "1"})
        code = daemon.proc.wait(timeout=20)
        daemon.log.close()
        assert code == 66, (code, daemon.log_text())


if __name__ == "__main__":
    run_tests([test_greeting_and_commands, test_bare_lf_and_pipelining,
               test_line_at_exact_limit_is_accepted, test_overlong_line_is_refused_and_rest_discarded,
               test_huge_line_without_newline_is_bounded, test_raw_byte_mode,
               test_idle_timeout_sends_421_and_closes, test_session_timeout_despite_activity,
               test_half_close_after_quit_gets_reply, test_bad_config_exits_78,
               test_no_listeners_is_a_clear_error, test_listen_pid_of_another_process_is_ignored])
