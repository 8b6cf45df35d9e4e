"""Real IMAP clients against maa: mbsync (isync) syncs a mailbox both ways
and both sides end identical (message sets and flags, a server-side MOVE
into Junk, a message pushed from the local side, a local deletion); mutt in
batch mode reads one message and deletes another, checked on the server.

Port base 29000 (imaps on 29993; below the ephemeral range 32768+). GM_IMAP_CLIENTS_SERVER=dovecot runs the
same tests against a private Dovecot (bench/imap/dovecot.py, needs root and
dovecot-imapd; imaps on 29094), which is how they were developed."""

import imaplib
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gmtest  # noqa: E402

PORT_BASE = 29000
DOVECOT_IMAP, DOVECOT_IMAPS = 29043, 29094
USER, PASSWORD = "alice@example.test", "alice-secret-1"
SERVER = os.environ.get("GM_IMAP_CLIENTS_SERVER", "gm")
FLAG_LETTERS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}


# --- the server under test ---------------------------------------------------------

class GmServer:
    """A gmctl instance with maa; the user's Maildir is mail/<domain>/<localpart>."""

    def __init__(self):
        self.instance = gmtest.Instance(PORT_BASE)
        self.instance.start()
        self.instance.add_user(USER, PASSWORD)
        self.port = PORT_BASE + 993
        self.cert = os.path.join(self.instance.dir, "etc", "tls", "cert.pem")
        self.maildir = os.path.join(self.instance.dir, "mail", "example.test", "alice")
        gmtest.wait_for(lambda: gmtest.port_open(self.port), what="maa on imaps")

    def close(self, failed):
        self.instance.__exit__(*(sys.exc_info() if failed else (None, None, None)))


class DovecotServer:
    def __init__(self):
        bench = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "imap")
        sys.path.insert(0, os.path.abspath(bench))
        import dovecot
        self.dir = tempfile.mkdtemp(prefix="gm-test-dovecot-")
        os.chmod(self.dir, 0o755)
        self.server = dovecot.Dovecot(self.dir, DOVECOT_IMAP, DOVECOT_IMAPS)
        self.maildir = self.server.add_user(USER, PASSWORD)
        self.owner = dovecot.mail_owner()
        self.port = DOVECOT_IMAPS
        self.cert = os.path.join(self.dir, "cert.pem")
        self.server.start()

    def close(self, failed):
        self.server.stop()
        if failed:
            sys.stderr.write(self.server.log_tail())
        shutil.rmtree(self.dir, ignore_errors=True)


def imap(server):
    client = imaplib.IMAP4_SSL("127.0.0.1", server.port, ssl_context=gmtest.tls_context())
    client.login(USER, PASSWORD)
    return client


def message_bytes(n, subject=None):
    return (f"From: Sender {n} <sender{n}@example.org>\r\nTo: {USER}\r\n"
            f"Subject: {subject or f'message {n}'}\r\nDate: Mon, 2{n % 8} Nov 2026 10:00:00 +0000\r\n"
            f"Message-ID: <clients-{n}@example.org>\r\n\r\nBody of message {n}.\r\n").encode()


def ensure_folders(server):
    """Creates the special-use folders if the server lacks them: mda makes
    them at a user's first delivery, and this user has had none."""
    client = imap(server)
    try:
        typ, folders = client.list()
        names = {line.decode().rsplit(' "/" ', 1)[1].strip('"') for line in folders}
        for folder in ("Sent", "Drafts", "Trash", "Junk"):
            if folder not in names:
                typ, data = client.create(folder)
                assert typ == "OK", (folder, data)
    finally:
        client.logout()


def seed(server, folder, numbers, seen=()):
    """Appends the messages to folder over IMAP (seen ones with \\Seen)."""
    client = imap(server)
    try:
        for n in numbers:
            flags = "(\\Seen)" if n in seen else "()"
            typ, data = client.append(folder, flags, None, message_bytes(n))
            assert typ == "OK", (typ, data)
    finally:
        client.logout()


