/*
 * runtime_state.c: container names from runtimes' state files; see
 * runtime_state.h.
 */
#include "runtime_state.h"

#include "parse_json.h"

#include <stdio.h>
#include <string.h>

/* Reads rel under host into buf: 1 when read, 0 when missing or not
 * readable, -1 when out of memory. */
static int read_state(const pn_fs *host, const char *rel, pn_buf *buf) {
  int err;
  pn_res r = pn_read_file(host, -1, rel, buf, &err);
  if (pn_is_nomem(r, err)) return -1;
  return r == PN_OK;
}

/* The string at path into out (left as it is when absent). */
static void take(const pn_buf *buf, const char *const *path, int n, char *out) {
  char v[PN_STATE_NAME_MAX];
  if (pn_json_string(buf->p, buf->n, path, n, v, sizeof v) > 0)
    memcpy(out, v, sizeof v);
}

static void take_annotation(const pn_buf *buf, const char *key, char *out) {
  const char *const path[] = {"annotations", key};
  take(buf, path, 2, out);
}

static void take_label(const pn_buf *buf, const char *key, char *out) {
  const char *const path[] = {"Config", "Labels", key};
  take(buf, path, 3, out);
}

static int docker(const pn_fs *host, const char *id, pn_state_names *o, pn_buf *buf) {
  static const char *const name[] = {"Name"};
  char rel[160];
  snprintf(rel, sizeof rel, "var/lib/docker/containers/%s/config.v2.json", id);
  int got = read_state(host, rel, buf);
  if (got <= 0) return got;
  take(buf, name, 1, o->name);
  if (o->name[0] == '/') memmove(o->name, o->name + 1, strlen(o->name));
  take_label(buf, "io.kubernetes.container.name", o->name);
  take_label(buf, "io.kubernetes.pod.name", o->pod_name);
  take_label(buf, "io.kubernetes.pod.namespace", o->pod_namespace);
  return 1;
}

static int containerd(const pn_fs *host, const char *id, pn_state_names *o,
                      pn_buf *buf) {
  static const char *const spaces[] = {"k8s.io", "default", "moby"};
  for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
    char rel[200];
    snprintf(rel, sizeof rel, "run/containerd/io.containerd.runtime.v2.task/%s/%s/config.json",
             spaces[i], id);
    int got = read_state(host, rel, buf);
    if (got == 0) continue;
    if (got < 0) return got;
    take_annotation(buf, "nerdctl/name", o->name);
    take_annotation(buf, "io.kubernetes.cri.container-name", o->name);
    take_annotation(buf, "io.kubernetes.cri.sandbox-name", o->pod_name);
    take_annotation(buf, "io.kubernetes.cri.sandbox-namespace", o->pod_namespace);
    return 1;
  }
  return 0;
}

static int crio(const pn_fs *host, const char *id, pn_state_names *o, pn_buf *buf) {
  static const char *const roots[] = {"run", "var/lib"};
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
    char rel[200];
    snprintf(rel, sizeof rel, "%s/containers/storage/overlay-containers/%s/userdata/config.json",
             roots[i], id);
    int got = read_state(host, rel, buf);
    if (got == 0) continue;
    if (got < 0) return got;
    take_annotation(buf, "io.kubernetes.container.name", o->name);
    take_annotation(buf, "io.kubernetes.pod.name", o->pod_name);
    take_annotation(buf, "io.kubernetes.pod.namespace", o->pod_namespace);
    return 1;
  }
  return 0;
}

static int podman(const pn_fs *host, const char *id, pn_state_names *o, pn_buf *buf) {
  int got = read_state(host, "var/lib/containers/storage/overlay-containers/containers.json", buf);
  if (got <= 0) return got;
  char v[PN_STATE_NAME_MAX];
  if (pn_json_array_lookup(buf->p, buf->n, "id", id, "names", v, sizeof v) <= 0) return 0;
  memcpy(o->name, v, sizeof v);
  return 1;
}

typedef int reader_fn(const pn_fs *, const char *, pn_state_names *, pn_buf *);

static const struct {
  const char *runtime;
  reader_fn *read;
} readers[] = {
    {"docker", docker}, {"containerd", containerd}, {"cri-o", crio}, {"podman", podman}};

int pn_state_names_read(const pn_fs *host, const char *runtime, const char *id,
                        pn_state_names *out, pn_buf *buf) {
  memset(out, 0, sizeof *out);
  out->runtime = runtime;
  for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
    if (runtime && strcmp(runtime, readers[i].runtime) != 0) continue;
    int got = readers[i].read(host, id, out, buf);
    if (got < 0) return -1;
    if (got > 0) {
      out->runtime = readers[i].runtime;
      return 0;
    }
  }
  return 0;
}
