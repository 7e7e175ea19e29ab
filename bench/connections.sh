#!/bin/sh
# connections.sh: what who-talks-to-whom costs, run by `make bench` after
# bench/sockdiag.sh (or alone: `make bench-connections`).
#
# 10,000 TCP sockets in 20 processes (bench/workload: loopback connections,
# both ends on this host, and unix socketpairs): every connection with
# both ends, their processes, users and containers (the connections view:
# TCP, UDP, unix sockets, pipes), against procnet's own ss view of the
# same TCP sockets. The pairing is a join of one read of each source, not
# a scan per socket: the target is at most 1.5 times the ss view.
#
# Knob: BENCH_RUNS_CONN (10).
set -eu

B=${B:-build}
EXT=$B/procnet
WORKLOAD=$B/bench/workload
RUNNER=$B/bench/runner
R=$B/bench/results-connections
RUNS=${BENCH_RUNS_CONN:-10}
VIEWS=sql/views.sql

rm -rf "$R"
mkdir -p "$R"
T0=$(date +%s)
. bench/lib.sh

SS_Q="SELECT * FROM ss WHERE netid = 'tcp'"
CONN_Q="SELECT * FROM connections"

echo "== procnet connections benchmark"
echo "  $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
echo
echo "== 10000 TCP sockets in 20 processes: $RUNS interleaved runs each"
start_workload conn -p 20 -s 10000
alive conn
# The workload's connections, each with both ends: its processes hold
# both sides of every one (the rows of ss that are not listeners, halved).
PAIRS=$(SQL "SELECT count(*) FROM connections WHERE kind = 'tcp' AND via = 'netns'
  AND src_process = 'workload' AND dst_process = 'workload'")
ENDS=$(SQL "SELECT count(*) FROM ss WHERE netid = 'tcp' AND state = 'ESTAB'
  AND process LIKE '%\"workload\"%'")
echo "  workload connections paired: $PAIRS (ss view: $ENDS established ends)"
runner -r "$RUNS" -w 1 -T 300 -l "$R/conn.runs" -E "$R" -- \
  ss-view sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "$SS_Q" --- \
  connections sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "$CONN_Q" \
  >"$R/conn.tsv"
alive conn
stop_workload conn

ms() { awk -v v="$1" 'BEGIN { printf "%9.1f", v }'; }
echo
echo "============================ connections summary ============================"
printf '  %-14s %9s %9s %9s %9s %7s %5s\n' contender "wall ms" "min ms" "max ms" "cpu ms" "RSS MB" fails
for l in ss-view connections; do
  printf '  %-14s %s %s %s %s %7.1f %5s\n' "$l" "$(ms "$(field "$R/conn.tsv" "$l" 4)")" \
    "$(ms "$(field "$R/conn.tsv" "$l" 5)")" "$(ms "$(field "$R/conn.tsv" "$l" 6)")" \
    "$(ms "$(field "$R/conn.tsv" "$l" 7)")" \
    "$(awk -v v="$(field "$R/conn.tsv" "$l" 8)" 'BEGIN { print v / 1024 }')" \
    "$(field "$R/conn.tsv" "$l" 3)"
done
echo
echo "Targets:"
RATIO=$(ratio "$(field "$R/conn.tsv" connections 4)" "$(field "$R/conn.tsv" ss-view 4)")
CPU=$(ratio "$(field "$R/conn.tsv" connections 7)" "$(field "$R/conn.tsv" ss-view 7)")
printf '  %s  %-64s %s\n' "$(verdict "$RATIO" "<=" 1.5)" \
  "connections, 10000 sockets: wall <= 1.5 x the ss view" "($RATIO; cpu $CPU)"
printf '  %s  %-64s %s\n' "$([ "$PAIRS" -ge $((ENDS / 2)) ] && echo PASS || echo MISS)" \
  "every workload connection paired" "($PAIRS of $((ENDS / 2)))"
echo
echo "bench: $(($(date +%s) - T0)) s; raw runs in $R/"
