"""Where maa answered differently from Dovecot (bench/imap/conformance-*.txt)
and the RFC sides with Dovecot, plus the -PLUS SASL mechanisms end to end
and POP3 over the folder index IMAP uses (port base 31500):
- ENABLE CONDSTORE / QRESYNC with a mailbox selected (RFC 5161 3.1,
  RFC 7162 3.1): ENABLED and the mailbox's HIGHESTMODSEQ;
- BINARY data with NUL as literal8, APPEND of a literal8 (RFC 3516 4.2, 4.4);
- SCRAM-SHA-256-PLUS and SCRAM-SHA-1-PLUS over IMAP (993, STARTTLS) and
  POP3 (995, STLS): tls-server-end-point under TLS 1.2 (RFC 5929), and
  tls-exporter under TLS 1.3 (RFC 9266) through openssl s_client; a wrong
  binding is refused;
- a POP3 DELE + QUIT is an expunge IMAP sessions see (EXPUNGE, VANISHED).
"""

import base64
import hashlib
import imaplib
import os
import poplib
import re
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import run_tests, tls_context, wait_for  # noqa: E402
from sasl_client import ScramClient  # noqa: E402
from imap_raw import RawImap  # noqa: E402
from maatest import ALICE, BOB, PASSWORD, maildir, start_instance, submit  # noqa: E402

PORT_BASE = 31500
INST = None
for _name, _states in (("ENABLE", ("AUTH", "SELECTED")),):
    imaplib.Commands[_name] = _states


def ok(result):
    typ, data = result
    assert typ == "OK", (typ, data)
    return data


def tls12_context():
    """TLS 1.2 at most: the server then binds with tls-server-end-point."""
    ctx = tls_context()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class Raw(RawImap):
    def __init__(self, user=ALICE):
        super().__init__(PORT_BASE + 993, user, PASSWORD)


def fresh_folder(raw, name, *bodies):
    """Creates the folder anew, with a message per body (bytes)."""
    raw.command(f"DELETE {name}")
    raw.command(f"CREATE {name}", "OK")
    for body in bodies:
        raw.send(f"a0 APPEND {name} {{{len(body)}+}}\r\n".encode() + body + b"\r\n")
        raw.read_until("a0", "OK")


# --- 1. ENABLE with a mailbox selected -----------------------------------------

def test_enable_condstore_after_select_reports_highestmodseq():
    raw = Raw()
    fresh_folder(raw, "Enable", b"Hi.\r\n\r\n")
    status, lines = raw.command("SELECT Enable", "OK")
    assert not any(b"HIGHESTMODSEQ" in x for x in lines), lines
    status, lines = raw.command("ENABLE CONDSTORE", "OK")
    assert b"* ENABLED CONDSTORE" in lines, lines
    highest = [x for x in lines if x.startswith(b"* OK [HIGHESTMODSEQ ")]
    assert len(highest) == 1, lines
    modseq = int(highest[0].split()[3].rstrip(b"]"))
    # From now on STORE answers carry MODSEQ (RFC 7162 3.1), above the old high.
    status, lines = raw.command("STORE 1 +FLAGS (\\Flagged)", "OK")
    m = re.search(rb"MODSEQ \((\d+)\)", b" ".join(lines))
    assert m and int(m.group(1)) > modseq, lines
    # Enabled already: ENABLED names nothing and no second HIGHESTMODSEQ.
    status, lines = raw.command("ENABLE CONDSTORE", "OK")
    assert lines == [b"* ENABLED"], lines
    raw.close()


def test_enable_qresync_after_select_implies_condstore():
    raw = Raw()
    fresh_folder(raw, "EnableQ", b"Hi.\r\n\r\n", b"Bye.\r\n\r\n")
    raw.command("SELECT EnableQ", "OK")
    status, lines = raw.command("ENABLE QRESYNC", "OK")
    assert b"* ENABLED QRESYNC" in lines, lines
    assert any(x.startswith(b"* OK [HIGHESTMODSEQ ") for x in lines), lines
    raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)", "OK")
    status, lines = raw.command("EXPUNGE", "OK")
    assert any(x.startswith(b"* VANISHED ") for x in lines), lines  # RFC 7162 3.2.10
    raw.close()


