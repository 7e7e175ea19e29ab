-- views.sql: lsof, ss and netstat look-alikes built only from procnet's tables.
--
--   .load build/procnet
--   .read sql/views.sql          (or: SELECT procnet_create_views();)
--   SELECT * FROM lsof WHERE pid = 1234;
--   SELECT * FROM ss WHERE netid = 'tcp' AND state = 'LISTEN';
--
-- This file is compiled into the extension (procnet_create_views() runs it
-- and returns how many views it made), so it holds nothing but temporary
-- view definitions ("IF NOT EXISTS", so reading it twice is harmless) and
-- comments. TEMP views may use the DIRECTONLY tables; views stored in a
-- database file may not.
--
-- Unlike the real tools, every view covers every network namespace: sockets
-- of a container are resolved (lsof -p prints them only as "sock ...
-- protocol: TCP", ss and netstat do not see them). The socket views have a
-- `netns` column; `WHERE netns = procnet_netns()` keeps what ss and netstat
-- would print. The differences from the real tools, and why, are listed in
-- doc/views.md.
--
-- Who holds which socket: the table socket_holders, one row per held
-- socket (how many descriptors hold it and the first of them), answered
-- from the descriptor index fds builds: every descriptor is read once per
-- statement, and a lookup by inode is a binary search. The socket views
-- scan `sockets` once and look each socket's holder up as they go, then
-- its process (the processes cursor keeps what it has read); the plans are
-- asserted in tests/sql/test_views_extra.c. The reports join the helper
-- procnet_socket_holders.
-- Sockets that no process holds (TIME-WAIT, kernel sockets, other users'
-- processes) get NULL holder columns.
--
-- Views:
--   procnet_socket_holders  helper: who holds each socket, as each tool lists it
--   lsof_tasks              lsof -n -P +c0 (a row per thread's file too)
--   lsof, lsof_i, lsof_u    lsof -n -P +c0 -K i, lsof -i -n -P +c0, lsof -U +c0
--   lsof_endpoints          lsof +E's ends: who is at the other end of each
--                           pipe, pty, eventfd, unix and TCP/UDP socket
--   lsof_e                  lsof -E -n -P +c0 -K i (lsof with the ends in NAME)
--   ss                      ss -anp (tcp, udp, raw, unix, packet, netlink)
--   procnet_ss_sockets      helper: ss -an, the same rows without holders
--   netstat                 netstat -tuwnap (tcp, udp, udplite, raw)
--   listening               one row per listening socket (TCP and UDP)

-- Every socket inode held by a process, with the holder netstat names
-- (first_*: lowest pid, the first one /proc lists, then lowest fd) and its
-- argv[0] (blanks kept). Descriptors whose link may not be read (fds.error)
-- have no type and no inode: they hold nothing here, as the tools cannot
-- tell what they are either. A holder that exits before its process is
-- read drops its socket from here.
CREATE TEMP VIEW IF NOT EXISTS procnet_socket_holders(
  inode, holders, first_pid, first_fd, first_name, first_cmdline, first_argv0) AS
SELECT sh.inode, sh.holders, p.pid, sh.fd, p.name, p.cmdline, p.argv0
FROM socket_holders sh CROSS JOIN processes p ON p.pid = sh.pid;

-- lsof -n -P +c0 with its task rows, as plain lsof prints them: one row per
-- file of every process, in lsof's order (cwd, rtd, txt, mapped files,
-- then descriptors), each process's rows followed by those of each of its
-- threads (tid and taskcmd set: lsof's TID and TASKCMD). A thread's rows
-- are its process's again unless it has descriptors or directories of its
-- own: the tables list them without reading them twice (tasks = 1).
-- COMMAND is the whole command name (lsof cuts it to 9 characters without
-- +c0). Columns lsof leaves empty are NULL. A link we may not read is
-- printed as lsof does: TYPE unknown, NAME the link and the error, and for
-- a descriptor its number without a mode letter; a process whose fd
-- directory may not be read has one NOFD row.
-- Beside lsof's columns, typed ones for filters that compare values
-- (ports as integers, not the NAME text): ppid, pgid, uid (the effective
-- uid USER names), fdnum (the descriptor's number, NULL for cwd, rtd, txt,
-- mem), ftype (fds.type: socket, pipe, file, ...), dev_major, dev_minor and
-- inode of the file (a socket's inode for sockets), path (a file's path,
-- without " (deleted)"), and for sockets kind (tcp, udp, unix, ...),
-- family, local_address, local_port, remote_address, remote_port, state
-- (the kernel's names, which lsof's -s uses) and netns.
-- The three arms (directories and executable; mapped files; descriptors)
-- each come ordered from their table, which SQLite merges without a sort:
-- rows stream out as they are read.
CREATE TEMP VIEW IF NOT EXISTS lsof_tasks(
  command, pid, tid, taskcmd, user, fd, type, device, size_off, node, name,
  ppid, pgid, uid, fdnum, ftype, dev_major, dev_minor, inode, path,
  kind, family, local_address, local_port, remote_address, remote_port,
  state, netns) AS
-- A descriptor's socket is looked up in `sockets` by inode: one binary
-- search in an index of every namespace's sockets that the table builds
-- once per statement, so that only the sockets listed are made into
-- lsof's TYPE, DEVICE, NODE and NAME.
WITH
-- USER: the first name of each uid in the passwd file
lsof_users AS MATERIALIZED (SELECT uid, name, min(rowid) FROM users GROUP BY uid)
SELECT command, pid, tid, taskcmd, user, fd, type, device, size_off, node,
       name, ppid, pgid, uid, fdnum, ftype, dev_major, dev_minor, inode, path,
       kind, family, local_address, local_port, remote_address, remote_port,
       state, netns FROM (
  -- cwd, rtd, txt: the links of /proc/PID (of /proc/PID/task/TID for a
  -- thread), from process_files (readlink and stat of each link). A link
  -- we may not read is TYPE unknown with the link and the error as NAME; a
  -- kernel thread has no executable, and lsof names the link alone.
  SELECT f.pid AS pid, f.tid AS tid, 0 AS k1, f.kind AS k2, p.name AS command,
         f.taskcmd AS taskcmd, coalesce(un.name, CAST(p.euid AS TEXT)) AS user,
         f.kind || coalesce('-' || f.lock, '') AS fd,
         CASE WHEN f.error IS NOT NULL THEN 'unknown'
              ELSE coalesce(procnet_lsof_type(f.type), 'unknown') END AS type,
         f.dev_major || ',' || f.dev_minor AS device,
         CAST(f.size AS TEXT) AS size_off,
         CAST(f.inode AS TEXT) AS node,
         CASE WHEN f.error IS NULL
                THEN f.path || CASE WHEN f.deleted THEN ' (deleted)' ELSE '' END
              ELSE '/proc/' || f.pid || coalesce('/task/' || f.tid, '') || '/'
                   || CASE f.kind WHEN 'rtd' THEN 'root' WHEN 'txt' THEN 'exe'
                                  ELSE 'cwd' END
                   || CASE WHEN f.error = 'no such file or directory' AND p.euid = 0
                             THEN ''
                           ELSE ' (readlink: ' || upper(substr(f.error, 1, 1))
                                || substr(f.error, 2) || ')' END
         END AS name,
         p.ppid AS ppid, p.pgrp AS pgid, p.euid AS uid, NULL AS fdnum,
         f.type AS ftype, f.dev_major AS dev_major, f.dev_minor AS dev_minor,
         f.inode AS inode, f.path AS path, NULL AS kind, NULL AS family,
         NULL AS local_address, NULL AS local_port, NULL AS remote_address,
         NULL AS remote_port, NULL AS state, NULL AS netns
  FROM process_files f
  CROSS JOIN processes p ON p.pid = f.pid
  LEFT JOIN lsof_users un ON un.uid = p.euid
  WHERE f.tasks = 1 AND (p.state IS NOT 'Z' OR f.tid IS NOT NULL)

  UNION ALL
  -- mem / DEL: each mapped file once (its first mapping), the executable
  -- excepted. A file the kernel marks deleted is DEL, without a size, as
  -- lsof, which cannot stat it by its path, prints it; a stat that failed
  -- is noted after the name as lsof notes it.
  SELECT m.pid, m.tid, 3, m.rowid, p.name, m.taskcmd,
         coalesce(un.name, CAST(p.euid AS TEXT)),
         CASE WHEN m.deleted THEN 'DEL' ELSE 'mem' END || coalesce('-' || m.lock, ''),
         CASE WHEN m.deleted THEN 'REG'
              ELSE coalesce(procnet_lsof_type(m.file_type), 'REG') END,
         CASE WHEN m.file_rdev_major IS NOT NULL AND NOT m.deleted
                THEN m.file_rdev_major || ',' || m.file_rdev_minor
              ELSE m.dev_major || ',' || m.dev_minor END,
         CASE WHEN m.deleted THEN NULL ELSE CAST(m.file_size AS TEXT) END,
         CAST(m.inode AS TEXT),
         CASE WHEN m.deleted THEN substr(m.path, 1, length(m.path) - 10)
              ELSE m.path || coalesce(' (' || m.file_error || ')', '') END,
         p.ppid, p.pgrp, p.euid, NULL, 'file', m.dev_major, m.dev_minor,
         m.inode,
         CASE WHEN m.deleted THEN substr(m.path, 1, length(m.path) - 10)
              ELSE m.path END,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM process_maps m
  CROSS JOIN processes p ON p.pid = m.pid
  LEFT JOIN lsof_users un ON un.uid = p.euid
  WHERE m.tasks = 1 AND m.first_mapping AND NOT m.exe
    AND (p.state IS NOT 'Z' OR m.tid IS NOT NULL)

  UNION ALL
  -- numbered descriptors: each column one CASE on the descriptor's type
  SELECT f.pid, f.tid, 4, f.fd, p.name, f.taskcmd,
         coalesce(un.name, CAST(p.euid AS TEXT)),
         CASE WHEN f.fd IS NULL THEN 'NOFD'
              -- an unreadable link: lsof gives no mode letter
              WHEN f.error IS NOT NULL THEN CAST(f.fd AS TEXT)
              -- lsof's letter: r or w when the link grants only that, u
              -- otherwise (both, or neither as for O_PATH); then the lock
              ELSE f.fd || CASE f.mode WHEN 'r' THEN 'r' WHEN 'w' THEN 'w' ELSE 'u' END
                   || coalesce(f.lock, '') END,
         -- TYPE
         CASE WHEN f.fd IS NULL THEN NULL WHEN f.error IS NOT NULL THEN 'unknown'
              WHEN f.type = 'socket' THEN procnet_lsof_sock_type(s.kind, s.family)
              ELSE coalesce(procnet_lsof_type(f.type), 'unknown') END,
         -- DEVICE: an Internet or packet socket's inode, a unix socket's
         -- kernel address as /proc/net/unix prints it (Num)
         CASE WHEN f.error IS NOT NULL THEN NULL ELSE
           CASE f.type
             WHEN 'socket' THEN
               CASE procnet_lsof_sock_type(s.kind, s.family)
                 WHEN 'sock' THEN f.dev_major || ',' || f.dev_minor
                 WHEN 'IPv4' THEN CAST(s.inode AS TEXT)
                 WHEN 'IPv6' THEN CAST(s.inode AS TEXT)
                 WHEN 'pack' THEN CAST(s.inode AS TEXT)
                 WHEN 'unix' THEN '0x' || s.address END
             WHEN 'char' THEN f.rdev_major || ',' || f.rdev_minor
             WHEN 'block' THEN f.rdev_major || ',' || f.rdev_minor
             ELSE f.dev_major || ',' || f.dev_minor END END,
         -- SIZE/OFF: size for files and directories, offset (0t...) for
         -- devices, pipes and sockets, 0 for anonymous inodes
         CASE WHEN f.error IS NOT NULL THEN NULL ELSE
           CASE f.type
             WHEN 'socket' THEN '0t0' WHEN 'pipe' THEN '0t0'
             WHEN 'anon_inode' THEN '0' WHEN 'pidfd' THEN '0' WHEN 'net' THEN '0'
             WHEN 'char' THEN CASE WHEN f.pos < 100000000 THEN '0t' || f.pos
                                   ELSE printf('0x%x', f.pos) END
             WHEN 'block' THEN CASE WHEN f.pos < 100000000 THEN '0t' || f.pos
                                    ELSE printf('0x%x', f.pos) END
             WHEN 'fifo' THEN CASE WHEN f.pos < 100000000 THEN '0t' || f.pos
                                   ELSE printf('0x%x', f.pos) END
             WHEN 'socket_file' THEN CASE WHEN f.pos < 100000000 THEN '0t' || f.pos
                                          ELSE printf('0x%x', f.pos) END
             ELSE CAST(f.size AS TEXT) END END,
         -- NODE: an Internet socket's protocol (TCP, UDP), a packet
         -- socket's ethertype
         CASE WHEN f.error IS NOT NULL THEN NULL
              WHEN f.type = 'socket' THEN
                CASE procnet_lsof_sock_type(s.kind, s.family)
                  WHEN 'IPv4' THEN upper(s.kind) WHEN 'IPv6' THEN upper(s.kind)
                  WHEN 'pack' THEN procnet_lsof_ethertype(s.protocol)
                  ELSE CAST(f.inode AS TEXT) END
              ELSE CAST(f.inode AS TEXT) END,
         -- NAME
         CASE
           -- lsof's error texts are strerror's: 'Permission denied'
           WHEN f.fd IS NULL THEN
             '/proc/' || f.pid || coalesce('/task/' || f.tid, '') || '/fd (opendir: '
             || upper(substr(f.error, 1, 1)) || substr(f.error, 2) || ')'
           WHEN f.error IS NOT NULL THEN
             '/proc/' || f.pid || coalesce('/task/' || f.tid, '') || '/fd/' || f.fd
             || ' (readlink: ' || upper(substr(f.error, 1, 1)) || substr(f.error, 2) || ')'
           ELSE CASE f.type
             -- a socket in no table: its protocol, as the kernel names it
             WHEN 'socket' THEN
               CASE procnet_lsof_sock_type(s.kind, s.family)
                 WHEN 'IPv4' THEN procnet_lsof_inet_name(s.kind, s.family,
                   s.local_address, s.local_port, s.remote_address, s.remote_port, s.state)
                 WHEN 'IPv6' THEN procnet_lsof_inet_name(s.kind, s.family,
                   s.local_address, s.local_port, s.remote_address, s.remote_port, s.state)
                 WHEN 'unix' THEN
                   coalesce(s.path || ' ', '') || 'type=' || coalesce(s.type, 'unknown')
                   || ' (' || coalesce(s.state, 'UNKNOWN') || ')'
                 WHEN 'netlink' THEN procnet_lsof_netlink_name(s.protocol)
                 WHEN 'pack' THEN 'type=SOCK_' || coalesce(s.type, 'unknown')
                 -- raw and ping sockets: lsof prints the kernel's hex
                 -- fields and, for raw, the state
                 WHEN 'raw' THEN procnet_lsof_raw_name(s.family, s.local_address,
                   s.local_port, s.remote_address, s.remote_port, s.state)
                 WHEN 'raw6' THEN procnet_lsof_raw_name(s.family, s.local_address,
                   s.local_port, s.remote_address, s.remote_port, s.state)
                 WHEN 'icmp' THEN procnet_lsof_raw_name(s.family, s.local_address,
                   s.local_port, s.remote_address, s.remote_port, NULL)
                 ELSE 'protocol: ' || f.sock_protocol END
             -- lsof names eventfds, pidfds and epoll sets by fdinfo
             WHEN 'anon_inode' THEN
               CASE f.target
                 WHEN 'anon_inode:[eventfd]' THEN
                   coalesce('[eventfd:' || f.eventfd_id || ']', '[eventfd]')
                 WHEN 'anon_inode:[eventpoll]' THEN
                   coalesce('[eventpoll:' || f.epoll_fds || ']', '[eventpoll]')
                 ELSE substr(f.target, instr(f.target, ':') + 1) END
             WHEN 'pidfd' THEN
               CASE WHEN f.pidfd_pid >= 0 THEN '[pidfd:' || f.pidfd_pid || ']'
                    ELSE substr(f.target, instr(f.target, ':') + 1) END
             WHEN 'pipe' THEN 'pipe' WHEN 'net' THEN 'net'
             ELSE f.target END
         END,
         p.ppid, p.pgrp, p.euid, f.fd, f.type, f.dev_major, f.dev_minor, f.inode,
         f.path, s.kind, s.family, s.local_address, s.local_port,
         s.remote_address, s.remote_port, s.state, s.netns
  FROM fds f
  CROSS JOIN processes p ON p.pid = f.pid
  LEFT JOIN lsof_users un ON un.uid = p.euid
  LEFT JOIN sockets s ON f.type = 'socket' AND s.inode = f.inode
  WHERE f.tasks = 1 AND (p.state IS NOT 'Z' OR f.tid IS NOT NULL)
  ORDER BY pid, tid, k1, k2
);

-- lsof -n -P +c0 -K i (lsof without its task rows): one row per file of
-- every process, the columns of lsof_tasks but tid and taskcmd. The tables
-- are told that no thread's row is wanted (tid IS NULL reaches them).
CREATE TEMP VIEW IF NOT EXISTS lsof(
  command, pid, user, fd, type, device, size_off, node, name,
  ppid, pgid, uid, fdnum, ftype, dev_major, dev_minor, inode, path,
  kind, family, local_address, local_port, remote_address, remote_port,
  state, netns) AS
SELECT command, pid, user, fd, type, device, size_off, node, name,
       ppid, pgid, uid, fdnum, ftype, dev_major, dev_minor, inode, path,
       kind, family, local_address, local_port, remote_address, remote_port,
       state, netns
FROM lsof_tasks WHERE tid IS NULL;

-- lsof -i -n -P +c0: the Internet sockets of lsof.
CREATE TEMP VIEW IF NOT EXISTS lsof_i AS
SELECT * FROM lsof WHERE type IN ('IPv4', 'IPv6');

-- lsof -U +c0: the unix sockets of lsof.
CREATE TEMP VIEW IF NOT EXISTS lsof_u AS
SELECT * FROM lsof WHERE type = 'unix';

-- lsof_endpoints: the other ends of each descriptor, as lsof +E and -E
-- name them (lsof(8), +|-E), every namespace: one row per descriptor and
-- end, in lsof's order. Only a statement that reads it does the work.
--   kind      what pairs them:
--             pipe, fifo  every other descriptor on the same pipe or FIFO
--             eventfd     every other descriptor on the same eventfd
--             ptmx, pts   a pty master: the descriptors on its slave; a
--                         slave: those on its master (fdinfo's tty-index)
--             unix        those holding the socket's peer (sock_diag's), or
--                         for a listener the first connection waiting to
--                         be accepted
--             tcp, udp, udplite  those holding the socket's peer: both
--                         ESTABLISHED, of one family (lsof reads IPv4 and
--                         IPv6 apart) and namespace, addresses and ports
--                         swapped
--   peer      what is shared: the pipe's or FIFO's inode, the eventfd's
--             id, the pty's number (N of /dev/pts/N), the peer socket's
--             inode (a unix socket's NAME shows it as ->INO=N)
--   position  the end's place in lsof's list: by pid and fd, ascending,
--             but descending for sockets (lsof puts each holder of a
--             socket it meets first in the list)
--   end_pid, end_command, end_fd, end_mode  lsof's PID,cmd,FDmode of the
--             end (the mode letter as the FD column's: r, w or u)
-- A unix socket whose peer no process holds has one row, end_* NULL (lsof
-- prints ->INO=N alone). A pty master whose slave is open nowhere, like
-- any descriptor without an end, has none.
CREATE TEMP VIEW IF NOT EXISTS lsof_endpoints(
  pid, fd, kind, peer, position, end_pid, end_command, end_fd, end_mode) AS
WITH
-- every descriptor that may have an end, each read once, with what pairs
-- it (fdinfo read only for eventfds and pty masters, the device only for
-- FIFOs)
ep AS MATERIALIZED (
  SELECT f.pid, f.fd, f.type, f.inode, p.name AS command,
         CASE f.mode WHEN 'r' THEN 'r' WHEN 'w' THEN 'w' ELSE 'u' END AS mode,
         CASE WHEN f.type = 'fifo' THEN f.dev_major || ',' || f.dev_minor END AS dev,
         CASE WHEN f.target = 'anon_inode:[eventfd]' THEN f.eventfd_id END AS eventfd_id,
         CASE WHEN f.type = 'char' AND f.rdev_major = 5 AND f.rdev_minor = 2
              THEN f.tty_index END AS ptmx,
         CASE WHEN f.type = 'char' AND f.rdev_major BETWEEN 136 AND 143
              THEN (f.rdev_major - 136) * 256 + f.rdev_minor END AS pts
  FROM fds f CROSS JOIN processes p ON p.pid = f.pid
  WHERE f.type IN ('pipe', 'fifo', 'socket', 'char', 'anon_inode')),
ux AS MATERIALIZED (SELECT inode, peer_inode FROM net_unix),
-- each unix socket's peer that exists: the connected one, else a
-- listener's first waiting connection
uxpeer AS MATERIALIZED (
  SELECT u.inode, w.inode AS peer
  FROM (SELECT inode, peer_inode AS peer FROM ux WHERE peer_inode <> 0
        UNION ALL
        SELECT inode, CAST(substr(pending, 1, instr(pending || ' ', ' ') - 1) AS INTEGER)
        FROM sock_diag WHERE kind = 'unix' AND pending IS NOT NULL) u
  JOIN ux w ON w.inode = u.peer),
est AS MATERIALIZED (
  SELECT netns, inode, kind, family, local_address AS la, local_port AS lp,
         remote_address AS ra, remote_port AS rp
  FROM sockets WHERE kind IN ('tcp', 'udp', 'udplite') AND state = 'ESTABLISHED'),
inetpeer AS MATERIALIZED (
  SELECT a.inode, a.kind, b.inode AS peer
  FROM est a JOIN est b ON b.la = a.ra AND b.lp = a.rp AND b.ra = a.la AND b.rp = a.lp
   AND b.kind = a.kind AND b.family = a.family AND b.netns IS a.netns),
ends(pid, fd, kind, peer, end_pid, end_command, end_fd, end_mode, backwards) AS (
  SELECT a.pid, a.fd, a.type, a.inode, b.pid, b.command, b.fd, b.mode, 0
  FROM ep a JOIN ep b ON b.inode = a.inode AND b.type = a.type AND b.dev IS a.dev
   AND (b.pid <> a.pid OR b.fd <> a.fd)
  WHERE a.type IN ('pipe', 'fifo')
  UNION ALL
  SELECT a.pid, a.fd, 'eventfd', a.eventfd_id, b.pid, b.command, b.fd, b.mode, 0
  FROM ep a JOIN ep b ON b.eventfd_id = a.eventfd_id AND (b.pid <> a.pid OR b.fd <> a.fd)
  WHERE a.eventfd_id IS NOT NULL
  UNION ALL
  SELECT a.pid, a.fd, 'ptmx', a.ptmx, b.pid, b.command, b.fd, b.mode, 0
  FROM ep a JOIN ep b ON b.pts = a.ptmx
  WHERE a.ptmx IS NOT NULL
  UNION ALL
  SELECT a.pid, a.fd, 'pts', a.pts, b.pid, b.command, b.fd, b.mode, 0
  FROM ep a JOIN ep b ON b.ptmx = a.pts
  WHERE a.pts IS NOT NULL
  UNION ALL
  SELECT a.pid, a.fd, 'unix', u.peer, b.pid, b.command, b.fd, b.mode, 1
  FROM ep a JOIN uxpeer u ON u.inode = a.inode
  LEFT JOIN ep b ON b.inode = u.peer AND b.type = 'socket'
  WHERE a.type = 'socket'
  UNION ALL
  SELECT a.pid, a.fd, i.kind, i.peer, b.pid, b.command, b.fd, b.mode, 1
  FROM ep a JOIN inetpeer i ON i.inode = a.inode
  JOIN ep b ON b.inode = i.peer AND b.type = 'socket'
  WHERE a.type = 'socket')
SELECT pid, fd, kind, peer,
       row_number() OVER (PARTITION BY pid, fd
                          ORDER BY CASE backwards WHEN 1 THEN -end_pid ELSE end_pid END,
                                   CASE backwards WHEN 1 THEN -end_fd ELSE end_fd END),
       end_pid, end_command, end_fd, end_mode
FROM ends;

-- lsof -E -n -P +c0 -K i: the lsof view with each file's ends (the view
-- lsof_endpoints) in NAME as lsof -E and +E print them: a unix socket's
-- and a TCP socket's before their " (STATE)", anything else's after the
-- name; endpoints holds what was added. +E also lists the ends' own files:
-- WHERE pid = X OR (pid, fdnum) IN (SELECT end_pid, end_fd FROM
-- lsof_endpoints WHERE pid = X).
CREATE TEMP VIEW IF NOT EXISTS lsof_e(
  command, pid, user, fd, type, device, size_off, node, name,
  ppid, pgid, uid, fdnum, ftype, dev_major, dev_minor, inode, path,
  kind, family, local_address, local_port, remote_address, remote_port,
  state, netns, endpoints) AS
-- each descriptor's ends as one text, in lsof_endpoints' order (a window
-- aggregate keeps it), after the peer for a unix socket (->INO=N) and the
-- slave for a pty master (->/dev/pts/N)
WITH ends AS MATERIALIZED (
  SELECT pid, fd,
         CASE kind WHEN 'unix' THEN '->INO=' || peer || coalesce(' ' || t, '')
                   WHEN 'ptmx' THEN '->/dev/pts/' || peer || ' ' || t
                   ELSE t END AS endpoints
  FROM (SELECT pid, fd, kind, peer, position,
               group_concat(end_pid || ',' || end_command || ',' || end_fd || end_mode, ' ')
                 OVER (PARTITION BY pid, fd ORDER BY position
                       ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS t
        FROM lsof_endpoints)
  WHERE position = 1)
SELECT command, pid, user, fd, type, device, size_off, node,
       CASE WHEN endpoints IS NULL THEN name
            WHEN st IS NULL THEN name || ' ' || endpoints
            ELSE substr(name, 1, length(name) - length(st) - 3) || ' ' || endpoints
                 || substr(name, length(name) - length(st) - 2) END,
       ppid, pgid, uid, fdnum, ftype, dev_major, dev_minor, inode, path,
       kind, family, local_address, local_port, remote_address, remote_port,
       state, netns, endpoints
FROM (SELECT l.*, e.endpoints,
             -- the state NAME ends with, in parentheses
             CASE WHEN l.type = 'unix' THEN coalesce(l.state, 'UNKNOWN')
                  WHEN l.kind = 'tcp' AND l.type IN ('IPv4', 'IPv6') THEN l.state END AS st
      FROM lsof l LEFT JOIN ends e ON e.pid = l.pid AND e.fd = l.fdnum);

-- ss -anp: every socket of every namespace, with ss's netids, state names
-- and address forms (IPv4 wildcard 0.0.0.0, IPv6 wildcard '*' unless the
-- socket is IPv6-only, other IPv6 bracketed, '%dev' after the address of
-- a socket bound to a device, port 0 as '*'; unix 'path inode' and '*
-- peer'; packet '*:ifname'). process is ss's users:((...)) list of every
-- holder. Queues as ss shows them: a listener's Send-Q is its backlog,
-- its Recv-Q the connections waiting to be accepted. The backlog, unix
-- queues and peers, v6only and device names come from sock_diag: where
-- netlink is refused or off they are 0 (or NULL), and an IPv6 socket is
-- taken as IPv6-only when it is bound to a specific IPv6 address, as the
-- kernel then makes it.
-- Extra netids ss does not have: 'udplite' and 'icmp' (ping sockets).
-- After the display columns, typed ones for filters (the procnet command's
-- `ss` filters compile to them): kind and family as in `sockets`;
-- local_address and remote_address as in `sockets` for inet sockets (the
-- path for unix ones); local_port and remote_port are the numbers ss
-- prints after the ':' or ' ' and compares in its sport/dport filters:
-- ports (inet), the inode and the peer's inode (unix, 0 when unknown),
-- the ifindex (packet), the portid (netlink); ifindex: the bound device
-- (packet sockets; NULL where /proc does not say); uid: the socket's
-- owner; pid: the first holder (as in socket_holders); state_code: the
-- kernel's TCP state number ss's state filter counts with (1 ESTABLISHED
-- ... 7 CLOSE/UNCONN ... 10 LISTEN, 11 CLOSING), as the state column
-- shows it.
-- procnet_ss_sockets is ss without the holders (process and pid): what
-- `ss -an` prints, which need not read any process's descriptors.
CREATE TEMP VIEW IF NOT EXISTS procnet_ss_sockets(
  netid, state, recv_q, send_q, local, peer, netns, inode,
  kind, family, local_address, local_port, remote_address, remote_port,
  ifindex, uid, state_code) AS
-- One arm per address family, each scanning only its kinds of `sockets`.
-- A filter on netid reaches the scans: `WHERE netid = 'tcp'` becomes
-- `kind = 'tcp'` in the first arm (2 files read, not 13) and rules out
-- the netlink arm outright. Rows come family by family (inet, unix,
-- packet, netlink), each in namespace order, as ss groups its netids.
SELECT kind AS netid,
       CASE state WHEN 'ESTABLISHED' THEN 'ESTAB' WHEN 'SYN_SENT' THEN 'SYN-SENT'
         WHEN 'SYN_RECV' THEN 'SYN-RECV' WHEN 'FIN_WAIT1' THEN 'FIN-WAIT-1'
         WHEN 'FIN_WAIT2' THEN 'FIN-WAIT-2' WHEN 'TIME_WAIT' THEN 'TIME-WAIT'
         WHEN 'CLOSE' THEN 'UNCONN' WHEN 'CLOSE_WAIT' THEN 'CLOSE-WAIT'
         WHEN 'LAST_ACK' THEN 'LAST-ACK' ELSE state END AS state,
       coalesce(rx_queue, 0) AS recv_q,
       CASE WHEN state = 'LISTEN' THEN coalesce(backlog, 0)
            ELSE coalesce(tx_queue, 0) END AS send_q,
       CASE WHEN family = 'IPv4' THEN local_address
            WHEN local_address = '::' AND NOT v6only6 THEN '*'
            ELSE '[' || local_address || ']' END
       || coalesce('%' || interface, '')
       || ':' || CASE local_port WHEN 0 THEN '*' ELSE local_port END AS local,
       CASE WHEN family = 'IPv4' THEN remote_address
            WHEN remote_address = '::' AND NOT v6only6 THEN '*'
            ELSE '[' || remote_address || ']' END
       || ':' || CASE remote_port WHEN 0 THEN '*' ELSE remote_port END AS peer,
       netns, inode,
       kind, family, local_address, local_port, remote_address, remote_port,
       ifindex, uid,
       CASE state WHEN 'ESTABLISHED' THEN 1 WHEN 'SYN_SENT' THEN 2
         WHEN 'SYN_RECV' THEN 3 WHEN 'FIN_WAIT1' THEN 4 WHEN 'FIN_WAIT2' THEN 5
         WHEN 'TIME_WAIT' THEN 6 WHEN 'CLOSE' THEN 7 WHEN 'CLOSE_WAIT' THEN 8
         WHEN 'LAST_ACK' THEN 9 WHEN 'LISTEN' THEN 10 WHEN 'CLOSING' THEN 11
       END AS state_code
FROM (SELECT *,
             -- sock_diag's IPV6_V6ONLY, else what binding implies: a
             -- specific (not v4-mapped) IPv6 address makes a socket
             -- IPv6-only
             coalesce(v6only, local_address <> '::'
                              AND local_address NOT LIKE '::ffff:%.%') AS v6only6
      FROM sockets WHERE kind IN ('tcp', 'udp', 'udplite', 'raw', 'icmp'))
UNION ALL
SELECT CASE type WHEN 'STREAM' THEN 'u_str' WHEN 'DGRAM' THEN 'u_dgr'
                 WHEN 'SEQPACKET' THEN 'u_seq' ELSE 'u_???' END,
       CASE state WHEN 'LISTEN' THEN 'LISTEN' WHEN 'CONNECTED' THEN 'ESTAB'
                  WHEN 'CONNECTING' THEN 'ESTAB' ELSE 'UNCONN' END,
       coalesce(rx_queue, 0),
       CASE WHEN state = 'LISTEN' THEN coalesce(backlog, 0)
            ELSE coalesce(tx_queue, 0) END,
       coalesce(path, '*') || ' ' || inode, '* ' || coalesce(peer_inode, 0),
       netns, inode,
       kind, family, path, inode, NULL, coalesce(peer_inode, 0), ifindex, uid,
       CASE state WHEN 'LISTEN' THEN 10 WHEN 'CONNECTED' THEN 1
                  WHEN 'CONNECTING' THEN 1 ELSE 7 END
FROM sockets WHERE kind = 'unix'
UNION ALL
SELECT CASE type WHEN 'RAW' THEN 'p_raw' WHEN 'DGRAM' THEN 'p_dgr' ELSE 'p_???' END,
       'UNCONN', coalesce(rx_queue, 0), 0,
       CASE protocol WHEN 3 THEN '*' ELSE '[' || protocol || ']' END || ':'
       || CASE ifindex WHEN 0 THEN '*' ELSE coalesce(interface, ifindex) END,
       '*', netns, inode,
       kind, family, NULL, ifindex, NULL, 0, ifindex, uid, 7
FROM sockets WHERE kind = 'packet'
UNION ALL
SELECT 'nl', 'UNCONN', coalesce(rx_queue, 0), coalesce(tx_queue, 0),
       protocol || ':' || CASE WHEN local_port = 4294967295 THEN '*'
                               WHEN local_port >= 2147483648 THEN local_port - 4294967296
                               ELSE local_port END,
       '*', netns, inode,
       kind, family, NULL, local_port, NULL, 0, ifindex, uid, 7
FROM sockets WHERE kind = 'netlink';

CREATE TEMP VIEW IF NOT EXISTS ss(
  netid, state, recv_q, send_q, local, peer, process, netns, inode,
  kind, family, local_address, local_port, remote_address, remote_port,
  ifindex, uid, pid, state_code) AS
SELECT a.netid, a.state, a.recv_q, a.send_q, a.local, a.peer,
       -- ss's users:((...)): every holder, highest pid first, then highest
       -- fd. Nearly always one, made from the socket_holders row; several
       -- are listed by a lookup of the inode in fds, which returns them in
       -- that order.
       CASE WHEN p.pid IS NULL THEN NULL
            WHEN sh.holders = 1
              THEN printf('users:(("%s",pid=%d,fd=%d))', p.name, p.pid, sh.fd)
            ELSE 'users:(' || (SELECT group_concat(u, ',') FROM (
                   SELECT printf('("%s",pid=%d,fd=%d)', hp.name, hf.pid, hf.fd) AS u
                   FROM fds hf JOIN processes hp ON hp.pid = hf.pid
                   WHERE hf.inode = a.inode AND hf.type = 'socket'
                   ORDER BY hf.pid DESC, hf.fd DESC)) || ')' END,
       a.netns, a.inode,
       a.kind, a.family, a.local_address, a.local_port, a.remote_address,
       a.remote_port, a.ifindex, a.uid, p.pid, a.state_code
FROM procnet_ss_sockets a
LEFT JOIN socket_holders sh ON sh.inode = a.inode
LEFT JOIN processes p ON p.pid = sh.pid;

-- netstat -tuwnap (plus udplite): proto tcp/tcp6/udp/udp6/udpl/udpl6/raw/
-- raw6, the /proc queues, addresses as netstat -n prints them (IPv6 not
-- bracketed, v4-mapped as IPv4, port 0 as '*', cut to 23 characters as
-- netstat does without -W), kernel state names ('' for unconnected UDP, the
-- number for raw), and 'PID/program' of the first process holding the
-- socket (lowest pid), program being argv[0] (blanks kept: 'sshd: root@pts/0'),
-- from its last '/' on when it starts with '/', the whole cut to 19
-- characters (net-tools' rules), or '-'.
-- After the display columns, typed ones for the procnet command's
-- selections and filters, as in `sockets`: kind, family, local_ip and
-- remote_ip (`sockets`' local_address and remote_address, named apart
-- from the display columns; '::ffff:10.0.0.1' stays whole), local_port,
-- remote_port, uid; pid: the holder netstat names.
CREATE TEMP VIEW IF NOT EXISTS netstat(
  proto, recv_q, send_q, local_address, foreign_address, state, pid_program,
  netns, inode,
  kind, family, local_ip, local_port, remote_ip, remote_port, uid, pid) AS
WITH s AS (
  SELECT s.*, p.pid AS pid, coalesce(p.argv0, '') AS argv0
  FROM sockets s
  LEFT JOIN socket_holders sh ON sh.inode = s.inode
  LEFT JOIN processes p ON p.pid = sh.pid
  WHERE s.kind IN ('tcp', 'udp', 'udplite', 'raw')
),
a AS (
  SELECT s.*,
         CASE kind WHEN 'udplite' THEN 'udpl' ELSE kind END AS proto,
         CASE WHEN local_address LIKE '::ffff:%.%' THEN substr(local_address, 8)
              ELSE local_address END AS la,
         CASE local_port WHEN 0 THEN '*' ELSE CAST(local_port AS TEXT) END AS lp,
         CASE WHEN remote_address LIKE '::ffff:%.%' THEN substr(remote_address, 8)
              ELSE remote_address END AS ra,
         CASE remote_port WHEN 0 THEN '*' ELSE CAST(remote_port AS TEXT) END AS rp
  FROM s
)
SELECT proto || CASE family WHEN 'IPv6' THEN '6' ELSE '' END,
       rx_queue, tx_queue,
       CASE WHEN length(la) + length(lp) > 22
            THEN substr(la, 1, 22 - min(length(lp), 18)) || ':' || substr(lp, 1, 18)
            ELSE la || ':' || lp END,
       CASE WHEN length(ra) + length(rp) > 22
            THEN substr(ra, 1, 22 - min(length(rp), 18)) || ':' || substr(rp, 1, 18)
            ELSE ra || ':' || rp END,
       CASE WHEN proto = 'tcp' THEN state
            WHEN proto = 'raw' THEN
              CAST(CASE state WHEN 'ESTABLISHED' THEN 1 WHEN 'SYN_SENT' THEN 2
                     WHEN 'SYN_RECV' THEN 3 WHEN 'FIN_WAIT1' THEN 4
                     WHEN 'FIN_WAIT2' THEN 5 WHEN 'TIME_WAIT' THEN 6
                     WHEN 'CLOSE' THEN 7 WHEN 'CLOSE_WAIT' THEN 8
                     WHEN 'LAST_ACK' THEN 9 WHEN 'LISTEN' THEN 10
                     WHEN 'CLOSING' THEN 11 ELSE 0 END AS TEXT)
            WHEN state = 'ESTABLISHED' THEN 'ESTABLISHED'
            WHEN state = 'CLOSE' THEN ''
            ELSE 'UNKNOWN' END,
       CASE WHEN pid IS NULL THEN '-'
            ELSE substr(pid || '/' ||
                        CASE WHEN argv0 LIKE '/%'
                             THEN substr(argv0, length(rtrim(argv0, replace(argv0, '/', ''))) + 1)
                             ELSE argv0 END, 1, 19) END,
       netns, inode,
       kind, family, local_address, local_port, remote_address, remote_port,
       uid, pid
FROM a;

-- listening: one row per listening socket (TCP LISTEN, and UDP sockets
-- bound to a port and not connected) in every namespace, with the first
-- process holding it (lowest pid, the one netstat names), the socket
-- owner's user name (the uid when /etc/passwd has none) and the container
-- of that process.
CREATE TEMP VIEW IF NOT EXISTS listening(
  proto, address, port, pid, process, user, netns, container_id) AS
WITH s AS (
  SELECT s.*, p.pid AS pid, p.name AS process
  FROM sockets s
  LEFT JOIN socket_holders sh ON sh.inode = s.inode
  LEFT JOIN processes p ON p.pid = sh.pid
  WHERE (s.kind = 'tcp' AND s.state = 'LISTEN')
     OR (s.kind = 'udp' AND s.state = 'CLOSE' AND s.local_port <> 0)
)
SELECT kind || CASE family WHEN 'IPv6' THEN '6' ELSE '' END,
       local_address, local_port, pid, process,
       coalesce((SELECT u.name FROM users u WHERE u.uid = s.uid LIMIT 1),
                CAST(s.uid AS TEXT)),
       netns,
       (SELECT n.container_id FROM namespaces n WHERE n.pid = s.pid)
FROM s;

-- connections: who talks to whom. One row per connection with both ends:
-- src the end that opened it (a TCP or UDP client, a unix socket's
-- connecting end, a pipe's writer), dst the other (the accepted socket, a
-- UDP server's bound socket, the unix peer, the reader). Each end: the
-- process holding it (its first holder, as socket_holders; for a pipe or
-- FIFO, one writer and one reader in two processes), its descriptor, user
-- (effective uid, named from /etc/passwd), network namespace, container
-- (its name, else the first 12 digits of its id) and address and port (a
-- socket's own; a unix socket's path). An end off this host has only the
-- address and port its peer sees. via: how the two were found, netns,
-- routed, nat, udp-bound or external for TCP and UDP (the table
-- inet_connections says how), unix-peer (sock_diag's peer inode: needs
-- netlink), pipe, fifo. nat, nat_address, nat_port: the conntrack entry
-- that translates a TCP or UDP connection ('dnat': the address the client
-- connected to, a published port; 'snat': the address the server sees the
-- client as).
CREATE TEMP VIEW IF NOT EXISTS connections(
  kind, state, via,
  src_pid, src_process, src_fd, src_user, src_netns, src_container,
  src_address, src_port,
  dst_pid, dst_process, dst_fd, dst_user, dst_netns, dst_container,
  dst_address, dst_port,
  nat, nat_address, nat_port, src_inode, dst_inode) AS
WITH
ux AS MATERIALIZED (
  SELECT netns, inode, state, path, peer_inode FROM sockets WHERE kind = 'unix'),
pe AS MATERIALIZED (SELECT inode, type, dev, pid, fd, mode, path FROM pipes),
ends(kind, state, via, src_netns, src_inode, src_pid, src_fd, src_address, src_port,
     dst_netns, dst_inode, dst_pid, dst_fd, dst_address, dst_port,
     nat, nat_address, nat_port) AS (
  SELECT kind, state, via, src_netns, src_inode, NULL, NULL, src_address, src_port,
         dst_netns, dst_inode, NULL, NULL, dst_address, dst_port, nat, nat_address, nat_port
  FROM inet_connections
  UNION ALL
  -- unix: a socket and its peer; a pair that points both ways once, the
  -- connecting (unbound) end first, else the lower inode
  SELECT 'unix', a.state, 'unix-peer', a.netns, a.inode, NULL, NULL, a.path, NULL,
         b.netns, b.inode, NULL, NULL, b.path, NULL, NULL, NULL, NULL
  FROM ux a JOIN ux b ON b.inode = a.peer_inode
  WHERE a.peer_inode <> 0
    AND (b.peer_inode IS NOT a.inode
         OR (a.path IS NOT NULL) < (b.path IS NOT NULL)
         OR ((a.path IS NOT NULL) = (b.path IS NOT NULL) AND a.inode < b.inode))
  UNION ALL
  -- pipes and FIFOs: a writer and a reader of one in two processes
  SELECT w.type, NULL, w.type, NULL, w.inode, w.pid, min(w.fd), w.path, NULL,
         NULL, r.inode, r.pid, min(r.fd), r.path, NULL, NULL, NULL, NULL
  FROM pe w JOIN pe r ON r.inode = w.inode AND r.type = w.type AND r.dev IS w.dev
                     AND r.pid <> w.pid AND r.mode IN ('r', 'u')
  WHERE w.mode IN ('w', 'u')
  GROUP BY w.type, w.dev, w.inode, w.pid, r.pid),
uname AS MATERIALIZED (SELECT uid, min(name) AS name FROM users GROUP BY uid)
SELECT e.kind, e.state, e.via,
       coalesce(e.src_pid, hs.pid), ps.name, coalesce(e.src_fd, hs.fd),
       coalesce(us.name, CAST(ps.euid AS TEXT)), e.src_netns,
       coalesce(cs.name, substr(cs.container_id, 1, 12)), e.src_address, e.src_port,
       coalesce(e.dst_pid, hd.pid), pd.name, coalesce(e.dst_fd, hd.fd),
       coalesce(ud.name, CAST(pd.euid AS TEXT)), e.dst_netns,
       coalesce(cd.name, substr(cd.container_id, 1, 12)), e.dst_address, e.dst_port,
       e.nat, e.nat_address, e.nat_port, e.src_inode, e.dst_inode
FROM ends e
LEFT JOIN socket_holders hs ON hs.inode = e.src_inode AND e.src_pid IS NULL
LEFT JOIN socket_holders hd ON hd.inode = e.dst_inode AND e.dst_pid IS NULL
LEFT JOIN processes ps ON ps.pid = coalesce(e.src_pid, hs.pid)
LEFT JOIN processes pd ON pd.pid = coalesce(e.dst_pid, hd.pid)
LEFT JOIN containers cs ON cs.pid = ps.pid
LEFT JOIN containers cd ON cd.pid = pd.pid
LEFT JOIN uname us ON us.uid = ps.euid
LEFT JOIN uname ud ON ud.uid = pd.euid;

-- exposure: how far each listener (TCP LISTEN, UDP bound and not
-- connected) can be reached. One row per way:
--   published  from a host address and port (public_address, public_port)
--              that leads to it: a forwarding process (via docker-proxy: its
--              listener and its -host-ip/-host-port/-container-ip/
--              -container-port arguments) or a DNAT the namespace that
--              translates has done for a connection still tracked (via
--              dnat: conntrack; a published port nobody used lately shows
--              no dnat row: the rule set itself is not read)
--   host       bound in the host's network namespace (the one of pid 1),
--              not to loopback: reachable as the host is
--   namespace  in another namespace (a container) and not published:
--              only from what can route into that namespace, however it
--              is bound (0.0.0.0 inside a container is not public by itself)
--   loopback   bound to 127.0.0.0/8 or ::1: only from its own namespace
-- A listener with publications has one row per publication (and a host
-- listener its host row too); every other listener one row.
CREATE TEMP VIEW IF NOT EXISTS exposure(
  proto, netns, address, port, pid, process, container, exposure,
  public_address, public_port, via, inode) AS
WITH
lis AS MATERIALIZED (
  SELECT kind, family, netns, inode, local_address AS address, local_port AS port,
         CASE WHEN local_address LIKE '::ffff:%.%' THEN substr(local_address, 8)
              ELSE local_address END AS lk
  FROM sockets
  WHERE kind IN ('tcp', 'udp') AND local_port <> 0
    AND ((kind = 'tcp' AND state = 'LISTEN') OR (kind = 'udp' AND state = 'CLOSE'))),
own AS MATERIALIZED (SELECT DISTINCT netns, address FROM net_addresses),
-- docker-proxy's arguments, from its command line
proxy AS MATERIALIZED (
  SELECT pid, substr(hi, 1, instr(hi, ' ') - 1) AS host_ip,
         CAST(substr(hp, 1, instr(hp, ' ') - 1) AS INTEGER) AS host_port,
         substr(ci, 1, instr(ci, ' ') - 1) AS container_ip,
         CAST(substr(cp, 1, instr(cp, ' ') - 1) AS INTEGER) AS container_port,
         coalesce(substr(pr, 1, instr(pr, ' ') - 1), 'tcp') AS proto
  FROM (SELECT pid,
               substr(c, nullif(instr(c, ' -host-ip '), 0) + 10) AS hi,
               substr(c, nullif(instr(c, ' -host-port '), 0) + 12) AS hp,
               substr(c, nullif(instr(c, ' -container-ip '), 0) + 15) AS ci,
               substr(c, nullif(instr(c, ' -container-port '), 0) + 17) AS cp,
               substr(c, nullif(instr(c, ' -proto '), 0) + 8) AS pr
        FROM (SELECT pid, ' ' || cmdline || ' ' AS c FROM processes
              WHERE argv0 = 'docker-proxy' OR argv0 LIKE '%/docker-proxy'))),
pub(inode, public_address, public_port, via) AS MATERIALIZED (
  SELECT l.inode, x.host_ip, x.host_port, 'docker-proxy'
  FROM proxy x JOIN lis l ON l.kind = x.proto AND l.port = x.container_port
   AND l.lk IN (x.container_ip, '0.0.0.0', '::')
  WHERE EXISTS (SELECT 1 FROM own o WHERE o.netns = l.netns AND o.address = x.container_ip)
  UNION
  SELECT l.inode, c.orig_dst, c.orig_dport, 'dnat'
  FROM conntrack c JOIN lis l ON l.kind = c.protocol AND l.port = c.reply_sport
   AND l.lk IN (c.reply_src, '0.0.0.0', '::')
  WHERE c.dnat AND (l.netns IS c.netns OR EXISTS (SELECT 1 FROM own o
                      WHERE o.netns = l.netns AND o.address = c.reply_src))),
ways(inode, exposure, public_address, public_port, via) AS (
  SELECT inode, 'published', public_address, public_port, via FROM pub
  UNION ALL
  SELECT l.inode,
         CASE WHEN l.lk LIKE '127.%' OR l.lk = '::1' THEN 'loopback'
              WHEN l.netns = (SELECT netns FROM processes WHERE pid = 1) THEN 'host'
              ELSE 'namespace' END,
         NULL, NULL, NULL
  FROM lis l)
SELECT l.kind || CASE l.family WHEN 'IPv6' THEN '6' ELSE '' END, l.netns, l.address,
       l.port, p.pid, p.name, coalesce(ct.name, substr(ct.container_id, 1, 12)),
       w.exposure, w.public_address, w.public_port, w.via, l.inode
FROM lis l
JOIN ways w ON w.inode = l.inode
LEFT JOIN socket_holders sh ON sh.inode = l.inode
LEFT JOIN processes p ON p.pid = sh.pid
LEFT JOIN containers ct ON ct.pid = p.pid
WHERE w.exposure <> 'namespace' OR NOT EXISTS (SELECT 1 FROM pub b WHERE b.inode = l.inode);
