#!/bin/sh
# lsof.sh: the benchmark of the lsof views against lsof itself, run by
# `make bench` after bench/sockdiag.sh (or alone: `make bench-lsof`). Run
# it as root: lsof sees every process only as root.
#
#  1. The whole machine with 10,000 TCP sockets in 20 processes plus 200
#     idle processes of 4 threads each: `SELECT * FROM lsof_tasks` (a row
#     per thread's file, as plain lsof prints them) against `lsof -n -P`,
#     and `SELECT * FROM lsof` against `lsof -n -P -K i` (no thread rows);
#     the rows of each pair are counted from the same moment.
#     The command too: `procnet lsof -n -P` (the same task rows) against
#     `lsof -n -P`.
#  2. One process holding 20,000 TCP sockets: `SELECT * FROM lsof WHERE
#     pid = X` and `procnet lsof -n -P -p X` against `lsof -n -P -p X`.
# The views through the sqlite3 shell as a user types it (start, .load,
# .read of the views included), the command as it is installed (one
# static executable); interleaved runs (bench/runner), outputs to
# /dev/null: median wall time, CPU time, peak RSS, and PASS/MISS against
# the targets (wall at most 0.5 of lsof's, RSS at most lsof's).
#
# Knobs: BENCH_RUNS_LSOF (10), BENCH_LSOF_IDLE (200), BENCH_LSOF_THREADS (4),
# BENCH_LSOF_ONE (20000: the sockets of part 2).
set -eu

B=${B:-build}
EXT=$B/procnet
# the command: the static executable beside the extension (.load adds .so)
CMD=$B/procnet
WORKLOAD=$B/bench/workload
RUNNER=$B/bench/runner
R=$B/bench/results-lsof
RUNS=${BENCH_RUNS_LSOF:-10}
IDLE=${BENCH_LSOF_IDLE:-200}
THREADS=${BENCH_LSOF_THREADS:-4}
ONE=${BENCH_LSOF_ONE:-20000}
VIEWS=sql/views.sql

rm -rf "$R"
mkdir -p "$R"
T0=$(date +%s)
. bench/lib.sh

# lines of a command's output, less its header
body_lines() { awk 'NR > 1' | wc -l; }

echo "== procnet lsof benchmark"
echo "  $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)," \
  "$(lsof -v 2>&1 | awk '/revision:/ { print "lsof " $2; exit }')"
