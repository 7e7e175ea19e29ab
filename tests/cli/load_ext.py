#!/usr/bin/python3
"""load_ext.py SO: Debian's Python loads procnet and runs the lsof join.

Run with /usr/bin/python3 (its sqlite3 module can load extensions; the
python3 first on PATH may not). Opens a TCP listener and a connection to it,
loads SO into sqlite3, then asks who holds which TCP socket with
fds JOIN net_tcp JOIN processes, and checks that this process and its three
sockets are found. Prints "ok" and exits 0, or says what is wrong and exits 1.
"""
import os
import socket
import sqlite3
import sys


def main():
    so = sys.argv[1]
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    cli = socket.create_connection(("127.0.0.1", port))
    acc, _ = srv.accept()

    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(os.path.splitext(so)[0] if so.endswith(".so") else so)
    db.enable_load_extension(False)

    rows = db.execute(
        """
        SELECT p.pid, p.name, f.fd, t.state, t.local_port, t.remote_port
        FROM fds AS f
        JOIN net_tcp AS t USING (inode)
        JOIN processes AS p USING (pid)
        WHERE f.pid = ?
        ORDER BY f.fd
        """,
        (os.getpid(),),
    ).fetchall()
    got = {(fd, state, lport, rport) for _, _, fd, state, lport, rport in rows}
    want = {
        (srv.fileno(), "LISTEN", port, 0),
        (cli.fileno(), "ESTABLISHED", cli.getsockname()[1], port),
        (acc.fileno(), "ESTABLISHED", port, cli.getsockname()[1]),
    }
    if not want <= got:
        print("load_ext: missing sockets %r in %r" % (sorted(want - got), rows))
        return 1
    if any(pid != os.getpid() for pid, *_ in rows):
        print("load_ext: rows of another process: %r" % (rows,))
        return 1
    version = db.execute("SELECT procnet_version()").fetchone()[0]
    if not version:
        print("load_ext: procnet_version() is empty")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
