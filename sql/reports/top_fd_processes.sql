-- top_fd_processes.sql: which processes hold the most open file
-- descriptors, and of which kinds? (the usual suspect for "Too many open
-- files"). Processes whose descriptors cannot be read are listed with the
-- reason instead of a count.
--
--   .load build/procnet
--   .mode table
--   .read sql/reports/top_fd_processes.sql
SELECT f.pid,
       p.name                                      AS process,
       count(f.fd)                                 AS fds,
       sum(f.type = 'socket')                      AS sockets,
       sum(f.type = 'pipe')                        AS pipes,
       sum(f.type IN ('file', 'dir'))              AS files,
       sum(f.type NOT IN ('socket', 'pipe', 'file', 'dir')) AS other,
       max(f.error)                                AS error
FROM fds f JOIN processes p ON p.pid = f.pid
GROUP BY f.pid
ORDER BY fds DESC, f.pid
LIMIT 20;
