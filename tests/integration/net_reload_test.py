#!/usr/bin/env python3
"""SIGHUP reloads gm.conf and the certificate for new connections; a bad
new certificate or configuration keeps the running one; SIGTERM exits 0."""

import os
import shutil
import signal
import ssl
import time

from gm_net_harness import Client, Daemon, TestDir, bin_dir, make_cert, run_tests, write_conf

BIN = bin_dir()


def wait_for_log(daemon, text, count=1, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if daemon.log_text().count(text) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"log never said {text!r}:\n{daemon.log_text()}")


def peer_cert(daemon, cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    c = Client(daemon.port("tls"), tls_context=ctx)
    assert c.line() == "220 ready"
    der = c.sock.getpeercert(binary_form=True)
    return c, der


def install(d, cert, key):
    shutil.copy(cert, os.path.join(d, "cert.pem"))
    shutil.copy(key, os.path.join(d, "key.pem"))


def test_sighup_reloads_certificate_and_keeps_it_on_errors():
    with TestDir() as d:
        cert_a, key_a = make_cert(d, "a")
        cert_b, key_b = make_cert(d, "b")
        install(d, cert_a, key_a)
        daemon = Daemon(BIN, d, write_conf(d))
        try:
            old_client, der = peer_cert(daemon, cert_a)
            install(d, cert_b, key_b)
            daemon.signal(signal.SIGHUP)
            wait_for_log(daemon, "TLS certificate loaded", 1)
            _, der_b = peer_cert(daemon, cert_b)
            assert der_b != der
            assert old_client.command("NOOP") == "250 ok"  # open sessions carry on
            # A broken certificate: logged, the running one stays.
            with open(os.path.join(d, "cert.pem"), "w") as f:
                f.write("-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")
            daemon.signal(signal.SIGHUP)
            wait_for_log(daemon, "keeping the running certificate", 1)
            _, der_still = peer_cert(daemon, cert_b)
            assert der_still == der_b
            # A key that does not match the certificate: the same.
            install(d, cert_a, key_b)
            daemon.signal(signal.SIGHUP)
            wait_for_log(daemon, "keeping the running certificate", 2)
            _, der_still = peer_cert(daemon, cert_b)
            assert der_still == der_b
        finally:
            daemon.stop()


def test_sighup_reloads_limits_and_survives_a_bad_config():
    with TestDir() as d:
        conf = write_conf(d, max_connections_per_address=5)
        daemon = Daemon(BIN, d, conf, listeners=("smtp",))
        try:
            first = Client(daemon.port())
            assert first.line() == "220 ready"
            write_conf(d, max_connections_per_address=1)
            daemon.signal(signal.SIGHUP)
            wait_for_log(daemon, "reloading configuration", 1)
            time.sleep(0.2)
            second = Client(daemon.port())
            assert second.line() == "421 too many connections"
            with open(conf, "a") as f:
                f.write("not_a_key = 1\n")
            daemon.signal(signal.SIGHUP)
            wait_for_log(daemon, "keeping the running configuration", 1)
            third = Client(daemon.port())
            assert third.line() == "421 too many connections"  # still the last good limits
            assert first.command("NOOP") == "250 ok"
        finally:
            daemon.stop()


def test_sigterm_with_open_connections_exits_zero():
    with TestDir() as d:
        cert, key = make_cert(d, "a")
        install(d, cert, key)
        daemon = Daemon(BIN, d, write_conf(d))
        clients = [Client(daemon.port()) for _ in range(3)]
        for c in clients:
            c.line()
        tls_client, _ = peer_cert(daemon, cert)
        daemon.stop()  # raises unless the exit code is 0
        for c in clients:
            c.expect_eof()


if __name__ == "__main__":
    run_tests([test_sighup_reloads_certificate_and_keeps_it_on_errors,
               test_sighup_reloads_limits_and_survives_a_bad_config,
               test_sigterm_with_open_connections_exits_zero])
