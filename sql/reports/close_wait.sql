-- close_wait.sql: which sockets are stuck in CLOSE_WAIT? The peer has
-- closed the connection and the local process has not: usually a leak in
-- that process (it never calls close()). Every network namespace.
--
--   .load build/procnet
--   .read sql/views.sql
--   .mode table
--   .read sql/reports/close_wait.sql
WITH h AS MATERIALIZED (
  SELECT inode, first_pid, first_name FROM procnet_socket_holders
),
s AS (
  SELECT t.*, h.first_pid AS pid, h.first_name AS process
  FROM h CROSS JOIN net_tcp t ON t.inode = h.inode
  WHERE t.state = 'CLOSE_WAIT'
  UNION ALL
  SELECT t.*, NULL, NULL FROM net_tcp t
  WHERE t.state = 'CLOSE_WAIT' AND t.inode NOT IN (SELECT inode FROM h)
)
SELECT pid,
       coalesce(process, '-')                    AS process,
       CASE WHEN family = 'IPv6' THEN '[' || local_address || ']'
            ELSE local_address END || ':' || local_port   AS local,
       CASE WHEN family = 'IPv6' THEN '[' || remote_address || ']'
            ELSE remote_address END || ':' || remote_port AS remote,
       rx_queue                                  AS unread_bytes,
       tx_queue                                  AS unsent_bytes,
       netns,
       (SELECT n.container_id FROM namespaces n WHERE n.pid = s.pid) AS container_id
FROM s
ORDER BY pid, local;
