"""sendmail, mailq and gmctl queue on an instance from `gmctl instance init`.

sendmail finds the instance's gm.conf through $GM_CONFIG (and -C in one
test). Without qmgr in this branch, messages are checked in the queue
(maildrop/), not in a Maildir."""

import grp
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import BIN, Instance, run_tests  # noqa: E402

EX_USAGE, EX_DATAERR = 64, 65
SENDMAIL = os.path.join(BIN, "sendmail")
MAILQ = os.path.join(BIN, "mailq")

inst = None


def sendmail(*args, input=b"", env_config=True):
    env = dict(os.environ)
    if env_config:
        env["GM_CONFIG"] = inst.conf
    return subprocess.run([SENDMAIL, *args], input=input, capture_output=True, env=env, timeout=60)


def queue_json():
    return json.loads(inst.gmctl("--json", "queue", "list").stdout)["messages"]


def only_message():
    messages = queue_json()
    assert len(messages) == 1, messages
    return messages[0]


def clear_queue():
    inst.gmctl("queue", "delete", "ALL")
    assert queue_json() == []


def maildrop_content(queue_id):
    """The content of a maildrop file, after its envelope (format in queue_file.hpp)."""
    with open(os.path.join(inst.dir, "spool", "maildrop", queue_id), "rb") as f:
        data = f.read()
    envelope_length = int.from_bytes(data[8:16], "big")
    content_length = int.from_bytes(data[16:24], "big")
    return data[40 + envelope_length:40 + envelope_length + content_length]


def test_empty_queue():
    out = subprocess.run([MAILQ], capture_output=True, text=True, timeout=30,
                         env=dict(os.environ, GM_CONFIG=inst.conf))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Mail queue is empty", out.stdout


