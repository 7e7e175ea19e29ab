/*
 * ss_packet.c: what `ss -e` and `ss -b` print of a packet socket after its
 * ino and sk (ss's packet_show_sock), from the sock_diag columns of its
 * packet_diag details; see ss_extras.h.
 */
#include "ss_extras.h"

/* ss writes the fields of struct packet_diag_ring, all u32, with %d. */
static long long as_int(row *r, int a) { return (int32_t)(uint32_t)unum(r, a); }

/* Where ss starts each item: a new line, or a blank with -O. */
static void item(row *r, unsigned flags, const char *what) {
  ssx_put_text(r, flags & SS_X_ONELINE ? " " : "\n\t");
  ssx_put_text(r, what);
}

/* "ring_rx(blk_size:65536,blk_nr:4,frm_size:2048,frm_nr:128,tmo:60,
 * features:0x0)"; first: the ring's first argument (A_RX_BLOCK_SIZE or
 * A_TX_BLOCK_SIZE, the others following in the same order). */
static void out_ring(row *r, unsigned flags, const char *name, int first) {
  static const char *const fields[] = {"blk_size:", ",blk_nr:", ",frm_size:",
                                       ",frm_nr:", ",tmo:"};
  if (!has(r, first)) return;
  item(r, flags, name);
  ssx_put(r, "(", 1);
  for (int i = 0; i < 5; i++) ssx_putf(r, "%s%lld", fields[i], as_int(r, first + i));
  ssx_putf(r, ",features:0x%llx)", unum(r, first + 5) & 0xffffffffu);
}

/* "flags( running auxdata )": ss prints running first without a blank
 * before it, the others each after one, and 0 for none. */
static void out_flags(row *r) {
  const char *f = text(r, A_PK_FLAGS);
  ssx_put_text(r, " flags( ");
  if (!*f) ssx_put_text(r, "0");
  else if (strncmp(f, "running", 7) != 0) ssx_put(r, " ", 1);
  ssx_put_text(r, f);
  ssx_put_text(r, " )");
}

void ssx_packet_details(row *r, unsigned flags) {
  if (has(r, A_PK_VERSION)) {
    item(r, flags, "ver:");
    ssx_putf(r, "%lld cpy_thresh:%lld", as_int(r, A_PK_VERSION), as_int(r, A_PK_COPY_THRESH));
    out_flags(r);
  }
  out_ring(r, flags, "ring_rx", A_RX_BLOCK_SIZE);
  out_ring(r, flags, "ring_tx", A_TX_BLOCK_SIZE);
  if (has(r, A_FANOUT_ID)) {
    item(r, flags, "fanout(");
    ssx_putf(r, "id:%lld,type:%s)", num(r, A_FANOUT_ID), text(r, A_FANOUT_TYPE));
  }
}

/* "bpf filter (2):  0x80 0 0 0, 0x06 0 0 65535,": the count, then each
 * instruction after a blank and before a comma (the column has them
 * joined by ", "). */
void ssx_packet_filter(row *r, unsigned flags) {
  if (!has(r, A_BPF)) return;
  const char *f = text(r, A_BPF);
  long long n = *f ? 1 : 0;
  for (const char *p = f; (p = strstr(p, ", ")) != NULL; p += 2) n++;
  item(r, flags, "bpf filter (");
  ssx_putf(r, "%lld): ", n);
  if (n) ssx_putf(r, " %s,", f);
}
