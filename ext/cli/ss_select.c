/*
 * ss_select.c: which sockets `ss` shows, by ss's own rules (iproute2
 * misc/ss.c is the reference for the facts).
 *
 * ss keeps three sets: tables (tcp, udp, raw, unix stream/dgram/seqpacket,
 * packet raw/dgram, netlink, ...), families (inet, inet6, unix, packet,
 * netlink) and states. -t/-u/-w add a table and its default states; -x,
 * -4, -6, -0 and -f add a family and its default states. Without any of
 * them every table is shown and the states default to "connected". Then
 * each table brings its families when none of them was asked for, and
 * each family its tables. -a and -l, and the filter's state words, replace
 * the states. A row is shown when its table, family and state are all in.
 */
#include "ss.h"

#include <string.h>
#include <sys/socket.h>

#define FAM(af) ((uint64_t)1 << (af))
#define DB(d) (1u << (d))
#define INET_FAMS (FAM(AF_INET) | FAM(AF_INET6))
#define TIPC_CONN (SS_STATE(SS_ESTABLISHED) | SS_STATE(SS_LISTEN) | SS_STATE(SS_CLOSE))
#define UNIX_DBS (DB(SS_DB_UNIX_DG) | DB(SS_DB_UNIX_ST) | DB(SS_DB_UNIX_SQ))
#define PACKET_DBS (DB(SS_DB_PACKET_DG) | DB(SS_DB_PACKET_R))
#define INET_DBS                                                               \
  (DB(SS_DB_TCP) | DB(SS_DB_MPTCP) | DB(SS_DB_UDP) | DB(SS_DB_DCCP) |          \
   DB(SS_DB_SCTP) | DB(SS_DB_RAW))

/* Each table's default states and families. */
static const struct {
  unsigned states;
  uint64_t families;
} table_defaults[SS_NDB] = {
    [SS_DB_TCP] = {SS_CONN, INET_FAMS},
    [SS_DB_MPTCP] = {SS_CONN, INET_FAMS},
    [SS_DB_DCCP] = {SS_CONN, INET_FAMS},
    [SS_DB_UDP] = {SS_STATE(SS_ESTABLISHED), INET_FAMS},
    [SS_DB_RAW] = {SS_STATE(SS_ESTABLISHED), INET_FAMS},
    [SS_DB_UNIX_DG] = {SS_STATE(SS_CLOSE), FAM(AF_UNIX)},
    [SS_DB_UNIX_ST] = {SS_CONN, FAM(AF_UNIX)},
    [SS_DB_UNIX_SQ] = {SS_CONN, FAM(AF_UNIX)},
    [SS_DB_PACKET_DG] = {SS_STATE(SS_CLOSE), FAM(AF_PACKET)},
    [SS_DB_PACKET_R] = {SS_STATE(SS_CLOSE), FAM(AF_PACKET)},
    [SS_DB_NETLINK] = {SS_STATE(SS_CLOSE), FAM(AF_NETLINK)},
    [SS_DB_SCTP] = {SS_CONN, INET_FAMS},
    [SS_DB_VSOCK_ST] = {SS_CONN, FAM(AF_VSOCK)},
    [SS_DB_VSOCK_DG] = {SS_CONN, FAM(AF_VSOCK)},
    [SS_DB_TIPC] = {TIPC_CONN, FAM(AF_TIPC)},
    [SS_DB_XDP] = {SS_STATE(SS_CLOSE), FAM(AF_XDP)},
};

/* Each family's default tables and states. */
static const struct {
  int af;
  unsigned dbs, states;
} family_defaults[] = {
    {AF_INET, INET_DBS, SS_CONN},
    {AF_INET6, INET_DBS, SS_CONN},
    {AF_UNIX, UNIX_DBS, SS_CONN},
    {AF_PACKET, PACKET_DBS, SS_STATE(SS_CLOSE)},
    {AF_NETLINK, DB(SS_DB_NETLINK), SS_STATE(SS_CLOSE)},
    {AF_VSOCK, DB(SS_DB_VSOCK_ST) | DB(SS_DB_VSOCK_DG), SS_CONN},
    {AF_TIPC, DB(SS_DB_TIPC), TIPC_CONN},
    {AF_XDP, DB(SS_DB_XDP), SS_STATE(SS_CLOSE)},
};
#define NFAMILIES (sizeof family_defaults / sizeof family_defaults[0])