def test_other_condstore_enabling_commands_report_highestmodseq_once():
    for first in ("FETCH 1 (MODSEQ)", "UID SEARCH MODSEQ 1", "STATUS Other (HIGHESTMODSEQ)",
                  "STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)"):
        raw = Raw()
        fresh_folder(raw, "Other", b"Hi.\r\n\r\n")
        raw.command("SELECT Other", "OK")
        status, lines = raw.command(first)
        assert status.split()[1] == "OK", (first, status)
        assert sum(x.startswith(b"* OK [HIGHESTMODSEQ ") for x in lines) == 1, (first, lines)
        status, lines = raw.command("FETCH 1 (MODSEQ)", "OK")
        assert not any(b"HIGHESTMODSEQ" in x for x in lines), (first, lines)
        raw.close()


def test_enable_in_selected_state_through_imaplib():
    m = imaplib.IMAP4_SSL("127.0.0.1", PORT_BASE + 993, ssl_context=tls_context(), timeout=30)
    m.login(ALICE, PASSWORD)
    ok(m.select("INBOX"))
    typ, data = m._simple_command("ENABLE", "CONDSTORE")
    assert typ == "OK", (typ, data)
    assert m.untagged_responses.get("ENABLED") == [b"CONDSTORE"], m.untagged_responses
    assert m.untagged_responses.get("HIGHESTMODSEQ"), m.untagged_responses
    m.logout()


# --- 2. BINARY and literal8 --------------------------------------------------------

NUL_PART = bytes(range(0, 8)) * 4  # 32 octets, NUL among them


def binary_message():
    encoded = base64.b64encode(NUL_PART).decode()
    return ("Subject: binary\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
            "--B\r\nContent-Type: text/plain\r\n\r\ncaf\u00e9 cr\u00e8me\r\n"
            "--B\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--B--\r\n").encode()


def test_binary_fetch_of_nul_content_is_a_literal8():
    raw = Raw()
    fresh_folder(raw, "Binary", binary_message())
    raw.command("SELECT Binary", "OK")
    status, lines = raw.command("FETCH 1 (BINARY.PEEK[2])", "OK")
    assert lines[0].startswith(b"* 1 FETCH (BINARY[2] ~{32}\r\n"), lines
    assert NUL_PART in lines[0], lines
    # A partial without NUL may stay a plain literal; with NUL it must not.
    status, lines = raw.command("FETCH 1 (BINARY.PEEK[2]<8.4>)", "OK")
    assert b"BINARY[2]<8> ~{4}\r\n\x00\x01\x02\x03" in lines[0], lines
    # Text part: 8-bit but no NUL, a plain literal is valid (RFC 9051 4.3 CHAR8).
    status, lines = raw.command("FETCH 1 (BINARY.PEEK[1])", "OK")
    assert re.match(rb"\* 1 FETCH \(BINARY\[1\] ~?\{\d+\}\r\ncaf", lines[0]), lines
    raw.close()


def test_append_of_a_literal8_keeps_nul_octets():
    raw = Raw()
    fresh_folder(raw, "Lit8")
    msg = b"Subject: nul\r\nContent-Type: application/octet-stream\r\n\r\na\x00b\x00c\r\n"
    raw.send(f"a1 APPEND Lit8 ~{{{len(msg)}}}\r\n".encode())
    assert raw.read_line().startswith(b"+ "), "a synchronizing literal8 gets a continuation"
    raw.send(msg + b"\r\n")
    status, _ = raw.read_until("a1", "OK")
    raw.send(f"a2 APPEND Lit8 ~{{{len(msg)}+}}\r\n".encode() + msg + b"\r\n")
    raw.read_until("a2", "OK")
    raw.command("SELECT Lit8", "OK")
    status, lines = raw.command("FETCH 1:2 (BINARY.PEEK[])", "OK")
    assert len(lines) == 2, lines
    for line in lines:
        assert b"~{%d}\r\n" % len(msg) in line and msg in line, line
    raw.close()


