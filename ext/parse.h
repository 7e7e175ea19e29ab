/*
 * parse.h: pure parsers for the text of /proc files.
 *
 * Layer 1 of procnet (see doc/internals.md). Every function here takes bytes
 * and a length and fills a plain struct. Nothing here does I/O, allocates,
 * keeps state between calls or knows about SQLite, so each function can be
 * unit tested and fuzzed on its own.
 *
 * Conventions shared by every parser:
 *  - Input is NOT NUL-terminated; never read past buf[len-1].
 *  - Text fields in the output structs are slices (pointer + length) into the
 *    caller's buffer; they stay valid while that buffer does.
 *  - Functions return 0 on success and -1 when the input is malformed; on -1
 *    the output struct holds no meaningful data.
 */
#ifndef PROCNET_PARSE_H
#define PROCNET_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A slice of the input buffer. */
typedef struct pn_str {
  const char *p;
  size_t n;
} pn_str;

/* ---- lines ---------------------------------------------------------------
 * Iterates over lines. *pos starts at 0. On each call returns 1 and sets
 * *line to the next line (without its '\n'), or returns 0 at the end. A last
 * line without '\n' is still returned; an empty buffer yields no line. */
int pn_next_line(const char *buf, size_t len, size_t *pos, pn_str *line);


/* ---- /proc/PID/stat ------------------------------------------------------
 * The command name runs from the first '(' to the LAST ')' and may contain
 * spaces, parentheses and even newlines. Fields after it are parsed from the
 * last ')'. */
typedef struct pn_stat {
  int64_t pid;
  pn_str comm;          /* without the parentheses */
  char state;           /* R, S, D, Z, T, t, X, I, ... */
  int64_t ppid;
  int64_t pgrp;
  int64_t session;
  int64_t tty_nr;
  uint64_t utime;       /* clock ticks */
  uint64_t stime;       /* clock ticks */
  int64_t priority;
  int64_t nice;
  int64_t num_threads;
  uint64_t starttime;   /* clock ticks since boot */
  uint64_t vsize;       /* bytes */
  int64_t rss;          /* pages */
} pn_stat;
int pn_parse_stat(const char *buf, size_t len, pn_stat *out);

/* ---- /proc/stat ----------------------------------------------------------
 * The boot time, from the line "btime N" (N seconds since the epoch).
 * Returns 0 with *out in [0, INT64_MAX], or -1 when there is no such line
 * or N is not one unsigned decimal in that range (out is then untouched). */
int pn_parse_btime(const char *buf, size_t len, int64_t *out);

/* ---- /proc/PID/status ----------------------------------------------------
 * Only the lines procnet uses. A field whose line is missing keeps its
 * have_ flag at 0. */
typedef struct pn_status {
  int have_uid;
  int64_t uid[4];       /* real, effective, saved, filesystem */
  int have_gid;
  int64_t gid[4];
} pn_status;
int pn_parse_status(const char *buf, size_t len, pn_status *out);

/* ---- /proc/PID/fd/N link targets -----------------------------------------
 * Classifies the text returned by readlink(2) on a descriptor. */
typedef enum pn_fd_kind {
  PN_FD_PATH = 0,       /* an absolute path (file, dir, device, fifo, ...) */
  PN_FD_SOCKET,         /* socket:[N] */
  PN_FD_PIPE,           /* pipe:[N] */
  PN_FD_ANON,           /* anon_inode:[eventfd], anon_inode:inotify, ... */
  PN_FD_NET,            /* net:[N] (a network namespace file) */
  PN_FD_PIDFD,          /* pidfd:[N] (older kernels: anon_inode:[pidfd]) */
  PN_FD_OTHER           /* anything else, e.g. "/memfd:x" is a PATH, but
                           "mqueue:[N]" or an unknown "xyz:[N]" lands here */
} pn_fd_kind;
typedef struct pn_fdlink {
  pn_fd_kind kind;
  int has_inode;
  uint64_t inode;       /* N of "kind:[N]" */
  pn_str name;          /* PN_FD_ANON: "[eventfd]" or "inotify";
                           PN_FD_OTHER: the part before ':' (or all) */
  pn_str path;          /* PN_FD_PATH: the path without " (deleted)" */
  int deleted;          /* PN_FD_PATH: target ended in " (deleted)" */
} pn_fdlink;
int pn_parse_fdlink(const char *buf, size_t len, pn_fdlink *out);

/* ---- /proc/PID/fdinfo/N ---------------------------------------------------
 * The lines every descriptor has (pos, flags, mnt_id, ino) and those by
 * which lsof names anonymous files: an eventfd's "eventfd-id:", a pidfd's
 * "Pid:" (-1 once the process has been reaped), an epoll set's "tfd:"
 * lines, one per watched descriptor (pn_next_epoll_tfd lists them); and a
 * pty master's "tty-index:" (its slave's number: /dev/pts/N), by which
 * lsof +E pairs the two ends of a pseudoterminal. */
