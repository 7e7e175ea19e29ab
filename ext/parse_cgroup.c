/*
 * parse_cgroup.c: the container id in /proc/PID/cgroup.
 *
 * Lines are "HIERARCHY:CONTROLLERS:/PATH". Container runtimes name the
 * cgroup of a container after its 64-hex-digit id, in one of these shapes
 * (one path component each):
 *   docker, cgroupfs driver    .../docker/<id>
 *   docker, systemd driver     docker-<id>.scope
 *   containerd (CRI)           cri-containerd-<id>.scope
 *   podman                     libpod-<id>.scope  (cgroupfs: libpod-<id>)
 *   cri-o                      crio-<id>.scope
 *   kubernetes, cgroupfs       /kubepods/<qos>/pod<uid>/<id>
 * The id of the LAST matching component wins, so a container nested in a
 * container reports the innermost one. A bare hex component anywhere else is
 * not an id: "/process_api/8f07015e..." names no runtime.
 */
#include "parse_util.h"

#include <string.h>

#define ID_LEN 64

/* 1 if s is exactly 64 hex digits. */
static int is_container_id(pn_str s) {
  size_t i;
  if (s.n != ID_LEN) return 0;
  for (i = 0; i < s.n; i++)
    if (!pn_is_hex_digit(s.p[i])) return 0;
  return 1;
}

/* If c is "<prefix><id>.scope" or "<prefix><id>" for one of the runtimes'
 * prefixes, returns 1 and the id. "crio-conmon-<id>.scope" and the like are
 * the runtime's monitor, not the container, and do not match since "conmon-"
 * is not hex. */
static int scope_id(pn_str c, pn_str *id) {
  static const char *const prefixes[] = {"docker-", "cri-containerd-",
                                         "libpod-", "crio-"};
  size_t k;
  for (k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
    pn_str rest;
    if (!pn_starts_with(c, prefixes[k])) continue;
    rest = pn_skip(c, strlen(prefixes[k]));
    if (rest.n == ID_LEN + strlen(".scope") &&
        memcmp(rest.p + ID_LEN, ".scope", strlen(".scope")) == 0)
      rest.n = ID_LEN;
    if (is_container_id(rest)) {
      *id = rest;
      return 1;
    }
  }
  return 0;
}

/* If comp names a container, returns 1 and its id. prev is the component
 * before it; under_kubepods tells whether a kubepods component came before. */
static int component_id(pn_str comp, pn_str prev, int under_kubepods,
                        pn_str *id) {
  if (scope_id(comp, id)) return 1;
  if (!is_container_id(comp)) return 0;
  if (!pn_str_eq(prev, "docker") && !under_kubepods) return 0;
  *id = comp;
  return 1;
}

/* Walks the components of one cgroup path and updates *id with every
 * container id found; returns 1 if there was one. */
static int ids_in_path(pn_str path, pn_str *id) {
  pn_str rest = path, comp, prev = pn_slice(NULL, 0);
  int under_kubepods = 0, found = 0, more;
  do {
    more = pn_split_at(rest, '/', &comp, &rest) == 0;
    if (!more) comp = rest;
    if (component_id(comp, prev, under_kubepods, id)) found = 1;
    /* kubepods, kubepods.slice, kubepods-burstable.slice, ... */
    if (pn_starts_with(comp, "kubepods")) under_kubepods = 1;
    prev = comp;
  } while (more);
  return found;
}

size_t pn_container_id(const char *buf, size_t len, char out[65]) {
  size_t pos = 0;
  pn_str line, hierarchy, controllers, path, id = pn_slice(NULL, 0);
  int found = 0;
  out[0] = '\0';
  if (buf == NULL) return 0;
  while (pn_next_line(buf, len, &pos, &line)) {
    if (pn_split_at(line, ':', &hierarchy, &controllers) != 0) continue;
    if (pn_split_at(controllers, ':', &controllers, &path) != 0) continue;
    if (ids_in_path(path, &id)) found = 1;
  }
  if (!found) return 0;
  memcpy(out, id.p, ID_LEN);
  out[ID_LEN] = '\0';
  return ID_LEN;
}
