"""msa and mta on a real instance (gmctl instance init + gm-master + authd):
submission with STARTTLS/implicit TLS and AUTH, inbound SMTP recipient and
relay checks, SMTP smuggling, BDAT, byte-exact bodies, bad input. Messages
are checked by reading the queue files (lib/mail/queue_file.hpp format)."""

import base64
import glob
import os
import smtplib
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import tls_context, Instance, port_open, run_tests, wait_for  # noqa: E402
from sasl_client import ScramClient  # noqa: E402

PORT_BASE = 23000
DOMAIN = "example.test"
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
PASSWORD = "correct horse battery"
INST = None


def queue_files():
    return sorted(f for q in ("incoming", "active", "deferred", "hold")
                  for f in glob.glob(os.path.join(INST.dir, "spool", q, "*"))
                  if not os.path.basename(f).startswith("."))


def content_of(path):
    data = open(path, "rb").read()
    assert data[:4] == b"GMQF", "not a committed queue file"
    envelope_len, content_len = struct.unpack(">QQ", data[8:24])
    return data[40 + envelope_len:40 + envelope_len + content_len]


def body_of(content):
    return content.split(b"\r\n\r\n", 1)[1]


def new_files(before):
    return [f for f in queue_files() if f not in before]


class Raw:
    """A line-level SMTP client for what smtplib will not send."""

    def __init__(self, port, greet=True, source=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                             source_address=(source, 0) if source else None)
        self.buf = b""
        if greet:
            assert self.reply()[0] == 220

    def send(self, data):
        self.sock.sendall(data)

    def reply(self):
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EOFError(f"closed after {lines!r} {self.buf!r}")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode("utf-8", "replace"))
            if len(line) < 4 or line[3:4] == b" ":
                return int(lines[-1][:3]), "\n".join(lines)

    def cmd(self, line):
        self.send(line.encode() + b"\r\n")
        return self.reply()


def mta_session():
    raw = Raw(PORT_BASE + 25)
    assert raw.cmd("EHLO client.test")[0] == 250
    return raw


# ---- msa ----------------------------------------------------------------

def submit(port, mech="PLAIN", implicit=False, sender=ALICE, message=None):
    cls = smtplib.SMTP_SSL if implicit else smtplib.SMTP
    kwargs = {"context": tls_context()} if implicit else {}
    with cls("127.0.0.1", port, timeout=15, **kwargs) as s:
        s.ehlo("client.test")
        if not implicit:
            s.starttls(context=tls_context())
            s.ehlo("client.test")
        if mech == "PLAIN":
            s.login(ALICE, PASSWORD)
        else:
            scram = ScramClient(ALICE, PASSWORD)
            code, text = s.docmd("AUTH", "SCRAM-SHA-256 " + base64.b64encode(scram.first()).decode())
            assert code == 334, (code, text)
            code, text = s.docmd(base64.b64encode(scram.final(base64.b64decode(text))).decode())
            assert code == 334, (code, text)
            assert scram.verify(base64.b64decode(text)), "server signature"
            code, text = s.docmd("")
            assert code == 235, (code, text)
        msg = message or f"From: <{sender}>\r\nSubject: hi\r\n\r\nhello\r\n"
        return s.sendmail(sender, [BOB], msg)


def test_submission_starttls_plain_and_headers():
    before = queue_files()
    assert submit(PORT_BASE + 587) == {}
    files = new_files(before)
    assert len(files) == 1, files
    content = content_of(files[0])
    head = content.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("Received: from client.test"), head
    assert "with ESMTPSA" in head and "(using TLS" in head and "(authenticated)" in head, head
    assert "\r\nDate: " in head and "\r\nMessage-ID: <" in head, head
    assert body_of(content) == b"hello\r\n"


def test_submission_scram_sha_256():
    before = queue_files()
    assert submit(PORT_BASE + 587, mech="SCRAM") == {}
    assert len(new_files(before)) == 1


def test_submissions_implicit_tls():
    before = queue_files()
    assert submit(PORT_BASE + 465, implicit=True) == {}
    assert len(new_files(before)) == 1


