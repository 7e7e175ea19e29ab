/*
 * parse_cgroup.c: the container, pod and systemd unit of a process, from
 * /proc/PID/cgroup; see parse_cgroup.h for the layouts recognised.
 *
 * Lines are "HIERARCHY:CONTROLLERS:/PATH". Each path is walked component
 * by component; a bare hex component is an id only where a runtime puts
 * one (after "docker", under kubepods): "/process_api/8f07015e..." names
 * no runtime.
 */
#include "parse_cgroup.h"
#include "parse_util.h"

#include <string.h>

#define ID_LEN 64

int pn_is_container_hex_id(pn_str s) {
  if (s.n != ID_LEN) return 0;
  for (size_t i = 0; i < s.n; i++)
    if (!pn_is_hex_digit(s.p[i])) return 0;
  return 1;
}

static int ends_with(pn_str s, const char *lit) {
  size_t n = strlen(lit);
  return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}

static pn_str drop_suffix(pn_str s, const char *lit) {
  if (ends_with(s, lit)) s.n -= strlen(lit);
  return s;
}

/* ---- one component ---------------------------------------------------------- */

/* What one path component says. */
typedef struct found {
  const char *runtime;
  pn_str name;              /* the id, or the (escaped) name */
  int escaped;              /* name uses systemd's \xNN escapes */
} found;

/* "<prefix><id>.scope" or "<prefix><id>". The monitors
 * ("crio-conmon-<id>.scope") do not match: "conmon-" is not hex. */
static int scope_id(pn_str c, found *f) {
  static const struct { const char *prefix, *runtime; } scopes[] = {
      {"docker-", "docker"},     {"cri-containerd-", "containerd"},
      {"nerdctl-", "containerd"}, {"libpod-", "podman"},
      {"crio-", "cri-o"}};
  for (size_t k = 0; k < sizeof scopes / sizeof scopes[0]; k++) {
    if (!pn_starts_with(c, scopes[k].prefix)) continue;
    pn_str id = drop_suffix(pn_skip(c, strlen(scopes[k].prefix)), ".scope");
    if (!pn_is_container_hex_id(id)) continue;
    f->runtime = scopes[k].runtime;
    f->name = id;
    return 1;
  }
  return 0;
}

/* kubelet's "<pod slice>:<runtime>:<id>" (systemd driver on cgroup v1). */
static int colon_id(pn_str c, found *f) {
  static const struct { const char *word, *runtime; } kinds[] = {
      {"cri-containerd", "containerd"}, {"crio", "cri-o"}, {"docker", "docker"}};
  pn_str slice, rest, word, id;
  if (pn_split_at(c, ':', &slice, &rest) != 0) return 0;
  if (pn_split_at(rest, ':', &word, &id) != 0 || !pn_is_container_hex_id(id)) return 0;
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    if (pn_str_eq(word, kinds[k].word)) {
      f->runtime = kinds[k].runtime;
      f->name = id;
      return 1;
    }
  return 0;
}

/* lxc.payload.<name>, and <name> right after an "lxc" component. */
static int lxc_name(pn_str c, pn_str prev, found *f) {
  pn_str name = c;
  if (pn_starts_with(c, "lxc.payload.")) name = pn_skip(c, strlen("lxc.payload."));
  else if (!pn_str_eq(prev, "lxc") || pn_starts_with(c, "lxc.")) return 0;
  if (name.n == 0) return 0;
  f->runtime = "lxc";
  f->name = name;
  return 1;
}

/* systemd-nspawn@<name>.service, machine-<name>.scope. */
static int nspawn_name(pn_str c, found *f) {
  pn_str name;
  if (pn_starts_with(c, "systemd-nspawn@") && ends_with(c, ".service"))
    name = drop_suffix(pn_skip(c, strlen("systemd-nspawn@")), ".service");
  else if (pn_starts_with(c, "machine-") && ends_with(c, ".scope"))
    name = drop_suffix(pn_skip(c, strlen("machine-")), ".scope");
  else
    return 0;
  if (name.n == 0) return 0;
  f->runtime = "systemd-nspawn";
  f->name = name;
  f->escaped = 1;
  return 1;
}

static int component_container(pn_str c, pn_str prev, int under_kubepods, found *f) {
  memset(f, 0, sizeof *f);
  if (scope_id(c, f) || colon_id(c, f) || lxc_name(c, prev, f) || nspawn_name(c, f))
    return 1;
  if (!pn_is_container_hex_id(c)) return 0;
  if (pn_str_eq(prev, "docker")) f->runtime = "docker";
  else if (!under_kubepods) return 0;
  f->name = c;
  return 1;
}

/* The pod uid of a kubepods component: "pod<uid>" (cgroupfs) or
 * "kubepods[-<qos>]-pod<uid>.slice" (systemd, '_' for '-'). */
