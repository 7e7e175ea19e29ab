/*
 * runtime_state.h: what a container runtime's own state on this host says
 * of a container it runs (layer 2: files under the host root, read with
 * procfs.h's verdicts, parsed with parse_json.h): the container's name,
 * and for a Kubernetes container its pod's name and namespace.
 *
 *   docker      var/lib/docker/containers/ID/config.v2.json: Name, and
 *               Config.Labels io.kubernetes.* (dockershim)
 *   containerd  run/containerd/io.containerd.runtime.v2.task/NS/ID/
 *               config.json (NS k8s.io, default, moby): the annotations
 *               io.kubernetes.cri.container-name, .sandbox-name,
 *               .sandbox-namespace; nerdctl/name
 *   cri-o       run/containers/storage/overlay-containers/ID/userdata/
 *               config.json (or under var/lib): io.kubernetes.container.name,
 *               io.kubernetes.pod.name, io.kubernetes.pod.namespace
 *   podman      var/lib/containers/storage/overlay-containers/
 *               containers.json: the container's names
 *
 * A runtime the cgroup path does not name (kubepods with the cgroupfs
 * driver) is found by looking for the id's state in each. State that is
 * missing or unreadable leaves the names empty: never an error.
 */
#ifndef PROCNET_RUNTIME_STATE_H
#define PROCNET_RUNTIME_STATE_H

#include "procfs.h"

#define PN_STATE_NAME_MAX 256

typedef struct pn_state_names {
  const char *runtime;      /* the runtime whose state was found, or the
                               one asked about */
  char name[PN_STATE_NAME_MAX];          /* "" when unknown */
  char pod_name[PN_STATE_NAME_MAX];
  char pod_namespace[PN_STATE_NAME_MAX];
} pn_state_names;

/* Reads the state of container id (64 hex digits) of runtime (NULL:
 * unknown, each is tried) under host into out, with buf as scratch.
 * 0, or -1 when out of memory. */
int pn_state_names_read(const pn_fs *host, const char *runtime, const char *id,
                        pn_state_names *out, pn_buf *buf);

#endif
