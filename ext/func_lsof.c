/*
 * func_lsof.c: what lsof prints of a socket and a file type that SQL would
 * spell as long CASE chains, as SQL functions for the lsof views
 * (sql/views.sql):
 *
 *   procnet_lsof_inet_name(kind, family, local_address, local_port,
 *                          remote_address, remote_port, state)
 *     "127.0.0.1:8080->127.0.0.1:54846 (ESTABLISHED)", "*:8080 (LISTEN)",
 *     "[::1]:53": an end that is the unspecified address with port 0 is
 *     left out, the unspecified address is '*', IPv6 is bracketed, an IPv6
 *     socket with a v4-mapped end prints both ends as IPv4, and a TCP
 *     socket's state follows in parentheses.
 *   procnet_lsof_type(type)
 *     lsof's TYPE for a type of procnet's tables (fds.type,
 *     process_files.type, process_maps.file_type): REG for file, DIR, CHR,
 *     BLK, FIFO (fifo and pipe), LINK, sock (socket_file), a_inode
 *     (anon_inode, pidfd), REG for a namespace file (net), else NULL;
 *     sockets, which lsof names by their protocol, are the views' own.
 *   procnet_lsof_raw_name(family, local_address, local_port,
 *                         remote_address, remote_port, state)
 *     the kernel's hex fields of /proc/net/raw, raw6 and icmp, as lsof
 *     copies them: "00000000:0001->00000000:0000 st=07"; each 32-bit word
 *     of an address as the kernel prints it (in this machine's byte order),
 *     ports in hex, and " st=" with the state's number unless state is
 *     NULL (ping sockets).
 *   procnet_lsof_sock_type(kind, family)
 *     lsof's TYPE for a socket of the sockets table: IPv4 or IPv6 (tcp,
 *     udp, udplite), raw or raw6, icmp (an IPv4 ping socket), unix,
 *     netlink, pack (packet); sock for what lsof knows only by its
 *     protocol's name (an IPv6 ping socket, a socket in no table: NULL).
 *   procnet_lsof_ethertype(protocol)
 *     a packet socket's NODE: the name lsof gives its ethertype (IP, ARP,
 *     ALL, ...), else the number.
 *   procnet_lsof_netlink_name(protocol)
 *     a netlink socket's NAME: ROUTE, KOBJECT_UEVENT, ..., or "unknown
 *     protocol: N".
 *
 * The values are each read once per call: in SQL the same text took a
 * dozen reads of each address, every one a call into the socket table.
 * Arguments are the sockets table's columns; NULL addresses give NULL.
 */
#include "func_lsof.h"

#include "parse.h"
SQLITE_EXTENSION_INIT3

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Room for two bracketed IPv6 addresses, ports, the arrow and a state. */
#define NAME_MAX_LEN 160

static const char *text_arg(sqlite3_value *v) {
  return (const char *)sqlite3_value_text(v);
}

static int is_v4_mapped(const char *a) {
  return strncmp(a, "::ffff:", 7) == 0 && strchr(a + 7, '.') != NULL;
}

static int is_unspecified(const char *a) {
  return strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0;
}

/* A NAME being made: what fits of it, NUL-terminated. Written piece by
 * piece (no printf): an Internet socket's NAME is made once per row of a
 * whole-machine listing, and formatting it was most of this function. */
typedef struct name_buf {
  char s[NAME_MAX_LEN];
  size_t n;
} name_buf;

static void put(name_buf *b, const char *s, size_t len) {
  if (len > NAME_MAX_LEN - 1 - b->n) len = NAME_MAX_LEN - 1 - b->n;
  memcpy(b->s + b->n, s, len);
  b->n += len;
  b->s[b->n] = '\0';
}