def server_state(server):
    """{folder: {message-id: frozenset(flags)}} as an IMAP client sees it."""
    client = imap(server)
    state = {}
    try:
        typ, folders = client.list()
        assert typ == "OK", folders
        for line in folders:
            name = line.decode().rsplit(' "/" ', 1)[1].strip('"')
            typ, exists = client.select(f'"{name}"', readonly=True)
            assert typ == "OK", name
            messages = {}
            data = []
            if int(exists[0]) > 0:
                typ, data = client.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                assert typ == "OK", data
            for item in data:
                if not isinstance(item, tuple):
                    continue
                flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()
                msgid = re.search(rb"<([^>]+)>", item[1]).group(1).decode()
                messages[msgid] = frozenset(f for f in flags if f != "\\Recent")
            state[name] = messages
            client.close()
    finally:
        client.logout()
    return state


def maildir_state(root):
    """The same for mbsync's local Maildir (Verbatim sub-folders; INBOX in root/INBOX)."""
    state = {}
    for folder in sorted(os.listdir(root)):
        path = os.path.join(root, folder)
        if not os.path.isdir(os.path.join(path, "cur")):
            continue
        messages = {}
        for sub in ("cur", "new"):
            for name in os.listdir(os.path.join(path, sub)):
                letters = name.rsplit(":2,", 1)[1] if ":2," in name else ""
                with open(os.path.join(path, sub, name), "rb") as f:
                    msgid = re.search(rb"Message-ID: <([^>]+)>", f.read()).group(1).decode()
                messages[msgid] = frozenset(FLAG_LETTERS[c] for c in letters if c in FLAG_LETTERS)
        state[folder] = messages
    return state


def non_empty(state):
    return {folder: messages for folder, messages in state.items() if messages}


# --- mbsync --------------------------------------------------------------------------

def mbsync_config(server, local):
    return f"""IMAPAccount server
Host localhost
Port {server.port}
User {USER}
Pass {PASSWORD}
SSLType IMAPS
CertificateFile {server.cert}
AuthMechs PLAIN

IMAPStore remote
Account server

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
"""


