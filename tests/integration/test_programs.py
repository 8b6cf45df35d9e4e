"""Every program answers --version and --help, and `cmake --install` lays
files out as a distribution package would (sbin, libexec/goodmessaging,
etc/goodmessaging, man pages)."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gmtest import BIN, run_tests  # noqa: E402

PROGRAMS = ["gm-master", "gmctl", "authd", "sendmail", "mailq", "gm-postdrop", "qmgr", "mda", "msa",
            "mta"]
BUILD_DIR = os.path.dirname(os.path.abspath(BIN))


def test_every_program_answers_version_and_help():
    for program in PROGRAMS:
        version = subprocess.run([os.path.join(BIN, program), "--version"],
                                 capture_output=True, text=True, timeout=10)
        assert version.returncode == 0 and "GoodMessaging" in version.stdout, program
        helped = subprocess.run([os.path.join(BIN, program), "--help"],
                                capture_output=True, text=True, timeout=10)
        assert helped.returncode == 0 and "Usage:" in helped.stdout, program


def test_install_layout():
    with tempfile.TemporaryDirectory(prefix="gm-install-") as prefix:
        subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix],
                       check=True, capture_output=True, timeout=120)
        expected = ["sbin/gm-master", "sbin/gmctl", "libexec/goodmessaging/authd",
                    "etc/goodmessaging/gm.conf", "etc/goodmessaging/services.conf",
                    "share/man/man1/gmctl.1", "share/man/man5/gm.conf.5",
                    "share/man/man5/services.conf.5", "share/man/man8/gm-master.8",
                    "share/man/man8/authd.8", "sbin/sendmail", "sbin/mailq",
                    "libexec/goodmessaging/gm-postdrop", "share/man/man1/sendmail.1",
                    "share/man/man1/mailq.1", "share/man/man8/gm-postdrop.8",
                    "libexec/goodmessaging/qmgr", "libexec/goodmessaging/mda",
                    "share/man/man8/qmgr.8", "share/man/man8/mda.8", "libexec/goodmessaging/msa",
                    "libexec/goodmessaging/mta", "share/man/man8/msa.8", "share/man/man8/mta.8"]
        for path in expected:
            assert os.path.exists(os.path.join(prefix, path)), path
        man_root = os.path.join(prefix, "share/man")
        pages = [os.path.join(d, f) for d in os.listdir(man_root)
                 for f in os.listdir(os.path.join(man_root, d))]
        for page in pages if shutil.which("man") else ():  # man-db renders them when present
            rendered = subprocess.run(["man", "-l", "-P", "cat", os.path.join(prefix, "share/man", page)],
                                      capture_output=True, text=True, timeout=30,
                                      env=dict(os.environ, MANWIDTH="80"))
            assert rendered.returncode == 0 and "NAME" in rendered.stdout, page
            assert "warning" not in rendered.stderr.lower(), (page, rendered.stderr)


if __name__ == "__main__":
    run_tests([test_every_program_answers_version_and_help, test_install_layout])
