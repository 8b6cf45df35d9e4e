"""A private Dovecot (Debian's dovecot-imapd) for the IMAP benchmark and for
developing the client tests: its own config, state and log under one
directory, a passwd-file with the users, Maildir storage, listening only on
127.0.0.1. No system service is touched. Needs root (Dovecot's master drops
to its own users; mail is accessed as Debian's `mail` user, uid 8).

Settings are Dovecot's defaults except where a private instance needs its
own paths, and the process limits, which are raised to the connection count
asked for: with the defaults (default_process_limit = 100) Dovecot serves at
most 100 IMAP sessions, and an administrator expecting more raises them."""

import grp
import os
import pwd
import shutil
import signal
import subprocess
import time

MAIL_USER = "mail"


def mail_owner():
    return pwd.getpwnam(MAIL_USER).pw_uid, grp.getgrnam(MAIL_USER).gr_gid


def config(dir, imap_port, imaps_port, max_connections):
    uid, gid = mail_owner()
    limit = max(100, max_connections + 50)
    return f"""# Private Dovecot for GoodMessaging's IMAP benchmark (bench/imap/dovecot.py)
instance_name = gm-bench-dovecot-{imap_port}
base_dir = {dir}/run
state_dir = {dir}/state
listen = 127.0.0.1
protocols = imap
log_path = {dir}/dovecot.log
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {dir}/passwd
}}
mail_location = maildir:~/Maildir
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_privileged_group =
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Drafts {{
    special_use = \\Drafts
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
  mailbox Junk {{
    special_use = \\Junk
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
  process_limit = {limit}
}}
service imap {{
  process_limit = {limit}
}}
service anvil {{
  client_limit = {2 * limit + 100}
}}
service auth {{
  client_limit = {2 * limit + 100}
}}
default_client_limit = {limit}
mail_max_userip_connections = {limit}
"""


class Dovecot:
    """dir/ holds dovecot.conf, passwd, cert, run/, state/, home/<user>/Maildir."""

    def __init__(self, dir, imap_port, imaps_port, max_connections=100):
        self.dir, self.imap_port, self.imaps_port = dir, imap_port, imaps_port
        self.conf = os.path.join(dir, "dovecot.conf")
        self.proc = None
        os.makedirs(dir, exist_ok=True)
        # An EC P-256 key like gmctl's self-signed certificates, so TLS
        # handshakes cost both servers the same.
        for sub in ("run", "state", "home"):
            os.makedirs(os.path.join(dir, sub), exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(config(dir, imap_port, imaps_port, max_connections))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", os.path.join(dir, "key.pem"),
                        "-out", os.path.join(dir, "cert.pem")], check=True, capture_output=True)
        self.users = {}

    def home(self, user):
        return os.path.join(self.dir, "home", user)

    def maildir(self, user):
        return os.path.join(self.home(user), "Maildir")

    def add_user(self, user, password):
        """Adds user (a full address) to the passwd-file; returns its Maildir path."""
        uid, gid = mail_owner()
        self.users[user] = password
        os.makedirs(self.home(user), exist_ok=True)
        os.chown(self.home(user), uid, gid)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            for name, pw in self.users.items():
                f.write(f"{name}:{pw}:{uid}:{gid}::{self.home(name)}::\n")
        return self.maildir(user)

    def start(self):
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        import socket
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited {self.proc.returncode}: "
                                   f"{self.proc.stderr.read().decode()}\n{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.imaps_port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not listen within 15 s\n" + self.log_tail())

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def log_tail(self, limit=4000):
        try:
            with open(os.path.join(self.dir, "dovecot.log"), errors="replace") as f:
                return f.read()[-limit:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
