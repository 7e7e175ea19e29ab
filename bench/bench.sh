#!/bin/sh
# bench.sh: the benchmark of issue 5, run by `make bench` from the top
# directory (after building build/procnet.so, build/bench/workload and
# build/bench/runner).
#
#  1. 10,000 TCP sockets in 20 processes (bench/workload): procnet's ss query
#     as a user types it, `ss -tanp`, `lsof -i -n -P`, `netstat -tanp`,
#     interleaved runs (bench/runner: fork/exec + wait4, outputs to
#     /dev/null): median wall time, CPU time, peak RSS, ratios.
#  2. The net_tcp / fds / processes join in its six written orders.
#  3. callgrind instruction counts of pid-constrained queries with 20
#     workers, then with 1,000 idle processes more.
#  4. 100,000 TCP sockets: the same four contenders.
#  5. A summary table and PASS/MISS per target.
#
# Knobs (environment): BENCH_RUNS_10K (10), BENCH_RUNS_100K (3),
# BENCH_JOIN_RUNS (5), BENCH_IDLE (1000), BENCH_PROCS (20),
# BENCH_SOCKETS_SMALL (10000), BENCH_SOCKETS_LARGE (100000).
# Logs, raw runs, outputs and callgrind files go to build/bench/results/.
set -eu

B=${B:-build}
EXT=$B/procnet
WORKLOAD=$B/bench/workload
RUNNER=$B/bench/runner
R=$B/bench/results
RUNS_SMALL=${BENCH_RUNS_10K:-10}
RUNS_LARGE=${BENCH_RUNS_100K:-3}
JOIN_RUNS=${BENCH_JOIN_RUNS:-5}
IDLE=${BENCH_IDLE:-1000}
PROCS=${BENCH_PROCS:-20}
SMALL=${BENCH_SOCKETS_SMALL:-10000}
LARGE=${BENCH_SOCKETS_LARGE:-100000}
VIEWS=sql/views.sql

rm -rf "$R"
mkdir -p "$R"
T0=$(date +%s)

. bench/lib.sh

# ---- the procnet query as a user runs it (SQL: lib.sh) ----------------------
SS_VIEW_Q="SELECT * FROM ss WHERE netid = 'tcp'"
SS_FALLBACK_Q="SELECT 'tcp' AS netid, t.state, t.rx_queue AS recv_q,
 t.tx_queue AS send_q,
 CASE t.family WHEN 'IPv6' THEN '[' || t.local_address || ']'
  ELSE t.local_address END || ':' || t.local_port AS local,
 CASE t.family WHEN 'IPv6' THEN '[' || t.remote_address || ']'
  ELSE t.remote_address END || ':' || t.remote_port AS peer,
 '(\"' || p.name || '\",pid=' || p.pid || ',fd=' || f.fd || ')' AS process,
 t.netns
FROM net_tcp t LEFT JOIN fds f USING (inode) LEFT JOIN processes p USING (pid)"
if SQL "$SS_VIEW_Q LIMIT 0" >/dev/null 2>"$R/probe-ss.err"; then
  SS_Q=$SS_VIEW_Q
  SS_NOTE="the ss view of $VIEWS"
else
  SS_Q=$SS_FALLBACK_Q
  SS_NOTE="FALLBACK join net_tcp/fds/processes: no usable ss view in $VIEWS ($(head -c 120 "$R/probe-ss.err" | tr '\n' ' '))"
fi
if ! SQL "SELECT 1" >/dev/null 2>"$R/probe-read.err"; then
  echo "bench: '.read $VIEWS' fails: $(cat "$R/probe-read.err")" >&2
  echo "bench: the procnet command runs without it" >&2
  SQL() { timeout 300 sqlite3 :memory: -cmd ".load $EXT" "$@"; }
  READ_ARGS=""
else
  READ_ARGS=yes
fi
lsof_query() { # pid
  if SQL "SELECT * FROM lsof WHERE pid = $1 LIMIT 0" >/dev/null 2>&1; then
    echo "SELECT * FROM lsof WHERE pid = $1"
  else
    echo "SELECT p.name AS command, f.pid, f.fd || f.mode AS fd, t.family AS type,
 t.local_address || ':' || t.local_port ||
 CASE WHEN t.state = 'LISTEN' THEN ' (LISTEN)'
  ELSE '->' || t.remote_address || ':' || t.remote_port || ' (' || t.state || ')'
 END AS name
FROM fds f JOIN net_tcp t USING (inode) JOIN processes p USING (pid)
WHERE f.pid = $1"
  fi
}

