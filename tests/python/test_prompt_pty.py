#!/usr/bin/python3
"""The prompt presence mode end to end: `vfido serve --udp --presence prompt` runs on a
pseudo-terminal (its controlling terminal, as in a shell), python-fido2 0.9.1 talks CTAP to it,
and this test is the person at the terminal: it reads the question and types the answer.

Usage: /usr/bin/python3 tests/python/test_prompt_pty.py <path to vfido>

Checks: makeCredential shows "make credential for <rp>, user <name> - allow? [y/n]", asks again
after a wrong answer and completes after "y"; getAssertion answered "n" ends in
CTAP2_ERR_OPERATION_DENIED; a request python-fido2 cancels (CTAPHID_CANCEL) ends in
CTAP2_ERR_KEEPALIVE_CANCEL and is taken off the terminal ("request withdrawn").
"""

import hashlib
import os
import pty
import select
import signal
import socket
import sys
import threading
import time

from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.hid import CtapHidDevice
from fido2.hid.base import HidDescriptor

from vfido_udp import LOOPBACK, REPORT_SIZE, UdpCtapHidConnection, free_udp_port

RP = {"id": "pty.example", "name": "PTY RP"}
CDH = hashlib.sha256(b"typed answers").digest()


class Terminal:
    """What the daemon wrote on its terminal, read on a thread."""

    def __init__(self, master):
        self.master = master
        self.text = ""
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.5)
                if not ready:
                    continue
                data = os.read(self.master, 4096)
            except OSError:
                data = b""
            with self.cond:
                if not data:
                    self.cond.notify_all()
                    return
                self.text += data.decode("utf-8", "replace")
                self.cond.notify_all()

    def wait_for(self, needle, start, timeout=10):
        """The position after the first `needle` at or after `start`; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                i = self.text.find(needle, start)
                if i >= 0:
                    return i + len(needle)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("%r did not appear; the terminal shows %r" % (needle, self.text[-400:]))
                self.cond.wait(remaining)

    def type(self, text):
        os.write(self.master, text.encode())


def in_thread(fn):
    out = {}

    def body():
        try:
            out["result"] = fn()
        except Exception as e:
            out["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()

    def join():
        t.join(15)
        assert not t.is_alive(), "the CTAP request did not finish"
        return out.get("result"), out.get("error")

    return join


def main(argv):
    if len(argv) != 2:
        print("usage: %s <path to vfido>" % argv[0])
        return 2
    binary = argv[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((LOOPBACK, 0))
    peer_port = sock.getsockname()[1]
    port = free_udp_port()
    pid, master = pty.fork()  # the child: a new session whose controlling terminal is the pty
    if pid == 0:
        os.execv(binary, [binary, "serve", "--udp", "--udp-host", LOOPBACK, "--udp-port", str(port),
                          "--udp-peer-port", str(peer_port), "--presence", "prompt"])
    passed = failed = 0
    term = Terminal(master)
    try:
        pos = term.wait_for("listening on udp %s:%d" % (LOOPBACK, port), 0)
        dev = CtapHidDevice(HidDescriptor("udp", 0, 0, REPORT_SIZE, REPORT_SIZE), UdpCtapHidConnection(sock, port))
        ctap = Ctap2(dev)
        state = {}

        def make_credential():
            user = {"id": b"tty-user", "name": "tty", "displayName": "TTY"}
            join = in_thread(lambda: ctap.make_credential(CDH, RP, user, [{"type": "public-key", "alg": -7}]))
            p = term.wait_for('key k1 asks: make credential for pty.example, user "tty" - allow? [y/n]', pos)
            term.type("perhaps\n")
            p = term.wait_for("answer y or n", p)
            term.type("y\n")
            att, error = join()
            assert error is None, "makeCredential failed: %r" % error
            state["id"] = att.auth_data.credential_data.credential_id
            return term.wait_for("vfido: approved", p)

        def denied():
            allow = [{"type": "public-key", "id": state["id"]}]
            join = in_thread(lambda: ctap.get_assertion(RP["id"], CDH, allow))
            p = term.wait_for("key k1 asks: sign in for pty.example - allow? [y/n]", pos)
            term.type("n\n")
            _, error = join()
            assert isinstance(error, CtapError) and error.code == CtapError.ERR.OPERATION_DENIED, "got %r" % error
            return term.wait_for("vfido: denied", p)

        def cancelled():
            cancel = threading.Event()
            allow = [{"type": "public-key", "id": state["id"]}]
            join = in_thread(lambda: ctap.get_assertion(RP["id"], CDH, allow, event=cancel))
            p = term.wait_for("key k1 asks: sign in for pty.example", pos)
            cancel.set()  # python-fido2 sends CTAPHID_CANCEL
            _, error = join()
            assert isinstance(error, CtapError) and error.code == CtapError.ERR.KEEPALIVE_CANCEL, "got %r" % error
            return term.wait_for("request withdrawn", p)

        for name, fn in (("a makeCredential is asked on the terminal and approved with y", make_credential),
                         ("a getAssertion answered n is denied", denied),
                         ("a cancelled request leaves the terminal", cancelled)):
            try:
                pos = fn()
                passed += 1
                print("ok   %s" % name, flush=True)
            except Exception as e:
                failed += 1
                print("FAIL %s: %s" % (name, e), flush=True)
    except Exception as e:
        failed += 1
        print("aborted: %s" % e, flush=True)
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
        os.close(master)
        sock.close()
    print("python prompt pty: %d passed, %d failed (vfido exited %d)" % (passed, failed, os.waitstatus_to_exitcode(status)))
    return 1 if failed else 0


if __name__ == "__main__":
    signal.alarm(60)
    sys.exit(main(sys.argv))