def test_literal8_beyond_the_limit_is_refused_and_the_session_goes_on():
    raw = Raw()
    status, _ = raw.command("APPEND INBOX ~{99999999999}")
    assert status.split()[1] in ("NO", "BAD") and "TOOBIG" in status, status
    raw.command("NOOP", "OK")
    status, _ = raw.command("APPEND INBOX ~{18446744073709551616}")
    assert status.split()[1] in ("NO", "BAD"), status
    raw.command("NOOP", "OK")
    raw.close()


# --- 4. MULTIAPPEND -------------------------------------------------------------------

def multiappend(raw, tag, folder, messages, literal="{%d+}"):
    """One APPEND command with a literal per message; messages are
    (flags or None, bytes)."""
    line = f"{tag} APPEND {folder}".encode()
    for flags, body in messages:
        if flags is not None:
            line += b" " + flags.encode()
        line += b" " + (literal % len(body)).encode() + b"\r\n" + body
    raw.send(line + b"\r\n")
    return raw.read_until(tag)


def test_multiappend_commits_every_message_with_one_appenduid():
    raw = Raw()
    fresh_folder(raw, "Multi")
    bodies = [b"Subject: m%d\r\n\r\nbody %d\r\n" % (i, i) for i in range(3)]
    status, _ = multiappend(raw, "a1", "Multi", [("(\\Seen)", bodies[0]), (None, bodies[1]),
                                                 ('(\\Flagged) "01-Jan-2020 10:00:00 +0000"',
                                                  bodies[2])])
    m = re.search(r"\[APPENDUID \d+ ([\d,:]+)\]", status)
    assert status.split()[1] == "OK" and m, status
    assert len(uid_set(m.group(1).encode())) == 3, status
    raw.command("SELECT Multi", "OK")
    status, lines = raw.command("FETCH 1:* (FLAGS INTERNALDATE BODY.PEEK[])", "OK")
    assert len(lines) == 3, lines
    for line, body in zip(lines, bodies):
        assert body in line, (line, body)
    assert b"\\Seen" in lines[0] and b"\\Flagged" in lines[2] and b"01-Jan-2020" in lines[2]
    raw.close()


def test_multiappend_with_a_bad_message_appends_none():
    raw = Raw()
    fresh_folder(raw, "MultiBad")
    good = b"Subject: ok\r\n\r\nfine\r\n"
    status, _ = multiappend(raw, "a1", "MultiBad", [(None, good), ('("x")', good)])
    assert status.split()[1] == "BAD", status
    # The second literal over APPENDLIMIT: NO [TOOBIG], the first is dropped too.
    raw.send(b"a2 APPEND MultiBad {%d+}\r\n" % len(good) + good + b" {999999999999}\r\n")
    status, _ = raw.read_until("a2")
    assert status.split()[1] == "NO" and "TOOBIG" in status, status
    status, lines = raw.command("STATUS MultiBad (MESSAGES)", "OK")
    assert lines == [b"* STATUS MultiBad (MESSAGES 0)"], lines
    status, _ = multiappend(raw, "a3", "MultiBad", [(None, good)])
    assert status.split()[1] == "OK", status
    raw.close()


def test_utf8_accept_names_and_append_utf8():
    raw = Raw()
    msg = "Subject: r\u00e9union \u00e0 Z\u00fcrich\r\n\r\nTsch\u00fcss\r\n".encode()
    # Not enabled yet: the UTF8 form is refused, names stay modified UTF-7.
    raw.send(b"a1 APPEND INBOX UTF8 (~{%d+}\r\n" % len(msg) + msg + b")\r\n")
    status, _ = raw.read_until("a1")
    assert status.split()[1] == "BAD", status
    status, lines = raw.command("ENABLE UTF8=ACCEPT", "OK")
    assert lines == [b"* ENABLED UTF8=ACCEPT"], lines
    name = "Z\u00fcrich"
    raw.command(f'DELETE "{name}"')
    raw.command(f'CREATE "{name}"', "OK")
    status, lines = raw.command(f'LIST "" "{name}"', "OK")
    assert len(lines) == 1 and name.encode() in lines[0] and b"&" not in lines[0], lines
    raw.send(f'a2 APPEND "{name}" (\\Seen) UTF8 (~{{{len(msg)}}}\r\n'.encode())
    assert raw.read_line().startswith(b"+ ")
    raw.send(msg + b")\r\n")
    status, _ = raw.read_until("a2", "OK")
    assert "APPENDUID" in status, status
    raw.command(f'SELECT "{name}"', "OK")
    status, lines = raw.command("FETCH 1 (FLAGS BODY.PEEK[])", "OK")
    assert msg in lines[0] and b"\\Seen" in lines[0], lines
    raw.close()


