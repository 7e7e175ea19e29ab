-- top_fd_processes.sql: which processes hold the most open file
-- descriptors, and of which kinds? (the usual suspect for "Too many open
-- files"). Descriptors whose link cannot be read (another user's process,
-- or one with more privileges) are counted as `unreadable`, of no kind; a
-- process whose fd directory cannot be read has no count. `error` says why.
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
       sum(f.fd IS NOT NULL AND f.error IS NOT NULL) AS unreadable,
       max(f.error)                                AS error
FROM fds f JOIN processes p ON p.pid = f.pid
GROUP BY f.pid
ORDER BY fds DESC, f.pid
LIMIT 20;
