"""The IMAP engine of maa-mail on a real instance (port base 31000): mail
delivered through the real msa -> qmgr -> mda path, then Python's imaplib
(and a raw client for what imaplib cannot say) through maa with STARTTLS
and implicit TLS: every command of the issue, two sessions on one mailbox,
IDLE announcing a delivery, QRESYNC after a disconnect, index loss, name
escapes and the issue's bad-input list."""

import imaplib
import os
import re
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import run_tests, tls_context  # noqa: E402
from maatest import ALICE, BOB, PASSWORD, maildir, start_instance, submit  # noqa: E402
from imap_raw import RawImap  # noqa: E402

PORT_BASE = 31000
INST = None
for _name, _states in (("ID", ("AUTH", "SELECTED")), ("ENABLE", ("AUTH",)),
                       ("MOVE", ("SELECTED",)), ("UNSELECT", ("SELECTED",)),
                       ("GETQUOTAROOT", ("AUTH", "SELECTED")), ("IDLE", ("AUTH", "SELECTED"))):
    imaplib.Commands.setdefault(_name, _states)


def starttls_login(user=ALICE):
    m = imaplib.IMAP4("127.0.0.1", PORT_BASE + 143, timeout=30)
    m.starttls(ssl_context=tls_context())
    m.login(user, PASSWORD)
    return m


def imaps_login(user=ALICE):
    m = imaplib.IMAP4_SSL("127.0.0.1", PORT_BASE + 993, ssl_context=tls_context(), timeout=30)
    m.login(user, PASSWORD)
    return m


def ok(result):
    typ, data = result
    assert typ == "OK", (typ, data)
    return data


def untagged(m, name):
    return m.untagged_responses.pop(name, [])


class Raw(RawImap):
    """A line-level IMAP client over implicit TLS, logged in."""

    def __init__(self, user=ALICE):
        super().__init__(PORT_BASE + 993, user, PASSWORD)


def deliver(subject, body="Hello.\r\n", to=ALICE):
    return submit(INST, to, subject, body)


def fresh_folder(m, name):
    m.delete(name)
    ok(m.create(name))


# ---------------------------------------------------------------------------

def test_capability_noop_id_namespace_enable():
    m = starttls_login()
    caps = ok(m.capability())[0].decode().split()
    for c in ("IMAP4rev2", "IMAP4rev1", "IDLE", "NAMESPACE", "UIDPLUS", "MOVE", "CONDSTORE",
              "QRESYNC", "ESEARCH", "SORT", "THREAD=REFERENCES", "QUOTA", "LIST-EXTENDED",
              "LIST-STATUS", "SPECIAL-USE", "UNSELECT", "STATUS=SIZE", "BINARY",
              "COMPRESS=DEFLATE"):
        assert c in caps, (c, caps)
    assert any(c.startswith("APPENDLIMIT=") for c in caps), caps
    ok(m.noop())
    ok(m._simple_command("ID", '("name" "test_imap")'))
    assert b"GoodMessaging" in untagged(m, "ID")[0]
    data = ok(m.namespace())
    assert data[0] == b'(("" "/")) NIL NIL', data
    ok(m._simple_command("ENABLE", "CONDSTORE", "FOO"))
    assert untagged(m, "ENABLED") == [b"CONDSTORE"], m.untagged_responses
    assert m.logout()[0] == "BYE"