# --- 3. STORE on a read-only mailbox; LIST attributes -------------------------------

def test_store_in_examined_mailbox_is_refused_and_changes_nothing():
    raw = Raw()
    fresh_folder(raw, "ReadOnly", b"Hi.\r\n\r\n")
    raw.command("EXAMINE ReadOnly", "OK")
    status, lines = raw.command("STORE 1 +FLAGS (\\Seen)", "NO")
    assert "[READ-ONLY]" in status and not lines, (status, lines)
    status, lines = raw.command("FETCH 1 FLAGS", "OK")
    assert lines == [b"* 1 FETCH (FLAGS ())"], lines
    raw.close()


# --- 5. SCRAM -PLUS ---------------------------------------------------------------------

def end_point_binding(tls_sock):
    """RFC 5929 4.1: the hash of the server's certificate, with its
    signature's hash (SHA-256 when that is MD5 or SHA-1)."""
    der = tls_sock.getpeercert(binary_form=True)
    text = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-text"],
                          input=der, capture_output=True, check=True).stdout.decode()
    algorithm = re.search(r"Signature Algorithm: (\S+)", text).group(1).lower()
    name = next((h for h in ("sha384", "sha512") if h in algorithm), "sha256")
    return hashlib.new(name, der).digest()


def scram_plus(user, mech, cb_type, cb_data):
    hash_name = "sha1" if "SHA-1" in mech else "sha256"
    return ScramClient(user, PASSWORD, hash_name, cb_type, cb_data)


def imap_authenticate(m, mech, scram):
    """Runs the exchange through imaplib; True when the server's signature verified."""
    verified = []
    sent = []  # the messages sent so far

    def step(challenge):
        if not sent:
            sent.append(scram.first())
        elif len(sent) == 1:
            sent.append(scram.final(challenge))
        else:  # server-final: v=<signature>, answered with an empty line
            verified.append(scram.verify(challenge))
            sent.append(b"")
        return sent[-1]
    typ, data = m.authenticate(mech, step)
    return typ, data, verified


def test_imaps_scram_plus_with_tls_server_end_point():
    for mech in ("SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS"):
        m = imaplib.IMAP4_SSL("127.0.0.1", PORT_BASE + 993, ssl_context=tls12_context(), timeout=30)
        assert m.sock.version() == "TLSv1.2", m.sock.version()
        assert f"AUTH={mech}" in m.capabilities, m.capabilities
        scram = scram_plus(ALICE, mech, "tls-server-end-point", end_point_binding(m.sock))
        typ, data, verified = imap_authenticate(m, mech, scram)
        assert typ == "OK" and verified == [True], (mech, typ, data, verified)
        ok(m.select("INBOX"))
        m.logout()


def test_starttls_scram_plus_with_tls_server_end_point():
    m = imaplib.IMAP4("127.0.0.1", PORT_BASE + 143, timeout=30)
    m.starttls(ssl_context=tls12_context())
    scram = scram_plus(ALICE, "SCRAM-SHA-256-PLUS", "tls-server-end-point",
                       end_point_binding(m.sock))
    typ, data, verified = imap_authenticate(m, "SCRAM-SHA-256-PLUS", scram)
    assert typ == "OK" and verified == [True], (typ, data, verified)
    m.logout()


