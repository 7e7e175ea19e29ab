-- history_close_wait.sql: CLOSE_WAIT over time. From a database `procnet
-- record` wrote: one row per :bucket seconds (default 3600) in [:from,
-- :to], with how many TCP sockets sat in CLOSE_WAIT (the peer closed, the
-- local process did not: usually a leak) at the samples of that time, at
-- most and on average, and whose they were: command[pid] of every
-- socket seen in CLOSE_WAIT then.
--
--   sqlite3 history.db -cmd '.param set :bucket 600' -cmd '.mode table' \
--     '.read sql/reports/history_close_wait.sql'
--
-- A parameter left unset matches everything; times as in
-- history_connections.sql. A socket is counted in CLOSE_WAIT from the
-- first sample that saw it so until its next state or its end.
WITH p AS (
  SELECT coalesce(:bucket, 3600) AS bucket,
         CASE WHEN :from IS NULL THEN -1e18
              WHEN typeof(:from) IN ('integer', 'real') THEN :from
              ELSE unixepoch(:from, 'utc') END AS t0,
         CASE WHEN :to IS NULL THEN 1e18
              WHEN typeof(:to) IN ('integer', 'real') THEN :to
              ELSE unixepoch(:to, 'utc') END AS t1
),
cw AS (
  SELECT st.socket, st.time AS since,
         coalesce((SELECT min(n.time) FROM socket_states n
                   WHERE n.socket = st.socket AND n.time > st.time), s.closed) AS until,
         s.pid, s.command
  FROM socket_states st JOIN socket_lifetimes s ON s.id = st.socket
  WHERE st.state = 'CLOSE_WAIT'
),
b AS (
  SELECT CAST(time / p.bucket AS INTEGER) * p.bucket AS start,
         count(*) AS samples,
         max(close_wait) AS most,
         round(avg(close_wait), 1) AS average
  FROM samples, p
  WHERE time BETWEEN p.t0 AND p.t1
  GROUP BY 1
)
SELECT datetime(b.start, 'unixepoch', 'localtime')          AS from_time,
       datetime(b.start + p.bucket, 'unixepoch', 'localtime') AS to_time,
       b.samples,
       b.most                                                 AS close_wait_max,
       b.average                                              AS close_wait_avg,
       (SELECT count(DISTINCT cw.socket) FROM cw
        WHERE cw.since < b.start + p.bucket AND cw.until >= b.start) AS sockets,
       (SELECT group_concat(DISTINCT coalesce(cw.command, '?') || '[' ||
                                     coalesce(cw.pid, '?') || ']')
        FROM cw WHERE cw.since < b.start + p.bucket AND cw.until >= b.start) AS holders
FROM b, p
ORDER BY b.start;
