#!/usr/bin/env python3
"""Records Dovecot's FETCH answers for every *.eml here into <name>.dovecot.

Runs a private PREAUTH Dovecot imap process on stdin/stdout (no listener,
no system service), as user nobody, with this /tmp/dovecot-mime/dovecot.conf:
    protocols = imap
    mail_location = maildir:/tmp/dovecot-mime/mail
    base_dir = /tmp/dovecot-mime/run
    state_dir = /tmp/dovecot-mime/state
    log_path = /tmp/dovecot-mime/log
    ssl = no
    passdb { driver = static
             args = password=x }
    userdb { driver = static
             args = home=/tmp/dovecot-mime/home }
and /tmp/dovecot-mime/run.sh:
    exec setpriv --reuid nobody --regid nogroup --clear-groups \\
      env USER=nobody HOME=/tmp/dovecot-mime/home \\
      timeout 20 /usr/lib/dovecot/imap -c /tmp/dovecot-mime/dovecot.conf
Each line of the output is "ITEM<TAB>value" with CR, LF and backslash
escaped as \\r \\n \\\\; tests/unit/mime_corpus_test.cpp compares.
"""
import glob, os, re, shutil, subprocess, sys

ITEMS = ["BODYSTRUCTURE", "BODY", "ENVELOPE", "RFC822.SIZE", "BODY.PEEK[HEADER]",
         "BODY.PEEK[TEXT]", "BODY.PEEK[1]", "BODY.PEEK[1.MIME]", "BODY.PEEK[2]",
         "BODY.PEEK[2.HEADER]", "BODY.PEEK[2.TEXT]", "BODY.PEEK[2.MIME]", "BODY.PEEK[1.1]",
         "BODY.PEEK[2.1]", "BODY.PEEK[2.2]", "BODY.PEEK[2.1.MIME]",
         "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]", "BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT FROM)]",
         "BODY.PEEK[]<5.20>", "BINARY.PEEK[1]", "BINARY.PEEK[2]", "BINARY.SIZE[1]",
         "BINARY.SIZE[2]"]
MAILDIR = "/tmp/dovecot-mime/mail"


def escape(b):
    return b.replace(b"\\", b"\\\\").replace(b"\r", b"\\r").replace(b"\n", b"\\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    names = sorted(glob.glob(os.path.join(here, "*.eml")))
    for sub in ("cur", "new", "tmp"):
        shutil.rmtree(os.path.join(MAILDIR, sub), ignore_errors=True)
        os.makedirs(os.path.join(MAILDIR, sub))
    for f in glob.glob(os.path.join(MAILDIR, "dovecot*")):
        os.remove(f) if os.path.isfile(f) else shutil.rmtree(f)
    for i, name in enumerate(names):
        shutil.copy(name, os.path.join(MAILDIR, "cur", "%d.m%d:2," % (1000 + i, i)))
    subprocess.run(["chown", "-R", "nobody:nogroup", "/tmp/dovecot-mime"], check=True)
    script = b"s SELECT INBOX\r\n"
    for i in range(len(names)):
        for j, item in enumerate(ITEMS):
            script += b"t%d_%d FETCH %d (%s)\r\n" % (i, j, i + 1, item.encode())
    script += b"z LOGOUT\r\n"
    out = subprocess.run(["/tmp/dovecot-mime/run.sh"], input=script, capture_output=True).stdout
    # Dovecot answers pipelined commands in order: the FETCH responses come
    # in command order, then (or between) the tagged results.
    fetches, tagged = [], []
    pos = 0
    while pos < len(out):
        end = out.index(b"\r\n", pos)
        chunks = [out[pos:end]]
        pos = end + 2
        while re.search(rb"\{\d+\}$", chunks[-1]):
            n = int(re.search(rb"\{(\d+)\}$", chunks[-1]).group(1))
            chunks[-1] += b"\r\n" + out[pos:pos + n]
            pos += n
            end = out.index(b"\r\n", pos)
            chunks[-1] += out[pos:end]
            pos = end + 2
        whole = chunks[0]
        m = re.match(rb"\* \d+ FETCH \((.*)\)$", whole, re.S)
        if m:
            value = re.sub(rb" ?FLAGS \([^)]*\) ?", b"", m.group(1))
            if not re.fullmatch(rb"(UID \d+)?", value):  # unsolicited flag updates
                fetches.append(value)
            continue
        m = re.match(rb"t(\d+)_(\d+) (OK|NO|BAD)", whole)
        if m:
            tagged.append((int(m.group(1)), int(m.group(2)), m.group(3)))
    results = {}
    for i, j, status in tagged:
        value = fetches.pop(0) if status == b"OK" else b"ERROR " + status
        results.setdefault(i, []).append((ITEMS[j], value))
    for i, name in enumerate(names):
        with open(name[:-4] + ".dovecot", "wb") as f:
            for item, value in results.get(i, []):
                f.write(item.encode() + b"\t" + escape(value) + b"\n")


if __name__ == "__main__":
    sys.exit(main())