static void put_str(name_buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_uint(name_buf *b, unsigned long long v) {
  char d[24];
  size_t k = sizeof d;
  do d[--k] = (char)('0' + v % 10); while ((v /= 10) != 0);
  put(b, d + k, sizeof d - k);
}

/* Appends lsof's form of one end ("*:8080", "[::1]:53"); nothing for the
 * unspecified address with port 0. */
static void put_end(name_buf *b, const char *addr, sqlite3_int64 port, int mapped,
                    const char *before) {
  if (is_unspecified(addr) && port == 0) return;
  if (mapped) addr = is_v4_mapped(addr) ? addr + 7 : "0.0.0.0";
  int bracket = 0;
  if (is_unspecified(addr)) addr = "*";
  else bracket = strchr(addr, ':') != NULL;
  put_str(b, before);
  if (bracket) put(b, "[", 1);
  put_str(b, addr);
  put(b, bracket ? "]:" : ":", bracket ? 2 : 1);
  if (port == 0) put(b, "*", 1);
  else if (port < 0) put(b, "-", 1), put_uint(b, (unsigned long long)-(port + 1) + 1);
  else put_uint(b, (unsigned long long)port);
}

static void fn_inet_name(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *kind = text_arg(argv[0]), *family = text_arg(argv[1]);
  const char *la = text_arg(argv[2]), *ra = text_arg(argv[4]);
  const char *state = text_arg(argv[6]);
  if (!kind || !family || !la || !ra) return;
  sqlite3_int64 lp = sqlite3_value_int64(argv[3]), rp = sqlite3_value_int64(argv[5]);
  int mapped = strcmp(family, "IPv6") == 0 && (is_v4_mapped(la) || is_v4_mapped(ra));
  name_buf b;
  b.n = 0;
  b.s[0] = '\0';
  put_end(&b, la, lp, mapped, "");
  put_end(&b, ra, rp, mapped, "->");
  if (strcmp(kind, "tcp") == 0 && state) {
    put(&b, " (", 2);
    put_str(&b, state);
    put(&b, ")", 1);
  }
  sqlite3_result_text(c, b.s, (int)b.n, SQLITE_TRANSIENT);
}

/* The kernel's hex of an address: each 32-bit word printed as the native
 * integer its bytes make, as /proc/net/raw* print them. 0 when addr is
 * not an address of the family. */
static int put_hex_addr(char *out, size_t *n, const char *family, const char *addr) {
  unsigned char b[16];
  int v6 = strcmp(family, "IPv6") == 0;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, b) != 1) return 0;
  for (int i = 0; i < (v6 ? 4 : 1); i++) {
    uint32_t word;
    memcpy(&word, b + 4 * i, sizeof word);
    *n += (size_t)snprintf(out + *n, NAME_MAX_LEN - *n, "%08X", (unsigned)word);
  }
  return 1;
}

/* The kernel's number of a state name (pn_tcp_state_name's), 0 unknown. */
static int state_number(const char *name) {
  for (int s = 1; s < 32; s++) {
    const char *k = pn_tcp_state_name(s);
    if (k && strcmp(k, name) == 0) return s;
  }
  return 0;
}

static void fn_raw_name(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *family = text_arg(argv[0]), *la = text_arg(argv[1]);
  const char *ra = text_arg(argv[3]), *state = text_arg(argv[5]);
  if (!family || !la || !ra) return;
  char out[NAME_MAX_LEN];
  size_t n = 0;
  if (!put_hex_addr(out, &n, family, la)) return;
  n += (size_t)snprintf(out + n, NAME_MAX_LEN - n, ":%04llX->",
                        (unsigned long long)(sqlite3_value_int64(argv[2]) & 0xffff));
  if (!put_hex_addr(out, &n, family, ra)) return;
  n += (size_t)snprintf(out + n, NAME_MAX_LEN - n, ":%04llX",
                        (unsigned long long)(sqlite3_value_int64(argv[4]) & 0xffff));
  if (state) n += (size_t)snprintf(out + n, NAME_MAX_LEN - n, " st=%02X", state_number(state));
  sqlite3_result_text(c, out, (int)n, SQLITE_TRANSIENT);
}

static void fn_type(sqlite3_context *c, int argc, sqlite3_value **argv) {
  static const char *const map[][2] = {
      {"file", "REG"},  {"dir", "DIR"},   {"char", "CHR"},        {"block", "BLK"},
      {"fifo", "FIFO"}, {"pipe", "FIFO"}, {"link", "LINK"},       {"socket_file", "sock"},
      {"net", "REG"},   {"pidfd", "a_inode"}, {"anon_inode", "a_inode"}};
  (void)argc;
  const char *t = text_arg(argv[0]);
  if (!t) return;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(t, map[i][0]) == 0) {
      sqlite3_result_text(c, map[i][1], -1, SQLITE_STATIC);
      return;
    }
}

static void fn_sock_type(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *kind = text_arg(argv[0]), *family = text_arg(argv[1]);
  const char *t = "sock";
  int v6 = family && strcmp(family, "IPv6") == 0;
  if (!kind) {
    /* a socket in no table */
  } else if (!strcmp(kind, "tcp") || !strcmp(kind, "udp") || !strcmp(kind, "udplite"))
    t = family ? family : "sock";
  else if (!strcmp(kind, "raw")) t = v6 ? "raw6" : "raw";
  else if (!strcmp(kind, "icmp")) t = family && !strcmp(family, "IPv4") ? "icmp" : "sock";
  else if (!strcmp(kind, "unix")) t = "unix";
  else if (!strcmp(kind, "netlink")) t = "netlink";
  else if (!strcmp(kind, "packet")) t = "pack";
  sqlite3_result_text(c, t, -1, SQLITE_STATIC);
}

