#!/usr/bin/python3
"""Drive a running vfido daemon through its control API with nothing but a socket and json.

    python3 tools/examples/control_api.py [SOCKET] [SECONDS]

Lists the daemon's authenticators, then for SECONDS (default 30) approves every request that
waits for the user, like a person who touches the key each time it asks: run the daemon with
`vfido up --presence api` (or `vfido serve ... --presence api --control SOCKET`). SOCKET defaults
to the control socket of `vfido up`'s default instance.
"""

import json
import os
import socket
import sys
import time


def default_socket(instance="default"):
    """Where `vfido up --instance INSTANCE` listens: next to its pid file."""
    run = os.environ.get("XDG_RUNTIME_DIR")
    if run:
        directory = os.path.join(run, "vfido")
    elif os.geteuid() == 0:
        directory = "/run/vfido"
    else:
        directory = "/tmp/vfido-%d" % os.geteuid()
    return os.path.join(directory, instance + ".ctl")


class ControlError(Exception):
    """The daemon answered with an error: .code ("invalid argument", ...) and the message."""

    def __init__(self, code, message):
        super().__init__("%s: %s" % (code, message))
        self.code = code


class VfidoControl:
    """One connection; call() sends one request line and reads one response line."""

    def __init__(self, path=None, timeout=10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path or default_socket())
        self.stream = self.sock.makefile("rwb")
        self.next_id = 1

    def call(self, method, **params):
        request = {"id": self.next_id, "method": method, "params": params}
        self.next_id += 1
        self.stream.write(json.dumps(request).encode() + b"\n")
        self.stream.flush()
        response = json.loads(self.stream.readline())
        if "error" in response:
            raise ControlError(response["error"]["code"], response["error"]["message"])
        return response["result"]

    def close(self):
        self.stream.close()
        self.sock.close()


def approve_pending(ctl, seconds, poll=0.05):
    """Approves every request that waits for the user during `seconds`; returns them."""
    approved = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for request in ctl.call("getPending")["requests"]:
            ctl.call("answerPending", requestId=request["requestId"], approve=True)
            print("approved: %s %s for %s, user %r" % (request["authenticatorId"], request["description"],
                                                       request["rpId"], request["userName"]), flush=True)
            approved.append(request)
        time.sleep(poll)
    return approved


def main(argv):
    ctl = VfidoControl(argv[1] if len(argv) > 1 else None)
    for key in ctl.call("listAuthenticators")["authenticators"]:
        print("%s: %s (%s), presence %s, %d credential(s)" % (key["authenticatorId"], key["name"], key["aaguid"],
                                                               key["presence"], key["credentials"]))
    approve_pending(ctl, float(argv[2]) if len(argv) > 2 else 30)
    ctl.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
