# cli.mk: the `procnet` command, the embedding example, install (issue 7).
#
#   make                 also builds build/procnet: one static executable with
#                        SQLite and the extension linked in (needs only /proc)
#   make install         PREFIX (default /usr/local) and DESTDIR honoured:
#                        bin/procnet, lib/procnet.so, lib/libprocnet.a,
#                        include/procnet.h, share/procnet/*.sql,
#                        share/procnet/reports/*.sql, share/man/man1/procnet.1,
#                        share/bash-completion/completions/procnet
#   build/examples/embed the C embedding example (examples/embed.c)
#   build/tests/test_cli*  the command's tests (added to TEST_BINS)
#   build/tests/test_compare  procnet against the real ss, netstat, fuser and
#                        lsof, line by line (tests/cli/compare.table)
#
# SQLITE_A: the static SQLite linked into build/procnet (libsqlite3-dev).

PREFIX   ?= /usr/local
DESTDIR  ?=
INSTALL  ?= install
SQLITE_A ?= /usr/lib/x86_64-linux-gnu/libsqlite3.a

CLI_SRC := $(wildcard ext/cli/*.c)
CLI_HDR := $(wildcard ext/cli/*.h)
CLI_OBJ := $(CLI_SRC:ext/cli/%.c=$(B)/cli/%.o)
# Everything but main(): the command and its unit tests link it.
CLI_LIB := $(B)/cli/libcli.a
CLI_LIB_OBJ := $(filter-out $(B)/cli/main.o,$(CLI_OBJ))
COMPLETION := ext/cli/procnet.bash-completion
SQL_FILES := $(wildcard sql/*.sql)
SQL_REPORTS := $(wildcard sql/reports/*.sql)

.PHONY: install
all: $(B)/procnet

$(B)/cli/%.o: ext/cli/%.c $(CLI_HDR) include/procnet.h ext/sockfield.h | $(B)/cli
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c $< -o $@

$(CLI_LIB): $(CLI_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# -static: no dynamic loader, no NSS, no libsqlite3.so; the users table reads
# /etc/passwd itself. SQLite's unixDlOpen (load_extension, never enabled
# here) makes the linker warn that a static dlopen needs glibc's shared
# libraries at run time; that one warning is dropped, any other is shown and
# a failed link still fails. Linked beside and renamed, so that a running
# test never executes a half-written file.
$(B)/procnet: $(B)/cli/main.o $(CLI_LIB) $(B)/libprocnet.a $(SQLITE_A)
	@rm -f $@.tmp $@.ld.log
	$(CC) -static $(CFLAGS) $(LDFLAGS) -o $@.tmp $(B)/cli/main.o $(CLI_LIB) $(B)/libprocnet.a \
	  $(SQLITE_A) $(THREADS) -lm 2>$@.ld.log || { cat $@.ld.log >&2; rm -f $@.tmp $@.ld.log; exit 1; }
	@grep -v -e "in function .unixDlOpen.:$$" \
	  -e "warning: Using .dlopen. in statically linked applications" $@.ld.log >&2; \
	  rm -f $@.ld.log
	@mv -f $@.tmp $@

$(B)/examples/embed: examples/embed.c include/procnet.h $(B)/libprocnet.a | $(B)/examples
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(B)/libprocnet.a $(LDFLAGS) $(THREADS) $(LDLIBS_SQLITE)

$(B)/cli $(B)/examples:
	mkdir -p $@

# The command's own tests, each with the helpers of tests/cli/cli_run.c.
CLI_TESTS := $(B)/tests/test_cli $(B)/tests/test_cli_worlds $(B)/tests/test_cli_install \
             $(B)/tests/test_cli_lsof
$(CLI_TESTS): $(B)/tests/%: tests/cli/%.c tests/cli/cli_run.c tests/cli/cli_run.h \
              $(B)/libprocnet.a $(B)/procnet $(B)/procnet.so $(B)/examples/embed | $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -DCLI_B='"$(B)"' -o $@ $< tests/cli/cli_run.c \
	  $(B)/libprocnet.a $(LDFLAGS) $(THREADS) $(LDLIBS_SQLITE) $(LDLIBS_TEST)

CMP_SRC := tests/cli/test_compare.c tests/cli/compare_world.c tests/cli/compare_normalize.c \
           tests/cli/cli_run.c tests/common/ends_scene.c
$(B)/tests/test_compare: $(CMP_SRC) tests/cli/compare.h tests/cli/cli_run.h \
                         tests/common/ends_scene.h $(B)/procnet | $(B)/tests
	$(CC) $(CPPFLAGS) -Itests/common $(WARN) $(CFLAGS) -DCLI_B='"$(B)"' -o $@ $(CMP_SRC) \
	  $(LDFLAGS) $(THREADS) $(LDLIBS_TEST)

# Unit tests of the command's parts: the option parser, the ss filter
# compiler, ss's numbers, ss's extras (tests/cli/test_<part>.c).
CLI_UNIT := $(B)/tests/test_options $(B)/tests/test_ssfilter $(B)/tests/test_ss_number $(B)/tests/test_lsof_plan \
            $(B)/tests/test_ss_extras
$(CLI_UNIT): $(B)/tests/test_%: tests/cli/test_%.c $(CLI_LIB) $(B)/libprocnet.a | $(B)/tests
	$(CC) $(CPPFLAGS) -Iext/cli $(WARN) $(CFLAGS) -o $@ $< $(CLI_LIB) $(B)/libprocnet.a \
	  $(LDFLAGS) $(THREADS) $(LDLIBS_SQLITE) $(LDLIBS_TEST) -lm

TEST_BINS += $(CLI_TESTS) $(B)/tests/test_compare $(CLI_UNIT)

install: $(B)/procnet $(B)/procnet.so $(B)/libprocnet.a
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/procnet \
	  $(DESTDIR)$(PREFIX)/share/man/man1
	$(INSTALL) -m 755 $(B)/procnet $(DESTDIR)$(PREFIX)/bin/procnet
	$(INSTALL) -m 755 $(B)/procnet.so $(DESTDIR)$(PREFIX)/lib/procnet.so
	$(INSTALL) -m 644 $(B)/libprocnet.a $(DESTDIR)$(PREFIX)/lib/libprocnet.a
	$(INSTALL) -m 644 include/procnet.h $(DESTDIR)$(PREFIX)/include/procnet.h
	$(if $(SQL_FILES),$(INSTALL) -m 644 $(SQL_FILES) $(DESTDIR)$(PREFIX)/share/procnet/)
	$(if $(SQL_REPORTS),$(INSTALL) -d $(DESTDIR)$(PREFIX)/share/procnet/reports)
	$(if $(SQL_REPORTS),$(INSTALL) -m 644 $(SQL_REPORTS) $(DESTDIR)$(PREFIX)/share/procnet/reports/)
	$(INSTALL) -m 644 man/procnet.1 $(DESTDIR)$(PREFIX)/share/man/man1/procnet.1
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	$(INSTALL) -m 644 $(COMPLETION) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/procnet
