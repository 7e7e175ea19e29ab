/*
 * scene.c: the host with two containers of the who-talks-to-whom tests;
 * see scene.h for what it holds.
 *
 * Each process is a fork that names itself, joins its cgroup and its
 * namespace, makes its sockets, reports an int on its ready pipe (a port,
 * a pid, or 0) and waits to be killed; it dies with the test
 * (PR_SET_PDEATHSIG). Setup waits for every report (bounded, so that a
 * broken scene fails instead of hanging); nothing is timed.
 */
#include "scene.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAG_PREFIX "pnconn"
#define READY_MS 60000 /* a loaded machine under valgrind forks slowly */

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...) {
  char cmd[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static long long inode_of(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (long long)sb.st_ino : -1;
}

/* ---- in a child ------------------------------------------------------------------ */

static void die(const char *what) {
  fprintf(stderr, "scene: %s: %s\n", what, strerror(errno));
  _exit(1);
}

static int must(int v, const char *what) {
  if (v < 0) die(what);
  return v;
}

/* Names the process and closes every descriptor above 2 but keep and
 * keep2 (-1: none): what a child inherited (the test's, or a shell's that
 * started it) would pair it with processes of no scene. */
static void become(const char *name, int keep, int keep2) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, name);
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int self = d ? dirfd(d) : -1;
  while (d && (e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    if (fd > 2 && fd != keep && fd != keep2 && fd != self) close(fd);
  }
  if (d) closedir(d);
}

static void enter_netns(const char *ns) {
  char path[128];
  snprintf(path, sizeof path, "/run/netns/%s", ns);
  int fd = must(open(path, O_RDONLY | O_CLOEXEC), "open netns");
  must(setns(fd, CLONE_NEWNET), "setns");
  close(fd);
}

/* Gives up the test's descriptors (its output pipes would be pipes
 * between processes too), then says the process is ready: in that order,
 * or a query run at once could still see them. */
static void report(int fd, int value) {
  int null = must(open("/dev/null", O_RDWR | O_CLOEXEC), "/dev/null");
  for (int i = 0; i < 3; i++) must(dup2(null, i), "dup2");
  close(null);
  must((int)write(fd, &value, sizeof value), "ready");
}

static void wait_forever(void) {
  for (;;) pause();
}

static int inet_socket(int type, const char *addr, int port, int listen_backlog) {
  struct sockaddr_in a;
  int one = 1, fd = must(socket(AF_INET, type | SOCK_CLOEXEC, 0), "socket");
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, addr, &a.sin_addr);
  must(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), "reuseaddr");
  must(bind(fd, (struct sockaddr *)&a, sizeof a), "bind");
  if (listen_backlog) must(listen(fd, listen_backlog), "listen");
  return fd;
}

static int local_port(int fd) {
  struct sockaddr_in a;
  socklen_t n = sizeof a;
  must(getsockname(fd, (struct sockaddr *)&a, &n), "getsockname");
  return ntohs(a.sin_port);
}

static int connect_to(int type, const char *addr, int port) {
  struct sockaddr_in a;
  int fd = must(socket(AF_INET, type | SOCK_CLOEXEC, 0), "socket");
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, addr, &a.sin_addr);
  must(connect(fd, (struct sockaddr *)&a, sizeof a), "connect");
  return fd;
}

static void web(const pn_scene *s, int ready) {
  become("pn-web", ready, -1);
  enter_netns(s->ns[PN_SC_WEB_NS]);
  int l = inet_socket(SOCK_STREAM, "0.0.0.0", 8080, 16);
  inet_socket(SOCK_STREAM, "127.0.0.1", 8081, 16);
  inet_socket(SOCK_DGRAM, "0.0.0.0", 5353, 0);
  report(ready, 0);
  for (int i = 0; i < 2; i++) must(accept4(l, NULL, NULL, SOCK_CLOEXEC), "accept");
  report(ready, 0);
  wait_forever();
}

