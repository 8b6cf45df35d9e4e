"""IMAP login in maa on a real instance (port base 30000): imaplib with
STARTTLS on the 143-equivalent and implicit TLS on 993; LOGINDISABLED and
no AUTH= before TLS; LOGIN, AUTHENTICATE PLAIN (with and without SASL-IR)
and SCRAM-SHA-256 through authd; a bad password gets NO
[AUTHENTICATIONFAILED]; bytes pipelined after STARTTLS are discarded; the
handoff reaches maa-mail, and a forged one outside mail_dir is refused."""

import base64
import imaplib
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import run_tests, tls_context, wait_for  # noqa: E402
from maatest import ALICE, PASSWORD, maildir, raw_handoff, start_instance  # noqa: E402
from sasl_client import ScramClient  # noqa: E402

PORT_BASE = 30000
INST = None
imaplib.Commands.setdefault("ID", ("NONAUTH", "AUTH", "SELECTED"))  # RFC 2971


def imap_plain():
    return imaplib.IMAP4("127.0.0.1", PORT_BASE + 143, timeout=30)


def imap_starttls():
    m = imap_plain()
    m.starttls(ssl_context=tls_context())
    return m


def imaps():
    return imaplib.IMAP4_SSL("127.0.0.1", PORT_BASE + 993, ssl_context=tls_context(), timeout=30)


def handed_off(session_count_before):
    """Waits until maa-mail logged one more IMAP handoff for alice."""
    def count():
        return INST.log_text().count(f"handoff imap {ALICE}") > session_count_before
    wait_for(count, 10, what="the handoff in maa-mail's log")


def handoffs():
    return INST.log_text().count(f"handoff imap {ALICE}")


def close_quietly(m):
    try:
        m.logout()
    except (imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError):
        pass


def test_greeting_before_tls_says_logindisabled_and_offers_no_auth():
    m = imap_plain()
    assert b"GoodMessaging ready" in m.welcome, m.welcome
    caps = m.capabilities
    for name in ("IMAP4REV1", "IMAP4REV2", "STARTTLS", "LOGINDISABLED", "ID", "LITERAL+"):
        assert name in caps, caps
    assert not [c for c in caps if c.startswith("AUTH=")], caps
    try:
        m.login(ALICE, PASSWORD)
        raise AssertionError("LOGIN before STARTTLS succeeded")
    except imaplib.IMAP4.error as e:
        assert "PRIVACYREQUIRED" in str(e), e
    typ, data = m._simple_command("ID", "NIL")
    assert typ == "OK" and b"GoodMessaging" in m.untagged_responses["ID"][0], data
    assert m.noop()[0] == "OK"
    assert m.logout()[0] == "BYE"


def test_starttls_then_capabilities_offer_sasl():
    m = imap_starttls()
    typ, data = m.capability()
    caps = data[0].decode().split()
    assert "LOGINDISABLED" not in caps and "STARTTLS" not in caps, caps
    for name in ("AUTH=SCRAM-SHA-256", "AUTH=PLAIN", "SASL-IR", "IMAP4rev2"):
        assert name in caps, caps
    m.logout()


def test_login_after_starttls_hands_off():
    before = handoffs()
    m = imap_starttls()
    typ, data = m.login(ALICE, PASSWORD)
    assert typ == "OK" and b"Logged in" in data[0], data
    handed_off(before)
    close_quietly(m)


def raw_tls(port_offset=993):
    s = socket.create_connection(("127.0.0.1", PORT_BASE + port_offset), timeout=30)
    t = tls_context().wrap_socket(s, server_hostname="localhost")
    return t


