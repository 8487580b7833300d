#!/usr/bin/env python3
"""bench/agent.py ADDR PORT: the online VM's side of the two-VM benchmark.

The peer VM (bench/peer.sh) drives every measurement; the online VM only
runs what it is told. This agent listens on ADDR:PORT and, for each line it
receives, runs that line with bash (in the online VM, with bench/online.sh's
functions loaded by the line itself) and answers with the command's output
followed by a line "@@RC <exit status>". The line "@@QUIT" answers
"@@RC 0" and ends the agent (and with it the online VM's script).

Idle, it sleeps in accept() or recv(): it costs the online VM nothing
between commands, and the commands run between measurements (a /proc/stat
snapshot is one short read).
"""
import socket
import subprocess
import sys


def serve(conn):
    """Run the commands of one connection; True when told to quit."""
    with conn, conn.makefile("rwb") as f:
        for raw in f:
            cmd = raw.decode(errors="replace").rstrip("\n")
            if cmd == "@@QUIT":
                f.write(b"@@RC 0\n")
                f.flush()
                return True
            p = subprocess.run(["bash", "-c", cmd], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               check=False)
            out = p.stdout
            if out and not out.endswith(b"\n"):
                out += b"\n"
            f.write(out + b"@@RC %d\n" % p.returncode)
            f.flush()
    return False


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench/agent.py ADDR PORT")
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((sys.argv[1], int(sys.argv[2])))
    srv.listen(4)
    print("agent: listening on %s:%s" % (sys.argv[1], sys.argv[2]), flush=True)
    while True:
        conn, _ = srv.accept()
        if serve(conn):
            return


if __name__ == "__main__":
    main()