static void client(const pn_scene *s, int ready) {
  become("pn-client", ready, -1);
  enter_netns(s->ns[PN_SC_CLIENT_NS]);
  connect_to(SOCK_STREAM, "10.231.1.2", 8080);
  connect_to(SOCK_STREAM, "10.231.2.1", 9090);
  connect_to(SOCK_DGRAM, "10.231.1.2", 5353);
  report(ready, 0);
  wait_forever();
}

static void loop_server(int ready) {
  become("pn-lsrv", ready, -1);
  int l = inet_socket(SOCK_STREAM, "127.0.0.1", 0, 4);
  report(ready, local_port(l));
  must(accept4(l, NULL, NULL, SOCK_CLOEXEC), "accept");
  report(ready, 0); /* until accepted, the connection has no inode */
  wait_forever();
}

static void loop_client(int port, int ready) {
  become("pn-lcli", ready, -1);
  connect_to(SOCK_STREAM, "127.0.0.1", port);
  report(ready, 0);
  wait_forever();
}

/* pn-upar and, across a fork, pn-uchild: one end of a socketpair each. */
static void unix_pair(int ready) {
  int sv[2];
  become("pn-upar", ready, -1);
  must(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
  pid_t child = must(fork(), "fork");
  if (child == 0) {
    become("pn-uchild", ready, sv[1]);
    report(ready, -1);
    wait_forever();
  }
  close(sv[1]);
  report(ready, child);
  wait_forever();
}

static void pipe_end(const char *name, int keep, int ready) {
  become(name, ready, keep);
  report(ready, 0);
  wait_forever();
}

static void sleeper(const pn_scene *s, int ready) {
  become("pn-sleeper", ready, -1);
  enter_netns(s->ns[PN_SC_HOST_NS]);
  report(ready, 0);
  wait_forever();
}

void pn_scene_proxy_main(int argc, char **argv) {
  const char *fd = getenv("PN_SCENE_READY_FD");
  if (argc < 1 || strcmp(argv[0], "docker-proxy") != 0 || !fd) return;
  int port = 0;
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "-host-port")) port = atoi(argv[i + 1]);
  become("docker-proxy", atoi(fd), -1);
  inet_socket(SOCK_STREAM, "0.0.0.0", port, 16);
  report(atoi(fd), 0);
  wait_forever();
}

/* ---- the scene's parent ---------------------------------------------------------- */

/* Forks fn's process; its reports arrive on *ready. */
typedef struct spawn {
  pn_scene *s;
  int ready[2];
} spawn;

static pid_t start(spawn *sp) {
  if (pipe2(sp->ready, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) close(sp->ready[0]);
  return pid;
}

/* The next report of a child: its value, or INT_MIN when it sent none. */
static int wait_report(spawn *sp, int *value) {
  struct pollfd p = {sp->ready[0], POLLIN, 0};
  if (poll(&p, 1, READY_MS) != 1) return -1;
  return read(sp->ready[0], value, sizeof *value) == (ssize_t)sizeof *value ? 0 : -1;
}

static void finish(spawn *sp) {
  close(sp->ready[0]);
  close(sp->ready[1]);
}

/* A free TCP port of the test's namespace, for the proxy's command line. */
static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;
  struct sockaddr_in a;
  socklen_t n = sizeof a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &n) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) close(fd);
  return port;
}

static int start_proxy(pn_scene *s, const char *self) {
  spawn sp = {s, {-1, -1}};
  char port[16], fd[16];
  int v;
  s->proxy_port = free_port();
  if (s->proxy_port < 0 || pipe(sp.ready) != 0) return -1;
  snprintf(port, sizeof port, "%d", s->proxy_port);
  snprintf(fd, sizeof fd, "%d", sp.ready[1]);
  s->pid[PN_SC_PROXY] = fork();
  if (s->pid[PN_SC_PROXY] == 0) {
    char *argv[] = {"docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port",
                    port, "-container-ip", "10.231.1.2", "-container-port", "8080", NULL};
    setenv("PN_SCENE_READY_FD", fd, 1);
    close(sp.ready[0]);
    execv(self, argv);
    _exit(127);
  }
  int rc = s->pid[PN_SC_PROXY] > 0 ? wait_report(&sp, &v) : -1;
  finish(&sp);
  return rc;
}