# contenders LOGNAME RUNS WARMUP: the four commands, interleaved.
contenders() {
  log=$1
  runs=$2
  warm=$3
  q=$SS_Q
  if [ -n "$READ_ARGS" ]; then
    runner -r "$runs" -w "$warm" -T 300 -l "$R/$log.runs" -E "$R" -- \
      procnet sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "$q" --- \
      base sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "SELECT 1" --- \
      ss ss -tanp --- lsof lsof -i -n -P --- netstat netstat -tanp \
      >"$R/$log.tsv"
  else
    runner -r "$runs" -w "$warm" -T 300 -l "$R/$log.runs" -E "$R" -- \
      procnet sqlite3 :memory: -cmd ".load $EXT" "$q" --- \
      base sqlite3 :memory: -cmd ".load $EXT" "SELECT 1" --- \
      ss ss -tanp --- lsof lsof -i -n -P --- netstat netstat -tanp \
      >"$R/$log.tsv"
  fi
}

# counts NAME: socket counts from cheap queries (no process columns).
counts() {
  echo "  rows: net_tcp $(SQL "SELECT count(*) FROM net_tcp" 2>&1)," \
    "ss -tan $(($(ss -tan | wc -l) - 1)) (other namespaces and other users' sockets included);" \
    "descriptors: $(find /proc/[0-9]*/fd -maxdepth 1 -type l 2>/dev/null | wc -l) in $(nprocs) processes"
}

# warm_fds: every /proc/PID/fd/N looked up once, so that the first timed
# run does not pay for creating ~100k dentries that the others then reuse.
warm_fds() {
  find /proc/[0-9]*/fd -maxdepth 1 -type l -printf '%l\n' >/dev/null 2>&1 || true
}

echo "== procnet benchmark (issue 5)"
echo "  $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r), $(sqlite3 --version | cut -d' ' -f1)"
echo "  procnet query: $SS_NOTE"

# ---- 1. small workload -------------------------------------------------------
echo
echo "== $SMALL TCP sockets in $PROCS processes: $RUNS_SMALL interleaved runs each"
start_workload small -p "$PROCS" -s "$SMALL"
counts small
SQL "$SS_Q" >"$R/small.procnet.txt" 2>&1 || true
echo "  procnet output: $(wc -l <"$R/small.procnet.txt") rows (ss -tanp: $(($(ss -tanp | wc -l) - 1))); first lines:"
head -n 3 "$R/small.procnet.txt" | cut -c1-110 | sed 's/^/    /'
alive small
contenders small "$RUNS_SMALL" 1

# ---- 2. join orders ------------------------------------------------------------
echo
echo "== the three-way join in its six written orders ($SMALL sockets, $JOIN_RUNS runs each)"
SEL="SELECT p.pid, p.name, f.fd, t.state, t.local_address, t.local_port, t.remote_address, t.remote_port"
J_tfp="FROM net_tcp t JOIN fds f USING (inode) JOIN processes p USING (pid)"
J_tpf="FROM net_tcp t JOIN processes p JOIN fds f ON f.inode = t.inode AND f.pid = p.pid"
J_ftp="FROM fds f JOIN net_tcp t USING (inode) JOIN processes p USING (pid)"
J_fpt="FROM fds f JOIN processes p USING (pid) JOIN net_tcp t USING (inode)"
J_pft="FROM processes p JOIN fds f USING (pid) JOIN net_tcp t USING (inode)"
J_ptf="FROM processes p JOIN net_tcp t JOIN fds f ON f.inode = t.inode AND f.pid = p.pid"
set --
for o in tfp tpf ftp fpt pft ptf; do
  eval "j=\$J_$o"
  [ $# -eq 0 ] || set -- "$@" ---
  set -- "$@" "$o" sqlite3 :memory: -cmd ".load $EXT" "$SEL $j"
  # The loop order SQLite chose, from EXPLAIN QUERY PLAN (t, f, p).
  plan=$(timeout 60 sqlite3 :memory: -cmd ".load $EXT" "EXPLAIN QUERY PLAN $SEL $j" 2>&1 |
    sed -n 's/.*SCAN \([a-z]\) VIRTUAL TABLE INDEX \([0-9]*\).*/\1:\2/p' | tr '\n' ' ')
  echo "$o	$plan	$j" >>"$R/join.plans"
done
alive small
runner -r "$JOIN_RUNS" -w 1 -T 300 -l "$R/join.runs" -- "$@" >"$R/join.tsv"

# ---- 3. instruction counts -------------------------------------------------------
X=$(sed -n 2p "$R/small.ready")
LSOF_Q=$(lsof_query "$X")
case $LSOF_Q in *"FROM lsof"*) LSOF_NOTE="lsof view" ;; *) LSOF_NOTE="FALLBACK join: no lsof view" ;; esac
FDS_Q="SELECT * FROM fds WHERE pid = $X"
# ir NAME QUERY: total Ir of the whole sqlite3 process under callgrind.
ir() {
  if ! command -v valgrind >/dev/null 2>&1; then echo "n/a"; return; fi
  if [ -n "$READ_ARGS" ]; then
    set -- valgrind --tool=callgrind --callgrind-out-file="$R/callgrind.$1.out" \
      sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "$2"
  else
    set -- valgrind --tool=callgrind --callgrind-out-file="$R/callgrind.$1.out" \
      sqlite3 :memory: -cmd ".load $EXT" "$2"
  fi
  timeout 900 "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9][0-9]*\).*/\1/p'
}
echo
echo "== instruction counts (callgrind, total Ir), pid = $X (a worker, $((SMALL / PROCS)) sockets)"
IR_BASE_20=$(ir base-20 "SELECT 1")
IR_FDS_20=$(ir fds-20 "$FDS_Q")
IR_LSOF_20=$(ir lsof-20 "$LSOF_Q")
N20=$(nprocs)
start_workload idle -p 0 -i "$IDLE"
N1000=$(nprocs)
IR_BASE_1000=$(ir base-1000 "SELECT 1")
IR_FDS_1000=$(ir fds-1000 "$FDS_Q")
IR_LSOF_1000=$(ir lsof-1000 "$LSOF_Q")
alive idle
alive small
stop_workload idle
stop_workload small

