#!/usr/bin/env python3
"""lib/net TLS, against gm-linetestd: STARTTLS (and the CVE-2011-0411
injection), implicit TLS, protocol versions, channel-binding data."""

import hashlib
import os
import re
import shutil
import ssl
import subprocess

from gm_net_harness import (Client, Daemon, TestDir, bin_dir, client_context, make_cert,
                            run_tests, write_conf)

BIN = bin_dir()


def with_tls_daemon(body):
    with TestDir() as d:
        cert, key = make_cert(d, "server")
        shutil.copy(cert, os.path.join(d, "cert.pem"))
        shutil.copy(key, os.path.join(d, "key.pem"))
        daemon = Daemon(BIN, d, write_conf(d))
        try:
            body(daemon, cert)
        finally:
            daemon.stop()


def test_starttls_discards_injected_plaintext():
    def body(daemon, cert):
        c = Client(daemon.port())
        assert c.line() == "220 ready"
        # One write: the command and an injected one behind it (CVE-2011-0411).
        c.send(b"STARTTLS\r\nECHO injected\r\n")
        assert c.line() == "220 go ahead"
        assert c.buf == b"", c.buf
        c.starttls(client_context(cert))
        replies = [c.command("NOOP"), c.command("ECHO after")]
        assert "250 injected" not in replies, replies
        assert replies == ["250 ok", "250 after"], replies
        assert c.command("TLS?").startswith("250 tls=TLSv1.3/")
        assert c.command("STARTTLS").startswith("454")  # not twice
    with_tls_daemon(body)


def test_starttls_with_pipelined_tail_in_separate_lines():
    def body(daemon, cert):
        c = Client(daemon.port())
        c.line()
        c.send(b"NOOP\r\nSTARTTLS\r\nNOOP\r\nNOOP\r\n")
        assert c.line() == "250 ok"
        assert c.line() == "220 go ahead"
        c.starttls(client_context(cert))
        assert c.command("ECHO clean") == "250 clean"
    with_tls_daemon(body)


def test_implicit_tls():
    def body(daemon, cert):
        c = Client(daemon.port("tls"), tls_context=client_context(cert))
        assert c.line() == "220 ready"
        reply = c.command("TLS?")
        assert re.fullmatch(r"250 tls=TLSv1\.3/TLS_\w+", reply), reply
        assert c.command("QUIT") == "221 bye"
        c.expect_eof()
    with_tls_daemon(body)


def test_tls12_works_and_tls11_is_refused():
    def body(daemon, cert):
        c = Client(daemon.port("tls"), tls_context=client_context(
            cert, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2))
        c.line()
        assert c.command("TLS?").startswith("250 tls=TLSv1.2/ECDHE-ECDSA-")
        old = client_context(cert, ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
        try:
            Client(daemon.port("tls"), tls_context=old)
            raise AssertionError("TLS 1.1 handshake succeeded")
        except ssl.SSLError:
            pass
        assert c.command("NOOP") == "250 ok"  # the server is fine
    with_tls_daemon(body)


def test_tls_server_end_point_matches_certificate_hash():
    def body(daemon, cert):
        ctx = client_context(cert, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2)
        c = Client(daemon.port("tls"), tls_context=ctx)
        c.line()
        der = c.sock.getpeercert(binary_form=True)
        # ecdsa-with-SHA256 certificate: RFC 5929 4.1 hash is SHA-256.
        assert c.command("CB") == "250 tls-server-end-point " + hashlib.sha256(der).hexdigest()
    with_tls_daemon(body)


def test_tls_exporter_matches_client_keying_material():
    def body(daemon, cert):
        # Python's ssl cannot export keying material; openssl s_client can.
        r = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{daemon.port('tls')}", "-tls1_3",
             "-CAfile", cert, "-ign_eof", "-nocommands", "-keymatexport", "EXPORTER-Channel-Binding",
             "-keymatexportlen", "32"],
            input=b"CB\nQUIT\n", capture_output=True, timeout=20)
        out = r.stdout.decode(errors="replace")
        client = re.search(r"Keying material: ([0-9A-Fa-f]+)", out)
        server = re.search(r"250 tls-exporter ([0-9a-f]+)", out)
        assert client and server, out + "\ndaemon log:\n" + daemon.log_text()
        assert len(server.group(1)) == 64
        assert server.group(1) == client.group(1).lower(), out
        # Another connection, another exporter value.
        c = Client(daemon.port("tls"), tls_context=client_context(cert))
        c.line()
        assert c.command("CB") != "250 tls-exporter " + server.group(1)
    with_tls_daemon(body)


def test_channel_binding_needs_tls():
    def body(daemon, cert):
        c = Client(daemon.port())
        c.line()
        assert c.command("CB").startswith("454 ")
    with_tls_daemon(body)


def test_starttls_without_certificate_is_not_offered():
    with TestDir() as d:
        daemon = Daemon(BIN, d, write_conf(d), listeners=("smtp",))
        try:
            c = Client(daemon.port())
            c.line()
            assert c.command("STARTTLS").startswith("454")
        finally:
            daemon.stop()


def test_implicit_tls_listener_without_certificate_fails_startup():
    with TestDir() as d:
        daemon = Daemon(BIN, d, write_conf(d))
        code = daemon.proc.wait(timeout=20)
        daemon.log.close()
        assert code == 78, code
        assert "needs TLS" in daemon.log_text()


if __name__ == "__main__":
    run_tests([test_starttls_discards_injected_plaintext,
               test_starttls_with_pipelined_tail_in_separate_lines, test_implicit_tls,
               test_tls12_works_and_tls11_is_refused,
               test_tls_server_end_point_matches_certificate_hash,
               test_tls_exporter_matches_client_keying_material, test_channel_binding_needs_tls,
               test_starttls_without_certificate_is_not_offered,
               test_implicit_tls_listener_without_certificate_fails_startup])