def test_dash_t_from_a_shell_script():
    script = os.path.join(inst.dir, "cron.sh")
    with open(script, "w") as f:
        f.write(f"""#!/bin/sh
{SENDMAIL} -C {os.path.dirname(inst.conf)} -t -oi -F 'Cron Daemon' <<'END'
To: alice@example.test, root
Cc: Team: bob@example.test;
Bcc: secret@example.test
Subject: nightly report

all good
.
this line stays: -oi
END
""")
    os.chmod(script, 0o755)
    out = subprocess.run([script], capture_output=True, timeout=60, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    m = only_message()
    assert m["queue"] == "maildrop"
    login = __import__("pwd").getpwuid(os.getuid()).pw_name
    assert m["sender"] == f"{login}@example.test", m
    assert [r["address"] for r in m["recipients"]] == [
        "alice@example.test", "root@example.test", "bob@example.test", "secret@example.test"]
    content = maildrop_content(m["id"])
    assert b"\nBcc:" not in content and b"secret" not in content, content
    assert content.startswith(b"Received: by ") and f"from userid {os.getuid()}".encode() in content
    for field in (b"\r\nDate: ", b"\r\nMessage-ID: <", b"\r\nFrom: Cron Daemon <"):
        assert field in content, (field, content)
    assert content.endswith(b"\r\n\r\nall good\r\n.\r\nthis line stays: -oi\r\n"), content
    mode = os.stat(os.path.join(inst.dir, "spool", "maildrop")).st_mode
    assert stat.S_IMODE(mode) == 0o1730, oct(mode)

    shown = json.loads(inst.gmctl("--json", "queue", "show", m["id"]).stdout)["message"]
    assert shown["protocol"] == "local" and f"uid={os.getuid()}" in shown["client"]
    assert "Subject: nightly report" in shown["headers"] and "all good" not in shown["headers"]
    text = inst.gmctl("queue", "show", m["id"]).stdout
    assert "sender: <" in text and "all good" not in text
    refused = inst.gmctl("queue", "show", m["id"], "--body", check=False)
    assert refused.returncode == EX_USAGE
    body = inst.gmctl("queue", "show", m["id"], "--body", "--consent-recorded").stdout
    assert "all good" in body

    listing = subprocess.run([MAILQ], capture_output=True, text=True, timeout=30,
                             env=dict(os.environ, GM_CONFIG=inst.conf)).stdout
    assert m["id"] in listing and "alice@example.test" in listing, listing
    assert "-- 1 Kbytes in 1 Request." in listing, listing
    assert sendmail("-bp").stdout.decode() == listing
    clear_queue()


def test_lone_dot_ends_input_and_recipients_as_arguments():
    out = sendmail("-f", "<>", "--", "carol", "dave@example.org",
                   input=b"Subject: x\n\nline\n.\nnot queued\n")
    assert out.returncode == 0, out.stderr
    m = only_message()
    assert m["sender"] == ""
    assert [r["address"] for r in m["recipients"]] == ["carol@example.test", "dave@example.org"]
    content = maildrop_content(m["id"])
    assert content.endswith(b"\r\n\r\nline\r\n") and b"From: MAILER-DAEMON" in content
    clear_queue()


def test_errors_have_sysexits_codes():
    assert sendmail(input=b"x\n").returncode == EX_USAGE, "no recipients"
    assert sendmail("-t", input=b"Subject: none\n\nx\n").returncode == EX_USAGE, "-t, none"
    assert sendmail("-Z", "a@example.org").returncode == EX_USAGE, "unknown option"
    long_header = b"Subject: " + b"x" * 1200 + b"\n\nbody\n"
    out = sendmail("a@example.org", input=long_header)
    assert out.returncode == EX_DATAERR, out
    bad = sendmail("-t", input=b"To: <broken@\n\nx\n")
    assert bad.returncode == EX_DATAERR, bad
    # Over message_size_limit (1M in this test's instance).
    big = b"Subject: big\n\n" + (b"y" * 999 + b"\n") * 1100
    out = sendmail("a@example.org", input=big)
    assert out.returncode == EX_DATAERR, out
    assert b"too large" in out.stderr, out.stderr
    assert queue_json() == []  # nothing half-written is left behind
    assert [n for n in os.listdir(os.path.join(inst.dir, "spool", "maildrop"))] == []


def test_long_body_lines_are_broken():
    out = sendmail("-i", "a@example.org", input=b"Subject: s\n\n" + b"z" * 2500 + b"\n")
    assert out.returncode == 0, out.stderr
    content = maildrop_content(only_message()["id"])
    body = content.split(b"\r\n\r\n", 1)[1]
    assert body.split(b"\r\n")[:3] == [b"z" * 998, b"z" * 998, b"z" * 504], body[:50]
    clear_queue()


def test_bs_speaks_smtp():
    dialogue = (b"EHLO localhost\r\nMAIL FROM:<me@example.test>\r\nRCPT TO:<you@example.org>\r\n"
                b"DATA\r\nSubject: smtp\r\n\r\n..dotted\r\n.\r\nQUIT\r\n")
    out = sendmail("-bs", input=dialogue)
    assert out.returncode == 0, out
    replies = out.stdout.decode().split("\r\n")
    assert replies[0].startswith("220 ") and "250 2.0.0 Ok: queued" in replies, replies
    m = only_message()
    assert m["sender"] == "me@example.test" and m["recipients"][0]["address"] == "you@example.org"
    assert maildrop_content(m["id"]).endswith(b"\r\n\r\n.dotted\r\n")
    clear_queue()


def move_to(queue_id, source, queue):
    spool = os.path.join(inst.dir, "spool")
    os.makedirs(os.path.join(spool, queue), exist_ok=True)
    os.rename(os.path.join(spool, source, queue_id), os.path.join(spool, queue, queue_id))


def test_gmctl_queue_hold_release_requeue_delete_flush():
    assert sendmail("a@example.org", input=b"Subject: q\n\nx\n").returncode == 0
    queue_id = only_message()["id"]
    for q in ("incoming", "active", "deferred", "hold", "corrupt"):
        os.makedirs(os.path.join(inst.dir, "spool", q), exist_ok=True)
    move_to(queue_id, "maildrop", "deferred")  # as qmgr would after a failed attempt
    assert only_message()["queue"] == "deferred"
    inst.gmctl("queue", "hold", queue_id)
    assert only_message()["queue"] == "hold"
    assert "!" in subprocess.run([MAILQ], capture_output=True, text=True,
                                 env=dict(os.environ, GM_CONFIG=inst.conf)).stdout
    assert inst.gmctl("queue", "hold", queue_id, check=False).returncode != 0
    inst.gmctl("queue", "release", queue_id)
    assert only_message()["queue"] == "incoming"
    move_to(queue_id, "incoming", "deferred")
    inst.gmctl("queue", "requeue", queue_id)
    assert only_message()["queue"] == "incoming"
    listed = inst.gmctl("queue", "list").stdout
    assert queue_id in listed and "incoming" in listed
    # flush needs qmgr's trigger socket: 69 (unavailable) without qmgr.
    flushed = inst.gmctl("queue", "flush", check=False)
    qmgr_socket = os.path.exists(os.path.join(inst.dir, "run", "qmgr.sock"))
    assert flushed.returncode == (0 if qmgr_socket else 69), flushed
    inst.gmctl("queue", "delete", queue_id)
    assert queue_json() == []
    assert inst.gmctl("queue", "delete", queue_id, check=False).returncode != 0


def starting_empty(test):
    """Each test starts with an empty queue, whatever the one before left."""
    def run():
        inst.gmctl("queue", "delete", "ALL")
        test()
    run.__name__ = test.__name__
    return run


def installed_config_path():
    """The only gm.conf a set-group-ID gm-postdrop accepts (its --help says which)."""
    text = subprocess.run([os.path.join(BIN, "gm-postdrop"), "--help"], capture_output=True,
                          text=True, timeout=30).stdout
    return re.search(r"default (\S+gm\.conf)", text).group(1)


def test_unprivileged_user_through_set_group_id_postdrop():
    """A cron job of an ordinary user: sendmail runs gm-postdrop, installed
    set-group-ID as `cmake --install` does for root, which writes into
    maildrop/ (mode 1730, that group). A set-group-ID gm-postdrop reads only
    the installed gm.conf, so the user's side runs in a private mount
    namespace with this instance's configuration at that path."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"):
        print("  skipped: needs root, unshare(1) and setpriv(1)")
        return
    group, user = "mail", pwd.getpwnam("nobody")
    gid = grp.getgrnam(group).gr_gid
    assert user.pw_gid != gid and user.pw_name not in grp.getgrnam(group).gr_mem
    default_conf = installed_config_path()
    etc = os.path.dirname(os.path.dirname(default_conf))  # /usr/local/etc: a tmpfs over it
    if not os.path.isdir(etc):
        print(f"  skipped: {etc} does not exist to mount over")
        return
    libexec = os.path.join(inst.dir, "libexec")
    os.makedirs(libexec, exist_ok=True)
    postdrop = os.path.join(libexec, "gm-postdrop")
    shutil.copy(os.path.join(BIN, "gm-postdrop"), postdrop)
    os.chown(postdrop, 0, gid)
    maildrop = os.path.join(inst.dir, "spool", "maildrop")
    os.chown(maildrop, -1, gid)
    os.chmod(maildrop, 0o1730)
    for d in (inst.dir, os.path.join(inst.dir, "spool"), os.path.join(inst.dir, "run"), libexec):
        os.chmod(d, 0o711)  # the user may pass through, not list
    conf = os.path.join(inst.dir, "installed.conf")
    with open(inst.conf) as f:
        text = re.sub(r"(?m)^daemon_directory = .*$", f"daemon_directory = {libexec}", f.read())
    with open(conf, "w") as f:
        f.write(text + f"\nsetgid_group = {group}\n")
    os.chmod(conf, 0o644)

    def submit_as_user(mode):
        os.chmod(postdrop, mode)
        script = (f"mount -t tmpfs tmpfs {etc} && mkdir -p {os.path.dirname(default_conf)} && "
                  f"cp {conf} {default_conf} && chmod -R a+rX {etc} && "
                  f"exec setpriv --reuid={user.pw_uid} --regid={user.pw_gid} --clear-groups "
                  f"{SENDMAIL} -oi alice@example.test")
        return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True,
                              input=b"Subject: from cron\n\nhello\n", timeout=60)

    refused = submit_as_user(0o755)  # not set-group-ID: the user may not write maildrop/
    assert refused.returncode != 0 and queue_json() == [], refused
    out = submit_as_user(0o2755)
    assert out.returncode == 0, out.stderr
    m = only_message()
    assert m["queue"] == "maildrop" and m["sender"] == "nobody@example.test", m
    path = os.path.join(maildrop, m["id"])
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (user.pw_uid, gid, 0o444), st
    content = maildrop_content(m["id"])
    assert f"from userid {user.pw_uid}".encode() in content and content.endswith(b"\r\nhello\r\n")
    clear_queue()


def main():
    global inst
    with Instance(port_base=int(os.environ.get("GM_TEST_PORT_BASE", "27100"))) as instance:
        inst = instance
        with open(inst.conf, "a") as conf:
            conf.write("message_size_limit = 1M\n")  # a small limit keeps the test quick
        tests = [test_empty_queue, test_dash_t_from_a_shell_script,
                 test_lone_dot_ends_input_and_recipients_as_arguments,
                 test_errors_have_sysexits_codes, test_long_body_lines_are_broken,
                 test_bs_speaks_smtp, test_gmctl_queue_hold_release_requeue_delete_flush,
                 test_unprivileged_user_through_set_group_id_postdrop]
        run_tests([starting_empty(test) for test in tests])


if __name__ == "__main__":
    main()