# ---- 4. large workload ---------------------------------------------------------------
echo
echo "== $LARGE TCP sockets in $PROCS processes: $RUNS_LARGE interleaved runs each"
start_workload large -p "$PROCS" -s "$LARGE"
counts large
warm_fds
contenders large "$RUNS_LARGE" 0
alive large
stop_workload large

# ---- 5. report ---------------------------------------------------------------------
ms() { awk -v v="$1" 'BEGIN { printf "%9.1f", v }'; }
mb() { awk -v v="$1" 'BEGIN { printf "%7.1f", v / 1024 }'; }
table() { # tsv title
  echo
  echo "$2"
  printf '  %-22s %9s %9s %9s %9s %7s %5s\n' contender "wall ms" "min ms" "max ms" "cpu ms" "RSS MB" fails
  for l in procnet base ss lsof netstat; do
    case $l in
      procnet) name="procnet (sqlite3)" ;;
      base) name="  its start (SELECT 1)" ;;
      ss) name="ss -tanp" ;;
      lsof) name="lsof -i -n -P" ;;
      netstat) name="netstat -tanp" ;;
    esac
    printf '  %-22s %s %s %s %s %s %5s\n' "$name" "$(ms "$(field "$1" $l 4)")" \
      "$(ms "$(field "$1" $l 5)")" "$(ms "$(field "$1" $l 6)")" \
      "$(ms "$(field "$1" $l 7)")" "$(mb "$(field "$1" $l 8)")" "$(field "$1" $l 3)"
  done
  pw=$(field "$1" procnet 4)
  pr=$(field "$1" procnet 8)
  pc=$(field "$1" procnet 7)
  for l in ss lsof netstat; do
    printf '  procnet / %-11s wall %5s   cpu %5s   rss %5s\n' "$l:" \
      "$(ratio "$pw" "$(field "$1" $l 4)")" "$(ratio "$pc" "$(field "$1" $l 7)")" \
      "$(ratio "$pr" "$(field "$1" $l 8)")"
  done
}

echo
echo "================================ summary ================================"
echo "procnet query: $SS_NOTE"
table "$R/small.tsv" "$SMALL TCP sockets, $PROCS processes (median of $RUNS_SMALL interleaved runs):"
table "$R/large.tsv" "$LARGE TCP sockets, $PROCS processes (median of $RUNS_LARGE interleaved runs):"
printf '  %-22s' "time $LARGE / $SMALL:"
for l in procnet ss lsof netstat; do
  printf ' %s x%s;' "$l" "$(ratio "$(field "$R/large.tsv" $l 4)" "$(field "$R/small.tsv" $l 4)")"
done
echo