/* Starts one process by kind and waits for its first report. */
static int start_one(pn_scene *s, int which, int arg) {
  spawn sp = {s, {-1, -1}};
  int v = 0;
  pid_t pid = start(&sp);
  if (pid < 0) return -1;
  if (pid == 0) {
    switch (which) {
    case PN_SC_SLEEPER: sleeper(s, sp.ready[1]); break;
    case PN_SC_CLIENT: client(s, sp.ready[1]); break;
    case PN_SC_LCLI: loop_client(arg, sp.ready[1]); break;
    }
    _exit(1);
  }
  s->pid[which] = pid;
  int rc = wait_report(&sp, &v);
  finish(&sp);
  return rc;
}

/* pn-lsrv, then pn-lcli; the server reports again once it has accepted. */
static int start_loop_pair(pn_scene *s) {
  spawn sp = {s, {-1, -1}};
  int v, rc = -1;
  pid_t pid = start(&sp);
  if (pid < 0) return -1;
  if (pid == 0) loop_server(sp.ready[1]);
  s->pid[PN_SC_LSRV] = pid;
  if (wait_report(&sp, &s->loop_port) == 0 && start_one(s, PN_SC_LCLI, s->loop_port) == 0)
    rc = wait_report(&sp, &v);
  finish(&sp);
  return rc;
}

/* pn-web, then pn-client; web reports again once it has taken both. */
static int start_web_and_client(pn_scene *s) {
  spawn sp = {s, {-1, -1}};
  int v, rc = -1;
  pid_t pid = start(&sp);
  if (pid < 0) return -1;
  if (pid == 0) web(s, sp.ready[1]);
  s->pid[PN_SC_WEB] = pid;
  if (wait_report(&sp, &v) == 0 && start_one(s, PN_SC_CLIENT, 0) == 0)
    rc = wait_report(&sp, &v);
  finish(&sp);
  return rc;
}

static int start_unix_pair(pn_scene *s) {
  spawn sp = {s, {-1, -1}};
  int a, b;
  pid_t pid = start(&sp);
  if (pid < 0) return -1;
  if (pid == 0) unix_pair(sp.ready[1]);
  s->pid[PN_SC_UPAR] = pid;
  int rc = wait_report(&sp, &a) == 0 && wait_report(&sp, &b) == 0 ? 0 : -1;
  s->pid[PN_SC_UCHILD] = a > 0 ? a : b;
  finish(&sp);
  return rc;
}

static int start_pipe(pn_scene *s) {
  spawn sp = {s, {-1, -1}};
  int p[2], v, rc = -1;
  if (pipe2(p, O_CLOEXEC) != 0) return -1;
  if ((s->pid[PN_SC_PW] = start(&sp)) == 0) pipe_end("pn-pw", p[1], sp.ready[1]);
  if (s->pid[PN_SC_PW] > 0 && (s->pid[PN_SC_PR] = fork()) == 0)
    pipe_end("pn-pr", p[0], sp.ready[1]);
  close(p[0]);
  close(p[1]);
  if (s->pid[PN_SC_PW] > 0 && s->pid[PN_SC_PR] > 0)
    rc = wait_report(&sp, &v) == 0 && wait_report(&sp, &v) == 0 ? 0 : -1;
  finish(&sp);
  return rc;
}

/* ---- namespaces, rules, cgroups and state files ---------------------------------- */

static int build_network(pn_scene *s) {
  const char *h = s->ns[PN_SC_HOST_NS];
  for (int i = 0; i < 3; i++)
    if (run("ip netns add %s", s->ns[i]) != 0) return -1;
  for (int i = 1; i < 3; i++) {
    const char *c = s->ns[i], *v = s->veth[i - 1];
    if (run("ip link add %s type veth peer name eth0 netns %s && ip link set %s netns %s && "
            "ip -n %s addr add 10.231.%d.1/24 dev %s && ip -n %s link set %s up && "
            "ip -n %s addr add 10.231.%d.2/24 dev eth0 && ip -n %s link set eth0 up && "
            "ip -n %s link set lo up && ip -n %s route add default via 10.231.%d.1",
            v, c, v, h, h, i, v, h, v, c, i, c, c, c, i) != 0)
      return -1;
  }
  if (run("ip -n %s link set lo up && ip netns exec %s sysctl -qw net.ipv4.ip_forward=1", h,
          h) != 0)
    return -1;
  if (run("printf 'table ip pnconn {\\n chain pre {\\n"
          "  type nat hook prerouting priority dstnat;\\n"
          "  tcp dport 9090 dnat to 10.231.1.2:8080\\n }\\n}\\n' | ip netns exec %s nft -f -",
          h) != 0)
    return -1;
  for (int i = 0; i < 3; i++) {
    char path[128];
    snprintf(path, sizeof path, "/run/netns/%s", s->ns[i]);
    s->netns[i] = inode_of(path);
  }
  return 0;
}

