#!/bin/sh
# deps.sh: makes sure the build and test dependencies are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails.
set -eu
need=""
have_hdr() { [ -f "/usr/include/$1" ]; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_hdr sqlite3.h      || need="$need libsqlite3-dev"
have_cmd sqlite3        || need="$need sqlite3"
have_hdr cmocka.h       || need="$need libcmocka-dev"
have_cmd cc             || need="$need gcc"
have_cmd make           || need="$need make"
# The live tests compare with the real tools and drive namespaces.
have_cmd ss             || need="$need iproute2"
have_cmd lsof           || need="$need lsof"
have_cmd netstat        || need="$need net-tools"
have_cmd fuser          || need="$need psmisc"
have_cmd unshare        || need="$need util-linux"
have_cmd nsenter        || need="$need util-linux"
[ -x /usr/bin/python3 ] || need="$need python3"
# Who talks to whom: the scene's published port, its conntrack entry, the
# graph rendered.
have_cmd nft            || need="$need nftables"
have_cmd conntrack      || need="$need conntrack"
have_cmd dot            || need="$need graphviz"
[ -z "$need" ] && exit 0
need=$(echo $need | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && have_cmd apt-get; then
  echo "deps: installing:$need" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $need >/dev/null
else
  echo "deps: missing packages. Install them with:" >&2
  echo "  sudo apt-get install -y $need" >&2
  exit 1
fi