/* ss's "all": every table but tipc. */
#define ALL_DBS (((1u << SS_NDB) - 1) & ~DB(SS_DB_TIPC))

void ss_select_init(ss_select *s) {
  s->dbs = 0;
  s->families = 0;
  s->states = 0;
  s->state_filter = 0;
  s->do_default = 1;
  s->family = AF_UNSPEC;
}

void ss_select_db(ss_select *s, int db) {
  s->states |= table_defaults[db].states;
  s->dbs |= DB(db);
  s->do_default = 0;
}

void ss_select_family(ss_select *s, int af) {
  for (size_t i = 0; i < NFAMILIES; i++)
    if (family_defaults[i].af == af) s->states |= family_defaults[i].states;
  s->families |= FAM(af);
  s->do_default = 0;
  s->family = af;
}

int ss_family_by_name(const char *name) {
  static const struct {
    const char *name;
    int af;
  } names[] = {{"inet", AF_INET}, {"inet6", AF_INET6}, {"link", AF_PACKET},
               {"unix", AF_UNIX}, {"netlink", AF_NETLINK}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(names[i].name, name)) return names[i].af;
  return -1;
}

void ss_select_tables(ss_select *s) {
  if (s->do_default) {
    for (int db = 0; db < SS_NDB; db++)
      if (ALL_DBS & DB(db)) ss_select_db(s, db);
    s->do_default = 1; /* ss_select_db cleared it; the states still default */
  }
  for (int db = 0; db < SS_NDB; db++)
    if ((s->dbs & DB(db)) && !(table_defaults[db].families & s->families))
      s->families |= table_defaults[db].families;
  for (size_t i = 0; i < NFAMILIES; i++)
    if ((s->families & FAM(family_defaults[i].af)) && !(family_defaults[i].dbs & s->dbs))
      s->dbs |= family_defaults[i].dbs;
}

void ss_select_states(ss_select *s, int saw_states, unsigned states) {
  if (saw_states) s->state_filter = states;
  if (s->do_default && !s->state_filter) s->state_filter = SS_CONN;
  if (s->state_filter) s->states = s->state_filter;
}

int ss_selected_kinds(const ss_select *s, ss_kind_sel out[6]) {
  static const struct {
    const char *kind;
    uint64_t families;
    struct {
      int db;
      const char *netid;
    } t[3];
  } kinds[] = {
      /* ss's order of output */
      {"netlink", FAM(AF_NETLINK), {{SS_DB_NETLINK, "nl"}, {-1, NULL}, {-1, NULL}}},
      {"packet", FAM(AF_PACKET),
       {{SS_DB_PACKET_R, "p_raw"}, {SS_DB_PACKET_DG, "p_dgr"}, {-1, NULL}}},
      {"unix", FAM(AF_UNIX),
       {{SS_DB_UNIX_ST, "u_str"}, {SS_DB_UNIX_DG, "u_dgr"}, {SS_DB_UNIX_SQ, "u_seq"}}},
      {"raw", INET_FAMS, {{SS_DB_RAW, "raw"}, {-1, NULL}, {-1, NULL}}},
      {"udp", INET_FAMS, {{SS_DB_UDP, "udp"}, {-1, NULL}, {-1, NULL}}},
      {"tcp", INET_FAMS, {{SS_DB_TCP, "tcp"}, {-1, NULL}, {-1, NULL}}},
  };
  int n = 0;
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
    if (!(s->families & kinds[k].families)) continue;
    int m = 0;
    for (int j = 0; j < 3; j++)
      if (kinds[k].t[j].netid && (s->dbs & DB(kinds[k].t[j].db)))
        out[n].netids[m++] = kinds[k].t[j].netid;
    if (!m) continue;
    out[n].netids[m] = NULL;
    out[n].kind = kinds[k].kind;
    out[n].inet = kinds[k].families == INET_FAMS;
    n++;
  }
  return n;
}

int ss_selected_inet_families(const ss_select *s, const char *out[2]) {
  int n = 0;
  if (s->families & FAM(AF_INET)) out[n++] = "IPv4";
  if (s->families & FAM(AF_INET6)) out[n++] = "IPv6";
  return n;
}

int ss_selected_states(const ss_select *s, sqlite3_int64 out[SS_NSTATES]) {
  int n = 0;
  for (int st = 0; st < SS_NSTATES; st++)
    if (s->states & SS_STATE(st)) out[n++] = st;
  return n;
}