/* The cgroup v2 mount, from mountinfo ("... MOUNT_POINT ... - cgroup2 ..."). */
static int cgroup2_mount(char *out, size_t cap) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  char line[1024];
  int found = 0;
  while (f && !found && fgets(line, sizeof line, f)) {
    char mnt[256], *dash = strstr(line, " - cgroup2 ");
    found = dash && sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1 && strlen(mnt) < cap;
    if (found) memcpy(out, mnt, strlen(mnt) + 1);
  }
  if (f) fclose(f);
  return found ? 0 : -1;
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  int ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* The host root with the runtimes' state of the two containers. */
static int build_host_root(pn_scene *s) {
  char path[512], text[512];
  snprintf(s->host_root, sizeof s->host_root, "/tmp/%s/host", s->tag);
  if (run("mkdir -p %s/var/lib/docker/containers/%s %s/var/lib/containers/storage/"
          "overlay-containers", s->host_root, s->web_id, s->host_root) != 0)
    return -1;
  snprintf(path, sizeof path, "%s/var/lib/docker/containers/%s/config.v2.json",
           s->host_root, s->web_id);
  snprintf(text, sizeof text, "{\"ID\":\"%s\",\"Name\":\"/web\",\"Config\":{\"Labels\":{}}}",
           s->web_id);
  if (write_file(path, text) != 0) return -1;
  snprintf(path, sizeof path, "%s/var/lib/containers/storage/overlay-containers/containers.json",
           s->host_root);
  snprintf(text, sizeof text, "[{\"id\":\"%s\",\"names\":[\"client\"]}]", s->client_id);
  return write_file(path, text);
}

/* The containers' cgroups under the scene's own, where cgroup v2 may be
 * written: web as docker's, client as podman's, and a host service. */
static int build_cgroups(pn_scene *s) {
  char mnt[256], path[512];
  if (cgroup2_mount(mnt, sizeof mnt) != 0) return -1;
  snprintf(s->cgroup_dir, sizeof s->cgroup_dir, "%s/%s", mnt, s->tag);
  const char *subs[] = {"", NULL, NULL, "pn-test.service"};
  char web_scope[128], client_scope[128];
  snprintf(web_scope, sizeof web_scope, "docker-%s.scope", s->web_id);
  snprintf(client_scope, sizeof client_scope, "libpod-%s.scope", s->client_id);
  subs[1] = web_scope;
  subs[2] = client_scope;
  for (int i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", s->cgroup_dir, subs[i]);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
      s->cgroup_dir[0] = '\0';
      return -1;
    }
  }
  return 0;
}

/* Moves each container's process into its cgroup. */
static int join_cgroups(pn_scene *s) {
  char path[512];
  const struct { int who; const char *fmt; const char *id; } moves[] = {
      {PN_SC_WEB, "%s/docker-%s.scope/cgroup.procs", s->web_id},
      {PN_SC_CLIENT, "%s/libpod-%s.scope/cgroup.procs", s->client_id},
      {PN_SC_LSRV, "%s/pn-test.service/cgroup.procs%s", ""}};
  for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
    char pid[24];
    snprintf(path, sizeof path, moves[i].fmt, s->cgroup_dir, moves[i].id);
    snprintf(pid, sizeof pid, "%d\n", (int)s->pid[moves[i].who]);
    if (write_file(path, pid) != 0) return -1;
  }
  return 0;
}

