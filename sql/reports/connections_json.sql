-- connections_json.sql: every TCP and UDP socket with the processes that
-- hold it, as one JSON document (an array of objects) for scripts:
--
--   sqlite3 :memory: -cmd '.load build/procnet' -cmd '.read sql/views.sql' \
--     '.read sql/reports/connections_json.sql' | jq .
--
-- Each object: proto, family, state, local and remote ({address, port}),
-- queues, inode, netns, and processes: [{pid, fd, name, cmdline, user}]
-- ([] for a socket no process holds, e.g. TIME_WAIT).
WITH holders AS MATERIALIZED (
  -- the holders of each socket as a JSON array: every descriptor read once
  SELECT f.inode,
         json_group_array(json_object(
           'pid', f.pid, 'fd', f.fd, 'name', p.name, 'cmdline', p.cmdline,
           'user', coalesce((SELECT u.name FROM users u WHERE u.uid = p.euid LIMIT 1),
                            CAST(p.euid AS TEXT)))) AS processes
  FROM fds f JOIN processes p ON p.pid = f.pid
  WHERE f.type = 'socket' AND f.inode IS NOT NULL
  GROUP BY f.inode
),
s AS (
  -- one scan of the sockets, their holders through an automatic index
  SELECT s.*, coalesce(h.processes, '[]') AS processes
  FROM sockets s LEFT JOIN holders h ON h.inode = s.inode
  WHERE s.kind IN ('tcp', 'udp')
)
SELECT json_group_array(json(c)) AS connections
FROM (
  SELECT json_object(
           'proto', kind,
           'family', family,
           'state', state,
           'local', json_object('address', local_address, 'port', local_port),
           'remote', json_object('address', remote_address, 'port', remote_port),
           'rx_queue', rx_queue,
           'tx_queue', tx_queue,
           'inode', inode,
           'netns', netns,
           'processes', json(processes)) AS c
  FROM s
  ORDER BY netns, kind, local_port, inode
);
