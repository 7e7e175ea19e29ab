#!/bin/sh
# oneport.sh: the one-socket questions ("who is on port 8080?"), run by
# `make bench` after bench/sockdiag.sh (or alone: `make bench-oneport`).
#
# 10,000 TCP sockets in 20 processes (bench/workload); PORT is the IPv4
# listener of one worker (its ~125 connections included). Each of
#   procnet lsof -t -i :PORT      procnet lsof -i :PORT
#   procnet ss -ltnp 'sport = :PORT'   procnet fuser PORT/tcp
# must find the socket inodes first (the port reaches the socket scan)
# and then the descriptors holding them, so that it takes at most 0.3 of
# `lsof -n -P -i :PORT`'s wall time and at most 0.8 of
# `ss -ltnp 'sport = :PORT'`'s (median of interleaved runs: PASS/MISS).
# Before the timing, procnet's rows are checked against the tools'. After
# it, callgrind counts each procnet command's instructions (steady on a
# noisy machine, unlike wall time; the system calls are not counted).
#
# Knobs: BENCH_RUNS_ONEPORT (10), BENCH_PROCS (20), BENCH_SOCKETS_SMALL
# (10000), BENCH_CALLGRIND (1; 0 skips the counts).
set -eu

B=${B:-build}
PROCNET=$B/procnet
WORKLOAD=$B/bench/workload
RUNNER=$B/bench/runner
R=$B/bench/results-oneport
RUNS=${BENCH_RUNS_ONEPORT:-10}
PROCS=${BENCH_PROCS:-20}
SOCKETS=${BENCH_SOCKETS_SMALL:-10000}
CALLGRIND=${BENCH_CALLGRIND:-1}

rm -rf "$R"
mkdir -p "$R"
T0=$(date +%s)
. bench/lib.sh

echo "== procnet one-port benchmark"
echo "  $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
echo
echo "== $SOCKETS TCP sockets in $PROCS processes: $RUNS interleaved runs each"
start_workload small -p "$PROCS" -s "$SOCKETS"

# The IPv4 listener of the first worker (the ready file lists the workers
# after its first line).
WORKER=$(sed -n 2p "$R/small.ready")
PORT=$(ss -tlnpH "src 127.0.0.1" | awk -v p="pid=$WORKER," 'index($0, p) {
  n = split($4, a, ":"); print a[n]; exit }')
[ -n "$PORT" ] || { echo "bench: no listener of worker $WORKER" >&2; exit 1; }
echo "  PORT $PORT (the IPv4 listener of worker $WORKER)"

# ---- the same rows ---------------------------------------------------------------
# lsof and procnet print the same table (--netns self: what lsof sees);
# ss's and fuser's pids as procnet finds them.
alive small
lsof -n -P -i ":$PORT" >"$R/lsof.txt" 2>/dev/null || true
"$PROCNET" --netns self lsof -i ":$PORT" >"$R/procnet-lsof.txt" 2>/dev/null || true
lsof -t -i ":$PORT" 2>/dev/null | sort -n >"$R/lsof-t.txt" || true
"$PROCNET" lsof -t -i ":$PORT" >"$R/procnet-lsof-t.txt" 2>/dev/null || true
ss -ltnpH "sport = :$PORT" >"$R/ss.txt" 2>/dev/null || true
"$PROCNET" --netns self ss -ltnpH "sport = :$PORT" >"$R/procnet-ss.txt" 2>/dev/null || true
squeeze() { tr -s ' ' <"$1"; }
same() { [ -s "$1" ] && [ "$(squeeze "$1")" = "$(squeeze "$2")" ] && echo PASS || echo MISS; }
ROWS=$(($(wc -l <"$R/lsof.txt") - 1))
echo "  lsof -i :$PORT: $ROWS rows"

# ---- timing -----------------------------------------------------------------------
alive small
runner -r "$RUNS" -w 1 -T 300 -l "$R/oneport.runs" -E "$R" -- \
  lsof lsof -n -P -i ":$PORT" --- \
  ss ss -ltnp "sport = :$PORT" --- \
  p-lsof-t "$PROCNET" lsof -t -i ":$PORT" --- \
  p-lsof "$PROCNET" lsof -i ":$PORT" --- \
  p-ss "$PROCNET" ss -ltnp "sport = :$PORT" --- \
  p-fuser "$PROCNET" fuser "$PORT/tcp" >"$R/oneport.tsv"