def test_list_create_rename_delete_subscribe():
    m = starttls_login()
    data = b"\n".join(ok(m.list('""', "*")))
    for name, attr in ((b"INBOX", None), (b"Sent", rb"\Sent"), (b"Drafts", rb"\Drafts"),
                       (b"Trash", rb"\Trash"), (b"Junk", rb"\Junk")):
        assert name in data, data
        if attr:
            assert re.search(rb"\(.*" + re.escape(attr) + rb".*\) \"/\" \"?" + name, data), data
    fresh_folder(m, "Archive/2024")
    data = b"\n".join(ok(m.list('""', "Archive/%")))
    assert b'"/" Archive/2024' in data, data
    data = b"\n".join(ok(m.list('""', "%")))
    assert re.search(rb"\\HasChildren\) \"/\" Archive", data), data
    assert m.create("Archive/2024")[0] == "NO"
    ok(m.rename("Archive/2024", "Archive/Old"))
    ok(m.subscribe("Archive/Old"))
    data = b"\n".join(ok(m.lsub('""', "Archive/*")))
    assert b"Archive/Old" in data, data
    typ, data = m._simple_command("LIST", "(SUBSCRIBED)", '""', '"*"', "RETURN", "(STATUS (MESSAGES UIDNEXT))")
    assert typ == "OK", data
    lines = untagged(m, "LIST")
    assert any(b"\\Subscribed" in line and b"Archive/Old" in line for line in lines), lines
    status = untagged(m, "STATUS")
    assert any(b"Archive/Old" in s and b"MESSAGES 0" in s for s in status), status
    typ, data = m._simple_command("LIST", '""', '"*"', "RETURN", "(SPECIAL-USE)")
    assert typ == "OK"
    ok(m.unsubscribe("Archive/Old"))
    ok(m.delete("Archive/Old"))
    assert m.select("Archive/Old")[0] == "NO"
    # A non-ASCII name travels as modified UTF-7 for an IMAP4rev1 client.
    ok(m.create("&AMQ-rger"))
    data = b"\n".join(ok(m.list('""', "*")))
    assert b"&AMQ-rger" in data, data
    assert os.path.isdir(os.path.join(maildir(INST, "alice"), ".Ärger")), os.listdir(maildir(INST, "alice"))
    ok(m.delete("&AMQ-rger"))
    m.logout()


def test_rev2_names_are_utf8():
    r = Raw()
    r.command("ENABLE IMAP4rev2", "OK")
    r.command('CREATE "Entwürfe-2"'.encode(), "OK")
    status, lines = r.command('LIST "" "Entw*"')
    assert any("Entwürfe-2".encode() in line for line in lines), lines
    r.command('DELETE "Entwürfe-2"'.encode(), "OK")
    r.command("LOGOUT")
    r.close()