def mbsync(config):
    result = subprocess.run(["mbsync", "-c", config, "-a"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"mbsync exited {result.returncode}:\n{result.stdout}{result.stderr}"


def set_local_flags(root, folder, msgid, letters):
    """Renames the local message's file to carry exactly these flag letters, as a
    Maildir reader does (moving it to cur/)."""
    for sub in ("cur", "new"):
        directory = os.path.join(root, folder, sub)
        for name in os.listdir(directory):
            with open(os.path.join(directory, name), "rb") as f:
                if f"<{msgid}>".encode() not in f.read():
                    continue
            base = name.split(":2,", 1)[0]
            os.rename(os.path.join(directory, name),
                      os.path.join(root, folder, "cur", f"{base}:2,{''.join(sorted(letters))}"))
            return
    raise AssertionError(f"{msgid} not in local {folder}")


def test_mbsync_two_way_sync(server, work):
    local = os.path.join(work, "maildir")
    os.makedirs(local)
    config = os.path.join(work, "mbsyncrc")
    with open(config, "w") as f:
        f.write(mbsync_config(server, local))
    ensure_folders(server)
    seed(server, "INBOX", range(1, 7), seen={1, 2})
    seed(server, "Sent", [20], seen={20})

    mbsync(config)  # pull
    pulled = maildir_state(local)
    assert non_empty(pulled) == non_empty(server_state(server)), (pulled, server_state(server))
    assert len(pulled["INBOX"]) == 6 and pulled["INBOX"]["clients-1@example.org"] == {"\\Seen"}

    # Server side: flags changed and a message moved into Junk by another client.
    client = imap(server)
    client.select("INBOX")
    typ, data = client.search(None, "HEADER", "Message-ID", "clients-3@example.org")
    assert typ == "OK" and data[0], data
    client.store(data[0].decode(), "+FLAGS", "(\\Flagged)")
    typ, data = client.search(None, "HEADER", "Message-ID", "clients-1@example.org")
    client.store(data[0].decode(), "-FLAGS", "(\\Seen)")
    typ, data = client.search(None, "HEADER", "Message-ID", "clients-5@example.org")
    typ, answer = client._simple_command("MOVE", data[0].decode(), "Junk")
    assert typ == "OK", answer
    client.logout()

    # Local side: flags changed, a message deleted, a new message written.
    set_local_flags(local, "INBOX", "clients-2@example.org", "RS")
    set_local_flags(local, "INBOX", "clients-4@example.org", "FS")
    set_local_flags(local, "INBOX", "clients-6@example.org", "ST")
    new_name = f"{int(time.time())}.local1.test"
    with open(os.path.join(local, "INBOX", "new", new_name), "wb") as f:
        f.write(message_bytes(30, "written locally"))

    mbsync(config)  # both ways
    mbsync(config)  # a second run finds nothing left to do and must not change anything
    ours, theirs = non_empty(maildir_state(local)), non_empty(server_state(server))
    assert ours == theirs, f"local {ours}\nserver {theirs}"
    inbox = theirs["INBOX"]
    assert "clients-5@example.org" not in inbox and "clients-6@example.org" not in inbox, inbox
    assert theirs["Junk"] == {"clients-5@example.org": frozenset()}, theirs.get("Junk")
    assert inbox["clients-1@example.org"] == frozenset(), inbox
    assert inbox["clients-2@example.org"] == {"\\Seen", "\\Answered"}, inbox
    assert inbox["clients-3@example.org"] == {"\\Flagged"}, inbox
    assert inbox["clients-4@example.org"] == {"\\Seen", "\\Flagged"}, inbox
    assert "clients-30@example.org" in inbox, inbox
    assert theirs["Sent"] == {"clients-20@example.org": frozenset({"\\Seen"})}, theirs


# --- mutt ------------------------------------------------------------------------------

def run_on_pty(argv, env, timeout=60):
    """Runs a curses program on a pseudo-terminal until it exits; returns
    (exit code, what it drew)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            close_fds=True, start_new_session=True)
    os.close(slave)
    screen = b""
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    screen += os.read(master, 65536)
                except OSError:
                    break
        try:  # the terminal closes (EIO) just before the process can be reaped
            proc.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"{argv[0]} did not finish in {timeout}s:\n"
                                 f"{screen[-3000:].decode(errors='replace')}")
        return proc.wait(), screen.decode(errors="replace")
    finally:
        os.close(master)


def test_mutt_reads_and_deletes(server, work):
    seed(server, "INBOX", [41, 42, 43])  # unseen
    muttrc = os.path.join(work, "muttrc")
    with open(muttrc, "w") as f:
        f.write(f"""set folder="imaps://{USER.replace('@', '%40')}@127.0.0.1:{server.port}/"
set spoolfile="+INBOX"
set imap_user="{USER}"
set imap_pass="{PASSWORD}"
set imap_authenticators="plain"
set certificate_file="{server.cert}"
set ssl_verify_host=no
set ssl_force_tls=yes
set header_cache=""
set message_cachedir=""
set sort=mailbox-order
set delete=yes
set quit=yes
set move=no
set mark_old=no
set wait_key=no
set pager_stop=yes
set mail_check=60
""")
    env = dict(os.environ, TERM="vt100", HOME=work, COLUMNS="100", LINES="30")
    # Message 1 is read (the pager), message 2 deleted, the deletion synced.
    keys = "<first-entry><display-message><exit><next-entry><delete-message><sync-mailbox><quit>"
    code, screen = run_on_pty(["mutt", "-n", "-F", muttrc, "-e", f'push "{keys}"'], env)
    assert code == 0, f"mutt exited {code}:\n{screen[-3000:]}"
    inbox = server_state(server)["INBOX"]
    assert inbox.get("clients-41@example.org") == {"\\Seen"}, inbox
    assert "clients-42@example.org" not in inbox, inbox
    assert inbox.get("clients-43@example.org") == frozenset(), inbox


# --- driver ------------------------------------------------------------------------

def with_server(test):
    def run():
        work = tempfile.mkdtemp(prefix="gm-test-clients-")
        server = DovecotServer() if SERVER == "dovecot" else GmServer()
        failed = True
        try:
            test(server, work)
            failed = False
        finally:
            server.close(failed)
            shutil.rmtree(work, ignore_errors=True)
    run.__name__ = test.__name__
    return run


if __name__ == "__main__":
    gmtest.run_tests([with_server(test_mbsync_two_way_sync),
                      with_server(test_mutt_reads_and_deletes)])