static void remove_cgroups(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    char sub[600];
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
    rmdir(sub);
  }
  if (d) closedir(d);
  rmdir(dir);
}

/* Namespaces, cgroups and files of runs whose process is gone. */
static void drop_leftovers(void) {
  DIR *d = opendir("/run/netns");
  struct dirent *e;
  char mnt[256];
  while (d && (e = readdir(d)) != NULL) {
    int pid;
    if (sscanf(e->d_name, TAG_PREFIX "%d-", &pid) == 1 && kill(pid, 0) != 0 && errno == ESRCH)
      run("ip netns del %s 2>/dev/null", e->d_name);
  }
  if (d) closedir(d);
  if (cgroup2_mount(mnt, sizeof mnt) != 0 || !(d = opendir(mnt))) return;
  while ((e = readdir(d)) != NULL) {
    int pid;
    char dir[600];
    if (sscanf(e->d_name, TAG_PREFIX "%d", &pid) != 1 || kill(pid, 0) == 0 || errno != ESRCH)
      continue;
    snprintf(dir, sizeof dir, "%s/%s", mnt, e->d_name);
    remove_cgroups(dir);
    run("rm -rf /tmp/%s", e->d_name);
  }
  closedir(d);
}

int pn_scene_build(pn_scene *s, const char *self) {
  char tag[sizeof s->tag];
  const char *names[] = {"host", "web", "client"};
  memset(s, 0, sizeof *s);
  snprintf(tag, sizeof tag, TAG_PREFIX "%d", (int)getpid());
  memcpy(s->tag, tag, sizeof tag);
  for (int i = 0; i < 3; i++) snprintf(s->ns[i], sizeof s->ns[i], "%s-%s", tag, names[i]);
  for (int i = 0; i < 2; i++) /* IFNAMSIZ: 15 characters */
    snprintf(s->veth[i], sizeof s->veth[i], "pnc%x-%c", (unsigned)getpid() & 0xffffff,
             "12"[i]);
  snprintf(s->web_id, sizeof s->web_id, "%056x%08x", 0xa, (unsigned)getpid());
  snprintf(s->client_id, sizeof s->client_id, "%056x%08x", 0xb, (unsigned)getpid());
  s->netns_self = inode_of("/proc/self/ns/net");
  if (geteuid() != 0 || run("command -v ip >/dev/null && command -v nft >/dev/null") != 0) {
    fprintf(stderr, "scene: needs root, ip and nft; skipping what needs it\n");
    return -1;
  }
  drop_leftovers();
  if (build_network(s) != 0) {
    fprintf(stderr, "scene: the namespaces, veth pairs or nftables rule failed;"
                    " skipping what needs it\n");
    pn_scene_drop(s);
    return -1;
  }
  s->containers = build_cgroups(s) == 0 && build_host_root(s) == 0;
  int rc = start_one(s, PN_SC_SLEEPER, 0) == 0 && start_web_and_client(s) == 0 &&
                   start_loop_pair(s) == 0 && start_unix_pair(s) == 0 && start_pipe(s) == 0 &&
                   start_proxy(s, self) == 0
               ? 0 : -1;
  if (rc == 0 && s->containers) s->containers = join_cgroups(s) == 0;
  if (rc != 0) {
    fprintf(stderr, "scene: a process of the scene did not start; skipping what needs it\n");
    pn_scene_drop(s);
  }
  s->built = rc == 0;
  return rc;
}

void pn_scene_drop(pn_scene *s) {
  for (int i = 0; i < PN_SC_N; i++)
    if (s->pid[i] > 0) kill(s->pid[i], SIGKILL);
  for (int i = 0; i < PN_SC_N; i++)
    if (s->pid[i] > 0 && i != PN_SC_UCHILD) waitpid(s->pid[i], NULL, 0);
  for (int i = 0; i < 3; i++)
    if (s->ns[i][0]) run("ip netns del %s 2>/dev/null", s->ns[i]);
  if (s->cgroup_dir[0]) remove_cgroups(s->cgroup_dir);
  if (s->tag[0]) run("rm -rf /tmp/%s", s->tag);
  memset(s->pid, 0, sizeof s->pid);
  s->built = 0;
}
