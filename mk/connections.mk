# connections.mk: who talks to whom (the connections view, procnet graph).
#
#   build/tests/test_pairing   the pairing of TCP/UDP ends (ext/pairing.c),
#                              which, like the parsers, needs no SQLite
#
# The unit test rule of the Makefile links the parsers alone; the pairing
# is layer-1 code of its own, linked here.

$(B)/tests/test_pairing: tests/unit/test_pairing.c tests/unit/unit_helpers.c \
                         $(PARSE_OBJ) $(B)/core/pairing.o | $(B)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS_TEST)
