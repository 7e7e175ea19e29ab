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
  -- one scan of the sockets, their holders through an automatic index
  SELECT s.kind AS proto, s.remote_address, s.remote_port, s.netns,
         h.first_name || '[' || h.first_pid || ']' AS holder
  FROM sockets s LEFT JOIN h ON h.inode = s.inode
  WHERE s.kind IN ('tcp', 'udp') AND s.state = 'ESTABLISHED'
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