# Every link looked up once, so that no contender pays for a cold dentry
# cache the one before it filled.
warm() { find /proc/[0-9]*/fd /proc/[0-9]*/task/*/fd -maxdepth 1 -type l -printf '%l\n' \
  >/dev/null 2>&1 || true; }

# ---- 1. the whole machine ------------------------------------------------------
echo
echo "== the whole machine: 10000 TCP sockets in 20 processes, $IDLE idle processes" \
  "of $THREADS threads: $RUNS interleaved runs each"
start_workload machine -p 20 -s 10000 -i "$IDLE" -T "$THREADS"
warm
# The rows of each side, taken back to back: all of them (each side lists
# itself, and other processes come and go), and the workload's, which must
# be the same.
workload_lines() { awk '$1 == "workload"' | wc -l; }
L_TASKS=$(lsof -n -P 2>/dev/null | body_lines)
P_TASKS=$(SQL "SELECT count(*) FROM lsof_tasks")
L_PROCS=$(lsof -n -P -K i 2>/dev/null | body_lines)
P_PROCS=$(SQL "SELECT count(*) FROM lsof")
L_WTASKS=$(lsof -n -P 2>/dev/null | workload_lines)
P_WTASKS=$(SQL "SELECT count(*) FROM lsof_tasks WHERE command = 'workload'")
L_WPROCS=$(lsof -n -P -K i 2>/dev/null | workload_lines)
P_WPROCS=$(SQL "SELECT count(*) FROM lsof WHERE command = 'workload'")
C_WTASKS=$("$CMD" lsof -n -P 2>/dev/null | workload_lines)
echo "  rows: lsof -n -P $L_TASKS, lsof_tasks $P_TASKS; lsof -n -P -K i $L_PROCS, lsof $P_PROCS"
echo "  the workload's rows: lsof -n -P $L_WTASKS, lsof_tasks $P_WTASKS," \
  "procnet lsof -n -P $C_WTASKS; lsof -n -P -K i $L_WPROCS, lsof $P_WPROCS"
alive machine
runner -r "$RUNS" -w 1 -T 300 -l "$R/machine.runs" -E "$R" -- \
  view-tasks sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "SELECT * FROM lsof_tasks" --- \
  lsof lsof -n -P --- \
  cmd "$CMD" lsof -n -P --- \
  view sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "SELECT * FROM lsof" --- \
  lsof-Ki lsof -n -P -K i --- \
  start sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "SELECT 1" \
  >"$R/machine.tsv"
alive machine
stop_workload machine

# ---- 2. one process, 20000 sockets -----------------------------------------------
# A process holds at most the hard RLIMIT_NOFILE descriptors (raising it
# needs CAP_SYS_RESOURCE): 20000 sockets need a few more than that.
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ $((ONE + 200)) -gt "$hard" ]; then
  echo "  (the hard descriptor limit is $hard: $((hard - 200)) sockets instead of $ONE)"
  ONE=$((hard - 200))
fi
echo
echo "== one process holding $ONE TCP sockets: $RUNS interleaved runs each"
start_workload one -p 1 -s "$ONE"
X=$(sed -n 2p "$R/one.ready")
warm
L_ONE=$(lsof -n -P -p "$X" 2>/dev/null | body_lines)
P_ONE=$(SQL "SELECT count(*) FROM lsof WHERE pid = $X")
C_ONE=$("$CMD" lsof -n -P -p "$X" 2>/dev/null | body_lines)
echo "  pid $X; rows: lsof -n -P -p $L_ONE, lsof view $P_ONE, procnet lsof -n -P -p $C_ONE"
alive one
runner -r "$RUNS" -w 1 -T 300 -l "$R/one.runs" -E "$R" -- \
  view-pid sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "SELECT * FROM lsof WHERE pid = $X" --- \
  cmd-p "$CMD" lsof -n -P -p "$X" --- \
  lsof-p lsof -n -P -p "$X" >"$R/one.tsv"
alive one
stop_workload one

# ---- report ------------------------------------------------------------------------
echo
echo "=============================== lsof summary ==============================="
echo "The whole machine ($IDLE idle processes of $THREADS threads; start = sqlite3,"
echo ".load, .read of the views and SELECT 1):"
rows "$R/machine.tsv" view-tasks cmd lsof view lsof-Ki start
echo "One process with $ONE sockets:"
rows "$R/one.tsv" view-pid cmd-p lsof-p
echo
echo "Targets:"
target() { printf '  %s  %-62s %s\n' "$(verdict "$2" "$3" "$4")" "$1" "($2; limit $4)"; }
same_rows() { # title a b
  printf '  %s  %-62s %s\n' "$([ "$2" -eq "$3" ] && echo PASS || echo MISS)" "$1" "($2, $3)"
}
m() { field "$R/$1.tsv" "$2" "$3"; }
target "machine: lsof_tasks wall <= 0.5 x lsof -n -P" \
  "$(ratio "$(m machine view-tasks 4)" "$(m machine lsof 4)")" "<=" 0.5
target "machine: lsof_tasks peak RSS <= lsof -n -P's" \
  "$(ratio "$(m machine view-tasks 8)" "$(m machine lsof 8)")" "<=" 1.0
same_rows "machine: the workload's rows (lsof -n -P, lsof_tasks)" "$L_WTASKS" "$P_WTASKS"
target "machine: procnet lsof -n -P wall <= 0.5 x lsof -n -P" \
  "$(ratio "$(m machine cmd 4)" "$(m machine lsof 4)")" "<=" 0.5
target "machine: procnet lsof -n -P peak RSS <= lsof -n -P's" \
  "$(ratio "$(m machine cmd 8)" "$(m machine lsof 8)")" "<=" 1.0
same_rows "machine: the workload's rows (lsof -n -P, procnet lsof -n -P)" "$L_WTASKS" "$C_WTASKS"
target "machine: lsof wall <= 0.5 x lsof -n -P -K i" \
  "$(ratio "$(m machine view 4)" "$(m machine lsof-Ki 4)")" "<=" 0.5
target "machine: lsof peak RSS <= lsof -n -P -K i's" \
  "$(ratio "$(m machine view 8)" "$(m machine lsof-Ki 8)")" "<=" 1.0
same_rows "machine: the workload's rows (lsof -n -P -K i, lsof)" "$L_WPROCS" "$P_WPROCS"
target "one process: lsof WHERE pid = X wall <= 0.5 x lsof -n -P -p X" \
  "$(ratio "$(m one view-pid 4)" "$(m one lsof-p 4)")" "<=" 0.5
target "one process: peak RSS <= lsof -n -P -p X's" \
  "$(ratio "$(m one view-pid 8)" "$(m one lsof-p 8)")" "<=" 1.0
same_rows "one process: the same rows" "$L_ONE" "$P_ONE"
target "one process: procnet lsof -n -P -p X wall <= 0.5 x lsof -n -P -p X" \
  "$(ratio "$(m one cmd-p 4)" "$(m one lsof-p 4)")" "<=" 0.5
target "one process: procnet lsof -n -P -p X peak RSS <= lsof -n -P -p X's" \
  "$(ratio "$(m one cmd-p 8)" "$(m one lsof-p 8)")" "<=" 1.0
same_rows "one process: the same rows (lsof -n -P -p X, procnet lsof)" "$L_ONE" "$C_ONE"
echo
echo "bench: $(($(date +%s) - T0)) s; raw runs in $R/"