def test_select_fetch_every_item():
    for i in range(3):
        deliver(f"fetch test {i}", f"Body number {i}.\r\n")
    m = starttls_login()
    typ, data = m.select("INBOX")
    assert typ == "OK", data
    exists = int(data[0])
    assert exists >= 3, data
    assert untagged(m, "UIDVALIDITY") and untagged(m, "UIDNEXT"), m.untagged_responses
    data = ok(m.fetch("1:*", "(FLAGS UID RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)"))
    joined = b" ".join(x if isinstance(x, bytes) else x[0] + x[1] for x in data)
    assert joined.count(b"ENVELOPE") == exists, joined
    assert b"fetch test 0" in joined and b'"TEXT" "PLAIN"' in joined.upper(), joined
    assert re.search(rb'INTERNALDATE "\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}"', joined), joined
    data = ok(m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    assert data[0][1].startswith(b"Subject: "), data
    data = ok(m.fetch("1", "(BODY.PEEK[]<0.10>)"))
    assert len(data[0][1]) == 10 and b"<0>" in data[0][0], data
    data = ok(m.fetch("1", "(BINARY.PEEK[1] BINARY.SIZE[1])"))
    assert b"BINARY.SIZE[1]" in b" ".join(x if isinstance(x, bytes) else x[0] for x in data), data
    # Arrival order is not UID order for files that mda wrote within one sync.
    seq = ok(m.search(None, "SUBJECT", '"fetch test 2"'))[0].split()[-1].decode()
    data = ok(m.fetch(seq, "(BODY[TEXT])"))
    assert b"Body number 2." in data[0][1], data
    flags = b" ".join(x if isinstance(x, bytes) else x[0] for x in ok(m.fetch(seq, "FLAGS")))
    assert b"\\Seen" in flags, flags
    data = ok(m.fetch("1", "(BODY.PEEK[9])"))  # a part that does not exist
    assert data[0] == b'1 (BODY[9] "")', data
    ok(m.uid("FETCH", "1:*", "(FLAGS)"))
    ok(m.check())
    ok(m._simple_command("UNSELECT"))
    m.logout()


def test_fetch_binary_and_structure_of_multipart():
    m = starttls_login()
    ok(m.select("Drafts"))
    msg = (b"From: a@example.test\r\nTo: b@example.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n"
           b"first part\r\n--XX\r\nContent-Type: application/octet-stream\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--XX--\r\n")
    typ, data = m.append("Drafts", None, None, msg)
    assert typ == "OK" and b"APPENDUID" in data[0], data
    uid = data[0].split()[2].rstrip(b"]")
    data = ok(m.uid("FETCH", uid, "(BODYSTRUCTURE BODY.PEEK[1] BINARY.PEEK[2] BINARY.SIZE[2])"))
    head = data[0][0]
    assert b'"MIXED"' in head.upper() and b"BODY[1]" in head, data
    everything = b"".join(x if isinstance(x, bytes) else x[0] + x[1] for x in data)
    assert b"first part" in everything and b"\x00\x01\x02\x03" in everything, everything
    assert b"BINARY.SIZE[2] 4" in everything, everything
    ok(m.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"))
    ok(m.expunge())
    m.logout()


def test_store_search_sort_thread():
    deliver("Re: thread root", "reply\r\n")
    m = starttls_login()
    ok(m.select("INBOX"))
    data = ok(m.store("1", "+FLAGS", r"(\Flagged $Important)"))
    assert b"\\Flagged" in data[0] and b"$Important" in data[0], data
    assert ok(m.search(None, "FLAGGED"))[0].split()[0] == b"1"
    assert ok(m.search(None, "KEYWORD", "$Important"))[0] == b"1"
    ok(m.store("1", "-FLAGS.SILENT", r"($Important)"))
    assert ok(m.search(None, "KEYWORD", "$Important"))[0] == b""
    hits = ok(m.search("UTF-8", "SUBJECT", '"fetch test 1"'))[0].split()
    assert len(hits) == 1, hits
    hits = ok(m.search(None, "BODY", '"number 2"'))[0].split()
    assert len(hits) == 1, hits
    hits = ok(m.search(None, "OR", "FLAGGED", "NOT", "ALL"))[0].split()
    assert hits == [b"1"], hits
    assert ok(m.search(None, "SINCE", "1-Jan-2000", "LARGER", "10"))[0]
    assert m.search("KOI8-Q", "ALL")[0] == "NO"  # BADCHARSET
    typ, data = m.uid("SEARCH", "RETURN", "(MIN MAX COUNT)", "ALL")
    assert typ == "OK"
    es = untagged(m, "ESEARCH")
    assert es and b"UID" in es[0] and b"COUNT" in es[0] and b"MIN" in es[0], es
    data = ok(m.sort("(REVERSE SUBJECT)", "UTF-8", "ALL"))
    assert len(data[0].split()) >= 4, data
    data = ok(m.thread("ORDEREDSUBJECT", "UTF-8", "ALL"))
    assert data[0].startswith(b"("), data
    data = ok(m.thread("REFERENCES", "UTF-8", "ALL"))
    assert data[0].startswith(b"("), data
    m.logout()


def test_thread_references_links_by_references_then_by_subject():
    m = starttls_login()
    fresh_folder(m, "Threads")
    messages = [
        ("<a@x>", "", "topic", "Mon, 1 Jan 2024 10:00:00 +0000"),
        ("<b@x>", "", "other", "Mon, 1 Jan 2024 11:00:00 +0000"),
        ("<c@x>", "", "Re: topic", "Mon, 1 Jan 2024 12:00:00 +0000"),  # no References
        ("<d@x>", "<b@x>", "Re: other", "Mon, 1 Jan 2024 13:00:00 +0000"),
        ("<e@x>", "<b@x> <d@x>", "Re: other", "Mon, 1 Jan 2024 14:00:00 +0000"),
    ]
    for mid, refs, subject, date in messages:
        header = f"Message-ID: {mid}\r\nSubject: {subject}\r\nDate: {date}\r\n"
        if refs:
            header += f"References: {refs}\r\n"
        ok(m.append("Threads", None, None, (header + "\r\nbody\r\n").encode()))
    ok(m.select("Threads"))
    assert ok(m.thread("REFERENCES", "UTF-8", "ALL")) == [b"(1 3)(2 4 5)"]
    # Threads in the order of their first messages' dates (RFC 5256).
    assert ok(m.thread("ORDEREDSUBJECT", "UTF-8", "ALL")) == [b"(1 3)(2 (4)(5))"]
    assert ok(m.sort("(SUBJECT DATE)", "UTF-8", "ALL")) == [b"2 4 5 1 3"]
    ok(m._simple_command("UNSELECT"))
    ok(m.delete("Threads"))
    m.logout()


def test_copy_move_append_status_expunge():
    m = starttls_login()
    fresh_folder(m, "Work")
    ok(m.select("INBOX"))
    typ, data = m.copy("1:2", "Work")
    assert typ == "OK" and b"COPYUID" in data[0], data
    typ, data = m.copy("1", "NoSuchFolder")
    assert typ == "NO" and b"[TRYCREATE]" in data[0], (typ, data)
    typ, data = m._simple_command("STATUS", "Work", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN SIZE DELETED HIGHESTMODSEQ)")
    status = untagged(m, "STATUS")[0]
    assert b"MESSAGES 2" in status and b"SIZE " in status and b"HIGHESTMODSEQ" in status, status
    ok(m.select("Work"))
    typ, data = m.uid("MOVE", "1:*", "Junk")
    assert typ == "OK", data
    assert untagged(m, "EXPUNGE"), "MOVE announced no EXPUNGE"
    ok(m.select("Junk"))
    n_junk = int(ok(m.select("Junk"))[0])
    assert n_junk >= 2
    typ, data = m.append("Work", r"(\Draft \Seen)", imaplib.Time2Internaldate(1700000000),
                         b"Subject: appended\r\n\r\nappended body\r\n")
    assert typ == "OK" and b"APPENDUID" in data[0], data
    ok(m.select("Work"))
    data = ok(m.fetch("1", "(FLAGS INTERNALDATE)"))
    assert b"\\Draft" in data[0] and b"14-Nov-2023" in data[0], data
    ok(m.store("1", "+FLAGS", r"(\Deleted)"))
    assert ok(m.expunge()) == [b"1"]
    ok(m.select("Junk"))
    ok(m.store("1:*", "+FLAGS.SILENT", r"(\Deleted)"))
    ok(m.uid("EXPUNGE", "1:*"))
    ok(m.close())
    assert m.select("Junk")[1][0] == b"0"
    m.delete("Work")
    m.logout()


def test_two_sessions_see_each_others_flags_and_expunges():
    deliver("shared 1")
    deliver("shared 2")
    a, b = starttls_login(), imaps_login()
    n = int(ok(a.select("INBOX"))[0])
    ok(b.select("INBOX"))
    ok(b.store(str(n), "+FLAGS", r"(\Answered)"))
    ok(a.noop())
    fetches = untagged(a, "FETCH")
    assert any(b"\\Answered" in f for f in fetches), (fetches, a.untagged_responses)
    ok(b.store(str(n), "+FLAGS", r"(\Deleted)"))
    ok(b.expunge())
    ok(a.noop())
    assert untagged(a, "EXPUNGE") == [str(n).encode()], a.untagged_responses
    a.logout()
    b.logout()


def test_idle_announces_delivery_within_a_second():
    r = Raw()
    status, lines = r.command("SELECT INBOX", "OK")
    exists = next(int(line.split()[1]) for line in lines if line.endswith(b"EXISTS"))
    r.send("i1 IDLE\r\n")
    assert r.read_line().startswith(b"+"), "no continuation for IDLE"
    submit_start = time.monotonic()
    deliver("during idle")
    delivered_at = time.monotonic()
    r.s.settimeout(5)
    line = r.read_line()
    announced_at = time.monotonic()
    assert line == f"* {exists + 1} EXISTS".encode(), line
    assert announced_at - delivered_at < 1.0, announced_at - delivered_at
    r.send("DONE\r\n")
    status, _ = r.read_until("i1")
    assert status.startswith("i1 OK"), status
    print(f"  IDLE: EXISTS {1000 * (announced_at - delivered_at):.0f} ms after the file appeared"
          f" (submission took {1000 * (delivered_at - submit_start):.0f} ms)")
    r.command("LOGOUT")
    r.close()


def test_qresync_after_disconnect_returns_exactly_the_changes():
    for i in range(3):
        deliver(f"qresync {i}")
    r = Raw()
    r.command("ENABLE QRESYNC", "OK")
    status, lines = r.command("SELECT INBOX", "OK")
    text = b"\n".join(lines).decode()
    validity = int(re.search(r"UIDVALIDITY (\d+)", text).group(1))
    modseq = int(re.search(r"HIGHESTMODSEQ (\d+)", text).group(1))
    status, lines = r.command("UID FETCH 1:* (UID)", "OK")
    uids = [int(re.search(rb"UID (\d+)", line).group(1)) for line in lines if b"FETCH" in line]
    r.command("LOGOUT")
    r.close()
    changed, gone = uids[-3], uids[-2]
    b = starttls_login()
    ok(b.select("INBOX"))
    ok(b.uid("STORE", str(changed), "+FLAGS", r"(\Flagged)"))
    ok(b.uid("STORE", str(gone), "+FLAGS", r"(\Deleted)"))
    ok(b.expunge())
    b.logout()
    r = Raw()
    r.command("ENABLE QRESYNC", "OK")
    status, lines = r.command(f"SELECT INBOX (QRESYNC ({validity} {modseq}))", "OK")
    vanished = [line for line in lines if line.startswith(b"* VANISHED")]
    fetches = [line for line in lines if b"FETCH" in line]
    assert vanished == [f"* VANISHED (EARLIER) {gone}".encode()], lines
    assert len(fetches) == 1 and f"UID {changed}".encode() in fetches[0], fetches
    assert b"\\Flagged" in fetches[0] and b"MODSEQ" in fetches[0], fetches
    r.command("LOGOUT")
    r.close()


def test_condstore_unchangedsince_reports_modified():
    r = Raw()
    r.command("ENABLE CONDSTORE", "OK")
    status, lines = r.command("SELECT INBOX", "OK")
    highest = int(re.search(rb"HIGHESTMODSEQ (\d+)", b"\n".join(lines)).group(1))
    status, lines = r.command("FETCH 1 (MODSEQ)", "OK")
    modseq = int(re.search(rb"MODSEQ \((\d+)\)", lines[0]).group(1))
    r.command(f"STORE 1 (UNCHANGEDSINCE {modseq}) +FLAGS (\\Seen)", "OK")
    status, lines = r.command(f"STORE 1 (UNCHANGEDSINCE {modseq}) +FLAGS (\\Answered)", "OK")
    assert "[MODIFIED 1]" in status, status
    status, lines = r.command(f"FETCH 1:* (FLAGS) (CHANGEDSINCE {highest})", "OK")
    assert len(lines) == 1 and lines[0].startswith(b"* 1 FETCH") and b"MODSEQ" in lines[0], lines
    r.command("LOGOUT")
    r.close()


def test_index_loss_keeps_uids_or_changes_uidvalidity():
    deliver("index loss")
    m = starttls_login()
    ok(m.select("INBOX"))
    validity = untagged(m, "UIDVALIDITY")[0]
    before = ok(m.fetch("1:*", "(UID)"))
    m.logout()
    root = maildir(INST, "alice")
    os.unlink(os.path.join(root, "gm-index"))
    m = starttls_login()
    ok(m.select("INBOX"))
    assert untagged(m, "UIDVALIDITY")[0] == validity
    assert ok(m.fetch("1:*", "(UID)")) == before
    m.logout()
    for name in ("gm-index", "gm-uids"):
        path = os.path.join(root, name)
        if os.path.exists(path):
            os.unlink(path)
    m = starttls_login()
    ok(m.select("INBOX"))
    new_validity = untagged(m, "UIDVALIDITY")[0]
    assert new_validity != validity or ok(m.fetch("1:*", "(UID)")) == before, (validity, new_validity)
    m.logout()


def test_index_loss_under_a_selected_session():
    m = starttls_login()
    n = int(ok(m.select("INBOX"))[0])
    before = ok(m.fetch("1:*", "(UID)"))
    m.untagged_responses.clear()
    os.unlink(os.path.join(maildir(INST, "alice"), "gm-index"))
    deliver("after index loss")
    ok(m.noop())
    assert untagged(m, "EXISTS") == [str(n + 1).encode()], m.untagged_responses
    assert "FETCH" not in m.untagged_responses, "flags did not change, MODSEQs did"
    assert ok(m.fetch(f"1:{n}", "(UID)")) == before
    m.logout()


def test_name_escapes_are_refused():
    r = Raw()
    root = maildir(INST, "alice")
    outside = os.path.dirname(root)
    before = sorted(os.listdir(outside))
    for name in ('"../../etc"', '"/etc"', '"a/../b"', '".."', '"a/./b"', '"&AC8-etc"',
                 '"..&AC8-x"', '"a\\\\b"', '"INBOX/../../x"', '"x%"', '"*"'):
        for verb in ("CREATE", "SELECT", "DELETE", "RENAME INBOX/x", "STATUS"):
            extra = " (MESSAGES)" if verb == "STATUS" else ""
            status, _ = r.command(f"{verb} {name}{extra}")
            assert status.split()[1] in ("NO", "BAD"), (verb, name, status)
    assert sorted(os.listdir(outside)) == before
    assert not os.path.exists("/etc/cur"), "escaped to /etc"
    r.command("NOOP", "OK")
    r.command("LOGOUT")
    r.close()


def test_bad_input_gets_tagged_bad_or_no_and_others_go_on():
    other = starttls_login()
    ok(other.select("INBOX"))
    r = Raw(BOB)  # bob has an empty INBOX

    def refused(status):
        assert status.split()[1] in ("BAD", "NO"), status

    refused(r.command("FETCH 1 FLAGS")[0])  # wrong state: nothing selected
    refused(r.command("LOGIN x y")[0])
    refused(r.command("AUTHENTICATE PLAIN")[0])
    refused(r.command("ENABLE")[0])
    refused(r.command("FROBNICATE")[0])
    r.command("SELECT INBOX", "OK")
    refused(r.command("FETCH 1:4294967295 FLAGS")[0])
    status, lines = r.command("UID FETCH 1:4294967295 FLAGS", "OK")
    assert lines == [], lines
    refused(r.command("FETCH 1 (FLAGS")[0])   # unbalanced
    refused(r.command("FETCH 1 FLAGS)")[0])
    refused(r.command("SEARCH " + "(" * 10000 + "ALL" + ")" * 10000)[0])
    refused(r.command("SEARCH " + "NOT " * 5000 + "ALL")[0])
    refused(r.command('CREATE "caf\xe9"'.encode("latin-1"))[0])  # 8-bit in a rev1 name
    refused(r.command('CREATE "caf\xc3\xa9"'.encode("latin-1"))[0])
    refused(r.command("STORE 1 +FLAGS (\\Recent)")[0])
    refused(r.command("COPY 1:* ")[0])
    status, _ = r.command("APPEND INBOX {4294967296}")  # a 4 GiB literal announced
    refused(status)
    r.send("n1 APPEND NoSuchBox {5}\r\n")
    assert r.read_line().startswith(b"+")
    r.send("hello\r\n")
    status, _ = r.read_until("n1")
    assert status.startswith("n1 NO [TRYCREATE]"), status
    r.command("NOOP", "OK")
    # LITERAL+ cannot be refused before the data: the answer still comes at once.
    plus = Raw(BOB)
    plus.send("p1 APPEND INBOX {4294967296+}\r\n")
    line = plus.read_line()
    assert line.startswith(b"p1 BAD") or line.startswith(b"p1 NO") or line.startswith(b"* BYE"), line
    plus.close()
    # An unterminated literal: the rest of the line never comes; the server waits.
    r.send("u1 APPEND INBOX {20}\r\n")
    assert r.read_line().startswith(b"+")
    r.send("only ten b")
    ok(other.noop())  # the other session is unaffected
    assert other.fetch("1", "(FLAGS)")[0] == "OK"
    r.close()
    other.logout()
    after = Raw(BOB)
    after.command("SELECT INBOX", "OK")
    after.command("LOGOUT")
    after.close()


def test_quota_from_maildirsize():
    root = maildir(INST, "alice")
    with open(os.path.join(root, "maildirsize"), "w") as f:
        f.write("10485760S,1000C\n12345 3\n")
    m = starttls_login()
    typ, data = m.getquotaroot("INBOX")
    assert typ == "OK", data
    roots, quotas = data
    assert roots == [b'INBOX ""'], roots
    assert quotas == [b'"" (STORAGE 13 10240 MESSAGE 3 1000)'], quotas
    typ, data = m.getquota('""')
    assert typ == "OK", data
    m.logout()
    os.unlink(os.path.join(root, "maildirsize"))


def test_compress_deflate_both_ways():
    r = Raw()
    status, _ = r.command("COMPRESS DEFLATE", "OK")
    assert "DEFLATE active" in status, status
    out, inp = zlib.compressobj(wbits=-15), zlib.decompressobj(wbits=-15)
    plain = b""

    def send(line):
        r.send(out.compress(line) + out.flush(zlib.Z_SYNC_FLUSH))

    def until(tag):
        nonlocal plain
        while not (m := re.search(rb"(^|\r\n)" + tag + rb" [A-Z]+ [^\r]*\r\n", plain)):
            chunk = r.s.recv(65536)
            assert chunk, "closed"
            plain += inp.decompress(chunk)
        text, plain = plain[:m.end()], plain[m.end():]
        return text

    send(b"c1 NOOP\r\n")
    assert b"c1 OK" in until(b"c1")
    send(b"c2 SELECT INBOX\r\nc3 FETCH 1 (BODY.PEEK[])\r\n")
    text = until(b"c2") + until(b"c3")
    assert b"c2 OK [READ-WRITE]" in text and b"c3 OK" in text and b"BODY[] {" in text, text
    send(b"c4 COMPRESS DEFLATE\r\n")
    assert b"c4 NO [COMPRESSIONACTIVE]" in until(b"c4")
    send(b"c5 LOGOUT\r\n")
    assert b"* BYE" in until(b"c5")
    r.close()


def test_logout_and_timeouts_leave_no_session():
    m = imaps_login()
    ok(m.select("INBOX"))
    assert m.logout()[0] == "BYE"


# --- idlewatch: a large APPEND through maa -> maa-mail (Unix socket) --------
BIG_APPEND_BYTES = 20 << 20


def big_message(size):
    """A message of exactly `size` bytes: 78-byte CRLF lines of base64 text."""
    import base64
    head = b"Subject: big append\r\nMIME-Version: 1.0\r\n\r\n"
    lines, rest = divmod(size - len(head), 78)
    if rest == 1:  # no line is one byte long: make the last one longer
        lines, rest = lines - 1, rest + 78
    text = base64.b64encode(os.urandom(lines * 57))  # 76 characters per 57 bytes
    body = b"".join(text[i:i + 76] + b"\r\n" for i in range(0, len(text), 76))
    if rest:
        body += b"x" * (rest - 2) + b"\r\n"
    message = head + body
    assert len(message) == size, len(message)
    return message


def test_append_of_20_mib_arrives_byte_exact():
    message = big_message(BIG_APPEND_BYTES)
    m = starttls_login()
    fresh_folder(m, "Big")
    typ, data = m.append("Big", None, None, message)
    assert typ == "OK" and b"APPENDUID" in data[0], data
    ok(m.select("Big", readonly=True))
    data = ok(m.fetch("1", "(RFC822.SIZE BODY.PEEK[])"))
    assert data[0][1] == message, (len(data[0][1]), len(message))
    ok(m.close())
    m.delete("Big")
    m.logout()
# --- end idlewatch ----------------------------------------------------------


# --- conform: RFC 9051 [CLOSED] on reselect, FLAGS for new keywords ----------
def test_select_elsewhere_sends_closed_and_a_failed_select_deselects():
    r = Raw()
    _, lines = r.command("SELECT INBOX", "OK")
    assert not any(b"[CLOSED]" in l for l in lines), lines  # nothing was selected
    # RFC 9051 6.3.2 / RFC 7162 3.2.11: [CLOSED] first, then the new mailbox.
    _, lines = r.command("EXAMINE INBOX", "OK")
    assert lines[0].startswith(b"* OK [CLOSED]"), lines
    assert sum(b"[CLOSED]" in l for l in lines) == 1, lines
    # A SELECT that fails (no such mailbox, refused name) deselects first:
    # "no mailbox is selected" (RFC 9051 6.3.2).
    for name in ("NoSuchBoxHere", '"../../etc"'):
        r.command("SELECT INBOX", "OK")
        status, lines = r.command(f"SELECT {name}", "NO")
        assert [l for l in lines if l.startswith(b"* OK")] == lines and len(lines) == 1, lines
        assert lines[0].startswith(b"* OK [CLOSED]"), lines
        status, _ = r.command("FETCH 1 (FLAGS)")
        assert status.split()[1] == "BAD", status  # no mailbox is selected any more
        _, lines = r.command("SELECT INBOX", "OK")
        assert not any(b"[CLOSED]" in l for l in lines), lines
    r.command("LOGOUT")
    r.close()


def test_new_keyword_is_announced_with_flags_and_permanentflags():
    m = starttls_login()
    fresh_folder(m, "Kw")
    ok(m.append("Kw", None, None, b"Subject: kw\r\n\r\nHello.\r\n"))
    m.logout()
    r, other = Raw(), Raw()
    _, lines = r.command("SELECT Kw", "OK")
    assert not any(b"$Conform1" in l for l in lines), lines
    other.command("SELECT Kw", "OK")
    # RFC 9051 7.3.5: FLAGS and PERMANENTFLAGS with the new keyword come
    # before the FETCH response that shows it.
    _, lines = r.command("STORE 1 +FLAGS ($Conform1)", "OK")
    flags = [i for i, l in enumerate(lines) if l.startswith(b"* FLAGS (")]
    perm = [i for i, l in enumerate(lines) if l.startswith(b"* OK [PERMANENTFLAGS (")]
    fetch = [i for i, l in enumerate(lines) if b" FETCH (" in l]
    assert len(flags) == 1 and len(perm) == 1 and len(fetch) == 1, lines
    assert b"$Conform1" in lines[flags[0]] and b"\\Seen" in lines[flags[0]], lines
    assert b"$Conform1" in lines[perm[0]] and b"\\*" in lines[perm[0]], lines
    assert flags[0] < fetch[0] and perm[0] < fetch[0], lines
    # Known already: no second announcement.
    _, lines = r.command("STORE 1 -FLAGS ($Conform1)", "OK")
    assert not any(l.startswith(b"* FLAGS") for l in lines), lines
    _, lines = r.command("STORE 1 +FLAGS.SILENT ($Conform1)", "OK")
    assert not any(l.startswith(b"* FLAGS") for l in lines), lines
    # The other session learns it at its next command, also before the FETCH.
    _, lines = other.command("NOOP", "OK")
    flags = [i for i, l in enumerate(lines) if l.startswith(b"* FLAGS (")]
    fetch = [i for i, l in enumerate(lines) if b" FETCH (" in l]
    assert len(flags) == 1 and b"$Conform1" in lines[flags[0]], lines
    assert fetch and flags[0] < fetch[0], lines
    # APPEND into the selected mailbox with a new keyword.
    msg = b"Subject: kw2\r\n\r\nHello.\r\n"
    r.send(f"a1 APPEND Kw ($Conform2) {{{len(msg)}+}}\r\n".encode() + msg + b"\r\n")
    status, lines = r.read_until("a1")
    assert status.startswith("a1 OK"), status
    flags = [l for l in lines if l.startswith(b"* FLAGS (")]
    perm = [l for l in lines if l.startswith(b"* OK [PERMANENTFLAGS (")]
    assert len(flags) == 1 and b"$Conform2" in flags[0] and b"$Conform1" in flags[0], lines
    assert len(perm) == 1 and b"$Conform2" in perm[0], lines
    # A read-only session hears FLAGS too, with an empty PERMANENTFLAGS.
    other.command("EXAMINE Kw", "OK")
    r.command("STORE 2 +FLAGS ($Conform3)", "OK")
    _, lines = other.command("NOOP", "OK")
    assert any(l.startswith(b"* FLAGS (") and b"$Conform3" in l for l in lines), lines
    assert b"* OK [PERMANENTFLAGS ()] Read-only mailbox" in lines, lines
    r.command("LOGOUT")
    other.command("LOGOUT")
    r.close()
    other.close()
    m = starttls_login()
    m.delete("Kw")
    m.logout()
# --- end conform ------------------------------------------------------------


def main():
    global INST
    INST = start_instance(PORT_BASE)
    with INST:
        run_tests([
            test_capability_noop_id_namespace_enable,
            test_list_create_rename_delete_subscribe,
            test_rev2_names_are_utf8,
            test_select_fetch_every_item,
            test_fetch_binary_and_structure_of_multipart,
            test_store_search_sort_thread,
            test_thread_references_links_by_references_then_by_subject,
            test_copy_move_append_status_expunge,
            test_two_sessions_see_each_others_flags_and_expunges,
            test_idle_announces_delivery_within_a_second,
            test_qresync_after_disconnect_returns_exactly_the_changes,
            test_condstore_unchangedsince_reports_modified,
            test_index_loss_keeps_uids_or_changes_uidvalidity,
            test_index_loss_under_a_selected_session,
            test_name_escapes_are_refused,
            test_bad_input_gets_tagged_bad_or_no_and_others_go_on,
            test_quota_from_maildirsize,
            test_compress_deflate_both_ways,
            test_logout_and_timeouts_leave_no_session,
            test_append_of_20_mib_arrives_byte_exact,  # idlewatch
            test_select_elsewhere_sends_closed_and_a_failed_select_deselects,  # conform
            test_new_keyword_is_announced_with_flags_and_permanentflags,  # conform
        ])


if __name__ == "__main__":
    main()
