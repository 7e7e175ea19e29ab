-- connections_per_remote.sql: who talks to whom? Established TCP
-- connections and connected UDP sockets counted per remote address, with
-- the processes involved, every network namespace.
--
--   .load build/procnet
--   .read sql/views.sql
--   .mode table
--   .read sql/reports/connections_per_remote.sql
WITH h AS MATERIALIZED (
  SELECT inode, first_pid, first_name FROM procnet_socket_holders
),
conn AS (
  -- held sockets: the holders drive, the socket table answers by inode
  SELECT s.kind AS proto, s.remote_address, s.remote_port, s.netns,
         h.first_name || '[' || h.first_pid || ']' AS holder
  FROM h CROSS JOIN sockets s ON s.inode = h.inode
  WHERE s.kind IN ('tcp', 'udp') AND s.state = 'ESTABLISHED'
  UNION ALL
  SELECT s.kind, s.remote_address, s.remote_port, s.netns, NULL
  FROM sockets s
  WHERE s.kind IN ('tcp', 'udp') AND s.state = 'ESTABLISHED'
    AND s.inode NOT IN (SELECT inode FROM h)
)
SELECT remote_address                  AS remote,
       count(*)                        AS connections,
       count(DISTINCT remote_port)     AS remote_ports,
       group_concat(DISTINCT proto)    AS protos,
       group_concat(DISTINCT holder)   AS processes,
       count(DISTINCT netns)           AS namespaces
FROM conn
GROUP BY remote_address
ORDER BY connections DESC, remote;
