"""bench/imap/run --correctness: sends conformance.script to each server,
normalises what may differ without meaning anything (tags, human-readable
response text, UIDVALIDITY and MODSEQ values, capability and flag order,
\Recent in FLAGS, the place of UID among FETCH items, ID values, the order
of untagged responses within one command) and lists, command by
command, the answers only one server gave. The list is for review against
the RFCs: a difference is not by itself a bug on either side."""

import datetime
import os
import re
import socket
import ssl

import corpus

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "conformance.script")
USER = "check@example.test"
MESSAGES = 250  # enough for every corpus marker (subjects, bodies, charsets, MIME kinds)
APPENDED = (b"From: Check <check@example.org>\r\nTo: check@example.test\r\n"
            b"Subject: appended\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            b"Message-ID: <appended@example.org>\r\n\r\nappended body\r\n")
TIMEOUT = 30


class Session:
    """A plain IMAP client over implicit TLS that keeps every response verbatim."""

    def __init__(self, port):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock = context.wrap_socket(raw)
        self.buffer = b""
        self.next_tag = 0

    def _line(self):
        while b"\r\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buffer) < n:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self.buffer += data
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def response(self):
        """One response with its literals inline as {n}<bytes>."""
        text = b""
        while True:
            line = self._line()
            text += line
            m = re.search(rb"\{(\d+)\+?\}$", line)
            if not m:
                return text.decode("utf-8", "replace")
            text += b"\n" + self._exact(int(m.group(1)))

    def command(self, text, literal=None):
        """Sends one command; returns the list of responses up to its tagged one."""
        self.next_tag += 1
        tag = f"c{self.next_tag}"
        out = []
        if literal is None:
            self.sock.sendall(f"{tag} {text}\r\n".encode())
        else:
            self.sock.sendall(f"{tag} {text}{{{len(literal)}}}\r\n".encode())
            while True:
                r = self.response()
                if r.startswith("+"):
                    self.sock.sendall(literal + b"\r\n")
                    break
                out.append(r)
                if r.startswith(tag + " "):
                    return out
        while True:
            r = self.response()
            out.append(r)
            if r.startswith(tag + " ") or r.startswith("* BYE"):
                return out


def normalise(response):
    r = re.sub(r"^c\d+ ", "TAG ", response)
    r = re.sub(r"\b(UIDVALIDITY|APPENDUID|COPYUID) \d+", r"\1 <uidvalidity>", r)
    r = re.sub(r"\b(HIGHESTMODSEQ|NOMODSEQ) \d+", r"\1 <modseq>", r)
    r = re.sub(r"MODSEQ \(\d+\)", "MODSEQ (<modseq>)", r)
    m = re.match(r"^(TAG|\*) (OK|NO|BAD|BYE|PREAUTH)( \[[^\]]*\])?", r)
    if m:  # keep status and response code, drop the human-readable text
        r = m.group(0)
    r = re.sub(r"CAPABILITY ([^\]]*)", lambda c: "CAPABILITY " + " ".join(sorted(c.group(1).split())), r)
    # Flag order carries no meaning; \Recent (gone in IMAP4rev2) would flood
    # every FETCH, so it is compared only in the "* n RECENT" counts.
    r = re.sub(r"FLAGS \(([^)]*)\)", lambda f: "FLAGS (" + " ".join(
        sorted(x for x in f.group(1).split() if x != "\\Recent")) + ")", r)
    # FETCH data items come in any order (RFC 9051 7.5.2); UID is the one that moves.
    m = re.match(r"^(\* \d+ FETCH \()(.*)( UID \d+)(.*)$", r)
    if m:
        r = m.group(1) + m.group(3)[1:] + " " + m.group(2) + m.group(4)
    if r.startswith("* ID "):
        r = "* ID <server identification>"
    return r


def raw(response, limit=400):
    """A response as sent, tag replaced, long literals cut, for reading."""
    r = re.sub(r"^c\d+ ", "TAG ", response).replace("\r\n", "\\r\\n").replace("\n", "\\n")
    return r if len(r) <= limit else r[:limit] + f"... ({len(r)} characters)"


def transcript(port, password):
    session = Session(port)
    greeting = session.response()
    answers = [("<greeting>", [greeting])]
    answers.append(("LOGIN", session.command(f'LOGIN "{USER}" "{password}"')))
    with open(SCRIPT) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if "{MSG}" in line:
                answers.append((line, session.command(line.replace("{MSG}", ""), APPENDED)))
            else:
                answers.append((line, session.command(line)))
    answers.append(("LOGOUT", session.command("LOGOUT")))
    return answers


def compare(sides, work, password):
    """Runs the script against every side; writes and prints the differences."""
    small = os.path.join(work, "conformance-corpus")
    corpus.build(small, MESSAGES)
    results = {}
    for name, side in sides.items():
        side.add_check_user(USER, password, small)
        side.start()
        try:
            results[name] = transcript(side.imaps_port, password)
        finally:
            side.stop()
    today = datetime.date.today().isoformat()
    if len(results) < 2:
        name, answers = next(iter(results.items()))
        out = os.path.join(HERE, f"conformance-{name}-{today}.txt")
        with open(out, "w") as f:
            f.write(f"Only {name} ran: its answers to conformance.script (tags replaced).\n")
            for command, responses in answers:
                f.write(f"\n> {command}\n" + "".join(f"  {raw(r)}\n" for r in responses))
        print(f"one server only; transcript in {out}")
        return 0
    out = os.path.join(HERE, f"conformance-{today}.txt")
    with open(out, "w") as f:
        (a_name, a), (b_name, b) = list(results.items())[:2]
        differing = 0
        for (command, a_resp), (_, b_resp) in zip(a, b):
            a_norm = sorted(normalise(r) for r in a_resp)
            b_norm = sorted(normalise(r) for r in b_resp)
            only_a = [r for r in a_norm if r not in b_norm]
            only_b = [r for r in b_norm if r not in a_norm]
            if not only_a and not only_b:
                continue
            differing += 1
            f.write(f"\n> {command}\n")
            f.writelines(f"  only {a_name}: {r}\n" for r in only_a)
            f.writelines(f"  only {b_name}: {r}\n" for r in only_b)
            f.writelines(f"    {a_name} said: {raw(r)}\n" for r in a_resp)
            f.writelines(f"    {b_name} said: {raw(r)}\n" for r in b_resp)
        summary = f"{differing} of {len(a)} commands answered differently ({a_name} vs {b_name})"
        f.write(f"\n{summary}\n")
    print(f"{summary}; details in {out}")
    return 0