typedef struct pn_fdinfo {
  int have_pos;
  int64_t pos;
  int have_flags;
  uint64_t flags;       /* parsed from octal */
  int have_mnt_id;
  int64_t mnt_id;
  int have_ino;
  uint64_t ino;
  int have_eventfd_id;
  int64_t eventfd_id;
  int have_pid;
  int64_t pid;
  int have_tty_index;
  int64_t tty_index;
  size_t epoll_tfds;    /* "tfd:" lines */
} pn_fdinfo;
int pn_parse_fdinfo(const char *buf, size_t len, pn_fdinfo *out);
/* The next watched descriptor of an epoll set's fdinfo ("tfd: N ..."
 * lines, in the kernel's order). *pos starts at 0; returns 1 with *fd, or
 * 0 after the last. Lines whose number does not parse are skipped. */
int pn_next_epoll_tfd(const char *buf, size_t len, size_t *pos, int64_t *fd);

/* ---- /proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6,icmp,icmp6} ---
 * One line (no header). Addresses are stored as the bytes in network order,
 * ready for inet_ntop: the kernel prints each 32-bit word in host order, so
 * the native u32 copied to memory restores the original bytes. */
typedef struct pn_inet_sock {
  int family;           /* 4 or 6 (from the number of hex digits) */
  uint8_t local_addr[16];
  uint16_t local_port;
  uint8_t remote_addr[16];
  uint16_t remote_port;
  int state;            /* st, e.g. 0x0A = LISTEN */
  uint64_t tx_queue;
  uint64_t rx_queue;
  int timer;            /* tr */
  uint64_t timer_when;  /* tm->when, clock ticks */
  uint64_t retransmits; /* retrnsmt */
  int64_t uid;
  uint64_t timeout;
  uint64_t inode;       /* 0 for TIME_WAIT and SYN_RECV request sockets */
  int has_refcnt;
  uint64_t refcnt;
  int has_drops;
  uint64_t drops;       /* udp/raw/icmp: the last field */
} pn_inet_sock;
/* has_drops_field: 1 for udp/udplite/raw/icmp files, 0 for tcp. */
int pn_parse_inet_line(const char *line, size_t len, int has_drops_field,
                       pn_inet_sock *out);

/* Text of a state number as the kernel/netstat names it ("ESTABLISHED",
 * "LISTEN", "TIME_WAIT", ...) or NULL for an unknown number. */
const char *pn_tcp_state_name(int state);

/* Formats an address from pn_inet_sock as text: "127.0.0.1", "::1",
 * "::ffff:10.0.0.1", "0.0.0.0", "::". out must hold 46 bytes. Returns the
 * length written. */
size_t pn_format_addr(int family, const uint8_t *addr, char out[46]);

/* ---- /proc/net/unix -------------------------------------------------------
 * Records, not lines: a path containing '\n' continues on the next line(s).
 * A line that starts like a record ("HEX: HEX HEX HEX HEX HEX DEC") begins a
 * new record; any other line continues the previous record's path. This is
 * ambiguous only for a path that itself embeds a complete fake record, which
 * the kernel's format cannot rule out. *pos starts at 0 (the header line is
 * skipped by the caller or recognised and skipped here). Returns 1 with a
 * record, 0 at the end. Malformed records are skipped. */
typedef struct pn_unix_sock {
  pn_str num;           /* "Num": the socket's kernel address as printed
                           (hashed by %pK; lsof shows it as DEVICE) */
  uint64_t refcount;
  uint64_t protocol;
  uint64_t flags;       /* 0x10000 = __SO_ACCEPTCON: listening */
  int type;             /* 1 STREAM, 2 DGRAM, 5 SEQPACKET */
  int state;            /* 1 UNCONNECTED .. 4 DISCONNECTING */
  uint64_t inode;
  int has_path;
  pn_str path;          /* may contain '\n' and spaces; abstract: leading '@' */
} pn_unix_sock;
int pn_next_unix(const char *buf, size_t len, size_t *pos, pn_unix_sock *out);
#define PN_UNIX_LISTENING 0x10000u

/* ---- /proc/net/packet ----------------------------------------------------- */
typedef struct pn_packet_sock {
  uint64_t refcnt;
  int type;             /* SOCK_RAW 3, SOCK_DGRAM 2 */
  unsigned protocol;    /* ethertype, printed in hex */
  int64_t ifindex;
  int running;
  uint64_t rmem;
  int64_t uid;
  uint64_t inode;
} pn_packet_sock;
int pn_parse_packet_line(const char *line, size_t len, pn_packet_sock *out);

