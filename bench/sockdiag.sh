#!/bin/sh
# sockdiag.sh: the benchmark of what procnet reads through sock_diag, run by
# `make bench` after bench/bench.sh (or alone: `make bench-sockdiag`).
#
#  1. 10,000 TCP sockets in 20 processes, one namespace: the TCP internals
#     of every socket (what `ss -tani` prints) through procnet, against
#     `ss -tani`, two ways: the sock_diag table's columns through the
#     sqlite3 shell (procnet-i) and the command's own `procnet ss -tani`
#     (procnet-ss: every namespace's sockets, as procnet lists them by
#     default; procnet-ss-self with --netns self: the rows of ss -tani);
#     and the ss view read through
#     sock_diag against the same
#     view from the text files (procnet_netlink('off')), to show which
#     source is the faster for the caller's own namespace.
#  2. 40 network namespaces (ip netns add) with 250 TCP sockets each: one
#     procnet query over every namespace (the ss view's columns, the
#     holders and the TCP internals) against what people run today for the
#     same rows, `ip -all netns exec ss -tanpi`.
#  3. One socket by inode: what `WHERE inode = N` costs against the whole
#     table.
#
# Knobs: BENCH_RUNS_SD (10), BENCH_NS (40), BENCH_NS_SOCKETS (10000 in all).
set -eu

B=${B:-build}
EXT=$B/procnet
CMD=$B/procnet
WORKLOAD=$B/bench/workload
RUNNER=$B/bench/runner
R=$B/bench/results-sockdiag
RUNS=${BENCH_RUNS_SD:-10}
NS=${BENCH_NS:-40}
NS_SOCKETS=${BENCH_NS_SOCKETS:-10000}
VIEWS=sql/views.sql
NS_PREFIX=pnbench$$-

rm -rf "$R"
mkdir -p "$R"
T0=$(date +%s)
. bench/lib.sh

# The namespaces of part 2, removed whatever happens (after the workload's
# own cleanup, which lib.sh's trap runs).
drop_namespaces() {
  for i in $(seq 0 $((NS - 1))); do ip netns del "$NS_PREFIX$i" 2>/dev/null || true; done
}
trap 'cleanup; drop_namespaces' EXIT
trap 'cleanup; drop_namespaces; exit 130' INT TERM


# What ss -tani prints of each TCP socket, from sock_diag.
TCPI_Q="SELECT state, rx_queue, tx_queue, local_address, local_port,
 remote_address, remote_port, options, congestion, rto_us, rtt_us, rttvar_us,
 ato_us, snd_mss, pmtu, rcv_mss, advmss, cwnd, ssthresh, bytes_sent,
 bytes_acked, bytes_received, segs_out, segs_in, data_segs_out, data_segs_in,
 last_send_ms, last_recv_ms, last_ack_ms, pacing_rate, delivery_rate,
 delivered, app_limited, busy_us, rcv_space, rcv_ssthresh, min_rtt_us, snd_wnd
FROM sock_diag WHERE kind = 'tcp'"
SS_Q="SELECT * FROM ss WHERE netid = 'tcp'"
# The ss view's rows with their holders and TCP internals, every namespace:
# the rows of ip -all netns exec ss -tanpi.
NS_Q="SELECT s.netns, s.state, s.recv_q, s.send_q, s.local, s.peer, s.process,
 d.options, d.congestion, d.rto_us, d.rtt_us, d.rttvar_us, d.ato_us, d.snd_mss,
 d.pmtu, d.rcv_mss, d.advmss, d.cwnd, d.bytes_sent, d.bytes_acked,
 d.bytes_received, d.segs_out, d.segs_in, d.data_segs_out, d.data_segs_in,
 d.last_send_ms, d.last_recv_ms, d.last_ack_ms, d.pacing_rate,
 d.delivery_rate, d.delivered, d.app_limited, d.busy_us, d.rcv_space,
 d.rcv_ssthresh, d.min_rtt_us, d.snd_wnd
FROM ss s LEFT JOIN sock_diag d
  ON d.kind = 'tcp' AND d.inode = s.inode AND d.netns = s.netns AND s.inode <> 0
WHERE s.netid = 'tcp'"

echo "== procnet sock_diag benchmark"
echo "  $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"

# ---- 1. one namespace ----------------------------------------------------------
echo
echo "== 10000 TCP sockets in 20 processes, this namespace: $RUNS interleaved runs each"
start_workload small -p 20 -s 10000
echo "  rows: procnet $(SQL "SELECT count(*) FROM sock_diag WHERE kind = 'tcp'")," \
  "ss -tan $(($(ss -tan | wc -l) - 1)); lines: procnet ss -tani $("$CMD" ss -tani | wc -l)," \
  "ss -tani $(ss -tani | wc -l)"
alive small
runner -r "$RUNS" -w 1 -T 300 -l "$R/small.runs" -E "$R" -- \
  procnet-i sqlite3 :memory: -cmd ".load $EXT" "$TCPI_Q" --- \
  procnet-ss "$CMD" ss -tani --- \
  procnet-ss-self "$CMD" --netns self ss -tani --- \
  ss-i ss -tani --- \
  view-diag sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "$SS_Q" --- \
  view-text env PROCNET_NETLINK=off sqlite3 :memory: -cmd ".load $EXT" \
    -cmd ".read $VIEWS" "$SS_Q" >"$R/small.tsv"
alive small

