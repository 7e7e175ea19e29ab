# history.mk: `procnet watch` and `procnet record` (doc/history.md).
#
#   build/history_sql.h   sql/history.sql, the schema record writes,
#                         compiled into the command
#   build/tests/test_watch_parts, test_watch, test_record  their tests (added to
#                         TEST_BINS)
#   make bench-record     what recording costs (bench/record.sh; also run
#                         by `make bench`)

$(B)/history_sql.h: sql/history.sql tests/tools/embed.sh | $(B)
	sh tests/tools/embed.sh history_sql sql/history.sql > $@

$(B)/cli/record_db.o: $(B)/history_sql.h

# The parts that need no SQLite: keymap.o, ticker.o.
$(B)/tests/test_watch_parts: tests/cli/test_watch_parts.c $(CLI_LIB) | $(B)/tests
	$(CC) $(CPPFLAGS) -Iext/cli $(WARN) $(CFLAGS) -o $@ $< $(CLI_LIB) $(LDFLAGS) $(LDLIBS_TEST) -lm

# The commands, live, as root: tests/cli/history_util.c runs them in the
# background; tests/common's helpers read the databases.
HISTORY_TESTS := $(B)/tests/test_watch $(B)/tests/test_record
HISTORY_TEST_SRC := tests/cli/history_util.c tests/cli/cli_run.c $(TEST_HELPER_SRC)
$(HISTORY_TESTS): $(B)/tests/%: tests/cli/%.c $(HISTORY_TEST_SRC) tests/cli/history_util.h \
                  tests/cli/cli_run.h $(B)/libprocnet.a $(B)/procnet | $(B)/tests
	$(CC) $(CPPFLAGS) -Itests/common $(WARN) $(CFLAGS) -DCLI_B='"$(B)"' -o $@ $< \
	  $(HISTORY_TEST_SRC) $(B)/libprocnet.a $(LDFLAGS) $(THREADS) $(LDLIBS_SQLITE) $(LDLIBS_TEST)

TEST_BINS += $(B)/tests/test_watch_parts $(HISTORY_TESTS)

# What recording costs (bench/record.sh): CPU at one sample a second on the
# 10,000-socket workload, memory over an hour's samples, an idle database.
BENCH_BINS += $(B)/bench/churn
bench-tools: $(B)/bench/churn
.PHONY: bench-record
bench-record: bench-deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@B=$(B) sh bench/record.sh
