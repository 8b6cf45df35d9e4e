"""Queue helpers shared by the qmgr integration tests: commit a message with
tests/support/gm_enqueue.cpp, list a queue directory, and wake qmgr."""

import glob
import os
import socket
import subprocess

from gmtest import BIN


def enqueue(inst, sender, recipients, body, *extra):
    """Commits body from sender to recipients; returns the queue id."""
    result = subprocess.run([os.path.join(BIN, "gm-enqueue"), "-c", inst.conf, "-f", sender,
                             *extra, *recipients], input=body.encode(), capture_output=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().strip()


def queue_files(inst, name):
    return [f for f in glob.glob(os.path.join(inst.dir, "spool", name, "*"))
            if not os.path.basename(f).startswith(".")]


def flush(inst):
    # What gmctl queue flush does: one line on the trigger socket.
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.path.join(inst.dir, "run", "qmgr.sock"))
    s.sendall(b"flush\n")
    s.close()
