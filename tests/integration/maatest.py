"""Helpers shared by the maa integration tests (test_maa_login.py,
test_pop3.py): an instance with maa and maa-mail running, mail delivered
through the real msa -> qmgr -> mda path, and a raw handoff to maa-mail."""

import glob
import os
import smtplib
import socket

from gmtest import Instance, tls_context, wait_for

DOMAIN = "example.test"
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
PASSWORD = "correct horse battery"


def start_instance(port_base, extra_conf=""):
    inst = Instance(port_base)
    if extra_conf:
        with open(inst.conf, "a") as conf:
            conf.write(extra_conf)
    inst.add_user(ALICE, PASSWORD)
    inst.add_user(BOB, PASSWORD)
    inst.start()
    for name in ("authd", "msa", "qmgr", "mda", "maa-mail", "maa"):
        inst.wait_running(name)
    return inst


def maildir(inst, user):
    return os.path.join(inst.dir, "mail", DOMAIN, user)


def submit(inst, recipient, subject, body):
    """Sends a message from alice through msa (587, STARTTLS, AUTH) and
    waits until mda has put it into the recipient's Maildir."""
    message = (f"From: {ALICE}\r\nTo: {recipient}\r\nSubject: {subject}\r\n\r\n{body}")
    with smtplib.SMTP("127.0.0.1", inst.port_base + 587, timeout=30) as smtp:
        smtp.starttls(context=tls_context())
        smtp.login(ALICE, PASSWORD)
        smtp.sendmail(ALICE, [recipient], message)
    user = recipient.split("@")[0]

    def delivered():
        # An IMAP session may already have moved the file from new/ to cur/.
        for path in glob.glob(os.path.join(maildir(inst, user), "[nc][eu][wr]", "*")):
            try:
                if subject.encode() in open(path, "rb").read():
                    return path
            except OSError:  # renamed (flags) meanwhile
                pass
        return None
    return wait_for(delivered, 30, what=f"delivery of {subject}")


def mail_socket(inst):
    return os.path.join(inst.dir, "run", "maa-mail.sock")


def raw_handoff(inst, line):
    """Connects to maa-mail as maa would, sends one handoff line and returns
    what maa-mail answers before it closes or goes quiet (1 s)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(mail_socket(inst))
        s.sendall(line.encode() + b"\r\n")
        s.settimeout(1)
        data = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    return data, True
                data += chunk
        except socket.timeout:
            return data, False