static int pod_uid_of(pn_str c, pn_str *uid) {
  pn_str u;
  if (pn_starts_with(c, "pod")) {
    u = pn_skip(c, 3);
  } else if (pn_starts_with(c, "kubepods") && ends_with(c, ".slice")) {
    pn_str body = drop_suffix(c, ".slice");
    size_t i = body.n;
    while (i >= 4 && memcmp(body.p + i - 4, "-pod", 4) != 0) i--;
    if (i < 4) return 0;
    u = pn_skip(body, i);
  } else {
    return 0;
  }
  if (u.n == 0 || u.n >= 40) return 0;
  for (size_t i = 0; i < u.n; i++)
    if (!pn_is_hex_digit(u.p[i]) && u.p[i] != '-' && u.p[i] != '_') return 0;
  *uid = u;
  return 1;
}

/* ---- writing what was found --------------------------------------------------- */

static int hex_value(char c) {
  return pn_is_dec_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Copies a name into out (cap bytes with its NUL), undoing systemd's
 * "\xNN" when escaped; -1 when it does not fit. */
static int copy_name(pn_str s, int escaped, char *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < s.n; i++) {
    char c = s.p[i];
    if (escaped && c == '\\' && i + 3 < s.n && s.p[i + 1] == 'x' &&
        pn_is_hex_digit(s.p[i + 2]) && pn_is_hex_digit(s.p[i + 3])) {
      c = (char)(hex_value(s.p[i + 2]) * 16 + hex_value(s.p[i + 3]));
      i += 3;
    }
    if (n + 1 >= cap || c == '\0') return -1;
    out[n++] = c;
  }
  out[n] = '\0';
  return 0;
}

static void copy_pod_uid(pn_str uid, char out[40]) {
  size_t i;
  for (i = 0; i < uid.n; i++) out[i] = uid.p[i] == '_' ? '-' : uid.p[i];
  out[i] = '\0';
}

/* A container found: it replaces what out held, unless its name does not
 * fit (then it is no container). uid: its pod's, p NULL when none. */
static void record(pn_container *out, const found *f, pn_str uid) {
  char name[sizeof out->id];
  if (copy_name(f->name, f->escaped, name, sizeof name) != 0) return;
  memcpy(out->id, name, sizeof name);
  out->runtime = f->runtime;
  out->pod_uid[0] = '\0';
  if (uid.p) copy_pod_uid(uid, out->pod_uid);
}

/* The pod slice of kubelet's "<pod slice>:<runtime>:<id>", or c itself. */
static pn_str slice_part(pn_str c) {
  pn_str before, after;
  return pn_split_at(c, ':', &before, &after) == 0 ? before : c;
}

/* ---- lines ---------------------------------------------------------------------- */

/* Walks one path; the last container of it (if any) replaces what out
 * held. Returns the last unit component, p NULL when none. */
static pn_str walk_path(pn_str path, pn_container *out) {
  pn_str rest = path, comp, prev = pn_slice(NULL, 0), uid = pn_slice(NULL, 0);
  pn_str unit = pn_slice(NULL, 0);
  int under_kubepods = 0, more;
  found f;
  do {
    more = pn_split_at(rest, '/', &comp, &rest) == 0;
    if (!more) comp = rest;
    if (pn_starts_with(comp, "kubepods")) under_kubepods = 1;
    if (under_kubepods) pod_uid_of(slice_part(comp), &uid);
    if (component_container(comp, prev, under_kubepods, &f)) record(out, &f, uid);
    if (ends_with(comp, ".service") || ends_with(comp, ".scope")) unit = comp;
    prev = comp;
  } while (more);
  return unit;
}

int pn_parse_container(const char *buf, size_t len, pn_container *out) {
  size_t pos = 0;
  pn_str line, hierarchy, controllers, path, v1_unit = pn_slice(NULL, 0);
  memset(out, 0, sizeof *out);
  if (buf == NULL || pn_has_nul(pn_slice(buf, len))) return -1;
  while (pn_next_line(buf, len, &pos, &line)) {
    if (pn_split_at(line, ':', &hierarchy, &controllers) != 0) continue;
    if (pn_split_at(controllers, ':', &controllers, &path) != 0) continue;
    pn_str unit = walk_path(path, out);
    if (controllers.n == 0 && unit.p) out->unit = unit; /* cgroup v2 */
    else if (pn_str_eq(controllers, "name=systemd") && unit.p) v1_unit = unit;
  }
  if (!out->unit.p) out->unit = v1_unit;
  return 0;
}

size_t pn_container_id(const char *buf, size_t len, char out[65]) {
  pn_container c;
  out[0] = '\0';
  if (pn_parse_container(buf, len, &c) != 0) return 0;
  if (!pn_is_container_hex_id(pn_slice(c.id, strlen(c.id)))) return 0;
  memcpy(out, c.id, ID_LEN + 1);
  return ID_LEN;
}
