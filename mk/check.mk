# check.mk: the test suite under sanitizers and valgrind (issue: hardening).
#
#   make check-asan       every test built with ASan + UBSan, in build-asan/
#   make check-valgrind   the SQL-level tests under valgrind memcheck
#
# Both fail on any report: leaks included (LeakSanitizer, and valgrind's
# "definitely lost").

ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all

.PHONY: check-asan check-valgrind test-bins
# The SQL tests load $(B)/procnet.so too (test_old_sqlite, via PN_SO).
test-bins: $(UNIT_BIN) $(SQLT_BIN) $(B)/procnet.so

check-asan: deps
	@$(MAKE) --no-print-directory B=build-asan CFLAGS="$(ASAN_FLAGS)" \
	  LDFLAGS="-fsanitize=address,undefined" test-bins
	@PN_SO=build-asan/procnet.so ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 bash tests/tools/run_tests.sh $(UNIT_BIN:$(B)/%=build-asan/%) \
	   $(SQLT_BIN:$(B)/%=build-asan/%)

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes \
            --errors-for-leak-kinds=definite --track-fds=no

check-valgrind: deps
	@command -v valgrind >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq valgrind >/dev/null; \
	  else echo "check-valgrind: run: sudo apt-get install -y valgrind" >&2; exit 1; fi; }
	@$(MAKE) --no-print-directory test-bins
	@PN_UNDER_VALGRIND=1 bash tests/tools/run_tests.sh --wrap "$(VALGRIND)" $(SQLT_BIN)
