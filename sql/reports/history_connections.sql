-- history_connections.sql: what connected to an address, and when? From a
-- database `procnet record` wrote: every TCP and UDP connection whose
-- remote end is :address:port (direction 'out': made from this host, pid
-- and command the process that held it), or whose local end is (direction
-- 'in': accepted here; `listener` is the process that listened on that
-- port then, which accepted it), alive at some time in [:from, :to].
--
--   sqlite3 history.db -cmd '.param set :address 10.0.0.5' \
--     -cmd '.param set :port 5432' \
--     -cmd ".param set :from \"'2026-05-01 02:00'\"" \
--     -cmd '.mode table' '.read sql/reports/history_connections.sql'
--
-- A parameter left unset matches everything. Times are seconds since the
-- epoch, or local time as text ('2026-05-01 02:00:00'). A connection seen
-- only at its close (no sample saw it) has no pid: the kernel does not
-- say who held it; `listener` still tells who accepted an inbound one.
WITH p AS (
  SELECT :address AS address, :port AS port,
         CASE WHEN :from IS NULL THEN -1e18
              WHEN typeof(:from) IN ('integer', 'real') THEN :from
              ELSE unixepoch(:from, 'utc') END AS t0,
         CASE WHEN :to IS NULL THEN 1e18
              WHEN typeof(:to) IN ('integer', 'real') THEN :to
              ELSE unixepoch(:to, 'utc') END AS t1
),
c AS (
  SELECT 'out' AS direction, s.*
  FROM socket_lifetimes s, p
  WHERE (p.address IS NULL OR s.remote_address = p.address)
    AND (p.port IS NULL OR s.remote_port = p.port)
  UNION ALL
  SELECT 'in', s.*
  FROM socket_lifetimes s, p
  WHERE (p.address IS NOT NULL OR p.port IS NOT NULL)
    AND (p.address IS NULL OR s.local_address = p.address)
    AND (p.port IS NULL OR s.local_port = p.port)
)
SELECT c.opened_at                                   AS opened,
       c.closed_at                                   AS closed,
       c.direction,
       c.kind,
       CASE WHEN c.family = 'IPv6' THEN '[' || c.local_address || ']'
            ELSE c.local_address END || ':' || c.local_port    AS local,
       CASE WHEN c.family = 'IPv6' THEN '[' || c.remote_address || ']'
            ELSE c.remote_address END || ':' || c.remote_port  AS remote,
       c.pid,
       c.command,
       c.user,
       (SELECT l.command || '[' || l.pid || ']' FROM socket_lifetimes l
        WHERE c.direction = 'in' AND l.run = c.run AND l.netns IS c.netns
          AND l.kind = c.kind AND l.state = 'LISTEN' AND l.local_port = c.local_port
          AND l.opened <= c.closed AND l.closed >= c.opened
        ORDER BY l.opened LIMIT 1)                   AS listener,
       c.container,
       c.states,
       c.ended_by,
       c.bytes_sent,
       c.bytes_received
FROM c, p
WHERE c.kind IN ('tcp', 'udp') AND c.remote_port <> 0
  AND c.opened <= p.t1 AND c.closed >= p.t0
ORDER BY c.opened, c.id;
