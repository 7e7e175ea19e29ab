#!/bin/sh
# mkcorpus.sh OUT FIXTURES SEEDS: writes the seed corpus of every harness,
# OUT/<harness>/, from the fixture files, so that the seeds follow the
# fixtures. Run by `make fuzz` (mk/fuzz.mk) before each run.
#
#   FIXTURES/captured/*        real kernel text (tests/fixtures/captured)
#   FIXTURES/netlink/*.bin     real netlink replies (tests/fixtures/netlink)
#   FIXTURES/proc*/**          the fixture /proc trees (files and link texts)
#   SEEDS/<harness>.lines      extra hand-written seeds, one per line
#
# Whole-file parsers get whole files; line parsers get one seed per
# non-empty line (without its '\n'); fdlink gets the text of every link.
# A handful of processes in all (a loaded CI machine forks slowly).
set -eu
out=$1; fx=$2; seeds=$3

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# whole HARNESS FILE...: one seed per file, kept under its path relative to
# FIXTURES (libFuzzer reads corpus directories recursively). One cp.
whole() {
  h=$1; shift
  mkdir -p "$out/$h"
  rels=""
  for f in "$@"; do
    [ -f "$f" ] && rels="$rels ${f#"$fx"/}"
  done
  # shellcheck disable=SC2086
  [ -z "$rels" ] || (cd "$fx" && cp --parents $rels "$out/$h/")
}

# lines HARNESS FILE...: one seed per non-empty line, numbered.
lines() {
  h=$1; shift
  mkdir -p "$out/$h"
  [ $# -gt 0 ] || return 0
  awk -v dir="$out/$h" -v tag="$h" '
    length($0) > 0 { f = sprintf("%s/%s-%05d", dir, tag, ++n);
                     printf "%s", $0 > f; close(f) }' "$@"
}

# named NAME: the regular files called NAME in the fixture trees.
named() { find "$fx"/proc* -type f -name "$1" | LC_ALL=C sort; }

# stat also reads its input as the system's /proc/stat (btime).
whole stat "$fx"/captured/stat_* \
  $(find "$fx"/proc* -type f -path '*/[0-9]*/stat' | LC_ALL=C sort) \
  $(find "$fx"/proc* -maxdepth 1 -type f -name stat | LC_ALL=C sort)
whole status "$fx"/captured/status_* $(named status)
whole fdinfo "$fx"/captured/fdinfo_* \
  $(find "$fx"/proc* -type f -path '*/fdinfo/*' ! -name .keep | LC_ALL=C sort)
whole unix "$fx"/captured/net_unix $(named unix)
whole cgroup "$fx"/captured/cgroup_self $(named cgroup)
whole lines $(find "$fx"/captured -type f ! -name '*.py' | LC_ALL=C sort)
# Netlink replies: each whole datagram (the harnesses walk it and also read
# it as one payload); the kernel's NLMSG_ERROR for every one of them.
whole diag_inet "$fx"/netlink/inet_*.bin "$fx"/netlink/error_einval.bin
whole diag_unix "$fx"/netlink/unix.bin "$fx"/netlink/error_einval.bin
whole diag_packet "$fx"/netlink/packet.bin "$fx"/netlink/error_einval.bin
whole rtnl "$fx"/netlink/rtm_*.bin "$fx"/netlink/error_einval.bin
whole ctnetlink "$fx"/conntrack/ctnetlink.bin "$fx"/netlink/error_einval.bin
lines conntrack "$fx"/conntrack/nf_conntrack
whole json $(find "$fx"/containers -type f -name '*.json' | LC_ALL=C sort)

# Link texts: the captured ones (NAME<TAB>TARGET) and the fixture links.
{ cut -f2- "$fx"/captured/fdlinks
  find "$fx"/proc* -type l -printf '%l\n' | LC_ALL=C sort -u; } > "$out/.links"
lines fdlink "$out/.links"
rm -f "$out/.links"

inet_files=""
for n in tcp tcp6 udp udp6 udplite udplite6 raw raw6 icmp icmp6; do
  inet_files="$inet_files $(named $n)"
done
# shellcheck disable=SC2086
lines inet "$fx"/captured/net_tcp "$fx"/captured/net_tcp6 \
  "$fx"/captured/net_udp "$fx"/captured/net_udp6 "$fx"/captured/net_udplite \
  "$fx"/captured/net_raw "$fx"/captured/net_raw6 "$fx"/captured/net_icmp \
  $inet_files
lines packet "$fx"/captured/net_packet $(named packet)
lines netlink "$fx"/captured/net_netlink $(named netlink)
lines maps "$fx"/captured/maps $(named maps)
lines locks "$fx"/captured/locks $(named locks)

# Hand-written seeds (passwd has no fixture file).
for f in "$seeds"/*.lines; do
  [ -f "$f" ] || continue
  h=$(basename "$f" .lines)
  mkdir -p "$out/$h"
  awk -v dir="$out/$h" -v tag="seed" '
    length($0) > 0 { f = sprintf("%s/%s-%05d", dir, tag, ++n);
                     printf "%s", $0 > f; close(f) }' "$f"
done

# proc_tree reads its input as commands (fuzz_proc_tree.c, run_command):
# one seed per command byte, with parameters that pick early entries.
mkdir -p "$out/proc_tree"
awk -v dir="$out/proc_tree" 'BEGIN {
  split("0 1 4 9", a, " ");
  for (c = 0; c < 16; c++) for (k = 1; k <= 4; k++) {
    f = sprintf("%s/cmd-%02d-%d", dir, c, a[k]);
    printf "%c%c%c%c%c%c%c%c", c, a[k], 1, 8, 2, 3, 5, 7 > f; close(f)
  } }'

for h in "$out"/*; do
  echo "corpus: ${h##*/}: $(find "$h" -type f | wc -l) seeds"
done