alive small

# ---- instructions --------------------------------------------------------------------
count() { # label args...: callgrind's instruction count of one run
  label=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$R/$label.callgrind" \
    --trace-children=no "$@" >/dev/null 2>"$R/$label.callgrind.err" || true
  awk '/^summary:|^totals:/ { print $2; exit }' "$R/$label.callgrind"
}
IR=""
if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
  IR="$(count p-lsof-t "$PROCNET" lsof -t -i ":$PORT") $(count p-lsof "$PROCNET" lsof -i ":$PORT")"
  IR="$IR $(count p-ss "$PROCNET" ss -ltnp "sport = :$PORT") $(count p-fuser "$PROCNET" fuser "$PORT/tcp")"
fi
stop_workload small

# ---- report ------------------------------------------------------------------------
ms() { awk -v v="$1" 'BEGIN { printf "%9.1f", v }'; }
echo
echo "============================ one-port summary ============================"
printf '  %-10s %9s %9s %9s %9s %7s %5s %13s\n' contender "wall ms" "min ms" "max ms" \
  "cpu ms" "RSS MB" fails "instructions"
i=0
for l in lsof ss p-lsof-t p-lsof p-ss p-fuser; do
  ir=""
  case $l in p-*) i=$((i + 1)); ir=$(echo "$IR" | awk -v k=$i '{ print $k }') ;; esac
  printf '  %-10s %s %s %s %s %7.1f %5s %13s\n' "$l" "$(ms "$(field "$R/oneport.tsv" "$l" 4)")" \
    "$(ms "$(field "$R/oneport.tsv" "$l" 5)")" "$(ms "$(field "$R/oneport.tsv" "$l" 6)")" \
    "$(ms "$(field "$R/oneport.tsv" "$l" 7)")" \
    "$(awk -v v="$(field "$R/oneport.tsv" "$l" 8)" 'BEGIN { print v / 1024 }')" \
    "$(field "$R/oneport.tsv" "$l" 3)" "${ir:-n/a}"
done
echo
echo "Targets ($SOCKETS sockets, PORT $PORT, $ROWS rows):"
target() { printf '  %s  %-58s %s\n' "$(verdict "$2" "$3" "$4")" "$1" "($2; limit $4)"; }
LSOF_MS=$(field "$R/oneport.tsv" lsof 4)
SS_MS=$(field "$R/oneport.tsv" ss 4)
for l in p-lsof-t p-lsof p-ss p-fuser; do
  case $l in
  p-lsof-t) what="procnet lsof -t -i :PORT" ;;
  p-lsof) what="procnet lsof -i :PORT" ;;
  p-ss) what="procnet ss -ltnp 'sport = :PORT'" ;;
  p-fuser) what="procnet fuser PORT/tcp" ;;
  esac
  P_MS=$(field "$R/oneport.tsv" "$l" 4)
  target "$what <= 0.3 x lsof -i :PORT" "$(ratio "$P_MS" "$LSOF_MS")" "<=" 0.3
  target "$what <= 0.8 x ss -ltnp 'sport = :PORT'" "$(ratio "$P_MS" "$SS_MS")" "<=" 0.8
done
printf '  %s  %s\n' "$(same "$R/lsof.txt" "$R/procnet-lsof.txt")" \
  "procnet lsof -i :PORT prints lsof's rows"
printf '  %s  %s\n' "$(same "$R/lsof-t.txt" "$R/procnet-lsof-t.txt")" \
  "procnet lsof -t -i :PORT prints lsof's pids"
printf '  %s  %s\n' "$(same "$R/ss.txt" "$R/procnet-ss.txt")" \
  "procnet ss -ltnp 'sport = :PORT' prints ss's row"
echo
echo "bench: $(($(date +%s) - T0)) s; raw runs in $R/"
