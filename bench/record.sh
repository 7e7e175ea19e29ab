#!/bin/sh
# record.sh: what `procnet record` costs, run by `make bench` after
# bench/sockdiag.sh (or alone: `make bench-record`).
#
#  1. CPU: recording every second for BENCH_RECORD_SECONDS (60) on the
#     10,000-socket workload (20 processes, bench/workload.c) while
#     connections come and go (bench/churn.c: 20 a second, each living up
#     to 5 s, the client's end through TIME_WAIT, and a UDP datagram every
#     half second): the recorder's CPU time (user + system, helper threads
#     included, from bench/runner.c) over its wall time, as a share of one
#     core, first sample included; and the time a sample takes
#     (samples.took_ms, the median). For scale, what `ss -tanp` once a
#     second costs on the same machine at the same time.
#  2. Memory: an hour's samples compressed, BENCH_RECORD_SAMPLES (3600)
#     back to back on the same workload and churn (the interval 0.01 s is
#     shorter than a sample): the recorder's highest resident memory over
#     the second tenth of the samples against its highest over the last.
#  3. The database of an idle host: 3600 samples of a namespace where
#     nothing changes; what it grows by, after the first sample.
#
# Knobs: BENCH_RECORD_SECONDS (60), BENCH_RECORD_SAMPLES (3600),
# BENCH_RECORD_RATE (20 connections a second).
set -eu

B=${B:-build}
EXT=$B/procnet
WORKLOAD=$B/bench/workload
RUNNER=$B/bench/runner
CHURN=$B/bench/churn
R=$B/bench/results-record
SECONDS_1S=${BENCH_RECORD_SECONDS:-60}
SAMPLES=${BENCH_RECORD_SAMPLES:-3600}
RATE=${BENCH_RECORD_RATE:-20}

rm -rf "$R"
mkdir -p "$R"
T0=$(date +%s)
. bench/lib.sh

CHURN_PID=""
stop_churn() {
  [ -n "$CHURN_PID" ] && kill -TERM "$CHURN_PID" 2>/dev/null || true
  [ -n "$CHURN_PID" ] && wait "$CHURN_PID" 2>/dev/null || true
  CHURN_PID=""
}
trap 'stop_churn; cleanup' EXIT
trap 'stop_churn; cleanup; exit 130' INT TERM

db_value() { sqlite3 "$1" "$2"; }
kb_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "== procnet record benchmark"
echo "  $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"

start_workload small -p 20 -s 10000
"$CHURN" -r "$RATE" -l $((RATE * 5)) -t 600 >"$R/churn.out" 2>"$R/churn.err" &
CHURN_PID=$!
echo "  churn: $RATE connections a second; sockets now:" \
  "$(sqlite3 :memory: -cmd ".load $EXT" "SELECT count(*) FROM sockets WHERE kind IN ('tcp', 'udp', 'unix')")"

# ---- 1. CPU at one sample a second ----------------------------------------------
echo
echo "== recording every second for $SECONDS_1S s"
alive small
runner -r 1 -w 0 -T $((SECONDS_1S + 120)) -l "$R/cpu.runs" -E "$R" -- \
  record-1s "$EXT" record --db "$R/cpu.db" -n 1 --duration "$SECONDS_1S" >"$R/cpu.tsv"
