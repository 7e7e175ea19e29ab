#!/usr/bin/env python3
"""perf-tree.py: where a process's samples go, as a tree of procnet frames.

Reads `perf script -F comm,ip,sym,dso` output (callchains recorded with
frame pointers, see bench/profile.sh) and, for the samples of one command,
prints the tree of procnet.so frames from the outermost (the xFilter/xNext/
xColumn SQLite called) inwards, each node with its share of all samples,
and under each node what the time was spent in: a system call (kernel
side), or a user-space function (libc or procnet itself).

Samples without any procnet frame are grouped by the library they are in
(SQLite's VDBE, the shell's printing in libc, the dynamic loader, ...).

Caveat of frame-pointer unwinding: a sample inside a libc system-call
wrapper skips the wrapper's immediate caller (the wrapper has no frame), so
e.g. time under pn_read_link shows under pn_read_link's caller.

usage: perf-tree.py PERF_SCRIPT_OUTPUT COMM [MIN_PERCENT] [MAX_DEPTH]
"""
import collections
import sys


def samples(path, comm):
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            if not line[0].isspace():
                if cur is not None and cur[0] == comm:
                    yield cur[1]
                cur = (line.split()[0], [])
                continue
            parts = line.split()
            sym = parts[1].split("+")[0] if len(parts) > 1 else "?"
            dso = parts[-1].strip("()") if len(parts) > 2 else "?"
            cur[1].append((sym, dso))
    if cur is not None and cur[0] == comm:
        yield cur[1]


def terminal(stack):
    """What the sample was doing: a system call, or a user function."""
    kern = [s for s, d in stack if "kernel" in d]
    for s in kern:
        if s.startswith(("__x64_sys_", "__do_sys_", "__se_sys_")):
            return "syscall " + s.split("sys_", 1)[1]
    if kern:
        if any(s in ("asm_exc_page_fault", "exc_page_fault") for s in kern):
            return "page faults"
        return "kernel " + kern[0]
    return "user " + stack[0][0] if stack else "?"


def main():
    path, comm = sys.argv[1], sys.argv[2]
    minpct = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    maxdepth = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    node = collections.Counter()
    term = collections.defaultdict(collections.Counter)
    n = 0
    for st in samples(path, comm):
        n += 1
        pn = [s for s, d in st if "procnet" in d]
        if pn:
            chain = tuple(reversed(pn))[:maxdepth]
        else:
            leaf = st[0][1].rsplit("/", 1)[-1] if st else "?"
            chain = ("(outside procnet: %s)" % leaf,)
        for i in range(1, len(chain) + 1):
            node[chain[:i]] += 1
        term[chain][terminal(st)] += 1
    if n == 0:
        print("no samples for", comm)
        return
    print("%d samples of %s; tree of procnet frames, outermost first "
          "(inclusive %%, nodes >= %.1f%%)" % (n, comm, minpct))

    def show(prefix, depth):
        kids = [(k, v) for k, v in node.items()
                if len(k) == depth + 1 and k[:depth] == prefix]
        kids.sort(key=lambda kv: -kv[1])
        for k, v in kids:
            pct = 100.0 * v / n
            if pct < minpct:
                continue
            print("%6.1f%%  %s%s" % (pct, "  " * depth, k[-1]))
            # where this node's own samples (not in a deeper procnet frame)
            # went
            own = term.get(k, {})
            for t, c in sorted(own.items(), key=lambda kv: -kv[1]):
                if 100.0 * c / n >= minpct:
                    print("%6.1f%%  %s  - %s" % (100.0 * c / n, "  " * depth, t))
            show(k, depth + 1)

    show((), 0)


if __name__ == "__main__":
    main()