# ---- 3. one socket by inode ------------------------------------------------------
INO=$(SQL "SELECT inode FROM net_tcp WHERE state = 'ESTABLISHED' AND inode <> 0 LIMIT 1")
UINO=$(SQL "SELECT inode FROM net_unix WHERE inode <> 0 LIMIT 1")
runner -r "$RUNS" -w 1 -T 300 -l "$R/inode.runs" -E "$R" -- \
  tcp-one sqlite3 :memory: -cmd ".load $EXT" "SELECT * FROM sock_diag WHERE inode = $INO" --- \
  tcp-all sqlite3 :memory: -cmd ".load $EXT" "SELECT count(*) FROM sock_diag" --- \
  unix-one sqlite3 :memory: -cmd ".load $EXT" "SELECT * FROM net_unix WHERE inode = $UINO" --- \
  unix-all sqlite3 :memory: -cmd ".load $EXT" "SELECT count(*) FROM net_unix" \
  >"$R/inode.tsv"
DUMPS_ONE=$(sqlite3 :memory: -cmd ".load $EXT" \
  "SELECT count(*) FROM sock_diag WHERE inode = $INO;" \
  "SELECT json_extract(procnet_stats(), '\$.netlink_dumps')" | tail -n 1)
stop_workload small

# ---- 2. many namespaces --------------------------------------------------------------
echo
echo "== $NS namespaces with $((NS_SOCKETS / NS)) TCP sockets each: $RUNS interleaved runs each"
for i in $(seq 0 $((NS - 1))); do ip netns add "$NS_PREFIX$i"; done
start_workload ns -p "$NS" -s "$NS_SOCKETS" -n "/run/netns/$NS_PREFIX"
SQL "$NS_Q AND s.netns IN (SELECT net FROM namespaces WHERE net_name LIKE '$NS_PREFIX%')" \
  >"$R/ns.procnet.txt"
ip -all netns exec ss -tanpi >"$R/ns.ss.txt" 2>/dev/null || true
# ip -all netns exec prints "netns: NAME" before each namespace's output;
# ss -tanpi one line per socket starting with its state, then its info line
SS_ROWS=$(awk -v p="$NS_PREFIX" '/^netns: / { ours = index($2, p) == 1; next }
  ours && /^(ESTAB|LISTEN|SYN-|FIN-|TIME-WAIT|CLOSE|LAST-ACK|CLOSING|UNCONN)/ { n++ }
  END { print n + 0 }' "$R/ns.ss.txt")
P_ROWS=$(wc -l <"$R/ns.procnet.txt")
echo "  rows in the $NS namespaces: procnet $P_ROWS, ip -all netns exec ss -tanpi $SS_ROWS" \
  "(both list the other namespaces of this machine too)"
alive ns
runner -r "$RUNS" -w 1 -T 300 -l "$R/ns.runs" -E "$R" -- \
  procnet sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "$NS_Q" --- \
  ss-all ip -all netns exec ss -tanpi >"$R/ns.tsv"
alive ns
stop_workload ns
drop_namespaces

# ---- report ------------------------------------------------------------------------
echo
echo "============================ sock_diag summary ============================"
echo "10000 TCP sockets, this namespace (procnet-i: $TCPI_Q):"
echo "(procnet-ss: $CMD ss -tani, every namespace's sockets as procnet lists them;"
echo " procnet-ss-self: $CMD --netns self ss -tani, this namespace's, the rows of ss -tani)"
rows "$R/small.tsv" procnet-i procnet-ss procnet-ss-self ss-i view-diag view-text
echo "One socket by inode (tcp-one read $DUMPS_ONE sock_diag dump(s)):"
rows "$R/inode.tsv" tcp-one tcp-all unix-one unix-all
echo "$NS namespaces x $((NS_SOCKETS / NS)) TCP sockets:"
rows "$R/ns.tsv" procnet ss-all
echo
echo "Targets:"
target() { printf '  %s  %-64s %s\n' "$(verdict "$2" "$3" "$4")" "$1" "($2; limit $4)"; }
target "TCP internals, 10000 sockets: procnet-i (sqlite3) wall <= 0.8 x ss -tani" \
  "$(ratio "$(field "$R/small.tsv" procnet-i 4)" "$(field "$R/small.tsv" ss-i 4)")" "<=" 0.8
target "TCP internals, 10000 sockets: procnet ss -tani wall <= 0.8 x ss -tani" \
  "$(ratio "$(field "$R/small.tsv" procnet-ss 4)" "$(field "$R/small.tsv" ss-i 4)")" "<=" 0.8
echo "  the same in CPU time: procnet-i" \
  "$(ratio "$(field "$R/small.tsv" procnet-i 7)" "$(field "$R/small.tsv" ss-i 7)"), procnet ss -tani" \
  "$(ratio "$(field "$R/small.tsv" procnet-ss 7)" "$(field "$R/small.tsv" ss-i 7)") of ss -tani's"
target "$NS namespaces: procnet wall <= 0.3 x ip -all netns exec ss -tanpi" \
  "$(ratio "$(field "$R/ns.tsv" procnet 4)" "$(field "$R/ns.tsv" ss-all 4)")" "<=" 0.3
printf '  %s  %-64s %s\n' "$([ "$P_ROWS" -eq "$SS_ROWS" ] && echo PASS || echo MISS)" \
  "$NS namespaces: the same rows" "(procnet $P_ROWS, ss $SS_ROWS)"
echo "  the caller's namespace through sock_diag against the text files:" \
  "$(ratio "$(field "$R/small.tsv" view-diag 4)" "$(field "$R/small.tsv" view-text 4)") of the time"
echo
echo "bench: $(($(date +%s) - T0)) s; raw runs in $R/"
