# procnet: SQLite virtual tables over Linux /proc.
#
#   make            build/procnet.so (loadable), build/libprocnet.a (static)
#   make test       install missing packages, build, run every test
#   make demo       install missing packages, build, show who holds which TCP socket
#
# More targets live in mk/*.mk (the command, sanitizers, fuzzing, benchmarks),
# included at the end.
#
# Sources are found by pattern, so adding a file never means editing this one:
#   ext/*.c               the extension (parsers, procfs access, tables)
#   tests/unit/test_*.c   parser unit tests (no SQLite)
#   tests/sql/test_*.c    SQL tests (fixture trees and live /proc)

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -Iext -Iinclude -I$(B) -pthread
# The fds index build may share its reads out to helper threads (fd_index.c).
THREADS := -pthread
LDLIBS_SQLITE := -lsqlite3
LDLIBS_TEST   := -lcmocka

B := build
EXT_SRC    := $(wildcard ext/*.c)
PARSE_SRC  := $(wildcard ext/parse_*.c)
SO_OBJ     := $(EXT_SRC:ext/%.c=$(B)/so/%.o)
CORE_OBJ   := $(EXT_SRC:ext/%.c=$(B)/core/%.o)
PARSE_OBJ  := $(PARSE_SRC:ext/%.c=$(B)/core/%.o)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
SQLT_SRC   := $(wildcard tests/sql/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
SQLT_BIN   := $(SQLT_SRC:tests/sql/%.c=$(B)/tests/%)
TEST_HELPER_SRC := $(wildcard tests/common/*.c)
VIEWS_SQL  := $(sort $(wildcard sql/views.sql))

.PHONY: all test demo deps clean
all: $(B)/procnet.so $(B)/libprocnet.a

# The views are compiled into the extension from sql/views.sql (single source).
$(B)/views_sql.h: $(VIEWS_SQL) tests/tools/embed.sh | $(B)
	sh tests/tools/embed.sh procnet_views_sql $(VIEWS_SQL) > $@

$(B)/so/%.o: ext/%.c $(wildcard ext/*.h) $(B)/views_sql.h | $(B)/so
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -fPIC -c $< -o $@

$(B)/core/%.o: ext/%.c $(wildcard ext/*.h) $(B)/views_sql.h | $(B)/core
	$(CC) $(CPPFLAGS) -DSQLITE_CORE $(WARN) $(CFLAGS) -fPIC -c $< -o $@

$(B)/procnet.so: $(SO_OBJ)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) $(THREADS) -o $@ $^

$(B)/libprocnet.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/tests/test_%: tests/unit/test_%.c tests/unit/unit_helpers.c $(PARSE_OBJ) | $(B)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS_TEST)

$(B)/tests/test_%: tests/sql/test_%.c $(TEST_HELPER_SRC) $(B)/libprocnet.a | $(B)/tests
	$(CC) $(CPPFLAGS) -Itests/common $(WARN) $(CFLAGS) -o $@ $< $(TEST_HELPER_SRC) \
	  $(B)/libprocnet.a $(LDFLAGS) $(THREADS) $(LDLIBS_SQLITE) $(LDLIBS_TEST)

$(B) $(B)/so $(B)/core $(B)/tests:
	mkdir -p $@

deps:
	@sh tests/tools/deps.sh

# TEST_BINS: every test binary; mk/*.mk fragments may add to it.
TEST_BINS = $(UNIT_BIN) $(SQLT_BIN)

test: deps
	@$(MAKE) --no-print-directory all $(TEST_BINS)
	@bash tests/tools/run_tests.sh $(TEST_BINS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/tools/demo.sh

clean:
	rm -rf $(B)

-include $(sort $(wildcard mk/*.mk))
