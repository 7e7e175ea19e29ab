/*
 * mounts.c: the mount points of the reader's mount namespace
 * (/proc/self/mounts), for the names fuser -v and lsof are given: fuser
 * lists a name's mount as the kernel's use of it; lsof treats a mount
 * point as its whole file system.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The mount point field as the kernel escapes it (\040 for a blank),
 * undone in place. */
static void unescape(char *s) {
  char *o = s;
  for (char *p = s; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
        p[3] >= '0' && p[3] <= '7') {
      *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 3;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
}

char *cli_mount_point(long long dev_major, long long dev_minor, long long inode,
                      int any_inode) {
  FILE *in = fopen("/proc/self/mounts", "r");
  char line[4096], *found = NULL;
  while (in && !found && fgets(line, sizeof line, in)) {
    char *point = strchr(line, ' '), *end;
    struct stat st;
    if (!point || !(end = strchr(++point, ' '))) continue;
    *end = '\0';
    unescape(point);
    if (stat(point, &st) != 0) continue;
    if ((long long)major(st.st_dev) == dev_major && (long long)minor(st.st_dev) == dev_minor &&
        (any_inode || (long long)st.st_ino == inode))
      found = strdup(point);
  }
  if (in) fclose(in);
  return found;
}