def test_submission_refusals():
    with smtplib.SMTP("127.0.0.1", PORT_BASE + 587, timeout=15) as s:
        code, text = s.ehlo("client.test")
        assert b"AUTH" not in text and b"STARTTLS" in text, text
        assert s.docmd("AUTH", "PLAIN " + base64.b64encode(b"\0a\0b").decode())[0] == 530
        assert s.docmd("MAIL", f"FROM:<{ALICE}>") == (530, b"5.7.0 Must issue a STARTTLS command first")
        s.starttls(context=tls_context())
        code, text = s.ehlo("client.test")
        assert b"AUTH" in text and b"SCRAM-SHA-256" in text, text
        code, text = s.docmd("MAIL", f"FROM:<{ALICE}>")
        assert code == 530 and text.startswith(b"5.7.0"), (code, text)
        try:
            s.login(ALICE, "wrong password")
            raise AssertionError("bad password accepted")
        except smtplib.SMTPAuthenticationError as e:
            assert e.smtp_code == 535
        s.login(ALICE, PASSWORD)
        code, text = s.docmd("MAIL", f"FROM:<{BOB}>")
        assert code == 553 and text.startswith(b"5.7.1"), (code, text)


# ---- mta ----------------------------------------------------------------

def test_mta_local_user_and_refusals():
    raw = mta_session()
    code, text = raw.cmd("EHLO client.test")
    assert "AUTH" not in text and "STARTTLS" in text and "CHUNKING" in text, text
    assert raw.cmd("AUTH PLAIN AGFiAGM=")[0] == 502
    assert raw.cmd("MAIL FROM:<someone@remote.test>")[0] == 250
    assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    code, text = raw.cmd(f"RCPT TO:<nobody@{DOMAIN}>")
    assert code == 550 and "5.1.1" in text, text
    for trick in ["someone@remote.test", f"<@{DOMAIN}:bob@remote.test>", f"bob%remote.test@{DOMAIN}",
                  f"remote.test!bob@{DOMAIN}", f'"bob@remote.test"@{DOMAIN}', "bob@[127.0.0.1]"]:
        arg = trick if trick.startswith("<") else f"<{trick}>"
        code, text = raw.cmd(f"RCPT TO:{arg}")
        assert code == 554 and "5.7.1" in text, (trick, code, text)
    before = queue_files()
    assert raw.cmd("DATA")[0] == 354
    raw.send(b"Subject: in\r\n\r\nbody\r\n.\r\n")
    code, text = raw.reply()
    assert code == 250 and "queued as" in text, text
    files = new_files(before)
    assert len(files) == 1 and body_of(content_of(files[0])) == b"body\r\n"
    head = content_of(files[0]).split(b"\r\n\r\n")[0]
    assert b"with ESMTP id" in head and f"for <{BOB}>".encode() in head, head
    assert raw.cmd("QUIT")[0] == 221