echo
echo "Instruction counts (callgrind Ir; net = minus the same command running SELECT 1):"
echo "  pid-constrained query: $LSOF_NOTE"
printf '  %-18s %16s %16s %8s   %14s %14s %8s\n' query "total, $N20 procs" "total, $N1000 procs" growth "net, $N20" "net, $N1000" growth
irrow() { # name ir20 ir1000 base20 base1000
  awk -v n="$1" -v a="$2" -v b="$3" -v ba="$4" -v bb="$5" 'BEGIN {
    if (a == "" || b == "" || a == "n/a") { printf "  %-18s n/a (valgrind missing)\n", n; exit }
    na = a - ba; nb = b - bb
    if (ba == 0) {
      printf "  %-18s %16d %16d %+7.1f%%   %14s %14s %8s\n", n, a, b,
        100 * (b - a) / a, "-", "-", "-"; exit }
    printf "  %-18s %16d %16d %+7.1f%%   %14d %14d %+7.1f%%\n", n, a, b,
      100 * (b - a) / a, na, nb, (na > 0 ? 100 * (nb - na) / na : 0) }'
}
irrow "SELECT 1" "$IR_BASE_20" "$IR_BASE_1000" 0 0
irrow "fds WHERE pid=X" "$IR_FDS_20" "$IR_FDS_1000" "$IR_BASE_20" "$IR_BASE_1000"
irrow "lsof WHERE pid=X" "$IR_LSOF_20" "$IR_LSOF_1000" "$IR_BASE_20" "$IR_BASE_1000"

echo
echo "Join orders ($SMALL sockets, median of $JOIN_RUNS interleaved runs; plan = loop order chosen, table:idxNum):"
FASTEST=$(awk -F'\t' 'NR == 1 || $4 < m { m = $4 } END { print m }' "$R/join.tsv")
printf '  %-5s %9s %7s  %-22s %s\n' order "wall ms" ratio plan "FROM clause"
for o in tfp tpf ftp fpt pft ptf; do
  w=$(field "$R/join.tsv" $o 4)
  plan=$(awk -F'\t' -v o=$o '$1 == o { print $2 }' "$R/join.plans")
  from=$(awk -F'\t' -v o=$o '$1 == o { print $3 }' "$R/join.plans")
  printf '  %-5s %s %7s  %-22s %s\n' $o "$(ms "$w")" "$(ratio "$w" "$FASTEST")" "$plan" "$from"
done

echo
echo "Targets:"
target() { printf '  %s  %-62s %s\n' "$(verdict "$2" "$3" "$4")" "$1" "($2; limit $4)"; }
S=$R/small.tsv
L=$R/large.tsv
target "$SMALL: procnet wall <= 0.8 x ss -tanp" \
  "$(ratio "$(field $S procnet 4)" "$(field $S ss 4)")" "<=" 0.8
target "$SMALL: procnet wall <= 0.35 x lsof -i -n -P" \
  "$(ratio "$(field $S procnet 4)" "$(field $S lsof 4)")" "<=" 0.35
target "$SMALL: procnet peak RSS <= 1.5 x ss -tanp" \
  "$(ratio "$(field $S procnet 8)" "$(field $S ss 8)")" "<=" 1.5
target "$LARGE: procnet wall <= 11 x its $SMALL-socket wall" \
  "$(ratio "$(field $L procnet 4)" "$(field $S procnet 4)")" "<=" 11
g() { awk -v a="$1" -v b="$2" -v ba="$3" -v bb="$4" 'BEGIN {
  if (a == "" || a == "n/a") { print "n/a"; exit }
  printf "%.3f", ((b - bb) - (a - ba)) / (a - ba) }'; }
target "fds WHERE pid=X: net Ir growth $N20 -> $N1000 procs < 10%" \
  "$(g "$IR_FDS_20" "$IR_FDS_1000" "$IR_BASE_20" "$IR_BASE_1000")" "<" 0.10
target "lsof WHERE pid=X: net Ir growth $N20 -> $N1000 procs < 10%" \
  "$(g "$IR_LSOF_20" "$IR_LSOF_1000" "$IR_BASE_20" "$IR_BASE_1000")" "<" 0.10
for o in tfp tpf ftp fpt pft ptf; do
  target "join order $o within 1.5 x the fastest" \
    "$(ratio "$(field "$R/join.tsv" $o 4)" "$FASTEST")" "<=" 1.5
done
echo
echo "bench: $(($(date +%s) - T0)) s; load now $(cut -d' ' -f1-3 /proc/loadavg); raw runs and callgrind files in $R/"
