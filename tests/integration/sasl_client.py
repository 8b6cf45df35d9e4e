"""Clients of authd's relay protocol for the integration tests: a line
client for the Unix socket and the client side of PLAIN and SCRAM-SHA-256
(RFC 5802, RFC 7677), written from the RFCs with hashlib and hmac."""

import base64
import hashlib
import hmac
import os
import socket


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode() if data else "="


def unb64(text: str) -> bytes:
    return b"" if text == "=" else base64.b64decode(text, validate=True)


class RelayClient:
    """One connection to authd's relay socket, line by line."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buffer = b""

    def send(self, line: str):
        self.sock.sendall(line.encode() + b"\n")

    def read(self) -> str:
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("authd closed the connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def ask(self, line: str) -> list:
        self.send(line)
        return self.read().split("\t")

    def close(self):
        self.sock.close()


def auth_line(exchange_id, mech, rip, secured, resp=None, service="imap"):
    line = f"AUTH\t{exchange_id}\tmech={mech}\tservice={service}\trip={rip}\tsecured={secured}"
    if resp is not None:
        line += f"\tresp={b64(resp)}"
    return line


def plain(client, exchange_id, user, password, rip, secured=1):
    return client.ask(auth_line(exchange_id, "PLAIN", rip, secured,
                                b"\0" + user.encode() + b"\0" + password.encode()))


class ScramClient:
    """The client side of SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 5802, RFC 7677),
    with channel binding when cb_type is given (the -PLUS mechanisms: gs2
    header "p=<cb_type>,," and c= carrying the header and cb_data)."""

    def __init__(self, user, password, hash_name="sha256", cb_type=None, cb_data=b""):
        self.user = user
        self.password = password.encode()
        self.hash_name = hash_name
        self.gs2_header = (f"p={cb_type},," if cb_type else "n,,").encode()
        self.cb_data = cb_data
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.first_bare = f"n={user},r={self.nonce}"

    def first(self) -> bytes:
        return self.gs2_header + self.first_bare.encode()

    def final(self, server_first: bytes) -> bytes:
        text = server_first.decode()
        fields = dict(item.split("=", 1) for item in text.split(","))
        assert fields["r"].startswith(self.nonce), "server nonce must extend ours"
        salt = base64.b64decode(fields["s"])
        iterations = int(fields["i"])
        h = self.hash_name
        salted = hashlib.pbkdf2_hmac(h, self.password, salt, iterations)
        client_key = hmac.new(salted, b"Client Key", h).digest()
        stored_key = hashlib.new(h, client_key).digest()
        binding = base64.b64encode(self.gs2_header + self.cb_data).decode()
        without_proof = f"c={binding},r=" + fields["r"]
        self.auth_message = f"{self.first_bare},{text},{without_proof}".encode()
        signature = hmac.new(stored_key, self.auth_message, h).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        self.server_key = hmac.new(salted, b"Server Key", h).digest()
        return (without_proof + ",p=" + base64.b64encode(proof).decode()).encode()

    def verify(self, server_final: bytes) -> bool:
        expected = hmac.new(self.server_key, self.auth_message, self.hash_name).digest()
        return server_final.decode() == "v=" + base64.b64encode(expected).decode()


def scram_login(client, exchange_id, user, password, rip="192.0.2.10"):
    """Runs a SCRAM-SHA-256 exchange; returns authd's last reply (fields)."""
    scram = ScramClient(user, password)
    reply = client.ask(auth_line(exchange_id, "SCRAM-SHA-256", rip, 0, scram.first()))
    if reply[0] != "CONT":
        return reply
    reply = client.ask(f"CONT\t{exchange_id}\t{b64(scram.final(unb64(reply[2])))}")
    if reply[0] == "OK":
        data = [f for f in reply if f.startswith("data=")]
        assert data and scram.verify(unb64(data[0][5:])), "server signature must verify"
    return reply
