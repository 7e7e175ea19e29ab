# lib.sh: what the benchmark scripts share (sourced by each bench/*.sh):
# starting and stopping workloads, the timing runner, reading its output,
# ratios and verdicts, and SQL. Expects R (the results directory),
# WORKLOAD and RUNNER to be set, and EXT and VIEWS for SQL.

# SQL ARGS...: the sqlite3 shell as a user runs it, with procnet loaded and
# the views read. A time limit (timeout(1)): views and tables are edited
# while the benchmark runs, and a bad plan must not hang it.
SQL() { timeout 300 sqlite3 :memory: -cmd ".load $EXT" -cmd ".read $VIEWS" "$@"; }

# ---- workloads: started in the background, always stopped ------------------
WL_PIDS=""
cleanup() {
  for p in $WL_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $WL_PIDS; do wait "$p" 2>/dev/null || true; done
  WL_PIDS=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# start_workload NAME ARGS...: starts it, waits for its ready file.
start_workload() {
  name=$1
  shift
  rm -f "$R/$name.ready"
  "$WORKLOAD" -t 600 -r "$R/$name.ready" "$@" >"$R/$name.out" 2>"$R/$name.err" &
  pid=$!
  WL_PIDS="$WL_PIDS $pid"
  i=0
  while [ ! -f "$R/$name.ready" ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 1200 ]; then
      echo "bench: workload $name did not start:" >&2
      cat "$R/$name.err" >&2
      exit 1
    fi
    sleep 0.1
    i=$((i + 1))
  done
  eval "WL_$name=$pid"
  echo "  workload $name: $(head -n 1 "$R/$name.ready" | cut -d' ' -f3-)"
}

# alive NAME: fails the benchmark if workload NAME has ended (its timeout).
alive() {
  eval "pid=\$WL_$1"
  kill -0 "$pid" 2>/dev/null && return 0
  echo "bench: workload $1 has ended ($(cat "$R/$1.err")): measures would be wrong" >&2
  exit 1
}

stop_workload() {
  eval "pid=\$WL_$1"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rest=""
  for p in $WL_PIDS; do [ "$p" = "$pid" ] || rest="$rest $p"; done
  WL_PIDS=$rest
}

nprocs() { ls /proc | grep -c '^[0-9][0-9]*$'; }

# runner ARGS...: bench/runner; stops the benchmark if it was interrupted.
runner() {
  rc=0
  "$RUNNER" "$@" || rc=$?
  [ $rc -ne 130 ] || { echo "bench: interrupted" >&2; exit 130; }
  [ $rc -eq 0 ] || echo "  (some runs failed: see the .runs files in $R)" >&2
}

# field FILE LABEL COLUMN (runner output: 1 label 2 runs 3 failures
# 4 wall_med 5 wall_min 6 wall_max 7 cpu_med 8 rss_med_kb 9 rss_max_kb)
field() { awk -F'\t' -v l="$2" -v c="$3" '$1 == l { print $c }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# rows TSV LABEL...: the runner's figures of those contenders as a table
# (median wall, min, max, median CPU in ms; median peak RSS in MB; failed
# runs).
ms() { awk -v v="$1" 'BEGIN { printf "%9.1f", v }'; }
rows() {
  f=$1
  shift
  printf '  %-14s %9s %9s %9s %9s %7s %5s\n' contender "wall ms" "min ms" "max ms" "cpu ms" "RSS MB" fails
  for l in "$@"; do
    printf '  %-14s %s %s %s %s %7.1f %5s\n' "$l" "$(ms "$(field "$f" "$l" 4)")" \
      "$(ms "$(field "$f" "$l" 5)")" "$(ms "$(field "$f" "$l" 6)")" \
      "$(ms "$(field "$f" "$l" 7)")" "$(awk -v v="$(field "$f" "$l" 8)" 'BEGIN { print v / 1024 }')" \
      "$(field "$f" "$l" 3)"
  done
}
# verdict VALUE OP LIMIT
verdict() {
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "n/a" || v == "") { print "MISS"; exit }
    ok = op == "<=" ? v <= l : v < l; print ok ? "PASS" : "MISS" }'
}

