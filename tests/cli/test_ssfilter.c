/*
 * test_ssfilter.c: ss's filter language compiled to SQL (ext/cli/ssfilter.c).
 *
 * Each filter is compiled and its condition run over a small table of
 * sockets with the ss view's typed columns; the names of the rows it keeps
 * are what is checked, as ss would keep them: ss's left-to-right and/or,
 * its port operators (`<` is "not >="), IPv4 prefixes matching v4-mapped
 * addresses, unix patterns without case. Then the state words, the errors
 * (a syntax error and a value that does not parse are told apart, as ss
 * exits 255 and 1 for them), and the rule that no value from the command
 * line is pasted into the SQL text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "procnet.h"
#include "ss.h"

static sqlite3 *db;

/* name, kind, local_address, local_port, remote_address, remote_port, ifindex */
static const char SOCKETS[] =
    "CREATE TEMP TABLE t(name, kind, local_address, local_port, remote_address,"
    " remote_port, ifindex);"
    "INSERT INTO t VALUES"
    " ('l4', 'tcp', '127.0.0.1', 41001, '0.0.0.0', 0, 0),"
    " ('c4', 'tcp', '127.0.0.1', 50000, '127.0.0.1', 41001, 0),"
    " ('a4', 'tcp', '127.0.0.1', 41001, '127.0.0.1', 50000, 0),"
    " ('l6', 'tcp', '::', 41002, '::', 0, 0),"
    " ('m6', 'tcp', '::ffff:127.0.0.1', 41002, '::ffff:10.1.2.3', 50001, 0),"
    " ('c6', 'tcp', '::1', 50002, '::1', 41002, 0),"
    " ('u1', 'udp', '10.1.2.3', 53, '0.0.0.0', 0, 2),"
    " ('x1', 'unix', '/run/App.sock', 1234, NULL, 0, NULL),"
    " ('x2', 'unix', NULL, 1235, NULL, 1234, NULL),"
    " ('n1', 'netlink', NULL, 0, NULL, 0, NULL)";

static int setup(void **state) {
  (void)state;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK || procnet_register(db, NULL) != SQLITE_OK ||
      sqlite3_exec(db, SOCKETS, NULL, NULL, NULL) != SQLITE_OK)
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sqlite3_close(db);
  return 0;
}

/* Splits text at blanks (the filter as many arguments). */
static int words_of(char *text, char *words[32]) {
  int n = 0;
  for (char *save = NULL, *t = strtok_r(text, " ", &save); t && n < 32;
       t = strtok_r(NULL, " ", &save))
    words[n++] = t;
  return n;
}

static ssf_status compile(const char *filter, int family, ssf_result *r) {
  char copy[512], *words[32];
  snprintf(copy, sizeof copy, "%s", filter);
  ssf_env env = {family, 1, 1};
  return ssf_compile(words, words_of(copy, words), &env, r);
}

