# connections.mk: who talks to whom (the connections view, procnet graph).
#
#   build/tests/test_pairing   the pairing of TCP/UDP ends (ext/pairing.c),
#                              which, like the parsers, needs no SQLite
#   build/tests/test_graph     procnet graph on the scene (as root)
#
# The unit test rule of the Makefile links the parsers alone; the pairing
# is layer-1 code of its own, linked here.

$(B)/tests/test_pairing: tests/unit/test_pairing.c tests/unit/unit_helpers.c \
                         $(PARSE_OBJ) $(B)/core/pairing.o | $(B)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS_TEST)

# `procnet graph` on the scene of tests/common/scene.h: a command test.
$(B)/tests/test_graph: tests/cli/test_graph.c tests/cli/cli_run.c tests/cli/cli_run.h \
                       tests/common/scene.c tests/common/scene.h $(B)/procnet | $(B)/tests
	$(CC) $(CPPFLAGS) -Itests/common $(WARN) $(CFLAGS) -DCLI_B='"$(B)"' -o $@ \
	  tests/cli/test_graph.c tests/cli/cli_run.c tests/common/scene.c \
	  $(LDFLAGS) $(LDLIBS_TEST)

TEST_BINS += $(B)/tests/test_graph
