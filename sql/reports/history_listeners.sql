-- history_listeners.sql: which process listened on a port, and when? From
-- a database `procnet record` wrote: every TCP listener (a socket that was
-- in LISTEN) and every bound, unconnected UDP socket on :port, alive at
-- some time in [:from, :to], with its process, user and container, and
-- its namespace (two containers may each listen on the same port).
--
--   sqlite3 history.db -cmd '.param set :port 8080' -cmd '.mode table' \
--     '.read sql/reports/history_listeners.sql'
--
-- A parameter left unset matches everything; times as in
-- history_connections.sql. `until` is NULL when the listener was still
-- there when its recorder stopped (still_open is then 1).
WITH p AS (
  SELECT :port AS port,
         CASE WHEN :from IS NULL THEN -1e18
              WHEN typeof(:from) IN ('integer', 'real') THEN :from
              ELSE unixepoch(:from, 'utc') END AS t0,
         CASE WHEN :to IS NULL THEN 1e18
              WHEN typeof(:to) IN ('integer', 'real') THEN :to
              ELSE unixepoch(:to, 'utc') END AS t1
)
SELECT s.local_port                                           AS port,
       s.kind,
       CASE WHEN s.family = 'IPv6' THEN '[' || s.local_address || ']'
            ELSE s.local_address END                          AS address,
       s.pid,
       s.command,
       s.user,
       s.container,
       s.netns,
       s.opened_at                                            AS since,
       CASE WHEN s.open_at_end THEN NULL ELSE s.closed_at END AS until,
       s.open_at_end                                          AS still_open
FROM socket_lifetimes s, p
WHERE ((s.kind = 'tcp' AND ' ' || s.states || ' ' LIKE '% LISTEN %')
       OR (s.kind = 'udp' AND s.remote_port = 0 AND s.local_port <> 0))
  AND (p.port IS NULL OR s.local_port = p.port)
  AND s.opened <= p.t1 AND s.closed >= p.t0
ORDER BY s.local_port, s.opened, s.id;
