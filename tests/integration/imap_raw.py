"""A line-level IMAP client for the integration tests: implicit TLS,
logged in with LOGIN; literals (also literal8 ~{n}) in untagged answers
are read whole and kept inline."""

import re
import socket

from gmtest import tls_context


class RawImap:
    def __init__(self, port, user, password):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.s = tls_context().wrap_socket(sock)
        self.buf = b""
        self.n = 0
        self.read_line()  # greeting
        self.command(f'LOGIN "{user}" "{password}"', "OK")

    def send(self, data):
        self.s.sendall(data if isinstance(data, bytes) else data.encode())

    def read_line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def command(self, text, expect=None):
        """Sends 'tag text'; returns (status line, untagged lines)."""
        self.n += 1
        tag = f"r{self.n}"
        self.send(f"{tag} {text}\r\n" if isinstance(text, str) else tag.encode() + b" " + text + b"\r\n")
        return self.read_until(tag, expect)

    def read_until(self, tag, expect=None):
        lines = []
        while True:
            line = self.read_line()
            while line.startswith(b"* ") and (m := re.search(rb"~?\{(\d+)\}$", line)):
                size = int(m.group(1))
                while len(self.buf) < size:
                    self.fill()
                line += b"\r\n" + self.buf[:size]
                self.buf = self.buf[size:]
                line += self.read_line()
            if line.startswith(tag.encode() + b" "):
                status = line.decode(errors="replace")
                if expect is not None:
                    assert status.split()[1] == expect, (status, lines)
                return status, lines
            lines.append(line)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass
