"""Shared harness for python-fido2 0.9.1 tests against `vfido serve --udp`.

The key runs as a child process that takes 64-byte CTAPHID reports as UDP datagrams on one port
and sends its own reports to another. UdpCtapHidConnection moves the reports; everything above
it is python-fido2's own code (CtapHidDevice: CTAPHID framing, INIT, PING).

run() starts the key, opens a CtapHidDevice on it, hands a Key to the test's checks, and prints
one line per check and "<name>: N passed, M failed"; it returns 1 on any failure. The server is
always killed, also on exceptions and on the overall timeout.
"""

import os
import re
import signal
import socket
import subprocess
import threading
import time

from fido2.ctap import CtapError
from fido2.hid import CAPABILITY, CtapHidDevice
from fido2.hid.base import CtapHidConnection, HidDescriptor

REPORT_SIZE = 64             # CTAP 2.1 §11.2.4: HID reports are 64 bytes, no report ID
OVERALL_TIMEOUT_S = 60
START_TIMEOUT_S = 10
READ_TIMEOUT_S = 5.0
LOOPBACK = "127.0.0.1"


class OverallTimeout(BaseException):
    """Raised from SIGALRM; a BaseException so that no check swallows it."""


class Fatal(Exception):
    """The transport is unusable (timeout, dead server): stop running checks."""


# ---------------------------------------------------------------------------------------------
# Transport: python-fido2 0.9.1's CtapHidConnection over UDP datagrams.
# ---------------------------------------------------------------------------------------------
class UdpCtapHidConnection(CtapHidConnection):
    """One HID report per datagram. read_packet() raises Fatal after READ_TIMEOUT_S."""

    def __init__(self, sock, server_port, timeout=READ_TIMEOUT_S):
        self.sock = sock
        self.server = (LOOPBACK, server_port)
        self.timeout = timeout
        self.sources = set()  # (host, port) pairs the key's reports came from

    def write_packet(self, data):
        if len(data) != REPORT_SIZE:
            raise ValueError("report of %d bytes, expected %d" % (len(data), REPORT_SIZE))
        self.sock.sendto(bytes(data), self.server)

    def read_packet(self):
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Fatal("no CTAPHID report from the key within %.1f s" % self.timeout)
            self.sock.settimeout(remaining)
            try:
                data, addr = self.sock.recvfrom(4096)
            except socket.timeout:
                continue  # the loop head turns this into Fatal
            if addr[0] != LOOPBACK:
                continue  # not from the key under test
            self.sources.add(addr)
            if len(data) != REPORT_SIZE:
                raise Fatal("datagram of %d bytes from the key, expected %d" % (len(data), REPORT_SIZE))
            return data

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------------------------------------
# The server process.
# ---------------------------------------------------------------------------------------------
class Server:
    def __init__(self, binary, udp_port, peer_port, extra_args=()):
        self.udp_port = udp_port
        self.lines = []
        self.err_lines = []
        self.cond = threading.Condition()
        argv = [binary, "serve", "--udp", "--udp-host", LOOPBACK, "--udp-port", str(udp_port),
                "--udp-peer-port", str(peer_port)] + list(extra_args)
        if "--presence" not in extra_args:
            argv += ["--presence", "approve"]
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        for stream, sink in ((self.proc.stdout, self.lines), (self.proc.stderr, self.err_lines)):
            t = threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
            t.start()

    def _pump(self, stream, sink):
        for raw in iter(stream.readline, b""):
            with self.cond:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_line(self, pattern, timeout, start=0):
        """The index of the first stdout line from `start` on that matches `pattern`, or None on
        timeout or early exit."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.lines)):
                    if re.search(pattern, self.lines[i]):
                        return i
                if self.proc.poll() is not None:
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.cond.wait(min(remaining, 0.2))

    def wait_listening(self, timeout):
        """True once a stdout line names the UDP port; False on timeout or early exit."""
        return self.wait_line(r"(?<![0-9])%d(?![0-9])" % self.udp_port, timeout) is not None

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: only this child
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=3)
        return self.proc.returncode


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((LOOPBACK, 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------------------------
# Check bookkeeping.
# ---------------------------------------------------------------------------------------------
class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, fn):
        try:
            detail = fn()
        except Fatal as e:
            self.failed += 1
            print("FAIL %s: %s" % (name, e), flush=True)
            raise
        except OverallTimeout:
            self.failed += 1
            print("FAIL %s: overall timeout" % name, flush=True)
            raise
        except Exception as e:  # one failed check does not stop the others
            self.failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, str(e) or "(no message)"), flush=True)
            return False
        self.passed += 1
        print("ok   %s%s" % (name, (" (%s)" % detail) if detail else ""), flush=True)
        return True


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_ctap_error(code, fn):
    try:
        fn()
    except CtapError as e:
        expect(e.code == code, "expected CtapError %s, got %s" % (code, e.code))
        return
    raise AssertionError("expected CtapError %s, the call succeeded" % code)


# ---------------------------------------------------------------------------------------------
# The harness.
# ---------------------------------------------------------------------------------------------
class Key:
    """What the checks get: the server, the connection and the python-fido2 device."""

    def __init__(self, server, conn, dev):
        self.server = server
        self.conn = conn
        self.dev = dev

    def send_datagram(self, data):
        """A raw datagram to the key's port, beside the CTAPHID traffic."""
        self.conn.sock.sendto(bytes(data), self.conn.server)


