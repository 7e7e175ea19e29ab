#!/bin/sh
# demo.sh: shows procnet's main job. It opens a loopback listener and a
# connection to it (so there is something to see on an idle machine), then
# asks the sqlite3 shell which process holds which TCP socket.
set -eu
cd "$(dirname "$0")/../.."
/usr/bin/python3 - <<'PY' &
import socket, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen()
cli = socket.create_connection(srv.getsockname()); acc, _ = srv.accept()
time.sleep(3)
PY
demo_pid=$!
sleep 0.5
sqlite3 :memory: -cmd '.load build/procnet' -cmd '.mode box' "
SELECT p.pid, p.name AS process, f.fd, t.state,
       t.local_address || ':' || t.local_port   AS local,
       t.remote_address || ':' || t.remote_port AS remote,
       t.netns
FROM net_tcp AS t
JOIN fds AS f USING (inode)
JOIN processes AS p USING (pid)
ORDER BY p.pid, f.fd;"
kill "$demo_pid" 2>/dev/null || true
wait "$demo_pid" 2>/dev/null || true
