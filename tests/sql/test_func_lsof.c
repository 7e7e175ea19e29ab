/*
 * test_func_lsof.c: the SQL functions that print what lsof prints of a
 * socket (func_lsof.c): TYPE, a packet socket's NODE, a netlink socket's
 * NAME, an Internet and a raw socket's NAME, and a file type's TYPE.
 */
#include "pn_test.h"

static void socket_types(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  assert_rows(db, "IPv4|IPv6|IPv6|raw|raw6|icmp|sock|unix|netlink|pack|sock|sock\n",
              "SELECT procnet_lsof_sock_type('tcp', 'IPv4'), procnet_lsof_sock_type('udp', 'IPv6'),"
              " procnet_lsof_sock_type('udplite', 'IPv6'), procnet_lsof_sock_type('raw', 'IPv4'),"
              " procnet_lsof_sock_type('raw', 'IPv6'), procnet_lsof_sock_type('icmp', 'IPv4'),"
              " procnet_lsof_sock_type('icmp', 'IPv6'), procnet_lsof_sock_type('unix', 'UNIX'),"
              " procnet_lsof_sock_type('netlink', 'NETLINK'),"
              " procnet_lsof_sock_type('packet', 'PACKET'),"
              /* a socket in no table; a kind procnet does not know */
              " procnet_lsof_sock_type(NULL, NULL), procnet_lsof_sock_type('sctp', 'IPv4')");
  /* an IP kind without its family: lsof would know it only by protocol */
  assert_rows(db, "sock\n", "SELECT procnet_lsof_sock_type('tcp', NULL)");
  pn_close(db);
}

static void protocol_names(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  assert_rows(db, "ALL|IP|ARP|IPV6|4242|-1|NULL\n",
              "SELECT procnet_lsof_ethertype(3), procnet_lsof_ethertype(2048),"
              " procnet_lsof_ethertype(2054), procnet_lsof_ethertype('34525'),"
              " procnet_lsof_ethertype(4242), procnet_lsof_ethertype(-1),"
              " procnet_lsof_ethertype(NULL)");
  assert_rows(db, "ROUTE|KOBJECT_UEVENT|SMC|unknown protocol: 17|unknown protocol: 99|NULL\n",
              "SELECT procnet_lsof_netlink_name(0), procnet_lsof_netlink_name(15),"
              " procnet_lsof_netlink_name(22), procnet_lsof_netlink_name(17),"
              " procnet_lsof_netlink_name(99), procnet_lsof_netlink_name(NULL)");
  pn_close(db);
}

static void names_and_file_types(void **state) {
  (void)state;
  sqlite3 *db = pn_open(NULL);
  assert_rows(db,
              "127.0.0.1:8080->127.0.0.1:54846 (ESTABLISHED)|*:8080 (LISTEN)|[::1]:53|"
              "127.0.0.1:80->127.0.0.1:45000\n",
              "SELECT procnet_lsof_inet_name('tcp', 'IPv4', '127.0.0.1', 8080, '127.0.0.1',"
              " 54846, 'ESTABLISHED'),"
              " procnet_lsof_inet_name('tcp', 'IPv4', '0.0.0.0', 8080, '0.0.0.0', 0, 'LISTEN'),"
              " procnet_lsof_inet_name('udp', 'IPv6', '::1', 53, '::', 0, 'CLOSE'),"
              " procnet_lsof_inet_name('udp', 'IPv6', '::ffff:127.0.0.1', 80,"
              " '::ffff:127.0.0.1', 45000, 'ESTABLISHED')");
  assert_rows(db, "REG|DIR|FIFO|FIFO|a_inode|NULL|NULL\n",
              "SELECT procnet_lsof_type('file'), procnet_lsof_type('dir'),"
              " procnet_lsof_type('pipe'), procnet_lsof_type('fifo'), procnet_lsof_type('pidfd'),"
              " procnet_lsof_type('socket'), procnet_lsof_type(NULL)");
  pn_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(socket_types),
      cmocka_unit_test(protocol_names),
      cmocka_unit_test(names_and_file_types),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
