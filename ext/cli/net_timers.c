/*
 * net_timers.c: the timer of a socket row, as `netstat -o` prints it, as
 * SQL expressions. The views have no timer columns; the
 * net_tcp, net_udp, ... tables have (timer, timer_expires, retransmits,
 * timeout, from /proc/net/tcp's tr, tm->when, retrnsmt and timeout). The
 * row is found by inode (a binary search in the table's snapshot); a
 * TIME-WAIT row has inode 0, so its addresses and ports decide.
 */
#include "cli.h"

/* (SELECT value FROM table t WHERE t is the socket of row alias) */
static void lookup(sqlite3_str *sql, const char *table, const char *alias,
                   const char *addr_suffix, const char *value) {
  sqlite3_str_appendf(sql,
                      "(SELECT %s FROM %s t WHERE t.inode = %s.inode"
                      " AND t.netns IS %s.netns AND t.local_port = %s.local_port"
                      " AND t.remote_port = %s.remote_port"
                      " AND t.local_address = %s.local%s AND t.remote_address = %s.remote%s"
                      " LIMIT 1)",
                      value, table, alias, alias, alias, alias, alias, addr_suffix, alias,
                      addr_suffix);
}

/* netstat's tcp timers: off (0.00/R/T), on (1.20/R/T), keepalive (...),
 * timewait (...), unkn-N (...). */
static const char NETSTAT_TCP[] =
    "CASE coalesce(t.timer, '') WHEN 'off' THEN printf('off (0.00/%d/%d)', t.retransmits, t.timeout)"
    " WHEN 'on' THEN printf('on (%.2f/%d/%d)', t.timer_expires, t.retransmits, t.timeout)"
    " WHEN 'keepalive' THEN printf('keepalive (%.2f/%d/%d)', t.timer_expires, t.retransmits,"
    " t.timeout)"
    " WHEN 'timewait' THEN printf('timewait (%.2f/%d/%d)', t.timer_expires, t.retransmits,"
    " t.timeout)"
    " ELSE printf('unkn-%d (%.2f/%d/%d)', CASE t.timer WHEN 'probe' THEN 4 ELSE 5 END,"
    " t.timer_expires, t.retransmits, t.timeout) END";

/* netstat's udp and raw timers (no retransmits): off (0.00/0/T), onN (...). */
static const char NETSTAT_DGRAM[] =
    "CASE coalesce(t.timer, '') WHEN 'off' THEN printf('off (0.00/0/%d)', t.timeout)"
    " WHEN 'on' THEN printf('on1 (%.2f/0/%d)', t.timer_expires, t.timeout)"
    " WHEN 'keepalive' THEN printf('on2 (%.2f/0/%d)', t.timer_expires, t.timeout)"
    " ELSE printf('unkn-%d (%.2f/0/%d)', CASE t.timer WHEN 'timewait' THEN 3"
    " WHEN 'probe' THEN 4 ELSE 5 END, t.timer_expires, t.timeout) END";

void cli_netstat_timer_expr(sqlite3_str *sql, const char *alias) {
  static const struct {
    const char *kind, *table, *value;
  } kinds[] = {{"tcp", "net_tcp", NETSTAT_TCP},
               {"udp", "net_udp", NETSTAT_DGRAM},
               {"udplite", "net_udplite", NETSTAT_DGRAM},
               {"raw", "net_raw", NETSTAT_DGRAM}};
  sqlite3_str_appendf(sql, "CASE %s.kind", alias);
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    sqlite3_str_appendf(sql, " WHEN '%s' THEN ", kinds[i].kind);
    lookup(sql, kinds[i].table, alias, "_ip", kinds[i].value);
  }
  sqlite3_str_appendall(sql, " END");
}
