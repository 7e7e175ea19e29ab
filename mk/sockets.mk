# sockets.mk: layer-1 code of the socket tables that, like the parsers,
# is tested alone:
#
#   build/tests/test_sockindex   the radix sort (ext/sort.c) and the inode
#                                index over several snapshots
#                                (ext/sockindex.c, SQLite's allocator)

$(B)/tests/test_sockindex: tests/unit/test_sockindex.c tests/unit/unit_helpers.c \
                           $(PARSE_OBJ) $(B)/core/sort.o $(B)/core/sockindex.o | $(B)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) -o $@ $^ $(LDFLAGS) \
	  $(LDLIBS_SQLITE) $(LDLIBS_TEST)
