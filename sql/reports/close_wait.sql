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
  -- one scan of the sockets, their holders through an automatic index
  SELECT t.*, h.first_pid AS pid, h.first_name AS process
  FROM net_tcp t LEFT JOIN h ON h.inode = t.inode
  WHERE t.state = 'CLOSE_WAIT'
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
