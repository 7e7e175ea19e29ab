#!/usr/bin/env bash
# run_tests.sh [--wrap "CMD"] BIN...: runs each cmocka test binary (under
# CMD, e.g. valgrind, when given), then prints one summary line
# "tests: N passed, N failed" and exits non-zero if any test failed or any
# binary crashed or its wrapper reported errors.
set -u
wrap=""
if [ "${1:-}" = "--wrap" ]; then wrap=$2; shift 2; fi
# The live tests count their own process's descriptors (fds WHERE pid =
# self): close any the caller handed down (a CI runner's socket, make's
# jobserver pipe), so that every test starts with 0, 1 and 2 alone.
for fd in $(ls /proc/$$/fd); do
  [ "$fd" -gt 2 ] && eval "exec $fd>&-"
done
passed=0; failed=0; crashed=""
for bin in "$@"; do
  # shellcheck disable=SC2086
  out=$($wrap "$bin" 2>&1); rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  f=$(printf '%s\n' "$out" | sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ -z "$p$f" ] || { [ $rc -ne 0 ] && [ -z "$f" ]; }; then
    crashed="$crashed $bin(rc=$rc)"; failed=$((failed + 1))
  fi
done
[ -n "$crashed" ] && echo "crashed or printed no summary:$crashed"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
