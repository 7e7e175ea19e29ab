#!/bin/sh
# profile.sh: where procnet's time goes in `make bench`'s main query (the
# ss view, as a user runs it), at 10,000 and 100,000 TCP sockets. Run by
# `make bench-profile`; results in build/bench/profile/.
#
# For each size:
#  - perf record -g (frame pointers) of the query with a profiling build of
#    the extension (build/bench/prof/procnet.so: the same sources, -O2 plus
#    frame pointers and no inlining of single-call functions, so that the
#    call chains name procnet's functions), summarised by bench/perf-tree.py
#    as a tree of procnet frames with the system calls under them;
#  - strace -c: the system calls, counted;
#  - procnet_stats(): what procnet says it read.
# At 10,000 sockets also callgrind (user-space instructions, inclusive, of
# the regular build/procnet.so).
#
# Knobs: PROFILE_QUERY (default: the ss view's TCP rows), PROFILE_SIZES
# ("10000 100000"), PROFILE_PROCS (20).
set -eu

B=${B:-build}
R=$B/bench/profile
WORKLOAD=$B/bench/workload
PROF_SO=$B/bench/prof/procnet
VIEWS=sql/views.sql
SIZES=${PROFILE_SIZES:-"10000 100000"}
PROCS=${PROFILE_PROCS:-20}
Q=${PROFILE_QUERY:-"SELECT * FROM ss WHERE netid = 'tcp'"}
rm -rf "$R"
mkdir -p "$R"

WL=""
cleanup() {
  [ -z "$WL" ] || { kill -TERM "$WL" 2>/dev/null || true; wait "$WL" 2>/dev/null || true; }
  WL=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

run_sql() { # SO QUERY...: the user's command with a given extension
  so=$1
  shift
  timeout 600 sqlite3 :memory: -cmd ".load $so" -cmd ".read $VIEWS" "$@"
}

if ! run_sql "$B/procnet" "$Q LIMIT 0" >/dev/null 2>&1; then
  echo "profile: the query fails with $VIEWS ($Q); set PROFILE_QUERY" >&2
  exit 1
fi

echo "== procnet profile: $Q"
echo "   sources: $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$(git status --short ext sql 2>/dev/null | wc -l) file(s) changed in ext/ sql/ since"
for n in $SIZES; do
  echo
  echo "================ $n TCP sockets in $PROCS processes ================"
  rm -f "$R/ready"
  "$WORKLOAD" -t 600 -p "$PROCS" -s "$n" -r "$R/ready" >"$R/workload-$n.out" 2>&1 &
  WL=$!
  i=0
  while [ ! -f "$R/ready" ]; do
    kill -0 "$WL" 2>/dev/null && [ $i -lt 1200 ] || { cat "$R/workload-$n.out" >&2; exit 1; }
    sleep 0.1
    i=$((i + 1))
  done
  find /proc/[0-9]*/fd -maxdepth 1 -type l -printf '%l\n' >/dev/null 2>&1 || true
  run_sql "$B/procnet" "$Q" >/dev/null # warm

  echo "-- procnet_stats() (what the query read):"
  run_sql "$B/procnet" "$Q" "SELECT procnet_stats()" 2>&1 | tail -n 1 | sed 's/^/   /'

  if command -v strace >/dev/null 2>&1; then
    echo "-- system calls (strace -c -f; the time column is strace's, inflated):"
    timeout 600 strace -c -f -o "$R/strace-$n.txt" sqlite3 :memory: -cmd ".load $B/procnet" \
      -cmd ".read $VIEWS" "$Q" >/dev/null 2>&1 || true
    sed -n '1,12p' "$R/strace-$n.txt" | sed 's/^/   /'
  fi

  echo "-- perf record -g (frame pointers), profiling build; procnet frames, outermost first:"
  reps=3
  [ "$n" -le 20000 ] || reps=1
  timeout 900 perf record -q -F 2000 -g -o "$R/perf-$n.data" -- sh -c "
    i=0; while [ \$i -lt $reps ]; do
      sqlite3 :memory: -cmd '.load $PROF_SO' -cmd '.read $VIEWS' \"\$1\" >/dev/null
      i=\$((i + 1)); done" sh "$Q" >/dev/null 2>"$R/perf-$n.err" || true
  perf script -i "$R/perf-$n.data" -F comm,ip,sym,dso >"$R/perf-$n.script" 2>/dev/null
  python3 bench/perf-tree.py "$R/perf-$n.script" sqlite3 1.0 7 | tee "$R/perf-tree-$n.txt"
  perf report -i "$R/perf-$n.data" --no-children --sort dso --stdio -g none \
    --comm sqlite3 2>/dev/null | grep '%' | head -8 | sed 's/^/   by library: /'

  if [ "$n" -le 20000 ] && command -v valgrind >/dev/null 2>&1; then
    echo "-- callgrind (user-space instructions), top inclusive procnet/SQLite functions:"
    timeout 900 valgrind --tool=callgrind --callgrind-out-file="$R/callgrind-$n.out" \
      sqlite3 :memory: -cmd ".load $B/procnet" -cmd ".read $VIEWS" "$Q" \
      >/dev/null 2>"$R/callgrind-$n.err" || true
    grep 'Collected' "$R/callgrind-$n.err" | sed 's/.*Collected/   total Ir/'
    callgrind_annotate --inclusive=yes "$R/callgrind-$n.out" 2>/dev/null |
      grep -E '^ *[0-9,]+ +\( *[0-9.]+%\) ' | grep -v '???:0x' |
      grep -E 'procnet|sqlite3VdbeSorter|sqlite3WindowCodeStep|msort|inet_ntop|printf|fputs' |
      head -25 | cut -c1-130 | sed 's/^/   /'
  fi
  cleanup
done
echo
echo "profile: files in $R/ (perf-*.data: perf report -i ...; callgrind-*.out: callgrind_annotate)"