/* The names of the rows the filter keeps, in table order, "" for none. */
static char *kept(const char *filter, int family) {
  ssf_result r;
  ssf_status st = compile(filter, family, &r);
  if (st != SSF_OK) fail_msg("'%s' did not compile: %s", filter, r.error ? r.error : "?");
  const char *cond = cli_q_text_of(&r.where);
  char *sql = sqlite3_mprintf("SELECT coalesce(group_concat(name, ','), '') FROM"
                              " (SELECT name FROM t WHERE %s ORDER BY rowid)",
                              *cond ? cond : "1");
  sqlite3_stmt *q = cli_prepare(db, sql, &r.where);
  if (!q || sqlite3_step(q) != SQLITE_ROW) fail_msg("'%s': %s", filter, sqlite3_errmsg(db));
  char *names = strdup((const char *)sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_free(sql);
  ssf_result_free(&r);
  return names;
}

typedef struct filter_case {
  const char *filter, *kept;
} filter_case;

static void check_cases(const filter_case *c, size_t n, int family) {
  for (size_t i = 0; i < n; i++) {
    char *got = kept(c[i].filter, family);
    if (strcmp(got, c[i].kept) != 0)
      fail_msg("filter '%s' kept '%s', not '%s'", c[i].filter, got, c[i].kept);
    free(got);
  }
}

static void ports(void **state) {
  (void)state;
  static const filter_case cases[] = {
      {"sport = :41001", "l4,a4"},
      {"sport == :41001", "l4,a4"},
      {"sport eq 41001", "l4,a4"},
      {"sport :41001", "l4,a4"},
      {"dport = :41001", "c4"},
      /* != and not: every other socket, unix and netlink ones too */
      {"sport != :41001", "c4,l6,m6,c6,u1,x1,x2,n1"},
      {"sport neq :41001", "c4,l6,m6,c6,u1,x1,x2,n1"},
      /* > is "not <=", < is "not >=" */
      {"sport > :41001", "c4,l6,m6,c6"},
      {"sport gt :41001", "c4,l6,m6,c6"},
      {"sport < :1235", "u1,x1,n1"},
      {"sport lt 1235", "u1,x1,n1"},
      {"sport >= :41002", "c4,l6,m6,c6"},
      {"sport geq :41002", "c4,l6,m6,c6"},
      {"sport <= :53", "u1,n1"},
      {"sport le :53", "u1,n1"},
      {"dport ge :50000", "a4,m6"},
      /* a unix socket's "port" is its inode, its peer's the peer's */
      {"sport = :1235", "x2"},
      {"dport = :1234", "x2"},
      /* `*` is any port */
      {"dport = *", "l4,c4,a4,l6,m6,c6,u1,x1,x2,n1"},
      {"sport = 0x35", "u1"}, /* numbers as C reads them, as ss does */
  };
  check_cases(cases, sizeof cases / sizeof cases[0], AF_UNSPEC);
}

static void addresses(void **state) {
  (void)state;
  static const filter_case cases[] = {
      /* an IPv4 prefix matches the IPv4 part of a v4-mapped address */
      {"src 127.0.0.1", "l4,c4,a4,m6"},
      {"src 127.0.0.0/8", "l4,c4,a4,m6"},
      {"src 127/8", "l4,c4,a4,m6"},
      {"src [::ffff:127.0.0.1]", "m6"},
      {"src [::1]", "c6"},
      {"dst [::1]:41002", "c6"},
      {"dst 10.0.0.0/8", "m6"},
      {"dst = 10.0.0.0/8", "m6"},
      {"dst eq 10.0.0.0/8", "m6"},
      {"src 10.1.2.3:53", "u1"},
      {"src 10.1.2.3:54", ""},
      {"src :41002", "l6,m6"},
      {"src *:41002", "l6,m6"},
      {"src [::]:41002", "l6"},
      {"src 0.0.0.0/0", "l4,c4,a4,m6,u1"},
      {"src [::/0]", "l6,m6,c6"}, /* IPv6 prefixes match IPv6 only */
      {"src *", "l4,c4,a4,l6,m6,c6,u1,x1,x2,n1"},
      {"src any", "l4,c4,a4,l6,m6,c6,u1,x1,x2,n1"},
      {"dev 2", "u1"},
      {"dev = 2", "u1"},
      {"dev != 2", "l4,c4,a4,l6,m6,c6,x1,x2,n1"},
      /* a backslash keeps a character as it is */
      {"src 127.0.0.\\1", "l4,c4,a4,m6"},
  };
  check_cases(cases, sizeof cases / sizeof cases[0], AF_UNSPEC);
}

static void ipv6_family_reads_ipv6(void **state) {
  (void)state;
  ssf_result r;
  /* With -6 an IPv4 literal is no address for ss. */
  assert_int_equal(compile("src 127.0.0.1", AF_INET6, &r), SSF_BAD);
  assert_non_null(strstr(r.error, "an inet prefix is expected rather than \"127.0.0.1\""));
  ssf_result_free(&r);
  static const filter_case cases[] = {{"src [::1]", "c6"}};
  check_cases(cases, 1, AF_INET6);
}

static void unix_patterns(void **state) {
  (void)state;
  static const filter_case cases[] = {
      {"src /run/*", "x1"},
      {"src /RUN/app*", "x1"}, /* without case, as ss's fnmatch */
      {"src /run/?pp.sock", "x1"},
      {"src /tmp/*", ""},
      {"src *", "x1,x2"},
      {"dst *", "x1,x2"},   /* ss compares an empty peer name */
      {"dst /run/*", ""},
      {"sport = :1234", ""}, /* with a unix family, words are patterns */
  };
  check_cases(cases, sizeof cases / sizeof cases[0], AF_UNIX);
  /* unix: names the family: ss then shows unix sockets alone. */
  ssf_result r;
  assert_int_equal(compile("src unix:*app*", AF_UNSPEC, &r), SSF_OK);
  assert_true(r.family_reset);
  assert_int_equal(r.family, AF_UNIX);
  ssf_result_free(&r);
  char *got = kept("src unix:*APP*", AF_UNSPEC);
  assert_string_equal(got, "x1");
  free(got);
}

static void and_or_not_left_to_right(void **state) {
  (void)state;
  static const filter_case cases[] = {
      /* one level, left to right: (a or b) and c */
      {"sport = :41001 or sport = :41002 and dport = :50001", "m6"},
      {"sport = :41001 or ( sport = :41002 and dport = :50001 )", "l4,a4,m6"},
      {"sport = :41001 || sport = :41002 && dport = :50001", "m6"},
      {"sport = :41001 | sport = :41002 & dport = :50001", "m6"},
      /* no operator: and */
      {"sport = :41001 dport = :50000", "a4"},
      {"src 127.0.0.1 src 127.0.0.1", "l4,c4,a4,m6"},
      /* not binds to one term */
      {"! sport = :41001 and sport = :41002", "l6,m6"},
      {"not sport = :41001 and sport = :41002", "l6,m6"},
      {"not ( sport = :41001 or sport = :41002 )", "c4,c6,u1,x1,x2,n1"},
      {"! ! sport = :41001", "l4,a4"},
      {"( ( sport = :53 ) )", "u1"},
  };
  check_cases(cases, sizeof cases / sizeof cases[0], AF_UNSPEC);
}

static void one_argument_or_many(void **state) {
  (void)state;
  char *words1[] = {"( sport = :41001 or sport = :53 )"};
  char *words2[] = {"(", "sport", "=", ":41001", "or", "sport = :53", ")"};
  ssf_env env = {AF_UNSPEC, 1, 1};
  ssf_result r1, r2;
  assert_int_equal(ssf_compile(words1, 1, &env, &r1), SSF_OK);
  assert_int_equal(ssf_compile(words2, 7, &env, &r2), SSF_OK);
  assert_string_equal(cli_q_text_of(&r1.where), cli_q_text_of(&r2.where));
  assert_int_equal(r1.where.nparams, r2.where.nparams);
  ssf_result_free(&r1);
  ssf_result_free(&r2);
}

static void state_words(void **state) {
  (void)state;
  static const struct {
    const char *filter;
    unsigned states;
  } cases[] = {
      {"state established", SS_STATE(SS_ESTABLISHED)},
      {"state ESTABLISHED", SS_STATE(SS_ESTABLISHED)},
      {"state established state listening", SS_STATE(SS_ESTABLISHED) | SS_STATE(SS_LISTEN)},
      {"exclude listening", SS_ALL & ~SS_STATE(SS_LISTEN)},
      {"excl listening", SS_ALL & ~SS_STATE(SS_LISTEN)},
      {"state connected exclude time-wait",
       SS_ALL & ~(SS_STATE(SS_CLOSE) | SS_STATE(SS_LISTEN) | SS_STATE(SS_TIME_WAIT))},
      {"state bucket", SS_STATE(SS_SYN_RECV) | SS_STATE(SS_TIME_WAIT)},
      {"state big", SS_ALL & ~(SS_STATE(SS_SYN_RECV) | SS_STATE(SS_TIME_WAIT))},
      {"state synchronized",
       SS_ALL & ~(SS_STATE(SS_CLOSE) | SS_STATE(SS_LISTEN) | SS_STATE(SS_SYN_SENT))},
      {"state closed", SS_STATE(SS_CLOSE)},
      {"state unconnected", SS_STATE(SS_CLOSE)},
      {"state syn-rcv", SS_STATE(SS_SYN_RECV)},
      {"state fin-wait-2 state close-wait state last-ack state closing",
       SS_STATE(SS_FIN_WAIT2) | SS_STATE(SS_CLOSE_WAIT) | SS_STATE(SS_LAST_ACK) |
           SS_STATE(SS_CLOSING)},
      {"state all", SS_ALL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ssf_result r;
    assert_int_equal(compile(cases[i].filter, AF_UNSPEC, &r), SSF_OK);
    assert_true(r.saw_states);
    if (r.states != cases[i].states)
      fail_msg("'%s': states %#x, not %#x", cases[i].filter, r.states, cases[i].states);
    assert_null(r.where.where); /* no expression */
    ssf_result_free(&r);
  }
  /* The states, then an expression. */
  char *got = kept("state established sport = :41001", AF_UNSPEC);
  assert_string_equal(got, "l4,a4");
  free(got);
}

static void errors_as_ss_tells_them(void **state) {
  (void)state;
  static const struct {
    const char *filter;
    ssf_status status;
    const char *message;
  } cases[] = {
      {"dport", SSF_SYNTAX, "ends too soon"},
      {"( sport = :80", SSF_SYNTAX, "ends too soon"},
      {"sport = :80 )", SSF_SYNTAX, "at ')'"},
      {"src 1.2.3.4 5.6.7.8", SSF_SYNTAX, "at '5.6.7.8'"},
      {"or sport = :80", SSF_SYNTAX, "at 'or'"},
      {"state", SSF_SYNTAX, "'state' needs a state name"},
      {"state nosuch", SSF_SYNTAX, "wrong state name: nosuch"},
      {"sport = :80 state established", SSF_BAD, "\"state\""},
      {"bogusword", SSF_BAD, "an inet prefix is expected rather than \"bogusword\""},
      {"src 999.1.1.1", SSF_BAD, "an inet prefix is expected rather than \"999.1.1.1\""},
      {"src ::1", SSF_BAD, "an inet prefix is expected rather than \":\""},
      {"src 10.0.0.0/33", SSF_BAD, "an inet prefix is expected"},
      {"src [::1", SSF_BAD, "an inet prefix is expected"},
      {"sport = :no-such-service", SSF_BAD, "\"no-such-service\" does not look like a port"},
      {"dev no-such-dev0", SSF_BAD, "cannot parse device \"no-such-dev0\""},
      {"fwmark 0x1", SSF_BAD, "'fwmark' filters need netlink data"},
      {"cgroup /", SSF_BAD, "'cgroup' filters need netlink data"},
      {"autobound", SSF_BAD, "'autobound' filters need netlink data"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ssf_result r;
    ssf_status st = compile(cases[i].filter, AF_UNSPEC, &r);
    if (st != cases[i].status || !r.error || !strstr(r.error, cases[i].message))
      fail_msg("'%s': status %d (%s), not %d with \"%s\"", cases[i].filter, st,
               r.error ? r.error : "no message", cases[i].status, cases[i].message);
    ssf_result_free(&r);
  }
}

/* Values are bound: none of the command line's text is in the SQL. */
static void values_are_parameters(void **state) {
  (void)state;
  ssf_result r;
  assert_int_equal(compile("src 10.9.8.7/24 and sport = :4242 or dst [2001:db8::42]",
                           AF_UNSPEC, &r),
                   SSF_OK);
  const char *sql = cli_q_text_of(&r.where);
  assert_null(strstr(sql, "10.9.8.7"));
  assert_null(strstr(sql, "4242"));
  assert_null(strstr(sql, "2001"));
  assert_int_equal(r.where.nparams, 3);
  assert_string_equal(r.where.params[0].s, "10.9.8.7/24");
  assert_int_equal(r.where.params[1].i, 4242);
  assert_string_equal(r.where.params[2].s, "2001:db8::42");
  /* A port alone is a plain equality, which the socket scan can take. */
  ssf_result_free(&r);
  assert_int_equal(compile("sport = :8080", AF_UNSPEC, &r), SSF_OK);
  assert_string_equal(cli_q_text_of(&r.where), "local_port = ?");
  ssf_result_free(&r);
  /* A unix pattern too. */
  assert_int_equal(compile("src /x'y*", AF_UNIX, &r), SSF_OK);
  assert_null(strstr(cli_q_text_of(&r.where), "x'y"));
  ssf_result_free(&r);
}

/* Names from /etc/services and /etc/hosts, where this machine has them. */
static void names_from_etc(void **state) {
  (void)state;
  if (cli_service_port("ssh", "tcp") == 22) {
    ssf_result r;
    assert_int_equal(compile("sport = :ssh", AF_UNSPEC, &r), SSF_OK);
    assert_int_equal(r.where.params[0].i, 22);
    ssf_result_free(&r);
  }
  char **addrs = NULL;
  int n = cli_host_addresses("localhost", 4, &addrs);
  if (n > 0 && !strcmp(addrs[0], "127.0.0.1")) {
    char *got = kept("src localhost", AF_UNSPEC);
    assert_true(!strncmp(got, "l4,c4,a4", 8));
    free(got);
  }
  cli_free_words(addrs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ports),
      cmocka_unit_test(addresses),
      cmocka_unit_test(ipv6_family_reads_ipv6),
      cmocka_unit_test(unix_patterns),
      cmocka_unit_test(and_or_not_left_to_right),
      cmocka_unit_test(one_argument_or_many),
      cmocka_unit_test(state_words),
      cmocka_unit_test(errors_as_ss_tells_them),
      cmocka_unit_test(values_are_parameters),
      cmocka_unit_test(names_from_etc),
  };
  return cmocka_run_group_tests_name("ssfilter", tests, setup, teardown);
}