def test_smuggling_never_splits_a_message():
    variants = [b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n", b"\r\n.\r"]
    for v in variants:
        before = queue_files()
        raw = mta_session()
        assert raw.cmd("MAIL FROM:<a@remote.test>")[0] == 250
        assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
        assert raw.cmd("DATA")[0] == 354
        smuggled = (b"Subject: one\r\n\r\nfirst" + v + b"MAIL FROM:<evil@remote.test>\r\n"
                    b"RCPT TO:<" + BOB.encode() + b">\r\nDATA\r\nSubject: two\r\n\r\nsecond\r\n.\r\n")
        raw.send(smuggled)
        code, text = raw.reply()
        assert code == 554 and "5.6.0" in text, (v, code, text)
        assert raw.cmd("NOOP")[0] == 250  # nothing pipelined was run as a command
        assert new_files(before) == [], v


def test_bdat_and_8bit_bodies_are_byte_exact():
    body = "Grüße, ☃ \x01\r\n.leading dot\r\n..two\r\n".encode()
    message = b"Subject: bin\r\n\r\n" + body
    raw = mta_session()
    assert raw.cmd("MAIL FROM:<a@remote.test> BODY=8BITMIME SMTPUTF8")[0] == 250
    assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    before = queue_files()
    raw.send(b"BDAT %d\r\n" % 10 + message[:10])
    assert raw.reply()[0] == 250
    raw.send(b"BDAT %d LAST\r\n" % (len(message) - 10) + message[10:])
    code, text = raw.reply()
    assert code == 250 and "queued" in text, text
    files = new_files(before)
    assert len(files) == 1 and body_of(content_of(files[0])) == body
    # DATA, 8-bit, dot-stuffed
    assert raw.cmd("MAIL FROM:<a@remote.test> BODY=8BITMIME")[0] == 250
    assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    assert raw.cmd("DATA")[0] == 354
    before = queue_files()
    raw.send(b"Subject: d\r\n\r\n" + body.replace(b"\r\n.", b"\r\n..") + b".\r\n")
    assert raw.reply()[0] == 250
    files = new_files(before)
    assert len(files) == 1 and body_of(content_of(files[0])) == body
    # BDAT 0 LAST with nothing before it stores an empty message
    assert raw.cmd("MAIL FROM:<a@remote.test>")[0] == 250
    assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    assert raw.cmd("BDAT 0 LAST")[0] == 250


def test_bad_input():
    raw = mta_session()
    code, text = raw.cmd("X" * 1200)
    assert code == 500 and "5.5.2" in text, text
    code, text = raw.cmd("FOO bar")
    assert code == 500 and "5.5.1" in text
    code, text = raw.cmd(f"RCPT TO:<{BOB}>")
    assert code == 503 and "5.5.1" in text
    code, text = raw.cmd("DATA")
    assert code == 503, text
    assert raw.cmd("MAIL FROM:<a@remote.test>")[0] == 250
    code, text = raw.cmd("MAIL FROM:<a@remote.test>")
    assert code == 503, text
    code, text = raw.cmd("DATA")
    assert code == 554, text
    code, text = raw.cmd("MAIL FROM:bad")
    assert code == 503 or code == 501, text
    for i in range(3):
        assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    code, text = raw.cmd(f"RCPT TO:<{BOB}>")
    assert code == 452 and "4.5.3" in text, text  # smtpd_recipient_limit = 3
    code, text = raw.cmd("MAIL FROM:<a@remote.test> SIZE=999999999")
    assert code == 503, text
    assert raw.cmd("RSET")[0] == 250
    code, text = raw.cmd("MAIL FROM:<a@remote.test> SIZE=999999999")
    assert code == 552 and "5.3.4" in text, text
    assert raw.cmd("MAIL FROM:<a@remote.test>")[0] == 250
    assert raw.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    assert raw.cmd("DATA")[0] == 354
    raw.send(b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 200 + b".\r\n")
    code, text = raw.reply()
    assert code == 552 and "5.3.4" in text, text  # message_size_limit = 100K


def test_error_limit_closes():
    raw = mta_session()
    for _ in range(19):
        assert raw.cmd("BOGUS")[0] == 500
    raw.send(b"BOGUS\r\n")
    assert raw.reply()[0] == 500
    code, text = raw.reply()
    assert code == 421, text


def test_helo_client_may_not_pipeline():
    raw = Raw(PORT_BASE + 25)
    assert raw.cmd("HELO client.test")[0] == 250
    raw.send(b"MAIL FROM:<a@remote.test>\r\nRCPT TO:<" + BOB.encode() + b">\r\n")
    code, text = raw.reply()
    assert code == 554, text


def test_starttls_discards_pipelined_plaintext():
    raw = mta_session()
    raw.send(b"STARTTLS\r\nMAIL FROM:<injected@remote.test>\r\n")
    assert raw.reply()[0] == 220
    tls = tls_context().wrap_socket(raw.sock, server_hostname="localhost")
    raw.sock, raw.buf = tls, b""
    code, text = raw.cmd("RCPT TO:<" + BOB + ">")
    assert code == 503, text  # the injected MAIL FROM was never run
    assert raw.cmd("EHLO client.test")[0] == 250


def main():
    global INST
    INST = Instance(PORT_BASE, domain=DOMAIN)
    with open(INST.conf, "a") as conf:
        conf.write("smtpd_recipient_limit = 3\nmessage_size_limit = 100K\n")
    # These tests read what msa and mta committed to the queue, so the queue
    # manager does not run here (test_mail_flow.py covers delivery).
    INST.disable_service("qmgr")
    with INST:
        INST.start()
        for name in ("authd", "msa", "mta"):
            INST.wait_running(name)
        for port in (25, 587, 465):
            wait_for(lambda: port_open(PORT_BASE + port), what=f"port {PORT_BASE + port}")
        INST.add_user(ALICE, PASSWORD)
        INST.add_user(BOB, PASSWORD)
        time.sleep(0.2)
        run_tests([test_submission_starttls_plain_and_headers, test_submission_scram_sha_256,
                   test_submissions_implicit_tls, test_submission_refusals,
                   test_mta_local_user_and_refusals, test_smuggling_never_splits_a_message,
                   test_bdat_and_8bit_bodies_are_byte_exact, test_bad_input,
                   test_error_limit_closes, test_helo_client_may_not_pipeline,
                   test_starttls_discards_pipelined_plaintext])


if __name__ == "__main__":
    main()
