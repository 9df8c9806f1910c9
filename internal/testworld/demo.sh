#!/usr/bin/env bash
# demo.sh: jcage's whole workflow in the sandbox, as a newcomer's first
# command on a Linux machine (`make demo`). It needs what `make test`
# needs: root, zfs-fuse (world-up.sh installs and starts it) and the test
# binaries in $JCAGE_TESTBIN. Everything it prints below a "$ jcage" line
# is jcage's real output.
#
# The sandbox: a file-backed zfs-fuse pool named jcagedemo, the
# FreeBSD-userland simulator first in PATH (jail, jls, jexec, mount,
# freebsd-update, ...), and a release mirror serving synthetic FreeBSD
# releases on 127.0.0.1.
set -euo pipefail

bin=${JCAGE_TESTBIN:?run through make demo}
dir=/var/tmp/jcagedemo
pool=jcagedemo
zpool=/usr/sbin/zpool
sys_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

cleanup() {
	[ -n "${mirror_pid:-}" ] && kill "$mirror_pid" 2>/dev/null || true
	[ -n "${plugins_pid:-}" ] && kill "$plugins_pid" 2>/dev/null || true
	PATH=$sys_path "$zpool" destroy -f "$pool" 2>/dev/null || true
	rm -f "$dir/$pool.img"
}
trap cleanup EXIT

# A pool left by an interrupted demo goes first.
PATH=$sys_path "$zpool" destroy -f "$pool" 2>/dev/null || true
mkdir -p "$dir/mnt" "$dir/state" "$dir/run"
rm -rf "$dir/state"/* "$dir/run"/*
rm -f "$dir/$pool.img"
truncate -s 2G "$dir/$pool.img"
PATH=$sys_path "$zpool" create -m "$dir/mnt/$pool" "$pool" "$dir/$pool.img"

# The mirror: built once (cached in $dir/mirror), served on a free port.
"$bin/mirror" up -dir "$dir/mirror" -release 14.3-RELEASE,13.4-RELEASE -arch amd64 -addr 127.0.0.1:0 >"$dir/mirror.url" 2>"$dir/mirror.log" &
mirror_pid=$!
for _ in $(seq 1 300); do
	[ -s "$dir/mirror.url" ] && break
	sleep 0.2
done
url=$(head -n1 "$dir/mirror.url")
[ -n "$url" ] || { echo "demo: the release mirror did not start:" >&2; cat "$dir/mirror.log" >&2; exit 1; }

# The plugin index, its artifacts and their pkg repository.
"$bin/mirror" plugins -addr 127.0.0.1:0 >"$dir/plugins.url" 2>"$dir/plugins.log" &
plugins_pid=$!
for _ in $(seq 1 100); do
	[ -s "$dir/plugins.url" ] && break
	sleep 0.2
done
index=$(head -n1 "$dir/plugins.url")
[ -n "$index" ] || { echo "demo: the plugin index did not start:" >&2; cat "$dir/plugins.log" >&2; exit 1; }

export PATH="$bin/path:$PATH"
# The test world's jcage (built by make testbin) takes its PATH from here.
export JCAGE_TESTWORLD_PATH="$PATH"
export JCAGE_SIM_STATE="$dir/state" JCAGE_RUN_DIR="$dir/run" JCAGE_POOL="$pool"

step() {
	printf '\n$ jcage %s\n' "$*"
	"$bin/jcage" "$@"
}

echo "jcage $("$bin/jcage" --version | awk '{print $NF}') on a zfs-fuse pool ($pool), the FreeBSD-userland simulator and a release mirror at $url"
step activate "$pool"
printf '\n$ zfs list -r -o name,mountpoint %s/iocage\n' "$pool"
zfs list -r -o name,mountpoint "$pool/iocage"
step fetch -s "$url" -r 14.3-RELEASE
step list -r
step create -r 14.3-RELEASE -n www1 ip4_addr="em0|10.0.0.11/24" boot=on
step create -r 14.3-RELEASE -n db1 -T ip4_addr="em0|10.0.0.12/24"
step create -r 14.3-RELEASE -n base1 -b ip4_addr="em0|10.0.0.13/24"
step list
step set notes="web front end" priority=10 www1
step get notes www1
step get -r priority
step start db1
step list -l
step stop db1 www1
step snapshot -n before-change www1
echo "(writing /root/CHANGED inside www1)"
echo changed >"$dir/mnt/$pool/iocage/jails/www1/root/root/CHANGED"
step snaplist www1
step rollback -f -n before-change www1
ls "$dir/mnt/$pool/iocage/jails/www1/root/root/CHANGED" 2>/dev/null && echo "rollback did not restore www1" && exit 1
echo "(/root/CHANGED is gone again)"
step export www1
step destroy -f www1
step import www1
step list
step fetch -P hello -g "$index" vnet=0 ip4_addr="em0|10.0.0.14/24"
step list -P
step df
