"""POP3 through maa and maa-mail on a real instance (port base 30100):
poplib with STLS (110) and implicit TLS (995), USER/PASS and AUTH PLAIN,
the CAPA lists, every TRANSACTION command, deletions only at QUIT, UIDLs
stable across sessions, the maildrop lock (second session IN-USE), and
mail delivered through msa -> qmgr -> mda showing up."""

import base64
import os
import poplib
import re
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import run_tests, tls_context, wait_for  # noqa: E402
from sasl_client import ScramClient  # noqa: E402
from maatest import ALICE, BOB, PASSWORD, maildir, raw_handoff, start_instance, submit  # noqa: E402

PORT_BASE = 30100
INST = None


def pop3_stls():
    p = poplib.POP3("127.0.0.1", PORT_BASE + 110, timeout=30)
    p.stls(context=tls_context())
    return p


def pop3s():
    return poplib.POP3_SSL("127.0.0.1", PORT_BASE + 995, timeout=30, context=tls_context())


def login(user=BOB):
    p = pop3s()
    p.user(user)
    p.pass_(PASSWORD)
    return p


def login_when_unlocked(user=BOB):
    """Logs in once the previous session's lock is gone: a client that
    drops the connection frees the maildrop a moment later."""
    def attempt():
        try:
            return login(user)
        except poplib.error_proto as e:
            if b"[IN-USE]" not in e.args[0]:
                raise
            return None
    return wait_for(attempt, 10, what="the maildrop lock to be released")


def expect_error(call, *words):
    try:
        result = call()
    except poplib.error_proto as e:
        text = str(e)
        for word in words:
            assert word in text, f"{word!r} not in {text!r}"
        return text
    raise AssertionError(f"expected -ERR with {words}, got {result!r}")


