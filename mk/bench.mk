# bench.mk: the benchmarks (bench/). Not part of `make test`.
#
#   make bench          workload + timing runner; procnet vs ss, lsof, netstat
#                       at 10k and 100k TCP sockets, join orders, callgrind
#                       instruction counts (bench/bench.sh), then sock_diag:
#                       TCP internals vs ss -tani, 40 namespaces vs
#                       ip -all netns exec ss -tanpi (bench/sockdiag.sh),
#                       then the lsof views against lsof -n -P (bench/lsof.sh),
#                       then the one-port questions (lsof -t -i :PORT, lsof
#                       -i :PORT, ss sport = :PORT, fuser PORT/tcp) against
#                       lsof and ss (bench/oneport.sh), then the connections
#                       view against the ss view (bench/connections.sh), then
#                       what `procnet record` costs (bench/record.sh,
#                       mk/history.mk); PASS/MISS per target (~15-18 min)
#   make bench-sockdiag only the sock_diag part
#   make bench-lsof     only the lsof part
#   make bench-oneport  only the one-port part
#   make bench-connections  only the connections part
#   make bench-profile  perf record -g of procnet's ss query at 10k and 100k
#                       sockets plus a callgrind profile (see bench/profile.sh)
#   make bench-tools    only build build/bench/workload and build/bench/runner
#
# Knobs: BENCH_RUNS_10K, BENCH_RUNS_100K, BENCH_JOIN_RUNS, BENCH_IDLE,
# BENCH_PROCS, BENCH_SOCKETS_SMALL, BENCH_SOCKETS_LARGE (see bench/bench.sh);
# BENCH_RUNS_SD, BENCH_NS, BENCH_NS_SOCKETS (see bench/sockdiag.sh);
# BENCH_RUNS_LSOF, BENCH_LSOF_IDLE, BENCH_LSOF_THREADS, BENCH_LSOF_ONE (see
# bench/lsof.sh); BENCH_RUNS_ONEPORT, BENCH_CALLGRIND (see bench/oneport.sh);
# BENCH_RUNS_CONN (see bench/connections.sh).

BENCH_BINS := $(B)/bench/workload $(B)/bench/runner
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow \
                -Wstrict-prototypes -Wmissing-prototypes

.PHONY: bench bench-sockdiag bench-lsof bench-oneport bench-connections \
        bench-profile bench-tools bench-deps
bench-tools: $(BENCH_BINS)

$(B)/bench/%: bench/%.c | $(B)/bench
	$(CC) $(BENCH_CFLAGS) -o $@ $<

$(B)/bench:
	mkdir -p $@

# deps (Makefile) installs sqlite3, lsof, iproute2, net-tools; valgrind and
# perf are added here, the same way (apt-get as root, else the command).
bench-deps: deps
	@need=""; \
	command -v valgrind >/dev/null || need="$$need valgrind"; \
	command -v perf >/dev/null || need="$$need linux-perf"; \
	[ -z "$$need" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "bench: installing:$$need" >&2; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	else echo "bench: run: sudo apt-get install -y$$need" >&2; exit 1; fi

bench: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@B=$(B) sh bench/bench.sh
	@B=$(B) sh bench/sockdiag.sh
	@B=$(B) sh bench/lsof.sh
	@B=$(B) sh bench/oneport.sh
	@B=$(B) sh bench/connections.sh
	@B=$(B) sh bench/record.sh

# The connections part alone (bench/connections.sh).
bench-connections: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@B=$(B) sh bench/connections.sh

# The sock_diag part alone (bench/sockdiag.sh).
bench-sockdiag: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@B=$(B) sh bench/sockdiag.sh

# The lsof part alone (bench/lsof.sh).
bench-lsof: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@B=$(B) sh bench/lsof.sh

# The one-port part alone (bench/oneport.sh).
bench-oneport: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@B=$(B) sh bench/oneport.sh

bench-profile: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS) $(B)/bench/prof/procnet.so
	@B=$(B) sh bench/profile.sh

# The extension built for profiling: same sources, frame pointers (perf -g
# without DWARF), no inlining of single-call functions (call chains name
# them). Warnings do not fail it: it follows ext/ as others edit it.
PROF_CFLAGS := -O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
               -fno-inline-functions-called-once -fno-optimize-sibling-calls
$(B)/bench/prof/procnet.so: $(EXT_SRC) $(wildcard ext/*.h) $(B)/views_sql.h | $(B)/bench
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(filter-out -Werror,$(WARN)) $(PROF_CFLAGS) -fPIC -shared \
	  -o $@ $(EXT_SRC)