alive small
CPU_MS=$(field "$R/cpu.tsv" record-1s 7)
WALL_MS=$(field "$R/cpu.tsv" record-1s 4)
CPU_PCT=$(awk -v c="$CPU_MS" -v w="$WALL_MS" 'BEGIN { if (w > 0) printf "%.1f", 100 * c / w; else print "n/a" }')
NSAMPLES=$(db_value "$R/cpu.db" "SELECT count(*) FROM samples")
TOOK=$(db_value "$R/cpu.db" "SELECT took_ms FROM samples WHERE id > 1 ORDER BY took_ms
  LIMIT 1 OFFSET (SELECT (count(*) - 1) / 2 FROM samples WHERE id > 1)")
FIRST=$(db_value "$R/cpu.db" "SELECT took_ms FROM samples WHERE id = 1")
ROWS=$(db_value "$R/cpu.db" "SELECT count(*) || ' socket lifetimes, ' ||
  (SELECT count(*) FROM socket_history WHERE first_seen IS NULL) || ' seen only at their close'
  FROM socket_history")
RSS_1S=$(field "$R/cpu.tsv" record-1s 8)
# the machine may hold more than the workload (other programs' sockets and
# namespaces): what the samples saw, and the cost scaled to 10,000 sockets
SEEN=$(db_value "$R/cpu.db" "SELECT sockets || ' ' || namespaces FROM samples
  ORDER BY sockets LIMIT 1 OFFSET (SELECT count(*) / 2 FROM samples)")
SEEN_SOCKETS=${SEEN% *}
SEEN_NS=${SEEN#* }
PER_10K=$(awk -v p="$CPU_PCT" -v s="$SEEN_SOCKETS" 'BEGIN { if (s > 0) printf "%.1f", p * 10000 / s; else print "n/a" }')
# for scale, in the same conditions: what `watch -n 1 ss -tanp` would cost
runner -r 5 -w 1 -T 120 -l "$R/ss.runs" -E "$R" -- ss-tanp ss -tanp >"$R/ss.tsv"
SS_PCT=$(awk -v c="$(field "$R/ss.tsv" ss-tanp 7)" 'BEGIN { printf "%.1f", c / 10 }')

# ---- 2. memory over an hour's samples ----------------------------------------------
echo "== $SAMPLES samples back to back"
alive small
"$EXT" record --db "$R/mem.db" -n 0.01 >"$R/mem.out" 2>"$R/mem.err" &
REC=$!
# The resident size swings within a sample (what it reads is allocated,
# then freed), so one reading says little: the highest of the readings
# taken during the second tenth of the samples is compared with the
# highest during the last tenth.
TENTH=$((SAMPLES / 10))
RSS_TENTH=0
RSS_END=0
n=0
while kill -0 "$REC" 2>/dev/null; do
  n=$(db_value "$R/mem.db" "SELECT count(*) FROM samples" 2>/dev/null || echo 0)
  rss=$(kb_of "$REC")
  if [ "$n" -ge "$TENTH" ] && [ "$n" -lt $((2 * TENTH)) ] && [ "${rss:-0}" -gt "$RSS_TENTH" ]; then
    RSS_TENTH=$rss
  fi
  if [ "$n" -ge $((SAMPLES - TENTH)) ] && [ "${rss:-0}" -gt "$RSS_END" ]; then
    RSS_END=$rss
  fi
  [ "$n" -ge "$SAMPLES" ] && break
  sleep 0.5
done
kill -TERM "$REC" 2>/dev/null || true
wait "$REC" || { echo "bench: the recorder failed:" >&2; cat "$R/mem.err" >&2; exit 1; }
MEM_SAMPLES=$(db_value "$R/mem.db" "SELECT count(*) FROM samples")
MEM_ROWS=$(db_value "$R/mem.db" "SELECT count(*) FROM socket_history")
alive small
stop_churn
stop_workload small

# ---- 3. an idle database --------------------------------------------------------------
echo "== $SAMPLES samples of an idle namespace"
unshare -n sh -c "'$EXT' --netns self record --db '$R/idle.db' -n 0.01 --duration 0.005 &&
  cp '$R/idle.db' '$R/idle-1.db' &&
  '$EXT' --netns self record --db '$R/idle.db' -n 0.01 --duration $(awk -v s="$SAMPLES" 'BEGIN { print (s - 1) / 100 }')"
IDLE_SAMPLES=$(db_value "$R/idle.db" "SELECT count(*) FROM samples")
IDLE_GROWTH=$(($(stat -c %s "$R/idle.db") - $(stat -c %s "$R/idle-1.db")))
IDLE_HOUR=$(awk -v g="$IDLE_GROWTH" -v n="$IDLE_SAMPLES" 'BEGIN { printf "%.0f", g * 3600 / (n - 1) }')

# ---- report ---------------------------------------------------------------------------
MEM_GROWTH=$(awk -v a="$RSS_TENTH" -v b="$RSS_END" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "n/a" }')
echo
echo "============================ record summary ============================"
echo "Every second for $SECONDS_1S s, 10000 TCP sockets + churn ($NSAMPLES samples, $ROWS):"
echo "  CPU ${CPU_MS} ms over ${WALL_MS} ms: ${CPU_PCT}% of one core;" \
  "a sample takes ${TOOK} ms (median; the first ${FIRST} ms); peak RSS $((RSS_1S / 1024)) MB"
echo "  (ss -tanp once a second, the same minute: ${SS_PCT}% of one core)"
echo "  the samples saw $SEEN_SOCKETS sockets in $SEEN_NS namespaces (median): ${PER_10K}% per 10,000"
echo "$MEM_SAMPLES samples back to back ($MEM_ROWS socket lifetimes):"
echo "  RSS at most ${RSS_TENTH} kB over the second tenth of the samples, ${RSS_END} kB over the last (x${MEM_GROWTH})"
echo "An idle namespace, $IDLE_SAMPLES samples: the file grew by $IDLE_GROWTH bytes," \
  "$IDLE_HOUR bytes an hour at one sample a second"
echo
echo "Targets:"
target() { printf '  %s  %-64s %s\n' "$(verdict "$2" "$3" "$4")" "$1" "($2; limit $4)"; }
target "recording every second, 10000 sockets: % of one core" "$CPU_PCT" "<" 10
target "memory over $SAMPLES samples: last tenth / second tenth" "$MEM_GROWTH" "<=" 1.10
target "idle database: MB an hour" "$(awk -v b="$IDLE_HOUR" 'BEGIN { printf "%.3f", b / 1048576 }')" "<" 1
echo
echo "bench: $(($(date +%s) - T0)) s; raw results in $R/"
