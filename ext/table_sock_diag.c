/*
 * table_sock_diag.c: `sock_diag`, one row per TCP, UDP, UDP-Lite, raw,
 * unix and packet socket of every network namespace, with what only the
 * kernel's sock_diag interface tells (what `ss -tieom` and `ss -0eomb`
 * print): the TCP internals of tcp_info (rtt, cwnd, retransmits, delivery
 * rate, ...), the congestion control, a packet socket's version, rings,
 * fanout group and filter, the socket memory (skmem), the timer as ss -o
 * shows it, owner, cookie, cgroup, bound device. See netscan.h for
 * namespaces, snapshots and idxNum; `kind = ?` reads only that kind.
 *
 * The TCP internals and a packet socket's rings, fanout and filter are
 * asked of the kernel only when one of their columns is used
 * (PN_WANT_INFO), and the memory only when a skmem column is
 * (PN_WANT_MEM). Where netlink is refused or switched off (or the root is
 * not a real /proc), the rows still come, from the text files, with the
 * sock_diag columns NULL. tcp_info columns are NULL for other kinds, the
 * packet ones for other kinds than packet; skmem is there for every kind.
 *
 * The hidden `record` column is the row itself for C functions
 * (PN_SOCKROW_POINTER, sockcol.h): procnet ss's extras read it.
 */
#include "tables.h"
#include "sockcol.h"
SQLITE_EXTENSION_INIT3

static const char SOCK_DIAG_SCHEMA[] =
    "CREATE TABLE x(kind TEXT, family TEXT, local_address TEXT,"
    " local_port INTEGER, remote_address TEXT, remote_port INTEGER, path TEXT,"
    " state TEXT, rx_queue INTEGER, tx_queue INTEGER, backlog INTEGER,"
    " timer TEXT, timer_expires REAL, timer_retrans INTEGER, uid INTEGER,"
    " inode INTEGER, cookie INTEGER, cgroup_id INTEGER, shutdown INTEGER,"
    " v6only INTEGER, ifindex INTEGER, interface TEXT, peer_inode INTEGER,"
    " mark INTEGER, vfs_inode INTEGER, vfs_dev_major INTEGER,"
    " vfs_dev_minor INTEGER, pending TEXT,"
    " congestion TEXT, options TEXT, snd_wscale INTEGER, rcv_wscale INTEGER,"
    " rto_us INTEGER, ato_us INTEGER, rtt_us INTEGER, rttvar_us INTEGER,"
    " min_rtt_us INTEGER, snd_mss INTEGER, rcv_mss INTEGER, advmss INTEGER,"
    " pmtu INTEGER, cwnd INTEGER, ssthresh INTEGER, rcv_ssthresh INTEGER,"
    " unacked INTEGER, sacked INTEGER, lost INTEGER, retrans INTEGER,"
    " retransmits INTEGER, total_retrans INTEGER, probes INTEGER,"
    " backoff INTEGER, ca_state INTEGER, reordering INTEGER,"
    " reord_seen INTEGER, dsack_dups INTEGER, bytes_sent INTEGER,"
    " bytes_acked INTEGER, bytes_received INTEGER, bytes_retrans INTEGER,"
    " segs_out INTEGER, segs_in INTEGER, data_segs_out INTEGER,"
    " data_segs_in INTEGER, delivered INTEGER, delivered_ce INTEGER,"
    " delivery_rate INTEGER, app_limited INTEGER, pacing_rate INTEGER,"
    " max_pacing_rate INTEGER, busy_us INTEGER, rwnd_limited_us INTEGER,"
    " sndbuf_limited_us INTEGER, last_send_ms INTEGER, last_recv_ms INTEGER,"
    " last_ack_ms INTEGER, rcv_rtt_us INTEGER, rcv_space INTEGER,"
    " notsent_bytes INTEGER, rcv_ooopack INTEGER, snd_wnd INTEGER,"
    " rcv_wnd INTEGER, rehash INTEGER, bbr_bw INTEGER, bbr_min_rtt_us INTEGER,"
    " bbr_pacing_gain INTEGER, bbr_cwnd_gain INTEGER, tos INTEGER,"
    " tclass INTEGER, packet_version INTEGER, packet_reserve INTEGER,"
    " packet_copy_thresh INTEGER, packet_tstamp INTEGER, packet_flags TEXT,"
    " rx_ring_block_size INTEGER, rx_ring_block_nr INTEGER,"
    " rx_ring_frame_size INTEGER, rx_ring_frame_nr INTEGER,"
    " rx_ring_retire_tmo_ms INTEGER, rx_ring_sizeof_priv INTEGER,"
    " rx_ring_features INTEGER, tx_ring_block_size INTEGER,"
    " tx_ring_block_nr INTEGER, tx_ring_frame_size INTEGER,"
    " tx_ring_frame_nr INTEGER, tx_ring_retire_tmo_ms INTEGER,"
    " tx_ring_sizeof_priv INTEGER, tx_ring_features INTEGER,"
    " fanout_id INTEGER, fanout_type TEXT, bpf_filter TEXT,"
    " skmem_r INTEGER, skmem_rb INTEGER,"
    " skmem_t INTEGER, skmem_tb INTEGER, skmem_f INTEGER, skmem_w INTEGER,"
    " skmem_o INTEGER, skmem_bl INTEGER, skmem_d INTEGER, netns INTEGER,"
    " ns_pid INTEGER HIDDEN, record HIDDEN)";
