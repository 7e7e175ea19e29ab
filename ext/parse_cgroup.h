/*
 * parse_cgroup.h: what /proc/PID/cgroup says about a process (layer 1,
 * like parse.h): the container it runs in, as its runtime named the
 * cgroup, the Kubernetes pod around it, and its systemd unit.
 *
 * Container runtimes put each container in a cgroup named after it, one
 * path component each (the LAST match wins, so a container nested in a
 * container reports the innermost one):
 *   docker, cgroupfs driver      .../docker/<id>
 *   docker, systemd driver       docker-<id>.scope
 *   containerd (CRI, nerdctl)    cri-containerd-<id>.scope, nerdctl-<id>.scope
 *   cri-o                        crio-<id>.scope
 *   podman                       libpod-<id>.scope (cgroupfs: libpod-<id>)
 *   kubelet, cgroup v1 + systemd <pod slice>:cri-containerd:<id> (and
 *                                :crio:, :docker:)
 *   kubernetes, cgroupfs driver  /kubepods/<qos>/pod<uid>/<id> (the runtime
 *                                is not in the path: NULL)
 *   lxc                          lxc.payload.<name> (LXC 4 and later),
 *                                /lxc/<name> (before)
 *   systemd-nspawn               systemd-nspawn@<name>.service, or the
 *                                machine scope machine-<name>.scope
 * <id> is 64 hex digits; lxc and nspawn containers are known by name (an
 * nspawn name is unescaped: "\x2d" is '-'). The runtime's monitors
 * (crio-conmon-, libpod-conmon-, lxc.monitor.) are not containers.
 * Kubernetes puts the container in its pod's cgroup: kubepods*.slice with
 * kubepods-<qos>-pod<uid>.slice (the uid's dashes written as '_'), or
 * /kubepods/<qos>/pod<uid>.
 *
 * The systemd unit is the last path component that ends in ".service" or
 * ".scope", read from the unified (0::) or the name=systemd line: what
 * `systemctl status PID` names (nginx.service; for a container, its scope,
 * or the unit inside it).
 */
#ifndef PROCNET_PARSE_CGROUP_H
#define PROCNET_PARSE_CGROUP_H

#include "parse.h"

#define PN_CONTAINER_ID_MAX 128

typedef struct pn_container {
  const char *runtime;      /* "docker", "containerd", "cri-o", "podman",
                               "lxc", "systemd-nspawn" (static text), or
                               NULL: unknown (kubepods, cgroupfs driver) */
  char id[PN_CONTAINER_ID_MAX]; /* the id, or the lxc/nspawn name; "" when
                               the process is in no container */
  char pod_uid[40];         /* the Kubernetes pod's uid, dashes restored;
                               "" when none */
  pn_str unit;              /* the systemd unit: a slice of the input, p
                               NULL when none */
} pn_container;

/* Reads the whole cgroup file. Returns 0 (out says what was found, maybe
 * nothing), or -1 for a NULL buffer or one holding a NUL byte. */
int pn_parse_container(const char *buf, size_t len, pn_container *out);

/* 1 when s is exactly 64 hex digits: a container id of the runtimes that
 * use them. */
int pn_is_container_hex_id(pn_str s);

#endif
