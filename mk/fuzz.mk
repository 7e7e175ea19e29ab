# fuzz.mk: libFuzzer harnesses. See tests/fuzz/README.md.
#
#   make fuzz        build every harness in build-fuzz/ and run each for
#                    FUZZ_SECONDS (default 60), FUZZ_JOBS at a time (default 1)
#   make fuzz-ci     the same with FUZZ_SECONDS=12, two at a time (CI: 23 harnesses
#                    in under three minutes; `make fuzz` runs longer)
#   make fuzz-build  only build
#
# One harness per layer-1 parser (tests/fuzz/fuzz_<name>.c, linked with the
# parsers only) and fuzz_proc_tree (the whole extension over a mutated copy of
# tests/fixtures/proc, through SQL). Everything is built with clang,
# -fsanitize=fuzzer,address,undefined and no recovery, so any sanitizer
# report, trap or leak fails the run.
#
# Before fuzzing, both targets replay every committed crash input,
# tests/fuzz/crashes/<harness>-*, once (regression inputs). The seed corpus
# tests/fuzz/corpus/<harness>/ is generated from the fixtures
# (tests/fuzz/mkcorpus.sh) on each run; what the fuzzer finds goes to
# build-fuzz/corpus/<harness>/ and is kept between runs. Crashes found are
# written to build-fuzz/artifacts/. Logs: build-fuzz/logs/<harness>.log; a
# summary with exec counts and coverage: build-fuzz/summary.txt.

FZ           := build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
# Extra libFuzzer flags for every run (e.g. FUZZ_FLAGS=-only_ascii=1).
FUZZ_FLAGS   ?=

FZ_PARSERS   := stat status fdlink fdinfo inet unix packet netlink maps \
                cgroup passwd lines diag_inet diag_unix diag_packet rtnl \
                mountinfo conntrack ctnetlink json locks
FZ_HARNESSES := $(FZ_PARSERS) proc_tree
FZ_BINS      := $(FZ_HARNESSES:%=$(FZ)/fuzz_%)

FZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -std=c11 -Wall -Wextra
FZ_CPP     := -D_GNU_SOURCE -DSQLITE_CORE -Iext -Iinclude -I$(FZ)
FZ_EXT_SRC := $(wildcard ext/*.c)
FZ_EXT_OBJ := $(FZ_EXT_SRC:ext/%.c=$(FZ)/obj/%.o)
FZ_PARSE_OBJ := $(filter $(FZ)/obj/parse_%.o,$(FZ_EXT_OBJ))
FZ_FIXTURES := $(CURDIR)/tests/fixtures

# libFuzzer options for every run. proc_tree reads at most 64 commands (a few
# bytes each) and each run costs ~25 ms, so its inputs stay short.
FZ_RUN_OPTS = -max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=2048 \
              -print_final_stats=1 $(FUZZ_FLAGS)
FZ_OPTS_proc_tree := -max_len=512 -len_control=10
FZ_ENV := ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1 \
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: fuzz fuzz-ci fuzz-build fuzz-deps fuzz-corpus fuzz-regress \
        fuzz-clean $(FZ_HARNESSES:%=fuzz-run-%)

fuzz: fuzz-build fuzz-corpus
	@$(MAKE) --no-print-directory fuzz-regress
	@rm -f $(FZ)/summary.txt
	@$(MAKE) --no-print-directory -k -j$(FUZZ_JOBS) \
	  $(FZ_HARNESSES:%=fuzz-run-%); rc=$$?; \
	  echo "== fuzz: $(FUZZ_SECONDS) s per harness"; \
	  sort $(FZ)/summary.txt; \
	  if [ $$rc -ne 0 ]; then \
	    echo "fuzz: FAILED (crash inputs: $(FZ)/artifacts/, logs: $(FZ)/logs/)"; \
	    exit 1; \
	  fi; echo "fuzz: no crash"

fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=12 FUZZ_JOBS=2

fuzz-build: fuzz-deps $(FZ_BINS)

# clang and the libFuzzer runtime (as root, installed when missing).
fuzz-deps:
	@mkdir -p $(FZ)
	@echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return !d + n * 0; }' \
	  > $(FZ)/probe.c
	@if ! $(FUZZ_CC) -fsanitize=fuzzer $(FZ)/probe.c -o $(FZ)/probe >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "fuzz: installing clang and libclang-rt-14-dev" >&2; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends clang libclang-rt-14-dev >/dev/null; \
	  else \
	    echo "fuzz: needs clang with libFuzzer: sudo apt-get install -y clang libclang-rt-14-dev" >&2; \
	    exit 1; \
	  fi; \
	fi
	@rm -f $(FZ)/probe.c $(FZ)/probe

$(FZ)/views_sql.h: $(VIEWS_SQL) tests/tools/embed.sh | $(FZ)/obj
	sh tests/tools/embed.sh procnet_views_sql $(VIEWS_SQL) > $@

# The extension, instrumented for coverage (fuzzer-no-link) and sanitizers.
$(FZ)/obj/%.o: ext/%.c $(wildcard ext/*.h) $(FZ)/views_sql.h | $(FZ)/obj
	$(FUZZ_CC) $(FZ_CPP) $(FZ_CFLAGS) $(FZ_SAN) -fsanitize=fuzzer-no-link \
	  -c $< -o $@

$(FZ)/fuzz_proc_tree: tests/fuzz/fuzz_proc_tree.c $(FZ_EXT_OBJ) | $(FZ)/obj
	$(FUZZ_CC) $(FZ_CPP) $(FZ_CFLAGS) -Werror $(FZ_SAN) -fsanitize=fuzzer \
	  -DFZ_FIXTURES='"$(FZ_FIXTURES)"' -o $@ $< $(FZ_EXT_OBJ) -lsqlite3

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h \
              tests/fuzz/fuzz_diag_common.h $(FZ_PARSE_OBJ) | $(FZ)/obj
	$(FUZZ_CC) $(FZ_CPP) $(FZ_CFLAGS) -Werror $(FZ_SAN) -fsanitize=fuzzer \
	  -o $@ $< $(FZ_PARSE_OBJ)

$(FZ)/obj:
	mkdir -p $@

fuzz-corpus:
	@sh tests/fuzz/mkcorpus.sh tests/fuzz/corpus tests/fixtures tests/fuzz/seeds \
	  > $(FZ)/corpus.log

# Each committed crash input, run once by its harness.
fuzz-regress: $(FZ_BINS)
	@n=0; for h in $(FZ_HARNESSES); do \
	  set -- tests/fuzz/crashes/$$h-*; [ -e "$$1" ] || continue; \
	  n=$$((n + $$#)); \
	  if ! $(FZ_ENV) $(FZ)/fuzz_$$h $(FZ_OPTS_$$h) "$$@" \
	       > $(FZ)/regress-$$h.log 2>&1; then \
	    cat $(FZ)/regress-$$h.log; \
	    echo "fuzz: regression input of $$h crashes again (log above)"; exit 1; \
	  fi; \
	done; echo "fuzz: $$n committed crash inputs replayed, all pass"

# One harness for FUZZ_SECONDS; appends its result line to summary.txt.
$(FZ_HARNESSES:%=fuzz-run-%): fuzz-run-%: $(FZ)/fuzz_%
	@mkdir -p $(FZ)/corpus/$* $(FZ)/artifacts $(FZ)/logs
	@dict=tests/fuzz/dict/$*.dict; [ -f $$dict ] && dict=-dict=$$dict || dict=; \
	$(FZ_ENV) $(FZ)/fuzz_$* $(FZ_RUN_OPTS) $(FZ_OPTS_$*) $$dict \
	  -artifact_prefix=$(FZ)/artifacts/$*- \
	  $(FZ)/corpus/$* tests/fuzz/corpus/$* > $(FZ)/logs/$*.log 2>&1; rc=$$?; \
	runs=$$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' $(FZ)/logs/$*.log); \
	cov=$$(grep -E '^#[0-9]+.*(DONE|cov:)' $(FZ)/logs/$*.log | tail -1 | \
	       sed -n 's/.*\(cov: [0-9]*\) \(ft: [0-9]*\) \(corp: [^ ]*\).*/\1 \2 \3/p'); \
	if [ $$rc -eq 0 ]; then res=ok; else res="FAILED rc=$$rc"; fi; \
	printf '%-10s %-6s %s, %s\n' "$*" "$$res" "$${runs:-?}" "$${cov:-?}" \
	  >> $(FZ)/summary.txt; \
	if [ $$rc -ne 0 ]; then \
	  echo "== fuzz_$*: FAILED, end of $(FZ)/logs/$*.log:"; \
	  tail -n 60 $(FZ)/logs/$*.log; exit 1; \
	fi

fuzz-clean:
	rm -rf $(FZ) tests/fuzz/corpus
