# history.mk: `procnet watch` and `procnet record` (doc/history.md).
#
#   build/history_sql.h   sql/history.sql, the schema record writes,
#                         compiled into the command
#   build/tests/test_keymap, test_watch, test_record  their tests (added to
#                         TEST_BINS)
#   make bench-record     what recording costs (bench/record.sh; also run
#                         by `make bench`)

$(B)/history_sql.h: sql/history.sql tests/tools/embed.sh | $(B)
	sh tests/tools/embed.sh history_sql sql/history.sql > $@

$(B)/cli/record_db.o: $(B)/history_sql.h