def test_wrong_channel_binding_is_refused():
    cases = [("tls-server-end-point", b"\x00" * 32),   # wrong data
             ("tls-exporter", b"\x00" * 32),           # a type this TLS 1.2 session lacks
             ("tls-unique", b"\x00" * 12)]             # a type never offered
    for cb_type, cb_data in cases:
        m = imaplib.IMAP4_SSL("127.0.0.1", PORT_BASE + 993, ssl_context=tls12_context(), timeout=30)
        scram = scram_plus(ALICE, "SCRAM-SHA-256-PLUS", cb_type, cb_data)
        try:
            typ, data, verified = imap_authenticate(m, "SCRAM-SHA-256-PLUS", scram)
        except imaplib.IMAP4.error as e:
            assert "AUTHENTICATIONFAILED" in str(e) or "failed" in str(e).lower(), (cb_type, e)
        else:
            raise AssertionError(f"{cb_type}: logged in with a wrong binding: {typ} {data}")
        m.shutdown()
    # A -PLUS mechanism without binding (gs2 flag n) is refused too.
    m = imaplib.IMAP4_SSL("127.0.0.1", PORT_BASE + 993, ssl_context=tls12_context(), timeout=30)
    try:
        imap_authenticate(m, "SCRAM-SHA-256-PLUS", ScramClient(ALICE, PASSWORD))
        raise AssertionError("-PLUS without binding logged in")
    except imaplib.IMAP4.error:
        pass
    m.shutdown()


def pop3_scram(p, mech, scram):
    challenge = p._shortcmd(f"AUTH {mech} {base64.b64encode(scram.first()).decode()}")
    assert challenge.startswith(b"+ "), challenge
    final = scram.final(base64.b64decode(challenge[2:]))
    server_final = p._shortcmd(base64.b64encode(final).decode())
    assert server_final.startswith(b"+ "), server_final
    assert scram.verify(base64.b64decode(server_final[2:]))
    return p._shortcmd("")


def test_pop3_scram_plus_over_pop3s_and_stls():
    p = poplib.POP3_SSL("127.0.0.1", PORT_BASE + 995, timeout=30, context=tls12_context())
    scram = scram_plus(BOB, "SCRAM-SHA-1-PLUS", "tls-server-end-point", end_point_binding(p.sock))
    assert pop3_scram(p, "SCRAM-SHA-1-PLUS", scram).startswith(b"+OK")
    p.quit()
    p = poplib.POP3("127.0.0.1", PORT_BASE + 110, timeout=30)
    p.stls(context=tls12_context())
    scram = scram_plus(BOB, "SCRAM-SHA-256-PLUS", "tls-server-end-point",
                       end_point_binding(p.sock))
    assert pop3_scram(p, "SCRAM-SHA-256-PLUS", scram).startswith(b"+OK")
    p.quit()
    p = poplib.POP3_SSL("127.0.0.1", PORT_BASE + 995, timeout=30, context=tls12_context())
    scram = scram_plus(BOB, "SCRAM-SHA-256-PLUS", "tls-server-end-point", b"\x01" * 32)
    challenge = p._shortcmd(f"AUTH SCRAM-SHA-256-PLUS {base64.b64encode(scram.first()).decode()}")
    try:
        p._shortcmd(base64.b64encode(scram.final(base64.b64decode(challenge[2:]))).decode())
        raise AssertionError("POP3 login with a wrong binding")
    except poplib.error_proto as e:
        assert b"-ERR" in e.args[0], e
    p.close()