def test_capa_before_tls_offers_stls_but_no_login():
    p = poplib.POP3("127.0.0.1", PORT_BASE + 110, timeout=30)
    assert p.getwelcome().startswith(b"+OK")
    capa = p.capa()
    for name in ("STLS", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"):
        assert name in capa, capa
    assert "USER" not in capa and "SASL" not in capa, capa
    expect_error(lambda: p.user(BOB), "[AUTH]")
    p.quit()


def test_capa_after_stls_offers_user_and_sasl():
    p = pop3_stls()
    capa = p.capa()
    assert "STLS" not in capa and "USER" in capa, capa
    assert "PLAIN" in capa["SASL"] and "SCRAM-SHA-256" in capa["SASL"], capa
    p.user(BOB)
    assert p.pass_(PASSWORD).startswith(b"+OK")
    assert "UIDL" in p.capa()
    p.quit()


def test_bad_password_is_auth_error():
    p = pop3s()
    p.user(BOB)
    expect_error(lambda: p.pass_("wrong"), "[AUTH]")
    p.quit()


def test_auth_plain_with_initial_response():
    p = pop3s()
    ir = base64.b64encode(f"\0{BOB}\0{PASSWORD}".encode()).decode()
    assert p._shortcmd(f"AUTH PLAIN {ir}").startswith(b"+OK")
    p.stat()
    p.quit()


def test_auth_scram_sha_256_with_continuations():
    scram = ScramClient(BOB, PASSWORD)
    p = pop3s()
    ir = base64.b64encode(scram.first()).decode()
    challenge = p._shortcmd(f"AUTH SCRAM-SHA-256 {ir}")
    assert challenge.startswith(b"+ "), challenge
    final = scram.final(base64.b64decode(challenge[2:]))
    server_final = p._shortcmd(base64.b64encode(final).decode())
    assert server_final.startswith(b"+ ") and scram.verify(base64.b64decode(server_final[2:]))
    assert p._shortcmd("").startswith(b"+OK Logged in")
    p.quit()


def test_transaction_commands_and_delete_at_quit():
    submit(INST, BOB, "pop-one", "first body\r\n.dot line\r\n..two dots\r\n")
    submit(INST, BOB, "pop-two", "second body\r\n")
    submit(INST, BOB, "pop-three", "third body\r\nline 2\r\nline 3\r\n")
    p = login()
    count, octets = p.stat()
    assert count == 3, count
    listing = p.list()[1]
    assert len(listing) == 3 and sum(int(x.split()[1]) for x in listing) == octets
    uidls = [x.split()[1] for x in p.uidl()[1]]
    assert len(set(uidls)) == 3 and all(0 < len(u) <= 70 for u in uidls), uidls
    lines = p.retr(1)[1]  # poplib undoes the byte-stuffing
    assert b"Subject: pop-one" in lines and b".dot line" in lines and b"..two dots" in lines, lines
    size = int(p.list(1).split()[2])
    assert sum(len(x) + 2 for x in lines) == size, (size, lines)
    top = p.top(3, 1)[1]
    assert b"Subject: pop-three" in top and top[-1] == b"third body", top
    assert p.dele(2).startswith(b"+OK")
    expect_error(lambda: p.retr(2), "deleted")
    assert p.stat()[0] == 2
    p.rset()
    assert p.stat()[0] == 3
    p.dele(2)
    assert p.noop().startswith(b"+OK")
    p.quit()
    p = login()
    assert p.stat()[0] == 2
    after = [x.split()[1] for x in p.uidl()[1]]
    assert after == [uidls[0], uidls[2]], (uidls, after)
    expect_error(lambda: p.retr(3), "No such message")
    p.quit()


def test_disconnect_without_quit_deletes_nothing():
    p = login()
    before = p.stat()[0]
    p.dele(1)
    p.sock.shutdown(socket.SHUT_RDWR)  # no QUIT: no UPDATE state (RFC 1939 6)
    p.close()
    p = login_when_unlocked()
    assert p.stat()[0] == before
    p.quit()


def test_bare_lf_message_is_sent_with_crlf():
    path = os.path.join(maildir(INST, "bob"), "cur", "1700000000.M1P1.local:2,")
    data = b"Subject: bare-lf\n\n.line one\nline two\n"
    with open(path, "wb") as f:
        f.write(data)
    p = login()
    n = next(int(x.split()[0]) for x in p.uidl()[1] if x.split()[1] == b"1700000000.M1P1.local")
    size = int(p.list(n).split()[2])
    assert size == len(data) + data.count(b"\n"), size  # one CR more per line
    p._putcmd(f"RETR {n}")
    raw = b""
    while not raw.endswith(b"\r\n.\r\n"):
        raw += p.sock.recv(4096)
    assert b"\r\n..line one\r\nline two\r\n.\r\n" in raw, raw
    p.quit()


def test_second_session_gets_in_use():
    first = login()
    second = pop3s()
    second.user(BOB)
    expect_error(lambda: second.pass_(PASSWORD), "[IN-USE]")
    first.quit()
    third = login()
    third.quit()


def test_uidl_stable_across_sessions_and_new_mail_appears():
    p = login()
    before = dict((x.split()[1], x) for x in p.uidl()[1])
    p.quit()
    submit(INST, BOB, "pop-late", "late body\r\n")
    p = login()
    after = [x.split()[1] for x in p.uidl()[1]]
    assert set(before) <= set(after) and len(after) == len(before) + 1, (before, after)
    n = len(after)
    assert b"Subject: pop-late" in p.retr(n)[1]
    p.quit()


def test_sessions_per_user_limit():
    # With maa_max_sessions_per_user = 1, alice's second login is refused by
    # maa itself while her first session lasts.
    with open(INST.conf, "a") as conf:
        conf.write("maa_max_sessions_per_user = 1\n")
    pid = INST.wait_running("maa")["pids"][0]
    os.kill(pid, 15)
    INST.wait_running("maa", not_pid=pid)
    a = login_when_unlocked(ALICE)
    b = pop3_stls()
    b.user(ALICE)
    expect_error(lambda: b.pass_(PASSWORD), "[IN-USE]", "Too many sessions")
    a.quit()
    login_when_unlocked(ALICE).quit()


def children_of(pid):
    kids = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            kids.append(int(name))
    return kids


def written_bytes(service):
    """What the service has written so far (/proc/<pid>/io wchar), its child
    processes included: maa-mail runs each user's sessions in a worker."""
    pid = INST.services()[service]["pids"][0]
    pids = [pid] + children_of(pid)
    if service == "maa-mail":
        assert len(pids) > 1, "no maa-mail worker found for the logged-in session"
    total = 0
    for p in pids:
        with open(f"/proc/{p}/io") as f:
            total += next(int(line.split()[1]) for line in f if line.startswith("wchar:"))
    return total


def test_big_message_to_a_stalled_reader_is_not_read_ahead():
    # Backpressure both hops: while the client reads nothing, maa stops
    # reading maa-mail and maa-mail stops reading the file, so what
    # maa-mail has written stays far below the message (RSS would not do:
    # ASan's quarantine keeps freed buffers).
    line = b"0123456789" * 7 + b"\n"
    body = line * (40 * 1024 * 1024 // len(line))  # 40 MiB with bare LFs
    path = os.path.join(maildir(INST, "bob"), "cur", "1800000000.M1P1.big:2,")
    data = b"Subject: big\n\n" + body
    wire_size = len(data) + data.count(b"\n")
    with open(path, "wb") as f:
        f.write(data)
    p = login()
    n = next(int(x.split()[0]) for x in p.uidl()[1] if x.split()[1] == b"1800000000.M1P1.big")
    before = written_bytes("maa-mail")
    p._putcmd(f"RETR {n}")
    received = bytearray(p.sock.recv(65536))
    time.sleep(2)  # the client stalls
    ahead = written_bytes("maa-mail") - before
    assert ahead < 16 * 1024 * 1024, f"maa-mail wrote {ahead} bytes to a stalled client"
    while not received.endswith(b"\r\n.\r\n"):
        chunk = p.sock.recv(1 << 20)
        assert chunk, "connection closed mid-message"
        received += chunk
    status, _, message = bytes(received).partition(b"\r\n")
    assert status == b"+OK %d octets" % wire_size, status
    assert len(message) == wire_size + 3  # and ".\r\n"
    p.dele(n)
    p.quit()


def test_client_flooding_commands_during_retr_is_not_read_ahead():
    # maa-mail reads no command while it streams a message; a client that
    # pipelines commands without reading must be held back by maa (not
    # buffered): the kernel stops accepting its bytes after a few MB.
    line = b"x" * 70 + b"\r\n"
    data = b"Subject: flood\r\n\r\n" + line * (8 * 1024 * 1024 // len(line))
    path = os.path.join(maildir(INST, "bob"), "cur", "1800000001.M1P1.flood:2,")
    with open(path, "wb") as f:
        f.write(data)
    p = login()
    n = next(int(x.split()[0]) for x in p.uidl()[1] if x.split()[1] == b"1800000001.M1P1.flood")
    p._putcmd(f"RETR {n}")
    p.sock.setblocking(False)
    flood = b"NOOP\r\n" * 10000
    pending = flood
    accepted = 0
    interrupted = False
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            sent = p.sock.send(pending)  # after WANT_WRITE, the same buffer again
        except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
            interrupted = True
            time.sleep(0.05)
            continue
        interrupted = False
        accepted += sent
        pending = pending[sent:] or flood
    # A command cut short stays unanswered: the server waits for its end,
    # and the client must read before it may write again.
    p.sock.setblocking(True)
    assert accepted < 16 * 1024 * 1024, f"{accepted} bytes of commands accepted while stalled"
    # An interrupted TLS write may have sent part of one more chunk: between
    # accepted and accepted + len(flood) bytes of NOOPs reached the server.
    noops = accepted // len(b"NOOP\r\n")
    most = (accepted + len(flood)) // len(b"NOOP\r\n")
    received = bytearray()
    p.sock.settimeout(3)
    try:
        while True:
            chunk = p.sock.recv(1 << 20)
            if not chunk:
                break
            received += chunk
    except socket.timeout:
        pass
    assert received.startswith(b"+OK %d octets\r\n" % len(data)), bytes(received[:40])
    end = received.find(b"\r\n.\r\n") + 5
    tail = bytes(received[end:])
    answered = tail.count(b"+OK \r\n")
    assert len(tail) == answered * 6 and noops <= answered <= most, (noops, answered, most)
    p.sock.settimeout(30)
    if interrupted:  # TLS wants the interrupted write repeated, same bytes
        p.sock.sendall(pending)
    p.sock.sendall(b"\r\nDELE %d\r\nQUIT\r\n" % n)
    while p.sock.recv(1 << 20):  # the answers, up to the close after QUIT
        pass
    p.close()


def test_pipelined_commands_after_pass_reach_maa_mail_in_order():
    s = socket.create_connection(("127.0.0.1", PORT_BASE + 995), timeout=30)
    t = tls_context().wrap_socket(s, server_hostname="localhost")
    t.sendall(f"USER {BOB}\r\nPASS {PASSWORD}\r\nSTAT\r\nNOOP\r\nQUIT\r\n".encode())
    data = b""
    while data.count(b"\r\n") < 6:
        chunk = t.recv(4096)
        if not chunk:
            break
        data += chunk
    lines = data.split(b"\r\n")
    assert lines[1] == b"+OK Send PASS" and lines[2] == b"+OK Logged in", lines
    assert re.match(rb"\+OK \d+ \d+$", lines[3]) and lines[4] == b"+OK ", lines
    assert b"signing off" in lines[5], lines
    t.close()


def test_forged_handoff_outside_mail_dir_is_refused():
    answer, closed = raw_handoff(
        INST, "GMHANDOFF 1 proto=pop3 user=bob@example.test maildir=/etc client=127.0.0.1 "
        "tls=none session=forged tag=")
    assert answer == b"" and closed, answer
    escape = maildir(INST, "bob") + "/../../../../etc"
    answer, closed = raw_handoff(
        INST, f"GMHANDOFF 1 proto=pop3 user=bob maildir={escape} client= tls=none session=x tag=")
    assert answer == b"" and closed, answer
    assert "handoff refused" in INST.log_text()


def test_handoff_reaches_maa_mail():
    answer, _ = raw_handoff(
        INST, f"GMHANDOFF 1 proto=pop3 user={BOB} maildir={maildir(INST, 'bob')} "
        "client=127.0.0.1 tls=none session=direct tag=")
    assert answer.startswith(b"+OK Logged in"), answer


def main():
    global INST
    with start_instance(PORT_BASE) as inst:
        INST = inst
        run_tests([
            test_capa_before_tls_offers_stls_but_no_login,
            test_capa_after_stls_offers_user_and_sasl,
            test_bad_password_is_auth_error,
            test_auth_plain_with_initial_response,
            test_auth_scram_sha_256_with_continuations,
            test_transaction_commands_and_delete_at_quit,
            test_disconnect_without_quit_deletes_nothing,
            test_bare_lf_message_is_sent_with_crlf,
            test_second_session_gets_in_use,
            test_uidl_stable_across_sessions_and_new_mail_appears,
            test_big_message_to_a_stalled_reader_is_not_read_ahead,
            test_client_flooding_commands_during_retr_is_not_read_ahead,
            test_pipelined_commands_after_pass_reach_maa_mail_in_order,
            test_forged_handoff_outside_mail_dir_is_refused,
            test_handoff_reaches_maa_mail,
            test_sessions_per_user_limit,
        ])


if __name__ == "__main__":
    main()