def run(argv, name, checks, extra_args=()):
    """`argv` is sys.argv (argv[1]: the vfido binary); `checks(results, key)` runs the test's
    checks. Returns the process exit code."""
    if len(argv) != 2:
        print("usage: %s <path to vfido>" % argv[0])
        return 2
    binary = argv[1]
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("%s: no executable at %s" % (name, binary))
        print("%s: 0 passed, 1 failed" % name)
        return 1

    def on_alarm(_signum, _frame):
        raise OverallTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(OVERALL_TIMEOUT_S)

    results = Results()
    server = None
    dev = None
    try:
        # The peer port is ours and stays bound; the key's port is picked free, then released.
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((LOOPBACK, 0))
        peer_port = sock.getsockname()[1]
        udp_port = free_udp_port()
        while udp_port == peer_port:
            udp_port = free_udp_port()

        server = Server(binary, udp_port, peer_port, extra_args)
        print("server: %s" % " ".join(server.argv), flush=True)

        def started():
            expect(server.wait_listening(START_TIMEOUT_S),
                   "no stdout line naming port %d within %d s (exit=%r, stdout=%r, stderr=%r)" % (
                       udp_port, START_TIMEOUT_S, server.proc.poll(), server.lines[-5:], server.err_lines[-5:]))
            return " | ".join(server.lines)

        if not results.check("server prints its listening line", started):
            raise Fatal("server did not start")

        conn = UdpCtapHidConnection(sock, udp_port)
        descriptor = HidDescriptor("udp:%s:%d" % (LOOPBACK, udp_port), 0, 0, REPORT_SIZE, REPORT_SIZE)

        def init():
            nonlocal dev
            dev = CtapHidDevice(descriptor, conn)  # CTAPHID_INIT on the broadcast channel
            expect(dev.version == 2, "CTAPHID protocol version %r, want 2" % dev.version)  # CTAP 2.1 §11.2.9.1.3
            expect(CAPABILITY.CBOR.supported(dev.capabilities), "CAPABILITY_CBOR not set")
            return "cid=%08x caps=0x%02x device %d.%d.%d" % (
                (dev._channel_id, dev.capabilities) + tuple(dev.device_version))

        if not results.check("CTAPHID_INIT via CtapHidDevice", init):
            raise Fatal("no CTAPHID channel")

        checks(results, Key(server, conn, dev))

        def still_running():
            expect(server.alive(), "server exited with %r" % server.proc.poll())
            return "reports came from %s" % sorted(conn.sources)

        results.check("server still running after the session", still_running)
    except Fatal as e:
        print("aborted: %s" % e, flush=True)
        results.failed += 0 if results.failed else 1
    except OverallTimeout:
        print("aborted: overall timeout of %d s" % OVERALL_TIMEOUT_S, flush=True)
        results.failed += 1
    except Exception as e:
        print("aborted: %s: %s" % (type(e).__name__, e), flush=True)
        results.failed += 1
    finally:
        signal.alarm(0)
        if dev is not None:
            try:
                dev.close()
            except Exception:
                pass
        if server is not None:
            rc = server.stop()
            if results.failed:
                for line in server.lines[-20:]:
                    print("server stdout: %s" % line)
                for line in server.err_lines[-20:]:
                    print("server stderr: %s" % line)
            print("server stopped (exit %r)" % rc, flush=True)

    print("%s: %d passed, %d failed" % (name, results.passed, results.failed), flush=True)
    return 1 if results.failed else 0
