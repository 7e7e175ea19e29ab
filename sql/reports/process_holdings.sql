-- process_holdings.sql: everything one process holds: its files as lsof
-- lists them (cwd, root, executable, mapped files, descriptors) and, for
-- each socket, its kind, state and network namespace, whatever namespace
-- that is (lsof itself says only "protocol: TCP" for another namespace).
--
-- Which process: the :pid parameter, e.g. in the sqlite3 shell
--   .load build/procnet
--   .read sql/views.sql
--   .param set :pid 1234
--   .mode table
--   .read sql/reports/process_holdings.sql
-- Without :pid it shows process 1 (EDIT the 1 below to change the default).
SELECT l.fd, l.type, l.device, l.size_off, l.node, l.name,
       s.kind AS socket_kind, s.state AS socket_state, s.netns AS socket_netns,
       CASE WHEN s.netns <> procnet_netns() THEN 'other' END AS other_netns
FROM lsof l
LEFT JOIN sockets s
  ON l.type IN ('IPv4', 'IPv6', 'pack', 'unix', 'netlink', 'raw', 'raw6', 'icmp', 'sock')
 AND s.inode = CAST(CASE WHEN l.type IN ('IPv4', 'IPv6', 'pack') THEN l.device
                         ELSE l.node END AS INTEGER)
WHERE l.pid = coalesce(:pid, 1 /* EDIT: default pid */)
ORDER BY CASE l.fd WHEN 'cwd' THEN 0 WHEN 'rtd' THEN 1 WHEN 'txt' THEN 2
                   WHEN 'mem' THEN 3 WHEN 'DEL' THEN 3 ELSE 4 END,
         CAST(l.fd AS INTEGER), l.name;