/* A number's name in a table of (number, name), or NULL. */
typedef struct named {
  int n;
  const char *name;
} named;

static const char *name_of(const named *t, size_t len, sqlite3_int64 n) {
  for (size_t i = 0; i < len; i++)
    if (t[i].n == n) return t[i].name;
  return NULL;
}

/* The names lsof gives a packet socket's protocol (its ethertype, as
 * <linux/if_ether.h> numbers them). */
static const named ethertypes[] = {
    {96, "LOOP"},        {512, "PUP"},       {513, "PUPAT"},     {2048, "IP"},
    {2053, "X25"},       {2054, "ARP"},      {2303, "BPQ"},      {2560, "I3EPUP"},
    {2561, "I3EPUPA"},   {24576, "DEC"},     {24577, "DNA_DL"},  {24578, "DNA_RC"},
    {24579, "DNA_RT"},   {24580, "LAT"},     {24581, "DIAG"},    {24582, "CUST"},
    {24583, "SCA"},      {32821, "RARP"},    {32923, "ATALK"},   {33011, "AARP"},
    {33024, "8021Q"},    {33079, "IPX"},     {34525, "IPV6"},    {34825, "SLOW"},
    {34878, "WCCP"},     {34915, "PPP_DIS"}, {34916, "PPP_SES"}, {34887, "MPLS_UC"},
    {34892, "ATMMPOA"},  {34888, "MPLS_MC"}, {34948, "ATMFATE"}, {34978, "AOE"},
    {35018, "TIPC"},     {1, "802.3"},       {2, "AX25"},        {3, "ALL"},
    {4, "802.2"},        {5, "SNAP"},        {6, "DDCMP"},       {7, "WAN_PPP"},
    {8, "PPP MP"},       {9, "LCLTALK"},     {16, "PPPTALK"},    {17, "802.2"},
    {21, "MOBITEX"},     {22, "CONTROL"},    {23, "IRDA"},       {24, "ECONET"},
    {25, "HDLC"},        {26, "ARCNET"}};

/* The name of argv[0] in table t, else `unknown` followed by the number;
 * NULL for NULL. */
static void result_named(sqlite3_context *c, sqlite3_value *v, const named *t, size_t len,
                         const char *unknown) {
  if (sqlite3_value_type(v) == SQLITE_NULL) return;
  sqlite3_int64 p = sqlite3_value_int64(v);
  const char *name = name_of(t, len, p);
  if (name) {
    sqlite3_result_text(c, name, -1, SQLITE_STATIC);
    return;
  }
  char out[48];
  int n = snprintf(out, sizeof out, "%s%lld", unknown, (long long)p);
  sqlite3_result_text(c, out, n, SQLITE_TRANSIENT);
}

static void fn_ethertype(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  result_named(c, argv[0], ethertypes, sizeof ethertypes / sizeof *ethertypes, "");
}

/* The names lsof gives netlink protocols (<linux/netlink.h>'s NETLINK_*). */
static const named netlink_protocols[] = {
    {0, "ROUTE"},      {1, "UNUSED"},     {2, "USERSOCK"},        {3, "FIREWALL"},
    {4, "INET_DIAG"},  {5, "NFLOG"},      {6, "XFRM"},            {7, "SELINUX"},
    {8, "ISCSI"},      {9, "AUDIT"},      {10, "FIB_LOOKUP"},     {11, "CONNECTOR"},
    {12, "NETFILTER"}, {13, "IP6_FW"},    {14, "DNRTMSG"},        {15, "KOBJECT_UEVENT"},
    {16, "GENERIC"},   {18, "SCSITRANSPORT"}, {19, "ECRYPTFS"},   {20, "RDMA"},
    {21, "CRYPTO"},    {22, "SMC"}};

static void fn_netlink_name(sqlite3_context *c, int argc, sqlite3_value **argv) {
  (void)argc;
  result_named(c, argv[0], netlink_protocols, sizeof netlink_protocols / sizeof *netlink_protocols,
               "unknown protocol: ");
}

int pn_register_lsof_functions(sqlite3 *db) {
  static const struct {
    const char *name;
    int nargs;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
  } fns[] = {{"procnet_lsof_inet_name", 7, fn_inet_name},
             {"procnet_lsof_raw_name", 6, fn_raw_name},
             {"procnet_lsof_type", 1, fn_type},
             {"procnet_lsof_sock_type", 2, fn_sock_type},
             {"procnet_lsof_ethertype", 1, fn_ethertype},
             {"procnet_lsof_netlink_name", 1, fn_netlink_name}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    int rc = sqlite3_create_function_v2(
        db, fns[i].name, fns[i].nargs,
        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL, fns[i].fn,
        NULL, NULL, NULL);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}