static const unsigned char SOCK_DIAG_FIELDS[] = {
    PN_F_KIND, PN_F_FAMILY, PN_F_LOCAL_ADDRESS, PN_F_LOCAL_PORT,
    PN_F_REMOTE_ADDRESS, PN_F_REMOTE_PORT, PN_F_PATH, PN_F_STATE,
    PN_F_RX_QUEUE, PN_F_TX_QUEUE, PN_F_BACKLOG, PN_F_TIMER,
    PN_F_TIMER_EXPIRES, PN_F_TIMER_RETRANS, PN_F_UID, PN_F_INODE, PN_F_COOKIE,
    PN_F_CGROUP_ID, PN_F_SHUTDOWN, PN_F_V6ONLY, PN_F_IFINDEX, PN_F_INTERFACE,
    PN_F_PEER_INODE, PN_F_MARK, PN_F_VFS_INODE, PN_F_VFS_DEV_MAJOR,
    PN_F_VFS_DEV_MINOR, PN_F_PENDING, PN_F_CONGESTION, PN_F_OPTIONS, PN_F_SND_WSCALE,
    PN_F_RCV_WSCALE, PN_F_RTO_US, PN_F_ATO_US, PN_F_RTT_US, PN_F_RTTVAR_US,
    PN_F_MIN_RTT_US, PN_F_SND_MSS, PN_F_RCV_MSS, PN_F_ADVMSS, PN_F_PMTU,
    PN_F_CWND, PN_F_SSTHRESH, PN_F_RCV_SSTHRESH, PN_F_UNACKED, PN_F_SACKED,
    PN_F_LOST, PN_F_RETRANS, PN_F_TCPI_RETRANSMITS, PN_F_TOTAL_RETRANS,
    PN_F_PROBES, PN_F_BACKOFF, PN_F_CA_STATE, PN_F_REORDERING,
    PN_F_REORD_SEEN, PN_F_DSACK_DUPS, PN_F_BYTES_SENT, PN_F_BYTES_ACKED,
    PN_F_BYTES_RECEIVED, PN_F_BYTES_RETRANS, PN_F_SEGS_OUT, PN_F_SEGS_IN,
    PN_F_DATA_SEGS_OUT, PN_F_DATA_SEGS_IN, PN_F_DELIVERED, PN_F_DELIVERED_CE,
    PN_F_DELIVERY_RATE, PN_F_APP_LIMITED, PN_F_PACING_RATE,
    PN_F_MAX_PACING_RATE, PN_F_BUSY_US, PN_F_RWND_LIMITED_US,
    PN_F_SNDBUF_LIMITED_US, PN_F_LAST_SEND_MS, PN_F_LAST_RECV_MS,
    PN_F_LAST_ACK_MS, PN_F_RCV_RTT_US, PN_F_RCV_SPACE, PN_F_NOTSENT_BYTES,
    PN_F_RCV_OOOPACK, PN_F_SND_WND, PN_F_RCV_WND, PN_F_REHASH, PN_F_BBR_BW,
    PN_F_BBR_MIN_RTT_US, PN_F_BBR_PACING_GAIN, PN_F_BBR_CWND_GAIN, PN_F_TOS,
    PN_F_TCLASS, PN_F_PACKET_VERSION, PN_F_PACKET_RESERVE,
    PN_F_PACKET_COPY_THRESH, PN_F_PACKET_TSTAMP, PN_F_PACKET_FLAGS,
    PN_F_RX_RING_BLOCK_SIZE, PN_F_RX_RING_BLOCK_NR, PN_F_RX_RING_FRAME_SIZE,
    PN_F_RX_RING_FRAME_NR, PN_F_RX_RING_RETIRE_TMO_MS, PN_F_RX_RING_SIZEOF_PRIV,
    PN_F_RX_RING_FEATURES, PN_F_TX_RING_BLOCK_SIZE, PN_F_TX_RING_BLOCK_NR,
    PN_F_TX_RING_FRAME_SIZE, PN_F_TX_RING_FRAME_NR, PN_F_TX_RING_RETIRE_TMO_MS,
    PN_F_TX_RING_SIZEOF_PRIV, PN_F_TX_RING_FEATURES, PN_F_FANOUT_ID,
    PN_F_FANOUT_TYPE, PN_F_BPF_FILTER, PN_F_SKMEM_R, PN_F_SKMEM_RB, PN_F_SKMEM_T,
    PN_F_SKMEM_TB, PN_F_SKMEM_F, PN_F_SKMEM_W, PN_F_SKMEM_O, PN_F_SKMEM_BL,
    PN_F_SKMEM_D, PN_F_NETNS, PN_F_NS_PID, PN_F_RECORD};

static const pn_sockkind *const diag_kinds[] = {
    &pn_kind_tcp, &pn_kind_udp, &pn_kind_udplite, &pn_kind_raw, &pn_kind_unix,
    &pn_kind_packet};
const pn_nettable pn_table_sock_diag = {SOCK_DIAG_SCHEMA, diag_kinds, 6,
                                        SOCK_DIAG_FIELDS, sizeof SOCK_DIAG_FIELDS};
