-- listening_by_process.sql: which process listens on which port, in which
-- container and network namespace? One row per listening TCP socket and
-- bound, unconnected UDP socket, grouped by process, every namespace.
--
--   .load build/procnet
--   .read sql/views.sql
--   .mode table
--   .read sql/reports/listening_by_process.sql
SELECT coalesce(container_id, '-')               AS container,
       netns,
       pid,
       coalesce(process, '-')                    AS process,
       user,
       group_concat(proto || ' ' ||
                    CASE WHEN address LIKE '%:%' THEN '[' || address || ']'
                         ELSE address END || ':' || port, ', ') AS listening_on,
       count(*)                                  AS sockets
FROM (SELECT * FROM listening ORDER BY proto, port)
GROUP BY container_id, netns, pid, process, user
ORDER BY container_id IS NOT NULL, container_id, netns, pid;