def read_until(sock, pattern):
    data = b""
    while not re.search(pattern, data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_raw_login_ok_has_capability_code():
    t = raw_tls()
    read_until(t, rb"ready\r\n")
    t.sendall(f'a1 LOGIN {ALICE} "{PASSWORD}"\r\n'.encode())
    reply = read_until(t, rb"a1 [A-Z]+ [^\r]*\r\n")
    assert re.search(rb"a1 OK \[CAPABILITY [^\]]*IMAP4rev2[^\]]* IDLE[^\]]*\] Logged in", reply), reply
    t.close()


def test_login_with_literal_password():
    t = raw_tls()
    read_until(t, rb"ready\r\n")
    t.sendall(f"a1 LOGIN {ALICE} {{{len(PASSWORD)}}}\r\n".encode())
    assert read_until(t, rb"\+ [^\r]*\r\n").startswith(b"+ ")
    t.sendall(PASSWORD.encode() + b"\r\n")
    reply = read_until(t, rb"a1 [A-Z]+ [^\r]*\r\n")
    assert b"a1 OK" in reply, reply
    t.close()


def test_bad_password_is_authenticationfailed():
    m = imaps()
    try:
        m.login(ALICE, "wrong password")
        raise AssertionError("bad password accepted")
    except imaplib.IMAP4.error as e:
        assert "AUTHENTICATIONFAILED" in str(e), e
    m.logout()


def test_authenticate_plain_with_continuation():
    before = handoffs()
    m = imaps()
    typ, data = m.authenticate("PLAIN", lambda _: f"\0{ALICE}\0{PASSWORD}".encode())
    assert typ == "OK", data
    handed_off(before)
    close_quietly(m)


def test_authenticate_plain_with_sasl_ir():
    t = raw_tls()
    read_until(t, rb"ready\r\n")
    ir = base64.b64encode(f"\0{ALICE}\0{PASSWORD}".encode()).decode()
    t.sendall(f"a1 AUTHENTICATE PLAIN {ir}\r\n".encode())
    reply = read_until(t, rb"a1 [A-Z]+ [^\r]*\r\n")
    assert b"a1 OK" in reply, reply
    t.close()


def test_authenticate_scram_sha_256():
    scram = ScramClient(ALICE, PASSWORD)
    steps = []

    def respond(challenge):
        steps.append(challenge)
        if len(steps) == 1:
            return scram.first()
        if len(steps) == 2:
            return scram.final(challenge)
        assert scram.verify(challenge), "server signature"
        return b""
    m = imaps()
    typ, data = m.authenticate("SCRAM-SHA-256", respond)
    assert typ == "OK" and len(steps) == 3, (typ, data, steps)
    close_quietly(m)


def test_authenticate_cancel_and_unknown_mechanism():
    t = raw_tls()
    read_until(t, rb"ready\r\n")
    t.sendall(b"a1 AUTHENTICATE PLAIN\r\n")
    assert read_until(t, rb"\+ [^\r]*\r\n").startswith(b"+")
    t.sendall(b"*\r\n")
    assert b"a1 BAD" in read_until(t, rb"a1 [A-Z]+ [^\r]*\r\n")
    t.sendall(b"a2 AUTHENTICATE X-UNKNOWN\r\n")
    assert b"a2 NO" in read_until(t, rb"a2 [A-Z]+ [^\r]*\r\n")
    t.sendall(b"a3 SELECT INBOX\r\n")
    assert b"a3 BAD" in read_until(t, rb"a3 [A-Z]+ [^\r]*\r\n")
    t.close()


def test_pipelined_bytes_after_starttls_are_discarded():
    s = socket.create_connection(("127.0.0.1", PORT_BASE + 143), timeout=30)
    read_until(s, rb"ready\r\n")
    s.sendall(b"a1 STARTTLS\r\nb1 CAPABILITY\r\n")
    reply = read_until(s, rb"a1 [A-Z]+ [^\r]*\r\n")
    assert b"a1 OK" in reply and b"b1" not in reply, reply
    t = tls_context().wrap_socket(s, server_hostname="localhost")
    t.sendall(b"c1 NOOP\r\n")
    reply = read_until(t, rb"c1 [A-Z]+ [^\r]*\r\n")
    assert b"c1 OK" in reply and b"b1" not in reply, reply
    t.close()


def test_login_timeout_closes_a_client_that_never_logs_in():
    # maa_login_timeout = 3s in this instance, although the client keeps talking.
    s = socket.create_connection(("127.0.0.1", PORT_BASE + 143), timeout=30)
    read_until(s, rb"ready\r\n")
    data = b""
    for i in range(8):
        try:
            s.sendall(b"n%d NOOP\r\n" % i)
        except OSError:
            break
        time.sleep(0.5)
    data = read_until(s, rb"BYE[^\r]*\r\n")
    assert b"* BYE Login timeout" in data, data
    s.close()


def test_forged_handoff_outside_mail_dir_is_refused():
    answer, closed = raw_handoff(
        INST, "GMHANDOFF 1 proto=imap user=alice@example.test maildir=/etc client=127.0.0.1 "
        "tls=none session=forged tag=a1")
    assert answer == b"" and closed, answer
    link = os.path.join(INST.dir, "mail", "example.test", "evil")
    os.symlink("/etc", link)
    answer, closed = raw_handoff(
        INST, f"GMHANDOFF 1 proto=imap user=evil maildir={link} client= tls=none "
        "session=x tag=a1")
    assert answer == b"" and closed, answer
    assert "is not inside" in INST.log_text()


def test_raw_handoff_reaches_maa_mail():
    before = handoffs()
    raw_handoff(INST, f"GMHANDOFF 1 proto=imap user={ALICE} maildir={maildir(INST, 'alice')} "
                "client=127.0.0.1 tls=none session=direct tag=a1")
    handed_off(before)


def main():
    global INST
    with start_instance(PORT_BASE, "maa_login_timeout = 3s\n") as inst:
        INST = inst
        run_tests([
            test_greeting_before_tls_says_logindisabled_and_offers_no_auth,
            test_starttls_then_capabilities_offer_sasl,
            test_login_after_starttls_hands_off,
            test_raw_login_ok_has_capability_code,
            test_login_with_literal_password,
            test_bad_password_is_authenticationfailed,
            test_authenticate_plain_with_continuation,
            test_authenticate_plain_with_sasl_ir,
            test_authenticate_scram_sha_256,
            test_authenticate_cancel_and_unknown_mechanism,
            test_pipelined_bytes_after_starttls_are_discarded,
            test_login_timeout_closes_a_client_that_never_logs_in,
            test_forged_handoff_outside_mail_dir_is_refused,
            test_raw_handoff_reaches_maa_mail,
        ])


if __name__ == "__main__":
    main()