class SClient:
    """openssl s_client under TLS 1.3, printing the RFC 9266 exporter
    (Python's ssl cannot export keying material). Its own lines (session
    details, "read R BLOCK") mix with the server's; callers wait for the
    prefixes they expect."""

    def __init__(self, port):
        self.proc = subprocess.Popen(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_3", "-nocommands",
             "-ign_eof", "-keymatexport", "EXPORTER-Channel-Binding", "-keymatexportlen", "32"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.backlog = []
        self.exporter = None
        while self.exporter is None:
            line = self.read()
            if m := re.search(r"Keying material: ([0-9A-Fa-f]+)", line):
                self.exporter = bytes.fromhex(m.group(1))
            else:
                self.backlog.append(line)

    def read(self):
        data = self.proc.stdout.readline()
        if not data:
            raise EOFError("s_client ended")
        return data.decode(errors="replace").rstrip("\r\n")

    def until(self, *prefixes):
        while True:
            line = self.backlog.pop(0) if self.backlog else self.read()
            if line.startswith(prefixes):
                return line

    def send(self, text):
        self.proc.stdin.write(text.encode() + b"\r\n")
        self.proc.stdin.flush()

    def close(self):
        self.proc.kill()
        self.proc.wait()


def test_imaps_scram_plus_with_tls_exporter_under_tls13():
    for exporter_ok in (True, False):
        s = SClient(PORT_BASE + 993)
        try:
            s.until("* OK")
            data = s.exporter if exporter_ok else bytes(32)
            scram = scram_plus(ALICE, "SCRAM-SHA-256-PLUS", "tls-exporter", data)
            s.send("a1 AUTHENTICATE SCRAM-SHA-256-PLUS " + base64.b64encode(scram.first()).decode())
            challenge = s.until("+ ", "a1 ")
            assert challenge.startswith("+ "), challenge
            s.send(base64.b64encode(scram.final(base64.b64decode(challenge[2:]))).decode())
            answer = s.until("+ ", "a1 ")
            if not exporter_ok:
                assert answer.startswith("a1 NO"), answer
                continue
            assert answer.startswith("+ "), answer  # server-final as a challenge
            assert scram.verify(base64.b64decode(answer[2:])), answer
            s.send("")
            answer = s.until("a1 ")
            assert answer.startswith("a1 OK"), answer
        finally:
            s.close()


# --- 6. POP3 over the folder index -----------------------------------------------------

def uid_set(text):
    out = []
    for item in text.split(b","):
        first, _, last = item.partition(b":")
        out += range(int(first), int(last or first) + 1)
    return sorted(out)


def test_pop3_delete_is_an_expunge_imap_sessions_see():
    for i in range(3):
        submit(INST, BOB, f"pop-imap {i}", "Body.\r\n")
    imap = Raw(BOB)
    imap.command("ENABLE QRESYNC", "OK")
    status, lines = imap.command("SELECT INBOX", "OK")
    exists = int(next(x for x in lines if x.endswith(b" EXISTS")).split()[1])
    status, lines = imap.command("UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])", "OK")
    uid_of = {re.search(rb"pop-imap \d", x).group(0): int(re.search(rb"UID (\d+)", x).group(1))
              for x in lines if b"pop-imap" in x}
    assert len(uid_of) == 3, lines
    status, lines = imap.command("STATUS INBOX (HIGHESTMODSEQ)", "OK")
    highest = int(re.search(rb"HIGHESTMODSEQ (\d+)", b" ".join(lines)).group(1))

    p = wait_for(lambda: pop3_login_or_none(BOB), 10, what="the maildrop lock")
    count, _ = p.stat()
    assert count == exists, (count, exists)
    # UIDL is the Maildir base name, as before the move onto the index.
    names = set()
    for sub in ("cur", "new"):
        names |= {n.split(":")[0] for n in os.listdir(os.path.join(maildir(INST, "bob"), sub))}
    listing = [x.split() for x in p.uidl()[1]]
    assert sorted(u.decode() for _, u in listing) == sorted(names), (listing, names)
    number_of = {}
    for number, _ in listing:
        head = b"\r\n".join(p.top(int(number), 0)[1])
        if m := re.search(rb"pop-imap \d", head):
            number_of[m.group(0)] = int(number)
    for subject in (b"pop-imap 1", b"pop-imap 2"):
        p.dele(number_of[subject])
    assert b"Body." in b"\r\n".join(p.retr(number_of[b"pop-imap 0"])[1])
    p.quit()

    gone = sorted([uid_of[b"pop-imap 1"], uid_of[b"pop-imap 2"]])
    status, lines = imap.command("NOOP", "OK")
    vanished = [x for x in lines if x.startswith(b"* VANISHED ")]
    assert len(vanished) == 1 and uid_set(vanished[0].split()[2]) == gone, lines
    # Not 1:*: "*" is now below the UIDs that went (RFC 9051 9, seq-number).
    status, lines = imap.command(f"UID FETCH 1:{gone[-1]} (FLAGS) (CHANGEDSINCE {highest} VANISHED)",
                                 "OK")
    earlier = [x for x in lines if x.startswith(b"* VANISHED (EARLIER) ")]
    assert len(earlier) == 1 and uid_set(earlier[0].split()[3]) == gone, lines
    imap.close()
    # A second POP3 session lists the same UIDLs minus the deleted ones.
    deleted = {listing[number_of[s] - 1][1] for s in (b"pop-imap 1", b"pop-imap 2")}
    p = wait_for(lambda: pop3_login_or_none(BOB), 10, what="the maildrop lock")
    again = [x.split()[1] for x in p.uidl()[1]]
    assert again == [u for _, u in listing if u not in deleted], (again, listing)
    p.quit()


def pop3_login_or_none(user):
    try:
        p = poplib.POP3_SSL("127.0.0.1", PORT_BASE + 995, timeout=30, context=tls_context())
        p.user(user)
        p.pass_(PASSWORD)
        return p
    except poplib.error_proto as e:
        if b"[IN-USE]" not in e.args[0]:
            raise
        return None


def test_pop3_listing_follows_imap_flag_renames():
    submit(INST, BOB, "pop-renamed", "Body.\r\n")
    imap = Raw(BOB)
    imap.command("SELECT INBOX", "OK")
    p = wait_for(lambda: pop3_login_or_none(BOB), 10, what="the maildrop lock")
    number = len(p.list()[1])
    # IMAP renames the file (flags in the name) while POP3 holds its list.
    imap.command(f"STORE {number} +FLAGS (\\Flagged \\Seen)", "OK")
    assert b"pop-renamed" in b"\r\n".join(p.retr(number)[1])
    p.dele(number)
    p.quit()
    status, lines = imap.command("NOOP", "OK")
    assert b"* %d EXPUNGE" % number in lines, lines
    imap.close()


def test_configured_command_limits_reach_the_session():
    # main() sets imap_max_line_length = 4K, imap_max_nesting = 5 and
    # imap_max_search_nesting = 6.
    raw = Raw()
    raw.command("SELECT INBOX", "OK")
    raw.command("UID SEARCH ((((((ALL))))))", "OK")
    status, _ = raw.command("UID SEARCH (((((((ALL)))))))", "BAD")
    assert "nested" in status, status
    status, _ = raw.command("UID FETCH 1:* (((((FLAGS)))))", "BAD")
    assert "nested" not in status, status  # bad FETCH syntax, but within the depth
    status, _ = raw.command("UID FETCH 1:* ((((((FLAGS))))))", "BAD")
    assert "nested" in status, status
    raw.command("NOOP " + "a" * 3000, "BAD")  # parsed: NOOP takes no argument
    raw.send(b"x1 NOOP " + b"a" * 6000 + b"\r\n")
    line = raw.read_line()
    assert b"BAD" in line and b"too long" in line, line
    raw.command("NOOP", "OK")


def main():
    global INST
    # The wrong-binding tests fail on purpose, more than the default 5.
    INST = start_instance(PORT_BASE, "auth_failure_limit = 100\n"
                          "imap_max_line_length = 4K\nimap_max_nesting = 5\n"
                          "imap_max_search_nesting = 6\n")
    with INST:
        run_tests([
            test_enable_condstore_after_select_reports_highestmodseq,
            test_enable_qresync_after_select_implies_condstore,
            test_other_condstore_enabling_commands_report_highestmodseq_once,
            test_enable_in_selected_state_through_imaplib,
            test_binary_fetch_of_nul_content_is_a_literal8,
            test_append_of_a_literal8_keeps_nul_octets,
            test_literal8_beyond_the_limit_is_refused_and_the_session_goes_on,
            test_multiappend_commits_every_message_with_one_appenduid,
            test_multiappend_with_a_bad_message_appends_none,
            test_utf8_accept_names_and_append_utf8,
            test_store_in_examined_mailbox_is_refused_and_changes_nothing,
            test_imaps_scram_plus_with_tls_server_end_point,
            test_starttls_scram_plus_with_tls_server_end_point,
            test_wrong_channel_binding_is_refused,
            test_pop3_scram_plus_over_pop3s_and_stls,
            test_imaps_scram_plus_with_tls_exporter_under_tls13,
            test_pop3_delete_is_an_expunge_imap_sessions_see,
            test_pop3_listing_follows_imap_flag_renames,
            test_configured_command_limits_reach_the_session,
        ])


if __name__ == "__main__":
    main()