/* ---- /proc/net/netlink ---------------------------------------------------- */
typedef struct pn_netlink_sock {
  int protocol;         /* "Eth" column: NETLINK_ROUTE 0, ... */
  int64_t portid;       /* "Pid" column */
  uint64_t groups;      /* hex */
  uint64_t rmem;
  uint64_t wmem;
  int dump;
  uint64_t locks;
  uint64_t drops;
  uint64_t inode;
} pn_netlink_sock;
int pn_parse_netlink_line(const char *line, size_t len, pn_netlink_sock *out);

/* ---- /proc/PID/maps ------------------------------------------------------- */
typedef struct pn_map {
  uint64_t start;
  uint64_t end;
  char perms[5];        /* "r-xp", NUL-terminated */
  uint64_t offset;
  unsigned dev_major;
  unsigned dev_minor;
  uint64_t inode;
  pn_str path;          /* may be empty; "[heap]", "/x (deleted)" kept raw */
} pn_map;
int pn_parse_maps_line(const char *line, size_t len, pn_map *out);

/* ---- /proc/PID/cgroup ----------------------------------------------------
 * Finds a container id (64 hex digits for docker/containerd/podman/crio; the
 * pod-level id for kubepods) in the cgroup paths. Returns the length written
 * to out (without NUL, at most 64) or 0 when no container is named. */
size_t pn_container_id(const char *buf, size_t len, char out[65]);

/* ---- /proc/PID/ns/X and socket:[N] -----------------------------------------
 * Parses "prefix:[N]" (e.g. "net:[4026531840]"); returns 0 and sets *inode
 * when the text is exactly that form with the given prefix. */
int pn_parse_bracket_inode(const char *buf, size_t len, const char *prefix,
                           uint64_t *inode);

/* ---- /proc/PID/mountinfo ----------------------------------------------------
 * One line: "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] -
 * FSTYPE SOURCE SUPER_OPTIONS". ROOT and MOUNT_POINT are slices as printed:
 * blanks, newlines and backslashes in them are octal escapes (\040),
 * which pn_unescape_mount undoes. A bind-mounted namespace (ip netns add)
 * is a mount of FSTYPE "nsfs" whose ROOT is "net:[INODE]". */
typedef struct pn_mountinfo {
  int64_t id;
  int64_t parent;
  pn_str root;
  pn_str mount_point;
  pn_str fstype;
  pn_str source;
} pn_mountinfo;
int pn_parse_mountinfo_line(const char *line, size_t len, pn_mountinfo *out);

/* Writes s with its \NNN octal escapes undone to out (at most cap bytes,
 * no NUL added); returns the length of the whole result, which may exceed
 * cap. A backslash not followed by three octal digits is kept as is. */
size_t pn_unescape_mount(pn_str s, char *out, size_t cap);

/* ---- /proc/locks ------------------------------------------------------------
 * One line: "ID: CLASS MODE TYPE PID MAJ:MIN:INODE START END", e.g.
 * "1: POSIX  ADVISORY  WRITE 1234 fe:00:1054 0 EOF" (fs/locks.c). A lock
 * waiting for another is printed "ID: -> CLASS ..." under it. CLASS is
 * POSIX, FLOCK, OFDLCK, LEASE, DELEG...; TYPE READ, WRITE or UNLCK (a
 * lease being broken); PID is -1 for an OFD lock, whose owner is a file,
 * not a process; END is EOF for a lock to the end of the file (and beyond),
 * else the last byte. MAJ and MIN are hex, INODE decimal. */
typedef struct pn_lock_line {
  int waiting;          /* "->": blocked behind another lock */
  pn_str lock_class;    /* POSIX, FLOCK, ... */
  int type;             /* 'R' READ, 'W' WRITE, 'U' UNLCK */
  int64_t pid;
  unsigned dev_major;
  unsigned dev_minor;
  uint64_t inode;
  uint64_t start;
  int to_eof;           /* END is EOF */
  uint64_t end;         /* when !to_eof */
} pn_lock_line;
int pn_parse_lock_line(const char *line, size_t len, pn_lock_line *out);

/* ---- /etc/passwd -----------------------------------------------------------
 * One line "name:password:uid:gid:gecos:home:shell". Comments, blank lines
 * and lines with a bad uid return -1. */
typedef struct pn_passwd {
  pn_str name;
  int64_t uid;
  int64_t gid;
  pn_str home;
  pn_str shell;
} pn_passwd;
int pn_parse_passwd_line(const char *line, size_t len, pn_passwd *out);

#endif
