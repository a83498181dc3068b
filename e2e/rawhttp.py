#!/usr/bin/env python3
"""Raw-socket HTTP/1.1 client for e2e/security-http.sh: sends exactly the
bytes given (request smuggling shapes, broken bodies, slow heads and
bodies) and reports what came back, one line: the status codes of every
response read, and whether the server closed the connection.

  rawhttp.py send HOST:PORT HEX [--half-close]   bytes, then read to EOF
  rawhttp.py slowhead HOST:PORT                  half a head, wait for close
  rawhttp.py slowbody HOST:PORT PATH             1 byte / 0.5 s body
  rawhttp.py hold HOST:PORT N SECONDS            N idle connections, held

Every wait is bounded (SAFETY seconds); output "timeout" means the server
did not act within it.
"""
import re
import socket
import sys
import time

SAFETY = 20.0


def connect(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=SAFETY)
    s.settimeout(SAFETY)
    return s


def read_all(s):
    """Reads until the server closes; returns (bytes, closed)."""
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
    except ConnectionResetError:
        return data, True


def report(data, closed):
    codes = re.findall(rb"^HTTP/1\.[01] (\d{3})", data, re.M)
    print(" ".join(c.decode() for c in codes) or "none", "closed" if closed else "open")


def main():
    mode, addr = sys.argv[1], sys.argv[2]
    if mode == "send":
        s = connect(addr)
        s.sendall(bytes.fromhex(sys.argv[3]))
        if "--half-close" in sys.argv:
            s.shutdown(socket.SHUT_WR)
        report(*read_all(s))
    elif mode == "slowhead":
        s = connect(addr)
        s.sendall(b"GET /_stagecoach/health HTTP/1.1\r\nHo")
        report(*read_all(s))
    elif mode == "slowbody":
        s = connect(addr)
        s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Content-Length: 100\r\n\r\n" % sys.argv[3]).encode())
        s.settimeout(0.5)
        data = b""
        deadline = time.time() + SAFETY
        while time.time() < deadline:
            try:
                s.sendall(b"x")
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            except socket.timeout:
                continue
        s.settimeout(SAFETY)
        rest, closed = read_all(s)
        report(data + rest, closed or time.time() < deadline)
    elif mode == "hold":
        n, secs = int(sys.argv[3]), float(sys.argv[4])
        conns = []
        for _ in range(n):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect_ex(tuple([addr.rsplit(":", 1)[0], int(addr.rsplit(":", 1)[1])]))
            except OSError:
                pass
            conns.append(c)
        print("holding", len(conns), flush=True)
        time.sleep(secs)
        for c in conns:
            c.close()
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
